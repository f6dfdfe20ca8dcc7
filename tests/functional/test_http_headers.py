"""CORS and caching headers, as a browser on a provincial portal and a CDN see them."""

from __future__ import annotations

import json

import pytest

from tests.factories import award_body
from tests.functional.helpers import submitted_program


@pytest.fixture
def award(api, keys):
    program_id = submitted_program(api, keys["110000"])
    response = api.call("POST", "/v1/awards", award_body(program_id), key=keys["110000"])
    assert response.status_code == 201
    return response


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [
        ("/v1/health", "public, max-age=60"),
        ("/v1/authorities", "public, max-age=60"),
        ("/v1/awards", "public, max-age=60"),
        ("/v1/programs", "public, max-age=60"),
        ("/v1/feed.json", "public, max-age=60"),
        ("/v1/openapi.json", "public, max-age=300"),
        ("/v1/changes", "no-store"),
        ("/v1/verify?credit_code=91110000000000001H", "no-store"),
    ],
)
def test_anonymous_reads_are_cors_open_and_cached_by_route(api, path, cache_control):
    response = api.call("GET", path)
    assert response.status_code == 200, response.body
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == cache_control
    assert response.headers["Vary"] == "Authorization"


def test_one_award_and_one_programme_are_public_cacheable_with_etag_exposed(api, award):
    detail = api.call("GET", f"/v1/awards/{award.data['id']}")
    assert detail.headers["Cache-Control"] == "public, max-age=60"
    assert detail.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in detail.headers["Access-Control-Expose-Headers"]
    program = api.call("GET", f"/v1/programs/{award.data['program_id']}")
    assert program.headers["Cache-Control"] == "public, max-age=60"


def test_a_keyed_read_is_private_and_not_stored(api, keys):
    response = api.call("GET", "/v1/programs", key=keys["110000"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Authorization"


def test_writes_are_private_and_not_stored(api, keys, award):
    assert award.headers["Cache-Control"] == "private, no-store"
    refused = api.call("POST", "/v1/awards", {}, key=keys["110000"])
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "private, no-store"


def test_anonymous_errors_are_readable_cross_origin_but_not_cached(api):
    missing = api.call("GET", "/v1/awards/awd_00000000000000000000000000")
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.headers["Cache-Control"] == "no-store"
    bad = api.call("GET", "/v1/changes?since=nope")
    assert bad.status_code == 400 and bad.headers["Cache-Control"] == "no-store"


def test_chalices_own_refusals_come_in_our_error_shape(api, keys):
    wrong_type = api.call(
        "POST", "/v1/awards", raw="x", headers={"Content-Type": "text/plain"}, key=keys["110000"]
    )
    assert wrong_type.status_code == 415
    assert wrong_type.data["error"]["code"] == "unsupported_media_type"
    assert wrong_type.headers["Content-Type"].startswith("application/json")
    wrong_method = api.call("PATCH", "/v1/awards", {})
    assert wrong_method.status_code == 405
    assert wrong_method.data == {
        "error": {
            "code": "method_not_allowed",
            "message": "Unsupported method: PATCH",
            "message_zh": "该地址不支持此请求方法",
        }
    }


def test_an_unexpected_500_is_in_our_error_shape_too():
    from chalice import Response

    from chalicelib.api.http import _in_our_error_shape

    crashed = Response(
        body={"Code": "InternalServerError", "Message": "An internal server error occurred."},
        status_code=500,
    )
    assert json.loads(_in_our_error_shape(crashed).body) == {
        "error": {
            "code": "internal_error",
            "message": "An internal server error occurred.",
            "message_zh": "平台内部错误，请稍后重试",
        }
    }
    view_error = Response(body={"Code": "BadRequestError", "Message": "x"}, status_code=400)
    assert json.loads(_in_our_error_shape(view_error).body)["error"]["code"] == "bad_request"
