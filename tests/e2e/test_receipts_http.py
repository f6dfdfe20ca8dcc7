"""Signed verification receipts on the local stack (issue 14), over real HTTP.

The registry signs with moto's KMS exactly as with AWS KMS; the receipts are
verified with ``joserfc`` against the JWKS the stack publishes, with the
operator command ``check-receipt``, and in a real browser on ``/verify/check``
(WebCrypto). A key rotation is done with the operator command and must leave
old receipts valid.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.steps import Http, push

ENTERPRISE = "江苏回执测试建设集团有限公司"
CODE = credit_code(6601, prefix="91320100")


@pytest.fixture(scope="module")
def jiangsu(stack) -> list[str]:
    """Two awards of one enterprise pushed by Jiangsu; the first revoked."""
    key = stack.issue_key("--authority", "320000")["api_key"]
    program_id = submitted_program(stack, key, name="江苏省优质工程奖扬子杯")
    ids = []
    for n, project in enumerate(["南京回执测试大桥", "苏州回执测试中心"]):
        body = award_body(
            program_id,
            source_id=f"JS-RCP-{n}",
            project={"name": project, "category": "housing"},
            winners=[
                {
                    "name": ENTERPRISE,
                    "credit_code": CODE,
                    "role": "general_contractor",
                    "project_manager": "李四",
                }
            ],
        )
        ids.append(push(Http(stack), key, body)["id"])
    revoked = requests.post(
        stack.url(f"/v1/awards/{ids[0]}/revoke"),
        json={"reason": "经复查不符合评选条件"},
        headers=bearer(key),
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    return ids


def get_receipt(stack) -> str:
    answer = requests.get(stack.url(f"/v1/verify/receipt?credit_code={CODE}"), timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/jose"
    return answer.text


def key_set(stack) -> tuple[KeySet, dict]:
    published = requests.get(stack.url("/.well-known/jwks.json"), timeout=30)
    assert published.status_code == 200
    return KeySet.import_key_set(published.json()), published.json()


def verified(token: str, keys: KeySet) -> tuple[dict, dict]:
    result = jws.deserialize_compact(token, keys, algorithms=["ES256"])
    return result.headers(), json.loads(result.payload)


def flip(token: str, index: int) -> str:
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


def test_receipts_signed_on_the_local_stack_verify_with_joserfc_against_the_jwks(stack, jiangsu):
    token = get_receipt(stack)
    keys, published = key_set(stack)
    header, claims = verified(token, keys)
    assert header["alg"] == "ES256" and header["kid"] in {k["kid"] for k in published["keys"]}
    assert claims["credit_code"] == CODE and claims["enterprise_names"] == [ENTERPRISE]
    assert {award["id"]: award["validity"] for award in claims["awards"]} == {
        jiangsu[0]: "revoked",
        jiangsu[1]: "valid",
    }
    assert claims["feed_position"]["320000"] >= 4 and "李四" not in token
    stored = requests.get(stack.url(f"/v1/verify/receipts/{claims['receipt_id']}"), timeout=30)
    assert stored.status_code == 200 and stored.text == token
    # one changed byte, anywhere, and the signature no longer holds
    for index in (10, len(token) // 2, len(token) - 3):
        with pytest.raises((JoseError, ValueError)):
            verified(flip(token, index), keys)


def test_the_operator_command_checks_a_receipt_file(stack, jiangsu, tmp_path):
    receipt = tmp_path / "receipt.jws"
    receipt.write_text(get_receipt(stack))
    jwks_url = stack.url("/.well-known/jwks.json")
    good = stack.cli("check-receipt", str(receipt), "--jwks", jwks_url)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["payload"]["credit_code"] == CODE and "签名有效" in good.stderr
    saved = tmp_path / "jwks.json"  # an office's archived copy: works offline
    saved.write_text(requests.get(jwks_url, timeout=30).text)
    assert stack.cli("check-receipt", str(receipt), "--jwks", str(saved)).returncode == 0
    tampered = tmp_path / "tampered.jws"
    tampered.write_text(flip(receipt.read_text(), 60))
    bad = stack.cli("check-receipt", str(tampered), "--jwks", str(saved))
    assert bad.returncode == 1 and json.loads(bad.stdout)["valid"] is False


def test_after_a_key_rotation_old_receipts_stay_valid_and_new_ones_carry_the_new_kid(
    stack, jiangsu
):
    old = get_receipt(stack)
    old_kid = jws.extract_compact(old.encode()).headers()["kid"]
    rotated = stack.cli("rotate-receipt-key")
    assert rotated.returncode == 0, rotated.stderr
    new_kid = json.loads(rotated.stdout)["kid"]
    assert new_kid != old_kid and old_kid in json.loads(rotated.stdout)["retired"]
    new = get_receipt(stack)
    keys, published = key_set(stack)
    kids = [key["kid"] for key in published["keys"]]
    assert kids[0] == new_kid and old_kid in kids  # newest first, retired keys kept
    assert verified(new, keys)[0]["kid"] == new_kid
    assert verified(old, keys)[0]["kid"] == old_kid


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_receipt_is_checked_in_the_browser_on_the_check_page(page, stack, jiangsu, tmp_path):
    token = get_receipt(stack)
    receipt = tmp_path / "receipt.jws"
    receipt.write_text(token)
    page.goto(stack.url("/verify/check"))
    expect(page.locator("h1")).to_have_text("核验回执签名核对")

    page.set_input_files("#receipt-file", str(receipt))
    page.click("#check")
    expect(page.locator("#verdict")).to_contain_text("签名有效")
    expect(page.locator("#credit-code")).to_have_text(CODE)
    expect(page.locator("#enterprise-names")).to_have_text(ENTERPRISE)
    expect(page.locator("#summary")).to_have_text("共 2 项获奖信息，其中有效 1 项")
    expect(page.locator("#awards")).to_contain_text("苏州回执测试中心")
    expect(page.locator("#awards")).to_contain_text("已撤销")
    expect(page.locator("#awards")).to_contain_text("江苏省住房和城乡建设厅")
    expect(page.locator("#issued-at")).to_contain_text("北京时间")
    expect(page.locator("#key-source")).to_contain_text("平台公布的公钥")
    page.screenshot(path=tmp_path / "check-valid.png", full_page=True)

    page.set_input_files("#receipt-file", [])
    page.fill("#receipt-text", flip(token, len(token) // 2))
    page.click("#check")
    expect(page.locator("#verdict")).to_contain_text("签名无效")
    expect(page.locator("#content")).to_be_hidden()
    page.screenshot(path=tmp_path / "check-invalid.png", full_page=True)

    # The registry unreachable: the copy of the keys kept by the first check still works
    page.route("**/.well-known/jwks.json", lambda route: route.abort())
    page.fill("#receipt-text", token)
    page.click("#check")
    expect(page.locator("#verdict")).to_contain_text("签名有效")
    expect(page.locator("#key-source")).to_contain_text("本机保存的公钥副本")
