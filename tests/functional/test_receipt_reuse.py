"""Anonymous verification costs bounded work, once (issue 19, M4 and L3).

The review found each receipt or printed page read every verify page, called
KMS and stored a new object kept 5 years, and the printed page read the answer
a second time (a push in between made the page differ from the receipt whose id
it prints). Here: an unchanged answer (same credit code, same change-feed
position) gets the receipt signed the first time; the page is rendered from the
one read its receipt signs, even when a push lands during that read.
"""

from __future__ import annotations

import json
import re

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.domain.jose import unverified_parts
from chalicelib.domain.principal import Province
from chalicelib.domain.schemas import AwardIn, parse_model
from chalicelib.services import award_reads, awards
from chalicelib.services.keys import authenticate
from chalicelib.store import kms
from tests.factories import award_body, credit_code
from tests.steps import approved_program, push

CODE = credit_code(1)
BROWSER = {"Accept": "text/html", "Host": "registry.example.cn"}


def _text(response) -> str:
    return response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body


def _receipt(client) -> str:
    answer = client.http.get(f"/v1/verify/receipt?credit_code={CODE}")
    assert answer.status_code == 200, answer.body
    return _text(answer)


def _stored_receipts() -> list[str]:
    s3 = boto3.client("s3", region_name=settings().region)
    keys = []
    for bucket in s3.list_buckets()["Buckets"]:
        listed = s3.list_objects_v2(Bucket=bucket["Name"], Prefix="receipts/")
        keys += [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".jws")]
    return keys


@pytest.fixture
def signatures(monkeypatch) -> list[bytes]:
    """Every digest sent to KMS Sign."""
    signed: list[bytes] = []
    original = kms.sign_digest

    def spy(key_id: str, digest: bytes):
        signed.append(digest)
        return original(key_id, digest)

    monkeypatch.setattr(kms, "sign_digest", spy)
    return signed


@pytest.fixture
def reads(monkeypatch) -> list:
    """Every verify page read (what the receipt and the page cost)."""
    calls: list = []
    original = award_reads.verify

    def spy(query, principal=None):
        calls.append(query)
        return original(query, principal)

    monkeypatch.setattr(award_reads, "verify", spy)
    return calls


@pytest.fixture
def program(api, keys) -> str:
    program_id = approved_program(api, keys["110000"], keys["admin"])
    for n in range(2):
        push(api, keys["110000"], award_body(program_id, f"R-{n}"))
    return program_id


def test_two_identical_receipt_requests_store_one_object_and_sign_once(
    client, api, keys, program, signatures, reads
):
    first = _receipt(client)
    second = _receipt(client)

    assert second == first  # the same receipt, byte for byte
    assert len(_stored_receipts()) == 1
    assert len(signatures) == 1 and len(reads) == 1  # the second read nothing but the position
    # The answer changes (a push moves the change feed): a new receipt, signed once more.
    push(api, keys["110000"], award_body(program, "R-9"))
    third = _receipt(client)
    assert unverified_parts(third)[1]["receipt_id"] != unverified_parts(first)[1]["receipt_id"]
    assert unverified_parts(third)[1]["award_count"] == 3
    assert len(_stored_receipts()) == 2 and len(signatures) == 2


def test_the_printed_page_shows_the_one_read_its_receipt_signs_and_reuses_it(
    client, program, signatures, reads
):
    page = client.http.get(f"/v1/verify/print?credit_code={CODE}", headers=BROWSER)
    assert page.status_code == 200
    html = _text(page)
    assert len(reads) == 1  # one read for the page and its receipt (was two)
    receipt_id = re.search(r'id="receipt-id"[^>]*>(rcp_\w+)<', html).group(1)
    stored = client.http.get(f"/v1/verify/receipts/{receipt_id}")
    claims = unverified_parts(_text(stored))[1]
    on_page = re.findall(r'data-award-id="(awd_\w+)"', html)
    assert sorted(on_page) == sorted(a["id"] for a in claims["awards"]) and len(on_page) == 2
    # The receipt route now answers the same, unchanged answer with that receipt.
    assert unverified_parts(_receipt(client))[1]["receipt_id"] == receipt_id
    again = _text(client.http.get(f"/v1/verify/print?credit_code={CODE}", headers=BROWSER))
    assert re.search(r'id="receipt-id"[^>]*>(rcp_\w+)<', again).group(1) == receipt_id
    assert len(signatures) == 1 and len(reads) == 1 and len(_stored_receipts()) == 1


def test_a_push_during_the_read_cannot_make_the_page_differ_from_its_receipt(
    client, keys, program, monkeypatch
):
    """L3: the page printed one list and the receipt (read again) another."""
    original = award_reads.verify
    pushed: list[str] = []

    def verify_then_a_push_lands(query, principal=None):
        answer = original(query, principal)
        if len(pushed) < 2:  # the province pushes right after each read (the read is retried)
            province = Province.of(authenticate(f"Bearer {keys['110000']}"))
            body = parse_model(AwardIn, award_body(program, f"R-LATE-{len(pushed)}"))
            pushed.append(awards.push_award(province, body, _now()).award["id"])
        return answer

    monkeypatch.setattr(award_reads, "verify", verify_then_a_push_lands)
    html = _text(client.http.get(f"/v1/verify/print?credit_code={CODE}", headers=BROWSER))
    receipt_id = re.search(r'id="receipt-id"[^>]*>(rcp_\w+)<', html).group(1)
    claims = unverified_parts(_text(client.http.get(f"/v1/verify/receipts/{receipt_id}")))[1]

    on_page = sorted(re.findall(r'data-award-id="(awd_\w+)"', html))
    assert on_page == sorted(a["id"] for a in claims["awards"])
    assert len(pushed) == 2 and pushed[1] not in on_page
    # The answer was not exact (the feed moved while it was read): it is not reused.
    assert claims["feed_position_exact"] is False
    fresh = unverified_parts(_receipt(client))[1]
    assert fresh["receipt_id"] != receipt_id
    assert set(pushed) <= {a["id"] for a in fresh["awards"]}


def _now():
    from chalicelib import clock

    return clock.now()


def test_the_print_view_without_kms_is_printed_unsigned_from_the_same_read(
    client, program, reads, monkeypatch
):
    monkeypatch.setenv("BUCKET_NAME", "award-registry-test-data")
    monkeypatch.setenv("RECEIPT_KEY_ID", "alias/award-registry-test-no-such-key")
    settings.cache_clear()
    try:
        page = client.http.get(f"/v1/verify/print?credit_code={CODE}", headers=BROWSER)
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert page.status_code == 200
    html = _text(page)
    assert "签名服务暂不可用" in html and len(re.findall(r'data-award-id="', html)) == 2
    assert len(reads) == 1 and _stored_receipts() == []
    assert json.loads(client.http.get(f"/v1/verify?credit_code={CODE}").body)["awards"]


def test_after_a_key_rotation_the_same_answer_is_signed_again_and_then_reused(
    client, program, signatures
):
    from chalicelib.services import receipt_keys

    old = unverified_parts(_receipt(client))
    rotated = receipt_keys.rotate()
    new = unverified_parts(_receipt(client))
    assert new[0]["kid"] == rotated["kid"] != old[0]["kid"]
    assert new[1]["receipt_id"] != old[1]["receipt_id"]
    again = unverified_parts(_receipt(client))
    assert again[1]["receipt_id"] == new[1]["receipt_id"]  # the new receipt took its place
    assert len(_stored_receipts()) == 2
