"""The administrators' feedback inbox: by province and China date, handled with a reply
that the province reads back (issue 13, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.config import settings

ZHANG = {"subject": "模板问题", "body": "第三列说明不清"}


def _send(api, key: str, subject: str, body: str = "内容") -> dict:
    response = api.call("POST", "/v1/feedback", {"subject": subject, "body": body}, key=key)
    assert response.status_code == 201, response.body
    return response.data


def _handle(api, key: str, feedback_id: str, reply: Any) -> Any:
    return api.call("POST", f"/v1/feedback/{feedback_id}/handle", {"reply": reply}, key=key)


def _all_pages(api, key: str, query: str) -> list[dict]:
    """Every item of a list, following ``next_cursor`` (pages may be short)."""
    items, cursor = [], None
    for _ in range(100):
        path = "/v1/feedback?" + query + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path, key=key)
        assert page.status_code == 200, page.body
        items += page.data["items"]
        cursor = page.data["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list did not end")


@pytest.fixture
def setting() -> Iterator[Any]:
    """Swap one field of the cached settings for a test, and swap it back."""
    saved: dict[str, Any] = {}

    def swap(name: str, value: Any) -> None:
        saved.setdefault(name, getattr(settings(), name))
        object.__setattr__(settings(), name, value)

    yield swap
    for name, value in saved.items():
        object.__setattr__(settings(), name, value)


def test_new_feedback_is_open_without_a_reply(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    assert sent["state"] == "open"
    assert (sent["reply"], sent["handled_at"], sent["replies"]) == (None, None, [])


def test_an_administrator_filters_by_province_and_china_dates(api, keys, clock):
    # 23:59 and 00:00 in Beijing on either side of midnight of 19/20 November
    clock.set("2026-11-19T15:59:00+00:00")
    late_19th = _send(api, keys["110000"], "十九日深夜")
    clock.set("2026-11-19T16:00:00+00:00")
    early_20th = _send(api, keys["110000"], "二十日零点")
    clock.set("2026-11-20T08:00:00+00:00")
    jiangsu_20th = _send(api, keys["320000"], "江苏二十日")
    clock.set("2026-11-20T16:00:00+00:00")
    beijing_21st = _send(api, keys["110000"], "二十一日零点")
    admin = keys["admin"]

    def ids(query: str) -> list[str]:
        return [item["id"] for item in _all_pages(api, admin, query)]

    assert ids("from=2026-11-20&to=2026-11-20") == [jiangsu_20th["id"], early_20th["id"]]
    assert ids("authority_id=110000&from=2026-11-20&to=2026-11-20") == [early_20th["id"]]
    assert ids("authority_id=110000&to=2026-11-19") == [late_19th["id"]]
    assert ids("authority_id=110000&from=2026-11-20") == [beijing_21st["id"], early_20th["id"]]
    assert ids("authority_id=320000") == [jiangsu_20th["id"]]
    assert len(ids("limit=1")) == 4  # every item once, a page at a time


def test_a_handled_item_shows_its_reply_to_the_province(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    clock.set("2026-11-21T03:00:00+00:00")
    handled = _handle(api, keys["admin"], sent["id"], "  已收到，下一版模板将补充说明。 ")
    assert handled.status_code == 200, handled.body
    assert handled.data["id"] == sent["id"]
    assert handled.data["state"] == "handled"
    assert handled.data["reply"] == "已收到，下一版模板将补充说明。"
    assert handled.data["handled_at"] == "2026-11-21T03:00:00.000000Z"

    own = api.call("GET", "/v1/feedback", key=keys["110000"])
    assert own.status_code == 200, own.body
    [item] = own.data["items"]
    assert (item["state"], item["reply"]) == ("handled", "已收到，下一版模板将补充说明。")
    assert item["replies"] == [
        {"reply": "已收到，下一版模板将补充说明。", "handled_at": "2026-11-21T03:00:00.000000Z"}
    ]
    inbox = api.call("GET", "/v1/feedback?authority_id=110000", key=keys["admin"]).data
    assert inbox["items"][0]["state"] == "handled"


def test_handling_again_keeps_every_reply_and_a_retry_changes_nothing(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    clock.set("2026-11-21T03:00:00+00:00")
    first = _handle(api, keys["admin"], sent["id"], "已收到")
    clock.set("2026-11-21T04:00:00+00:00")
    retry = _handle(api, keys["admin"], sent["id"], "已收到")
    assert retry.status_code == 200
    assert retry.data == first.data  # the same reply again: nothing new, not even the time
    clock.set("2026-11-22T05:00:00+00:00")
    second = _handle(api, keys["admin"], sent["id"], "模板已更新，请下载新版")
    assert second.status_code == 200, second.body
    assert second.data["reply"] == "模板已更新，请下载新版"
    assert second.data["handled_at"] == "2026-11-22T05:00:00.000000Z"
    assert [(r["reply"], r["handled_at"]) for r in second.data["replies"]] == [
        ("已收到", "2026-11-21T03:00:00.000000Z"),
        ("模板已更新，请下载新版", "2026-11-22T05:00:00.000000Z"),
    ]
    [item] = api.call("GET", "/v1/feedback", key=keys["110000"]).data["items"]
    assert item == second.data


def test_replies_stop_at_the_configured_number(api, keys, clock, setting):
    setting("feedback_max_replies", 2)
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    assert _handle(api, keys["admin"], sent["id"], "一").status_code == 200
    assert _handle(api, keys["admin"], sent["id"], "二").status_code == 200
    third = _handle(api, keys["admin"], sent["id"], "三")
    assert (third.status_code, third.data["error"]["code"]) == (409, "invalid_state")
    assert third.data["error"]["message_zh"] == "该反馈已有 2 条回复，不能再回复"
    assert _handle(api, keys["admin"], sent["id"], "二").status_code == 200  # a retry still is


def test_a_province_reads_only_its_own_feedback(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    beijing = _send(api, keys["110000"], "北京")
    jiangsu = _send(api, keys["320000"], "江苏")
    own = api.call("GET", "/v1/feedback", key=keys["320000"])
    assert [item["id"] for item in own.data["items"]] == [jiangsu["id"]]
    named = api.call("GET", "/v1/feedback?authority_id=320000", key=keys["320000"])
    assert [item["id"] for item in named.data["items"]] == [jiangsu["id"]]
    other = api.call("GET", "/v1/feedback?authority_id=110000", key=keys["320000"])
    assert (other.status_code, other.data["error"]["code"]) == (403, "forbidden")
    # a province marks nothing handled, its own or another's
    for feedback_id in (beijing["id"], jiangsu["id"]):
        refused = _handle(api, keys["320000"], feedback_id, "自己处理")
        assert refused.status_code == 403
    assert api.call("GET", "/v1/feedback", key=keys["110000"]).data["items"][0]["state"] == "open"


def test_a_province_s_cursor_does_not_open_another_province_s_list(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    for subject in ("一", "二"):
        _send(api, keys["110000"], subject)
        _send(api, keys["320000"], subject)
    own = api.call("GET", "/v1/feedback?limit=1", key=keys["110000"]).data
    foreign = api.call(
        "GET", f"/v1/feedback?limit=1&cursor={own['next_cursor']}", key=keys["320000"]
    )
    assert (foreign.status_code, foreign.data["error"]["code"]) == (400, "invalid_cursor")
    refiltered = api.call(
        "GET",
        f"/v1/feedback?limit=1&from=2026-11-01&cursor={own['next_cursor']}",
        key=keys["110000"],
    )
    assert (refiltered.status_code, refiltered.data["error"]["code"]) == (400, "invalid_cursor")


@pytest.mark.parametrize(
    ("reply", "problem"),
    [(None, "missing"), ("", "empty"), ("   ", "blank"), ("回" * 2001, "oversized"), (7, "number")],
)
def test_a_bad_reply_is_400_naming_reply(api, keys, clock, reply, problem):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    body = {} if problem == "missing" else {"reply": reply}
    response = api.call("POST", f"/v1/feedback/{sent['id']}/handle", body, key=keys["admin"])
    assert response.status_code == 400, problem
    assert response.data["error"]["field"] == "reply"
    assert response.data["error"]["message_zh"].startswith("字段 reply：")


def test_handling_needs_an_admin_key_and_a_feedback_that_exists(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = _send(api, keys["110000"], **ZHANG)
    assert _handle(api, None, sent["id"], "好").status_code == 401
    unknown = _handle(api, keys["admin"], "fbk_01KAAAAAAAAAAAAAAAAAAAAAAA", "好")
    assert (unknown.status_code, unknown.data["error"]["code"]) == (404, "not_found")
    for malformed in ("fbk_1", "x" * 300, "zro_01KAAAAAAAAAAAAAAAAAAAAAAA"):
        assert _handle(api, keys["admin"], malformed, "好").status_code == 404
    zero = api.call(
        "POST",
        "/v1/zero-reports",
        {"period_from": "2026-01-01", "period_to": "2026-06-30", "note": "无"},
        key=keys["110000"],
    ).data
    assert _handle(api, keys["admin"], zero["id"], "好").status_code == 404
    not_json = api.call("POST", f"/v1/feedback/{sent['id']}/handle", raw="reply", key=keys["admin"])
    assert (not_json.status_code, not_json.data["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=2026-02-30", "from"),
        ("to=20261120", "to"),
        ("to=2026-11-2", "to"),
        ("from=2026-11-20&to=2026-11-19", "to"),
        ("from=0001-01-01", "from"),  # its China day starts before datetime's first instant
        ("to=9999-12-31", "to"),  # the day after it is past datetime's last
        ("authority_id=999999", "authority_id"),
        ("status=open", "status"),
        ("limit=0", "limit"),
    ],
)
def test_a_bad_list_filter_is_400_naming_it(api, keys, query, field):
    response = api.call("GET", f"/v1/feedback?{query}", key=keys["admin"])
    assert response.status_code == 400, response.body
    assert response.data["error"]["field"] == field


def test_a_page_reads_at_most_the_read_bound_and_serves_each_item_once(api, keys, clock, setting):
    setting("read_bound_factor", 1)
    setting("read_bound_floor", 3)  # a page reads at most max(1 × limit, 3) items
    clock.set("2026-11-20T01:00:00+00:00")
    beijing = _send(api, keys["110000"], "北京最早")
    for minute in range(7):
        clock.set(f"2026-11-20T02:0{minute}:00+00:00")
        _send(api, keys["320000"], f"江苏 {minute}")

    first = api.call("GET", "/v1/feedback?authority_id=110000&limit=1", key=keys["admin"]).data
    assert first["items"] == [] and first["next_cursor"]  # a short page: keep paging
    assert [
        item["id"] for item in _all_pages(api, keys["admin"], "authority_id=110000&limit=1")
    ] == [beijing["id"]]
    assert [item["id"] for item in _all_pages(api, keys["110000"], "limit=1")] == [beijing["id"]]
    assert len(_all_pages(api, keys["admin"], "authority_id=320000&limit=2")) == 7


def test_feedback_sent_before_handling_existed_is_open_and_can_be_handled(api, keys, clock):
    import boto3

    # an item as the first version of POST /v1/feedback stored it: no state, no version
    boto3.client("dynamodb", region_name=settings().region).put_item(
        TableName=settings().table_name("submissions"),
        Item={
            "pk": {"S": "FEEDBACK"},
            "sk": {"S": "2026-01-05T02:00:00.000000Z#fbk_01KE0000000000000000000000"},
            "id": {"S": "fbk_01KE0000000000000000000000"},
            "authority_id": {"S": "110000"},
            "subject": {"S": "旧反馈"},
            "body": {"S": "内容"},
            "created_at": {"S": "2026-01-05T02:00:00.000000Z"},
            "created_by": {"S": "key_old"},
        },
    )
    [item] = api.call("GET", "/v1/feedback", key=keys["110000"]).data["items"]
    assert (item["state"], item["replies"]) == ("open", [])
    clock.set("2026-11-21T03:00:00+00:00")
    handled = _handle(api, keys["admin"], "fbk_01KE0000000000000000000000", "已处理")
    assert handled.status_code == 200, handled.body
    assert handled.data["state"] == "handled"
