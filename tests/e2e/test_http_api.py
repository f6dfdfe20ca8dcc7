"""The API as a province's platform and the public meet it: real HTTP, local stack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.helpers import bearer
from tests.factories import award_body, credit_code, program_body
from tests.steps import Http, HttpAnswer, push, submitted_program, try_push


@pytest.fixture(scope="module")
def beijing(stack):
    issued = stack.issue_key("--authority", "110000")
    assert issued["authority_id"] == "110000" and issued["role"] == "provincial"
    key = issued["api_key"]
    return key, submitted_program(Http(stack), key)


def test_health_and_the_33_authorities(stack):
    assert requests.get(stack.url("/v1/health")).json() == {"status": "ok"}
    body = requests.get(stack.url("/v1/authorities")).json()
    ids = [a["id"] for a in body["items"]]
    assert len(ids) == 33 and body["next_cursor"] is None
    assert {"110000", "110000-PNR", "650000", "660000"} <= set(ids)


def test_cli_admin_key_and_revocation_take_effect_at_once(stack, beijing):
    admin = stack.issue_key("--admin")
    assert admin["role"] == "admin" and admin["authority_id"] is None
    key = stack.issue_key("--authority", "440000")["api_key"]
    ok = requests.post(stack.url("/v1/programs"), json=program_body(), headers=bearer(key))
    assert ok.status_code == 201
    revoked = stack.cli("revoke-key", "--api-key", key)
    assert revoked.returncode == 0, revoked.stderr
    refused = requests.post(stack.url("/v1/programs"), json=program_body(), headers=bearer(key))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    pushed = requests.post(
        stack.url("/v1/awards"), json=award_body(beijing[1]), headers=bearer(admin["api_key"])
    )
    assert pushed.status_code == 403


def test_push_retry_and_verify_over_http(stack, beijing):
    key, program_id = beijing
    body = award_body(program_id, source_id="E2E-1")
    body["winners"][0]["credit_code"] = credit_code(5001)
    first = requests.post(stack.url("/v1/awards"), json=body, headers=bearer(key))
    assert first.status_code == 201, first.text
    assert first.headers["ETag"] == '"1"'
    again = requests.post(stack.url("/v1/awards"), json=body, headers=bearer(key))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    verified = requests.get(stack.url("/v1/verify"), params={"credit_code": credit_code(5001)})
    assert verified.headers["Cache-Control"] == "no-store"
    assert [a["id"] for a in verified.json()["awards"]] == [first.json()["id"]]
    assert verified.json()["awards"][0]["enterprise_role"] == "general_contractor"


def test_malformed_json_and_huge_bodies_get_our_errors(stack, beijing):
    key, _ = beijing
    headers = {**bearer(key), "Content-Type": "application/json"}
    broken = requests.post(stack.url("/v1/awards"), data=b'{"a":', headers=headers)
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "invalid_json"
    huge = requests.post(
        stack.url("/v1/awards"),
        data=b'{"x":"' + b"y" * (1024 * 1024 + 10) + b'"}',
        headers=headers,
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"


def test_twenty_concurrent_pushes_all_succeed_without_5xx(stack, beijing):
    key, program_id = beijing

    def push_award(n: int) -> HttpAnswer:
        body = award_body(program_id, source_id=f"E2E-C-{n}")
        body["winners"][0]["credit_code"] = credit_code(6000 + n)
        return try_push(Http(stack), key, body)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(push_award, range(20)))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 20


def test_fifty_identical_concurrent_pushes_make_one_record(stack, beijing):
    key, program_id = beijing
    body = award_body(program_id, source_id="E2E-SAME")
    body["winners"][0]["credit_code"] = credit_code(7000)

    def push_same(_: int) -> HttpAnswer:
        return try_push(Http(stack), key, body)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(push_same, range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 49 + [201], codes
    assert len({r.json()["id"] for r in responses}) == 1
    listed = requests.get(stack.url("/v1/awards"), params={"credit_code": credit_code(7000)}).json()
    assert len(listed["items"]) == 1


def test_concurrent_corrections_with_the_same_if_match_one_wins(stack, beijing):
    key, program_id = beijing
    body = award_body(program_id, source_id="E2E-PUT")
    award = push(Http(stack), key, body)

    def correct(n: int) -> requests.Response:
        return requests.put(
            stack.url(f"/v1/awards/{award['id']}"),
            json=award_body(program_id, source_id="E2E-PUT", honor=f"等级{n}"),
            headers={**bearer(key), "If-Match": '"1"'},
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(correct, range(10)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * 9, [r.text for r in responses]
    final = requests.get(stack.url(f"/v1/awards/{award['id']}")).json()
    assert final["version"] == 2
    winner = next(r for r in responses if r.status_code == 200).json()
    assert final["honor"] == winner["honor"]
