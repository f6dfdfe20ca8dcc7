"""Receipts at their documented maximum (issue 19, M3): 1,000 awards, checked by the CLI.

The review's enterprise had 1,201 awards; ``cli check-receipt`` called its genuine
receipt INVALID (joserfc's 128,000-byte payload limit, passed at about 210
awards). Here one enterprise wins ``receipt_max_awards`` (1,000) awards pushed
through the API, its receipt is fetched over HTTP and checked by the operator
command, as an office would; a receipt larger than any the registry can sign is
reported as too large, not as a bad signature.
"""

from __future__ import annotations

import io
import json

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from chalicelib import cli
from chalicelib.config import settings
from chalicelib.domain.receipt_size import max_payload_segment
from chalicelib.receipt_check import check_receipt, receipt_registry
from tests.factories import award_body, credit_code
from tests.steps import approved_program, push_batch

CODE = credit_code(1)


def _check_with_cli(tmp_path, capsys, monkeypatch, token: str, jwks: dict) -> tuple[int, str, str]:
    receipt_file = tmp_path / "receipt.jws"
    receipt_file.write_text(token, "ascii")
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(jwks), "utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = cli.main(["check-receipt", str(receipt_file), "--jwks", str(jwks_file)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def thousand_awards(api, keys) -> list[str]:
    """One enterprise, the general contractor of ``receipt_max_awards`` awards."""
    key = keys["110000"]
    program = approved_program(api, key, keys["admin"])
    records = [
        award_body(
            program,
            f"MAX-{n:04d}",
            project={"name": f"北京城市副中心综合交通枢纽第{n}标段", "category": "housing"},
        )
        for n in range(settings().receipt_max_awards)
    ]
    return push_batch(api, key, records)


def test_check_receipt_accepts_a_genuine_receipt_of_the_maximum_1000_awards(
    client, thousand_awards, tmp_path, capsys, monkeypatch
):
    answer = client.http.get(f"/v1/verify/receipt?credit_code={CODE}")
    assert answer.status_code == 200
    token = answer.body.decode("ascii") if isinstance(answer.body, bytes) else answer.body
    payload_segment = token.split(".")[1]
    assert len(payload_segment) > 128_000  # what joserfc refused by default
    assert len(payload_segment) <= max_payload_segment(1000)
    jwks = json.loads(client.http.get("/.well-known/jwks.json").body)

    code, out, err = _check_with_cli(tmp_path, capsys, monkeypatch, token, jwks)

    assert code == 0, (out, err[-500:])
    result = json.loads(out)
    assert result["valid"] is True and result["status"] == "valid"
    claims = result["payload"]
    assert claims["award_count"] == 1000 and claims["truncated"] is False
    assert {award["id"] for award in claims["awards"]} == set(thousand_awards)
    assert "签名有效" in err


def _signed(payload: bytes, key: ECKey) -> str:
    registry = receipt_registry(10_000)  # to sign oversized tests too
    header = {"alg": "ES256", "kid": "test-key"}
    return jws.serialize_compact(header, payload, key, registry=registry)


def test_a_receipt_larger_than_any_the_registry_signs_is_too_large_not_invalid(
    tmp_path, capsys, monkeypatch
):
    key = ECKey.generate_key("P-256", parameters={"kid": "test-key"})
    jwks = {"keys": [{**key.as_dict(private=False), "kid": "test-key", "alg": "ES256"}]}
    limit = max_payload_segment(settings().receipt_max_awards)
    fits = json.dumps({"awards": "长" * ((limit * 3 // 4 - 100) // 3)}, ensure_ascii=False)
    assert check_receipt(_signed(fits.encode(), key), jwks)["status"] == "valid"
    too_big = json.dumps({"awards": "长" * ((limit * 3 // 4 + 100) // 3)}, ensure_ascii=False)
    token = _signed(too_big.encode(), key)

    code, out, err = _check_with_cli(tmp_path, capsys, monkeypatch, token, jwks)

    assert code == 2
    result = json.loads(out)
    assert result["status"] == "too_large" and result["valid"] is False
    assert "too large" in result["reason"]
    assert "回执过大" in err and "签名无效" not in err
    # A changed byte in a receipt of ordinary size is still "invalid", exit 1.
    small = _signed(b'{"awards":[]}', key)
    tampered = small[:-4] + ("AAAA" if not small.endswith("AAAA") else "BBBB")
    code, out, err = _check_with_cli(tmp_path, capsys, monkeypatch, tampered, jwks)
    assert code == 1 and json.loads(out)["status"] == "invalid" and "签名无效" in err
