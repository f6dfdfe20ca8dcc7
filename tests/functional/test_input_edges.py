"""Odd input that schemathesis found or could find: always a 4xx, never a 5xx."""

from __future__ import annotations

import pytest

LONG = "x" * 3000


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/awards?program_id=", "program_id"),
        (f"/v1/awards?program_id={LONG}", "program_id"),
        (f"/v1/awards?authority_id=110000&source_id={LONG}", "source_id"),
        ("/v1/awards?authority_id=110000&source_id=", "source_id"),
    ],
)
def test_empty_or_oversized_award_filters_are_400(api, path, field):
    response = api.call("GET", path)
    assert response.status_code == 400, response.body
    assert response.data["error"]["field"] == field


@pytest.mark.parametrize("path", [f"/v1/awards/{LONG}", f"/v1/programs/{LONG}", "/v1/awards/%20"])
def test_ids_that_cannot_exist_are_404(api, path):
    response = api.call("GET", path)
    assert response.status_code == 404, response.body
    assert response.data["error"]["code"] == "not_found"


def test_writes_to_ids_that_cannot_exist_are_404(api, keys):
    revoke = api.call("POST", f"/v1/awards/{LONG}/revoke", {"reason": "x"}, key=keys["110000"])
    assert revoke.status_code == 404, revoke.body
    submit = api.call("POST", f"/v1/programs/{LONG}/submit", key=keys["110000"])
    assert submit.status_code == 404, submit.body


@pytest.mark.parametrize(
    "route", ["/v1/changes?since=", "/v1/awards?cursor=", "/v1/feed.json?cursor="]
)
def test_non_ascii_cursor_is_400_not_500(api, route):
    """Found by schemathesis: ``hmac.compare_digest`` raised TypeError on non-ASCII text."""
    response = api.call("GET", route + "%C3%B7%C2%A5H%2B.yl%03%C2%B4")
    assert response.status_code == 400, response.body
    assert response.data["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/changes?limit=%C2%B2", "limit"),  # ² : str.isdigit() says yes, int() says no
        ("/v1/awards?limit=%E1%8D%A9", "limit"),  # ፩ (Ethiopic one)
        ("/v1/awards?year=%C2%B2%C2%B2%C2%B2%C2%B2", "year"),
        ("/v1/awards?year=%D9%A2%D9%A0%D9%A2%D9%A4", "year"),  # ٢٠٢٤: int() takes it; not ASCII
    ],
)
def test_digits_that_are_not_ascii_are_400_not_500(api, path, field):
    """Found by schemathesis: ``limit=²`` passed ``isdigit()`` and then broke ``int()``."""
    response = api.call("GET", path)
    assert response.status_code == 400, response.body
    assert response.data["error"]["field"] == field


def test_an_if_match_of_non_ascii_digits_is_400_not_500(api, keys):
    response = api.call(
        "PUT",
        "/v1/awards/awd_01J00000000000000000000000",
        {},
        key=keys["110000"],
        headers={"If-Match": '"\u00b2"'},  # "²"
    )
    assert response.status_code == 400, response.body
    assert response.data["error"]["field"] == "If-Match"


def test_a_calendar_year_in_unicode_digits_is_400_not_500(api):
    from chalicelib.domain.errors import ValidationError
    from chalicelib.services.calendars import parse_year

    with pytest.raises(ValidationError):
        parse_year("²²²²")  # str.isdigit accepts it, int() does not
    response = api.call("GET", "/v1/calendar/%C2%B2%C2%B2%C2%B2%C2%B2")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
