"""A query parameter a route does not declare is a 400 naming it, not a silent no-op.

Issue 12.5: ``GET /v1/awards?project_name=…`` used to answer every award. The
accepted set is the route's documented ``query`` (``@route(...)``), so the
OpenAPI document and the check cannot drift.
"""

from __future__ import annotations

import re

from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push


def test_an_unknown_filter_on_the_award_list_is_refused_by_name(api):
    response = api.call("GET", "/v1/awards?year=2025&project_name=%E5%89%AF%E4%B8%AD%E5%BF%83")

    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == "project_name"
    assert "project_name" in response.data["error"]["message"]


def test_declared_parameters_still_filter(api, keys):
    program_id = submitted_program(api, keys["320000"])
    code = credit_code(1)  # the general contractor of ``award_body``
    pushed = push(api, keys["320000"], award_body(program_id))

    response = api.call(
        "GET", f"/v1/awards?authority_id=320000&credit_code={code}&include_revoked=false&limit=5"
    )

    assert response.status_code == 200
    assert [item["id"] for item in response.data["items"]] == [pushed["id"]]


def test_a_very_long_unknown_name_is_not_echoed_whole(api):
    name = "x" * 5000
    response = api.call("GET", f"/v1/verify?credit_code={credit_code(1)}&{name}=1")

    assert response.status_code == 400
    assert response.data["error"]["field"] == "x" * 64
    assert len(response.data["error"]["message"]) < 300


def test_every_api_read_refuses_an_undeclared_parameter(api, keys, public_base_url):
    """Each GET of the document, with its declared parameters plus one it does not take."""
    document = api.call("GET", "/v1/openapi.json").data
    checked = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or "400" not in operation["responses"]:
            continue  # the human pages and their files (see the last test)
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        response = api.call("GET", f"{concrete}?not_a_parameter=1", key=keys["admin"])
        assert response.status_code == 400, (path, response.status_code)
        assert response.data["error"]["field"] == "not_a_parameter", path
        checked.append(path)
    assert {"/v1/awards", "/v1/verify", "/v1/changes", "/v1/verify/print", "/v1/health"} <= set(
        checked
    )
    pages = {"/", "/verify/check", "/static/{name}", "/favicon.ico", "/console", "/console/{name}"}
    assert not pages & set(checked)


def test_the_human_pages_ignore_parameters_a_browser_adds(api):
    """A shared link carries ``utm_…`` or a mail client's own tags: the page still opens."""
    response = api.client.http.get("/?utm_source=wechat", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
