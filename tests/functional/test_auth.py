"""API keys are checked by the application: 401 and 403 in our error shape."""

from chalicelib.services.keys import issue_key, revoke_key
from tests.factories import program_body


def test_push_without_a_key_is_401(api, keys):
    response = api.call("POST", "/v1/programs", program_body())
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthenticated"


def test_unknown_key_is_401(api, keys):
    response = api.call("POST", "/v1/programs", program_body(), key="ark_" + "x" * 43)
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthenticated"


def test_malformed_authorization_header_is_401(api, keys):
    response = api.call(
        "POST", "/v1/programs", program_body(), headers={"Authorization": "Basic abc"}
    )
    assert response.status_code == 401


def test_revoked_key_fails_on_the_next_request(api, aws):
    key = issue_key(role="provincial", authority_id="440000")["api_key"]
    assert api.call("POST", "/v1/programs", program_body(), key=key).status_code == 201
    assert revoke_key(key) is True
    response = api.call("POST", "/v1/programs", program_body(), key=key)
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthenticated"


def test_admin_key_does_not_create_programmes_or_push(api, keys):
    response = api.call("POST", "/v1/programs", program_body(), key=keys["admin"])
    assert response.status_code == 403
    assert response.data["error"]["code"] == "forbidden"
    response = api.call("POST", "/v1/awards", {"source_id": "x"}, key=keys["admin"])
    assert response.status_code == 403


def test_a_bad_key_on_a_public_route_is_still_401(api, keys):
    response = api.call("GET", "/v1/programs", key="ark_nope")
    assert response.status_code == 401
