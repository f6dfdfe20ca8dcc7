"""Signed verification receipts (issue 14), through the HTTP API on in-process moto.

Receipts are checked with ``joserfc`` against the published JWKS, never with
the registry's own JOSE code, so a test passes only if an outside verifier
would accept the receipt.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from chalicelib.config import settings
from chalicelib.domain.jose import fingerprint, unverified_parts
from chalicelib.receipt_check import check_receipt
from tests.factories import award_body, credit_code
from tests.qr import decode_svg
from tests.steps import approved_program

HOST = {"Host": "registry.example.cn", "X-Forwarded-Proto": "https"}
BROWSER = {**HOST, "Accept": "text/html"}


def body_text(response) -> str:
    return response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body


def jwks(client) -> dict:
    response = client.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jwk-set+json"
    return json.loads(response.body)


def receipt(client, code: str) -> str:
    response = client.http.get(f"/v1/verify/receipt?credit_code={code}")
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/jose"
    assert response.headers["Cache-Control"] == "no-store"
    return body_text(response)


@pytest.fixture
def use_env(monkeypatch):
    """Change a setting inside the Chalice test client (which sets the stage's env)."""

    def set_env(name: str, value: str) -> None:
        # the client puts the stage's TABLE_PREFIX back on each request: name the bucket
        monkeypatch.setenv("BUCKET_NAME", "award-registry-test-data")
        monkeypatch.setenv(name, value)
        settings.cache_clear()
        settings()  # read now, not first inside a request (the stage's environment)

    yield set_env
    settings.cache_clear()


@pytest.fixture
def history(api, keys):
    """One enterprise: an active award, a revoked one, one of a withdrawn programme."""
    key = keys["110000"]
    approved = approved_program(api, key, keys["admin"], name="北京市建设工程长城杯")
    withdrawn = approved_program(api, key, keys["admin"], name="北京市结构长城杯")
    ids = []
    for n, (program_id, project) in enumerate(
        [(approved, "国家速滑馆"), (approved, "北京大兴国际机场航站楼"), (withdrawn, "城市绿心")]
    ):
        body = award_body(
            program_id, source_id=f"R-{n}", project={"name": project, "category": "housing"}
        )
        body["winners"][0]["name"] = "北京城建集团" if n == 0 else "北京城建集团有限责任公司"
        pushed = api.call("POST", "/v1/awards", body, key=key)
        assert pushed.status_code == 201, pushed.body
        ids.append(pushed.data["id"])
    revoked = api.call(
        "POST", f"/v1/awards/{ids[0]}/revoke", {"reason": "经复查不符合评选条件"}, key=key
    )
    assert revoked.status_code == 200
    out = api.call(
        "POST",
        f"/v1/programs/{withdrawn}/withdraw",
        {"reason": "奖项清理", "effective_on": "2025-01-01"},
        key=keys["admin"],
    )
    assert out.status_code == 200, out.body
    return ids


def test_a_receipt_is_a_jws_an_outside_library_verifies_against_the_published_keys(client, history):
    code = credit_code(1)
    token = receipt(client, code.lower())
    keys = jwks(client)
    assert keys == json.loads(client.http.get("/v1/.well-known/jwks.json").body)
    checked = check_receipt(token, keys)
    assert checked["valid"] is True, checked
    header, _ = unverified_parts(token)
    assert header["alg"] == "ES256" and header["kid"] == keys["keys"][0]["kid"] == checked["kid"]
    claims = checked["payload"]
    assert claims["credit_code"] == code and claims["receipt_id"].startswith("rcp_")
    assert claims["enterprise_names"] == ["北京城建集团有限责任公司", "北京城建集团"]
    by_id = {award["id"]: award for award in claims["awards"]}
    assert set(by_id) == set(history)
    active, revoked, withdrawn = by_id[history[1]], by_id[history[0]], by_id[history[2]]
    assert active["validity"] == "valid" and active["status"] == "active"
    assert active["program"] == {
        "id": active["program"]["id"],
        "name": "北京市建设工程长城杯",
        "approval_document_number": "京政函〔2019〕12号",
        "status": "approved",
    }
    assert active["honor"] == "金质奖" and active["awarded_on"] == "2024-03-15"
    assert active["authority"] == {"id": "110000", "name": "北京市住房和城乡建设委员会"}
    assert active["version"] == 1 and active["enterprise_role"] == "general_contractor"
    assert revoked["validity"] == "revoked" and revoked["revoked_reason"] == "经复查不符合评选条件"
    assert revoked["version"] == 2
    assert withdrawn["validity"] == "program_withdrawn"
    assert withdrawn["program"]["status"] == "withdrawn"
    assert "project_manager" not in token and "张三" not in json.dumps(claims, ensure_ascii=False)
    assert isinstance(claims["iat"], int)
    # Consistent with the change feed: every Beijing change so far, and nothing else
    changes = client.http.get("/v1/changes?limit=100")
    seqs = [item["seq"] for item in json.loads(changes.body)["items"]]
    assert claims["feed_position"] == {"110000": max(seqs)} and claims["feed_position_exact"]
    resumed = json.loads(client.http.get(f"/v1/changes?since={claims['feed_cursor']}").body)
    assert resumed["items"] == []


def test_one_changed_byte_makes_the_receipt_invalid(client, history):
    token = receipt(client, credit_code(1))
    keys = jwks(client)
    head, payload, signature = token.split(".")
    for part, position in ((1, 40), (2, 10), (0, 5)):
        parts = [head, payload, signature]
        text = parts[part]
        parts[part] = (
            text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
        )
        assert check_receipt(".".join(parts), keys)["valid"] is False


def test_the_stored_receipt_is_returned_by_its_id_unchanged(client, history):
    token = receipt(client, credit_code(1))
    receipt_id = unverified_parts(token)[1]["receipt_id"]
    stored = client.http.get(f"/v1/verify/receipts/{receipt_id}")
    assert stored.status_code == 200 and body_text(stored) == token
    assert stored.headers["Content-Type"] == "application/jose"
    for missing in ("rcp_01M8T34QPG9CG69TNRMZV1K8DC", "nope", "rcp_" + "Z" * 200):
        answer = client.http.get(f"/v1/verify/receipts/{missing}")
        assert answer.status_code == 404
        assert json.loads(answer.body)["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [("credit_code=91110000000000001A", "credit_code"), ("", "credit_code"), (None, "x")],
)
def test_a_bad_request_is_a_400_naming_the_field(client, aws, query, field):
    path = "/v1/verify/receipt" + (f"?{query}" if query is not None else "?x=1")
    answer = client.http.get(path)
    assert answer.status_code == 400
    assert json.loads(answer.body)["error"]["field"] == field


def test_an_unknown_enterprise_gets_a_signed_empty_receipt(client, aws):
    claims = check_receipt(receipt(client, credit_code(77)), jwks(client))["payload"]
    assert claims["awards"] == [] and claims["enterprise_names"] == []


def test_a_kms_failure_is_a_503_on_the_receipt_route_only(client, api, keys, history, monkeypatch):
    # KMS refuses to sign (a disabled key), as the store's one call to it would report it.
    # Not through a wrong RECEIPT_KEY_ID: settings changed for one test were read back by
    # requests of the Chalice test client with the stage's environment in some worker orders.
    from botocore.exceptions import ClientError

    from chalicelib.store import kms

    def refused(key_id: str, digest: bytes) -> tuple[bytes, str]:
        raise ClientError({"Error": {"Code": "KMSInvalidStateException"}}, "Sign")

    monkeypatch.setattr(kms, "sign_digest", refused)
    answer = client.http.get(f"/v1/verify/receipt?credit_code={credit_code(1)}")
    assert answer.status_code == 503
    assert json.loads(answer.body)["error"] == {
        "code": "unavailable",
        "message": "receipt signing is unavailable, try again",
        "message_zh": "平台暂时不可用，请稍后重试",
    }
    assert answer.headers["Retry-After"] == "1"
    verify = client.http.get(f"/v1/verify?credit_code={credit_code(1)}")
    assert verify.status_code == 200 and len(json.loads(verify.body)["awards"]) == 2
    page = client.http.get(f"/v1/verify/print?credit_code={credit_code(1)}", headers=BROWSER)
    assert page.status_code == 200 and "签名服务暂不可用" in body_text(page)
    program_id = next(
        award["program_id"]
        for award in json.loads(verify.body)["awards"]
        if "program_status" not in award
    )
    pushed = api.call("POST", "/v1/awards", award_body(program_id, "R-9"), key=keys["110000"])
    assert pushed.status_code == 201  # the write path never signs


def test_after_a_rotation_old_receipts_stay_valid_and_new_ones_use_the_new_key(client, history):
    from chalicelib.services import receipt_keys

    old = receipt(client, credit_code(1))
    rotated = receipt_keys.rotate()
    old_kid = unverified_parts(old)[0]["kid"]
    assert rotated["retired"] == [old_kid] and rotated["kid"] != old_kid
    keys = jwks(client)
    assert [key["kid"] for key in keys["keys"]] == [rotated["kid"], old_kid]
    new = receipt(client, credit_code(1))
    assert check_receipt(old, keys)["valid"] and check_receipt(new, keys)["valid"]
    assert check_receipt(new, keys)["kid"] == rotated["kid"]


def test_the_printed_page_carries_the_receipt_id_fingerprint_and_qr(
    client, history, public_base_url
):
    code = credit_code(1)
    page = body_text(client.http.get(f"/v1/verify/print?credit_code={code}", headers=BROWSER))
    receipt_id = re.search(r'<dd id="receipt-id" class="code">(rcp_\w+)</dd>', page).group(1)
    printed = re.search(r'<dd id="receipt-fingerprint" class="code">([0-9A-F ]+)</dd>', page)[1]
    stored = body_text(client.http.get(f"/v1/verify/receipts/{receipt_id}"))
    assert printed == fingerprint(stored)
    assert printed.replace(" ", "") == hashlib.sha256(stored.encode()).hexdigest()[:32].upper()
    assert check_receipt(stored, jwks(client))["valid"]
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    live = f"{public_base_url}/?credit_code={code}"  # the public page, from PUBLIC_BASE_URL
    assert decode_svg(svg) == f"{live}#receipt={receipt_id}"
    assert f"{public_base_url}/v1/verify/receipts/{receipt_id}" in page


def test_the_check_page_is_chinese_and_loads_its_script_from_a_file(client, aws):
    page = client.http.get("/verify/check", headers=BROWSER)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = body_text(page)
    assert '<html lang="zh-CN">' in html and "核验回执签名核对" in html
    assert '<script src="/static/check.js" defer></script>' in html
    assert "<script>" not in html and "onclick" not in html
    script = client.http.get("/static/check.js")
    assert script.status_code == 200 and "crypto.subtle.verify" in body_text(script)
