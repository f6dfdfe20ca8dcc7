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


HUGE = "9" * 5000  # over Python's 4,300-digit limit of int(): a ValueError if it reached int()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/v1/awards?limit={HUGE}", "limit"),
        (f"/v1/verify?credit_code=91350100M000100Y43&limit={HUGE}", "limit"),
        (f"/v1/changes?limit={HUGE}", "limit"),
        (f"/v1/programs?limit={HUGE}", "limit"),
        (f"/v1/awards?year={HUGE}", "year"),
        (f"/v1/calendar/{HUGE}", "year"),
    ],
)
def test_a_5000_digit_number_is_400_naming_its_field(api, path, field):
    response = api.call("GET", path)
    assert response.status_code == 400, response.body
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == field


@pytest.mark.parametrize("path", ["/v1/awards/awd_01J00000000000000000000000", "/v1/programs/p"])
def test_a_5000_digit_if_match_is_400_naming_it(api, keys, path):
    response = api.call("PUT", path, {}, key=keys["110000"], headers={"If-Match": f'"{HUGE}"'})
    assert response.status_code == 400, response.body
    assert response.data["error"] == {
        "code": "validation_error",
        "message": 'If-Match must be the version, e.g. "3"',
        "message_zh": '字段 If-Match：应为所读取的版本号，例如 "3"',
        "field": "If-Match",
    }


def test_a_5000_digit_calendar_year_to_load_is_400(api, keys):
    response = api.call("PUT", f"/v1/calendar/{HUGE}", {"holidays": []}, key=keys["admin"])
    assert response.status_code == 400, response.body
    assert response.data["error"]["field"] == "year"


UNPARSABLE_BODIES = {
    "arrays 100k deep": "[" * 100_000,  # RecursionError inside the JSON decoder
    "objects 100k deep": '{"a":' * 100_000,
    "arrays 500 deep": "[" * 500 + "]" * 500,  # decodes, but deeper than any body we take
    "40 deep in a field": '{"name": ' + "[" * 40 + "]" * 40 + "}",
    "5000 digits": "1" * 5000,  # a number over int()'s digit limit
    "lone surrogate": "\ud800",  # Chalice's raw_body cannot encode it
}


@pytest.mark.parametrize("path", ["/v1/programs", "/v1/awards", "/v1/feedback"])
def test_any_body_that_cannot_be_parsed_is_400_invalid_json(api, keys, path):
    for name, raw in UNPARSABLE_BODIES.items():
        response = api.call("POST", path, raw=raw, key=keys["110000"])
        assert response.status_code == 400, (name, response.body)
        assert response.data["error"]["code"] == "invalid_json", name


def test_a_body_as_deep_as_the_limit_is_still_read(api, keys):
    """32 levels is DynamoDB's own limit; a body of that depth reaches the schema (422/400)."""
    raw = '{"name": ' + "[" * 31 + "]" * 31 + "}"
    response = api.call("POST", "/v1/programs", raw=raw, key=keys["110000"])
    assert response.status_code == 400, response.body
    assert response.data["error"]["code"] == "validation_error"


def test_a_method_a_path_does_not_serve_is_405_in_the_error_shape(client, aws):
    for path in ("/v1/awards", "/", "/v1/verify/print", "/v1/calendar/2026"):
        for method in ("TRACE", "PROPFIND", "CONNECT", "MKCOL", "PATCH"):
            response = client.http.request(method, path, headers={})
            assert response.status_code == 405, (method, path, response.body)
            assert response.json_body["error"]["code"] == "method_not_allowed"
