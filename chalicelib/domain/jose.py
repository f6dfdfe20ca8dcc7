"""The few bytes of JOSE that signing receipts with KMS needs, in pure Python.

KMS signs (the private key never leaves it) and answers an ECDSA signature in
DER; a JWS (RFC 7515/7518, ES256) wants the raw ``r || s``, 32 bytes each.
``GetPublicKey`` answers a DER SubjectPublicKeyInfo; a JWK wants ``x`` and
``y``. Both conversions are a few lines, so the Lambda package does without
``cryptography``; the office tools verify with a full JOSE library instead
(``chalicelib.cli check-receipt``), which keeps these honest in the tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

P256_SIZE = 32
# DER of SEQUENCE{ SEQUENCE{ id-ecPublicKey, prime256v1 }, BIT STRING (0x00 04 x y) }:
# the algorithm identifier, as every P-256 SubjectPublicKeyInfo spells it.
_P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


class JoseError(ValueError):
    """Bytes that are not what the conversion expects."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _der_length(der: bytes, at: int) -> tuple[int, int]:
    first = der[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if count == 0 or count > 2:
        raise JoseError("unsupported DER length")
    return int.from_bytes(der[at + 1 : at + 1 + count], "big"), at + 1 + count


def _der_integer(der: bytes, at: int) -> tuple[int, int]:
    if der[at] != 0x02:
        raise JoseError("expected a DER INTEGER")
    length, start = _der_length(der, at + 1)
    end = start + length
    if length == 0 or end > len(der):
        raise JoseError("truncated DER INTEGER")
    return int.from_bytes(der[start:end], "big"), end


def der_to_raw_signature(der: bytes, size: int = P256_SIZE) -> bytes:
    """An ECDSA signature from DER ``SEQUENCE{INTEGER r, INTEGER s}`` to JOSE's ``r || s``.

    DER integers are minimal and signed (a leading 0x00 when the top bit is set,
    shorter when the value is small); JOSE wants each left-padded to ``size``.

    Examples
    --------
    >>> der_to_raw_signature(bytes.fromhex("3006020101020102")).hex()[-4:]
    '0002'
    """
    try:
        if der[0] != 0x30:
            raise JoseError("expected a DER SEQUENCE")
        length, at = _der_length(der, 1)
        if at + length != len(der):
            raise JoseError("DER SEQUENCE length does not match")
        r, at = _der_integer(der, at)
        s, at = _der_integer(der, at)
    except IndexError:
        raise JoseError("truncated DER signature") from None
    if at != len(der):
        raise JoseError("trailing bytes after the signature")
    if r >= 1 << (8 * size) or s >= 1 << (8 * size):
        raise JoseError("signature integer too large for the curve")
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def p256_jwk_from_spki(spki_der: bytes) -> dict[str, str]:
    """The public JWK of a P-256 key from its DER SubjectPublicKeyInfo (KMS GetPublicKey).

    For P-256 the SPKI is a fixed 26-byte prefix then the uncompressed point
    ``0x04 || x || y``; anything else (another curve, a compressed point) is refused.
    """
    point = spki_der[len(_P256_SPKI_PREFIX) :]
    if not spki_der.startswith(_P256_SPKI_PREFIX) or len(point) != 65 or point[0] != 0x04:
        raise JoseError("not an uncompressed P-256 SubjectPublicKeyInfo")
    x, y = point[1:33], point[33:]
    return {"kty": "EC", "crv": "P-256", "x": b64url(x), "y": b64url(y)}


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url): a ``kid`` derived from the key itself."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def signing_input(header: dict[str, Any], payload: dict[str, Any]) -> bytes:
    """``BASE64URL(header) . BASE64URL(payload)``: the bytes the signature covers.

    The payload is compact UTF-8 JSON (Chinese names stay readable when decoded).
    """
    head = b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    body = b64url(
        json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode(
            "utf-8"
        )
    )
    return f"{head}.{body}".encode("ascii")


def compact_jws(signed_input: bytes, raw_signature: bytes) -> str:
    return f"{signed_input.decode('ascii')}.{b64url(raw_signature)}"


def fingerprint(compact: str) -> str:
    """What the printed page shows: the first 128 bits of SHA-256 of the receipt, grouped.

    A reader compares it with ``sha256sum`` of the stored receipt file.
    """
    digest = hashlib.sha256(compact.encode("ascii")).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def unverified_parts(compact: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, *not* verified (for display and routing only)."""
    parts = compact.strip().split(".")
    if len(parts) != 3:
        raise JoseError("a compact JWS has three parts")
    try:
        return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JoseError(f"not a JWS: {exc}") from None
