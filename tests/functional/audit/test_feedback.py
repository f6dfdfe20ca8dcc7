"""Feedback and zero reports: what provinces tell MOHURD besides awards."""

from __future__ import annotations

import pytest


def test_a_province_sends_feedback_and_admins_read_it_newest_first(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    first = api.call(
        "POST",
        "/v1/feedback",
        {"subject": "模板问题", "body": "第三列说明不清"},
        key=keys["110000"],
    )
    clock.set("2026-11-21T02:00:00+00:00")
    second = api.call(
        "POST",
        "/v1/feedback",
        {"subject": "接口建议", "body": "希望支持批量撤销"},
        key=keys["320000"],
    )
    assert first.status_code == 201, first.body
    assert first.data["authority_id"] == "110000"
    assert first.data["created_at"] == "2026-11-20T02:00:00.000000Z"

    page = api.call("GET", "/v1/feedback?limit=1", key=keys["admin"]).data
    assert [item["id"] for item in page["items"]] == [second.data["id"]]
    rest = api.call(
        "GET", f"/v1/feedback?limit=1&cursor={page['next_cursor']}", key=keys["admin"]
    ).data
    assert [item["subject"] for item in rest["items"]] == ["模板问题"]
    assert rest["next_cursor"] is None


def test_feedback_is_sent_by_provinces_and_read_by_admins(api, keys):
    body = {"subject": "s", "body": "b"}
    assert api.call("POST", "/v1/feedback", body).status_code == 401
    assert api.call("POST", "/v1/feedback", body, key=keys["admin"]).status_code == 403
    assert api.call("GET", "/v1/feedback").status_code == 401
    missing = api.call("POST", "/v1/feedback", {"subject": "s"}, key=keys["110000"])
    assert (missing.status_code, missing.data["error"]["field"]) == (400, "body")
    bad_cursor = api.call("GET", "/v1/feedback?cursor=abc.def", key=keys["admin"])
    assert (bad_cursor.status_code, bad_cursor.data["error"]["code"]) == (400, "invalid_cursor")


def test_a_province_files_a_zero_report(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    body = {"period_from": "2026-01-01", "period_to": "2026-06-30", "note": "上半年未开展评选"}
    response = api.call("POST", "/v1/zero-reports", body, key=keys["110000"])
    assert response.status_code == 201, response.body
    assert response.data["authority_id"] == "110000"
    assert (response.data["period_from"], response.data["period_to"]) == (
        "2026-01-01",
        "2026-06-30",
    )
    assert response.data["id"].startswith("zro_")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_from": "2026-07-01", "period_to": "2026-06-30", "note": "n"}, "period_to"),
        ({"period_from": "2026-01-01", "period_to": "2026-11-21", "note": "n"}, "period_to"),
        ({"period_from": "2017-12-31", "period_to": "2018-06-30", "note": "n"}, "period_from"),
        ({"period_from": "2026-02-30", "period_to": "2026-06-30", "note": "n"}, "period_from"),
        ({"period_from": "2026-01-01", "period_to": "2026-06-30"}, "note"),
    ],
)
def test_a_bad_zero_report_is_400_naming_the_field(api, keys, clock, body, field):
    clock.set("2026-11-20T02:00:00+00:00")  # 2026-11-20 in Beijing: the 21st is the future
    response = api.call("POST", "/v1/zero-reports", body, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["field"] == field


def test_only_provinces_file_zero_reports(api, keys):
    body = {"period_from": "2026-01-01", "period_to": "2026-06-30", "note": "n"}
    assert api.call("POST", "/v1/zero-reports", body).status_code == 401
    assert api.call("POST", "/v1/zero-reports", body, key=keys["admin"]).status_code == 403


def _zero_report(api, key, period_from, period_to, note="未开展评选"):
    body = {"period_from": period_from, "period_to": period_to, "note": note}
    response = api.call("POST", "/v1/zero-reports", body, key=key)
    assert response.status_code == 201, response.body
    return response.data["id"]


def test_a_province_lists_its_own_zero_reports_latest_period_first(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    first = _zero_report(api, keys["110000"], "2026-01-01", "2026-03-31")
    second = _zero_report(api, keys["110000"], "2026-04-01", "2026-06-30")
    _zero_report(api, keys["320000"], "2026-01-01", "2026-06-30", note="江苏")

    page = api.call("GET", "/v1/zero-reports?limit=1", key=keys["110000"])
    assert page.status_code == 200, page.body
    assert [item["id"] for item in page.data["items"]] == [second]
    rest = api.call(
        "GET", f"/v1/zero-reports?limit=1&cursor={page.data['next_cursor']}", key=keys["110000"]
    ).data
    assert [item["id"] for item in rest["items"]] == [first]
    assert rest["next_cursor"] is None
    # another province's reports are not visible, even by asking for them
    everything = api.call("GET", "/v1/zero-reports", key=keys["110000"]).data
    assert {item["authority_id"] for item in everything["items"]} == {"110000"}
    other = api.call("GET", "/v1/zero-reports?authority_id=320000", key=keys["110000"])
    assert other.status_code == 403


def test_an_administrator_lists_every_provinces_zero_reports_page_by_page(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    beijing = [_zero_report(api, keys["110000"], f"2026-0{m}-01", f"2026-0{m}-28") for m in (1, 2)]
    jiangsu = _zero_report(api, keys["320000"], "2026-01-01", "2026-06-30")

    seen, cursor = [], None
    while True:
        query = "/v1/zero-reports?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", query, key=keys["admin"])
        assert page.status_code == 200, page.body
        assert len(page.data["items"]) <= 2
        seen += [item["id"] for item in page.data["items"]]
        cursor = page.data["next_cursor"]
        if cursor is None:
            break
    assert seen == [beijing[1], beijing[0], jiangsu]

    only = api.call("GET", "/v1/zero-reports?authority_id=320000", key=keys["admin"]).data
    assert [item["id"] for item in only["items"]] == [jiangsu]


def test_zero_report_lists_need_a_key_and_refuse_bad_input(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    for month in (1, 2):
        _zero_report(api, keys["110000"], f"2026-0{month}-01", f"2026-0{month}-28")
    assert api.call("GET", "/v1/zero-reports").status_code == 401
    unknown = api.call("GET", "/v1/zero-reports?authority_id=999999", key=keys["admin"])
    assert (unknown.status_code, unknown.data["error"]["field"]) == (400, "authority_id")
    extra = api.call("GET", "/v1/zero-reports?period=2026", key=keys["admin"])
    assert (extra.status_code, extra.data["error"]["field"]) == (400, "period")
    page = api.call("GET", "/v1/zero-reports?limit=1", key=keys["admin"]).data
    moved = api.call(
        "GET",
        f"/v1/zero-reports?limit=1&authority_id=110000&cursor={page['next_cursor']}",
        key=keys["admin"],
    )
    assert (moved.status_code, moved.data["error"]["code"]) == (400, "invalid_cursor")
    # a province's cursor does not open another province's reports
    own = api.call("GET", "/v1/zero-reports?limit=1", key=keys["110000"]).data
    foreign = api.call(
        "GET", f"/v1/zero-reports?limit=1&cursor={own['next_cursor']}", key=keys["320000"]
    )
    assert (foreign.status_code, foreign.data["error"]["code"]) == (400, "invalid_cursor")
