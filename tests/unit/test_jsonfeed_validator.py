"""The test-side JSON Feed 1.1 validator finds what a feed reader would trip on."""

from tests.jsonfeed import feed_errors

GOOD = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "奖项",
    "home_page_url": "https://example.cn/",
    "feed_url": "https://example.cn/v1/feed.json",
    "authors": [{"name": "住房和城乡建设部"}],
    "items": [
        {
            "id": "awd_1",
            "content_text": "文本",
            "date_published": "2024-03-20T01:02:03.123456Z",
            "tags": ["房屋建筑工程"],
            "_award": {"id": "awd_1"},
        }
    ],
}


def test_a_good_feed_has_no_errors():
    assert feed_errors(GOOD) == []


def test_missing_title_wrong_version_and_bad_dates_are_reported():
    bad = {**GOOD, "version": "https://jsonfeed.org/version/1"}
    del bad["title"]
    bad["items"] = [{**GOOD["items"][0], "date_published": "2024-03-20 01:02"}]
    errors = feed_errors(bad)
    assert "feed: title is required" in errors
    assert "feed.version must be https://jsonfeed.org/version/1.1" in errors
    assert any("RFC 3339" in error for error in errors)


def test_items_need_an_id_and_content_and_unique_ids():
    bad = {
        **GOOD,
        "items": [
            {"title": "x"},
            {"id": "a", "content_html": "<p>"},
            {"id": "a", "content_text": ""},
        ],
    }
    errors = feed_errors(bad)
    assert "items[0]: id is required" in errors
    assert "items[0]: content_html or content_text is required" in errors
    assert "item ids must be unique" in errors


def test_unknown_fields_must_be_extensions_and_urls_absolute():
    bad = {**GOOD, "feedurl": "x", "home_page_url": "/relative", "_ext": "not an object"}
    errors = feed_errors(bad)
    assert any("feedurl is not a JSON Feed 1.1 field" in error for error in errors)
    assert any("home_page_url: not an absolute" in error for error in errors)
    assert any("_ext: an extension must be an object" in error for error in errors)
