"""GET /v1/changes as a provincial platform mirroring the registry pulls it."""

from __future__ import annotations

import base64
import json

import pytest

from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push


def page(api, since=None, limit=None):
    params = []
    if since is not None:
        params.append(f"since={since}")
    if limit is not None:
        params.append(f"limit={limit}")
    response = api.call("GET", "/v1/changes" + ("?" + "&".join(params) if params else ""))
    assert response.status_code == 200, response.body
    return response.data


def pull_all(api, since=None, limit=3):
    """Page until has_more is false; return every item and the final cursor."""
    items = []
    while True:
        body = page(api, since, limit)
        items += body["items"]
        assert body["next_cursor"]
        since = body["next_cursor"]
        if not body["has_more"]:
            return items, since


def numbered_award(program_id, n, **overrides):
    """Award ``n`` of a series: its own source id and first winner."""
    body = award_body(program_id, source_id=f"SRC-{n}", **overrides)
    body["winners"][0]["credit_code"] = credit_code(100 + n)
    return body


@pytest.fixture
def two_provinces(api, keys):
    """Beijing and Jiangsu each submit a programme and push two awards."""
    beijing = submitted_program(api, keys["110000"])
    jiangsu = submitted_program(api, keys["320000"], name="江苏省优质工程奖“扬子杯”")
    awards = [
        push(api, keys["110000"], numbered_award(beijing, 1)),
        push(api, keys["320000"], numbered_award(jiangsu, 2)),
        push(api, keys["110000"], numbered_award(beijing, 3)),
        push(api, keys["320000"], numbered_award(jiangsu, 4)),
    ]
    return beijing, jiangsu, awards


def test_empty_feed_still_gives_a_cursor_to_resume_from(api):
    body = page(api)
    assert body["items"] == []
    assert body["has_more"] is False
    assert body["next_cursor"]
    again = page(api, body["next_cursor"])
    assert again == {"items": [], "next_cursor": again["next_cursor"], "has_more": False}


def test_paging_from_the_start_sees_every_change_once_in_seq_order(api, keys, two_provinces):
    beijing, jiangsu, awards = two_provinces
    items, _ = pull_all(api, limit=2)
    assert [(i["authority_id"], i["seq"]) for i in items if i["authority_id"] == "110000"] == [
        ("110000", 1),
        ("110000", 2),
        ("110000", 3),
    ]
    assert [i["seq"] for i in items if i["authority_id"] == "320000"] == [1, 2, 3]
    assert len(items) == 6
    first = items[0]
    assert set(first) == {
        "cursor",
        "authority_id",
        "seq",
        "entity",
        "id",
        "op",
        "version",
        "committed_at",
        "data",
    }
    programs = [i for i in items if i["entity"] == "program"]
    assert {(p["id"], p["op"], p["data"]["status"]) for p in programs} == {
        (beijing, "status", "submitted"),
        (jiangsu, "status", "submitted"),
    }
    created = {i["id"]: i for i in items if i["entity"] == "award"}
    assert set(created) == {a["id"] for a in awards}
    assert all(i["op"] == "create" and i["version"] == 1 for i in created.values())
    assert created[awards[0]["id"]]["data"]["honor"] == "金质奖"
    # merged across authorities by commit time
    assert [i["committed_at"] for i in items] == sorted(i["committed_at"] for i in items)


def test_resuming_from_next_cursor_gets_only_new_changes(api, keys, two_provinces):
    beijing, _, awards = two_provinces
    _, cursor = pull_all(api)
    assert page(api, cursor)["items"] == []
    corrected = api.call(
        "PUT",
        f"/v1/awards/{awards[0]['id']}",
        award_body(beijing, source_id="SRC-1", honor="银质奖"),
        key=keys["110000"],
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.body
    revoked = api.call(
        "POST", f"/v1/awards/{awards[1]['id']}/revoke", {"reason": "撤销"}, key=keys["320000"]
    )
    assert revoked.status_code == 200, revoked.body
    body = page(api, cursor)
    assert [(i["id"], i["op"], i["version"]) for i in body["items"]] == [
        (awards[0]["id"], "update", 2),
        (awards[1]["id"], "revoke", 2),
    ]
    assert body["items"][0]["data"]["honor"] == "银质奖"
    assert body["items"][1]["data"]["status"] == "revoked"
    assert body["has_more"] is False


def test_every_entry_cursor_resumes_right_after_that_entry(api, two_provinces):
    items, _ = pull_all(api, limit=100)
    for index, item in enumerate(items):
        rest, _ = pull_all(api, since=item["cursor"], limit=100)
        assert [(i["authority_id"], i["seq"]) for i in rest] == [
            (i["authority_id"], i["seq"]) for i in items[index + 1 :]
        ]


def test_limit_bounds_the_page_and_has_more_says_to_continue(api, two_provinces):
    body = page(api, limit=4)
    assert len(body["items"]) == 4 and body["has_more"] is True
    rest = page(api, body["next_cursor"], limit=100)
    assert len(rest["items"]) == 2 and rest["has_more"] is False
    assert body["next_cursor"] == body["items"][-1]["cursor"]


def test_default_limit_is_20(api, keys):
    program_id = submitted_program(api, keys["110000"])
    for n in range(21):
        push(api, keys["110000"], numbered_award(program_id, n))
    body = page(api)
    assert len(body["items"]) == 20 and body["has_more"] is True


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1"])
def test_limit_out_of_range_is_400(api, limit):
    response = api.call("GET", f"/v1/changes?limit={limit}")
    assert response.status_code == 400
    assert response.data["error"] == {
        "code": "validation_error",
        "message": response.data["error"]["message"],
        "message_zh": "字段 limit：每页条数应为 1 至 100",
        "field": "limit",
    }


def _forge(cursor: str) -> str:
    body, signature = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["p"] = {"110000": 0}
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


def test_forged_or_foreign_cursor_is_400_invalid_cursor(api, keys, two_provinces):
    _, cursor = pull_all(api)
    awards_cursor = api.call("GET", "/v1/awards?limit=1").data["next_cursor"]
    for bad in (_forge(cursor), awards_cursor, "garbage", "a.b.c", cursor + "x"):
        response = api.call("GET", f"/v1/changes?since={bad}")
        assert response.status_code == 400, bad
        assert response.data["error"]["code"] == "invalid_cursor"
        assert response.data["error"]["field"] == "since"
