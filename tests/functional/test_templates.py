"""``GET /v1/templates/awards.xlsx``: the public backfill template, as bytes."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from chalicelib.api.templates import TEMPLATE_PATH, XLSX_TYPE


def test_anyone_downloads_the_template_as_xlsx_bytes(api):
    response = api.client.http.get("/v1/templates/awards.xlsx", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_TYPE
    assert response.headers["Content-Disposition"].startswith('attachment; filename="awards.xlsx"')
    assert response.headers["ETag"].startswith('"')
    assert response.body == TEMPLATE_PATH.read_bytes()
    workbook = load_workbook(io.BytesIO(response.body), read_only=True)
    assert "获奖信息" in workbook.sheetnames


def test_asking_for_the_xlsx_type_itself_works(api):
    response = api.client.http.get("/v1/templates/awards.xlsx", headers={"Accept": XLSX_TYPE})
    assert response.status_code == 200 and response.body[:2] == b"PK"


def test_without_an_accept_that_allows_it_the_answer_says_which_to_send(api):
    response = api.call("GET", "/v1/templates/awards.xlsx", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == "Accept"
    assert XLSX_TYPE in response.data["error"]["message"]
