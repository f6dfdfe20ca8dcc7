"""GET /v1/feed.json as a feed reader and a provincial portal subscribe to it."""

from __future__ import annotations

import json

import pytest

from chalicelib.api import responses
from chalicelib.config import settings
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.jsonfeed import feed_errors
from tests.steps import push


def feed_award(program_id, n, **overrides):
    """Award ``n`` of the feed's series: its own source id and first winner."""
    body = award_body(program_id, source_id=f"FEED-{n}", **overrides)
    body["winners"][0]["credit_code"] = credit_code(300 + n)
    return body


@pytest.fixture
def three_awards(api, keys):
    program_id = submitted_program(api, keys["110000"])
    first = push(api, keys["110000"], feed_award(program_id, 1))
    second = push(
        api,
        keys["110000"],
        feed_award(
            program_id,
            2,
            honor="银质奖",
            announcement_url="https://zjw.beijing.gov.cn/notice/2024-45.html",
        ),
    )
    third = push(
        api,
        keys["110000"],
        feed_award(program_id, 3, project={"name": "亦庄站", "category": "housing"}),
    )
    return program_id, [first, second, third]


def feed(api, path="/v1/feed.json", headers=None):
    response = api.call("GET", path, headers=headers)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("application/feed+json")
    return response.data


def test_feed_is_json_feed_1_1_of_active_awards_newest_first(api, keys, three_awards):
    _, awards = three_awards
    revoked = api.call(
        "POST", f"/v1/awards/{awards[2]['id']}/revoke", {"reason": "撤销"}, key=keys["110000"]
    )
    assert revoked.status_code == 200
    document = feed(api)
    assert feed_errors(document) == []
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "全国建筑市场评比表彰奖项信息"
    assert [item["id"] for item in document["items"]] == [awards[1]["id"], awards[0]["id"]]
    item = document["items"][0]
    assert item["title"] == "北京城市副中心综合交通枢纽（银质奖）"
    assert item["date_published"] == awards[1]["submitted_at"]
    assert item["date_modified"] == awards[1]["updated_at"]
    assert item["external_url"] == "https://zjw.beijing.gov.cn/notice/2024-45.html"
    assert item["url"].endswith(f"/v1/awards/{awards[1]['id']}")
    assert "北京城建集团有限责任公司（施工总承包" in item["content_text"]
    assert "北京市建设工程长城杯“银质奖”" in item["content_text"]
    assert "京建发〔2024〕45号" in item["content_text"]
    assert item["authors"] == [{"name": "北京市住房和城乡建设委员会"}]
    award = responses.AwardOut.model_validate(item["_award"])
    assert award.id == awards[1]["id"] and award.program_status == "submitted"
    responses.JsonFeedOut.model_validate(document)


def test_a_correction_updates_the_item_in_place(api, keys, three_awards):
    program_id, awards = three_awards
    corrected = api.call(
        "PUT",
        f"/v1/awards/{awards[0]['id']}",
        award_body(program_id, source_id="FEED-1", honor="特别奖"),
        key=keys["110000"],
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.body
    items = {item["id"]: item for item in feed(api)["items"]}
    assert len(items) == 3
    assert items[awards[0]["id"]]["title"].endswith("（特别奖）")
    assert items[awards[0]["id"]]["date_modified"] == corrected.data["updated_at"]
    assert items[awards[0]["id"]]["date_published"] == awards[0]["submitted_at"]


def test_feed_links_come_from_the_configured_address_whatever_host_is_sent(
    api, three_awards, public_base_url
):
    forged = {
        "Host": "evil.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "http",
        "Forwarded": "host=evil.example;proto=http",
    }
    for headers in (None, forged):
        document = feed(api, headers=headers)
        assert document["home_page_url"] == f"{public_base_url}/"
        assert document["feed_url"] == f"{public_base_url}/v1/feed.json"
        assert document["items"][0]["url"].startswith(f"{public_base_url}/v1/awards/awd_")
        assert "evil.example" not in json.dumps(document)


def test_feed_holds_feed_size_items_and_pages_with_next_url(
    api, three_awards, monkeypatch, public_base_url
):
    _, awards = three_awards
    monkeypatch.setenv("FEED_SIZE", "2")
    settings.cache_clear()
    try:
        first = feed(api, headers={"Host": "evil.example"})
        assert len(first["items"]) == 2
        assert first["next_url"].startswith(f"{public_base_url}/v1/feed.json?cursor=")
        rest = feed(api, first["next_url"].removeprefix(public_base_url))
        assert [item["id"] for item in rest["items"]] == [awards[0]["id"]]
        assert "next_url" not in rest and feed_errors(rest) == []
    finally:
        monkeypatch.delenv("FEED_SIZE")
        settings.cache_clear()


def test_empty_feed_is_still_valid(api):
    document = feed(api)
    assert document["items"] == [] and feed_errors(document) == []


def test_feed_with_a_forged_cursor_is_400(api):
    response = api.call("GET", "/v1/feed.json?cursor=abc.def")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid_cursor"
