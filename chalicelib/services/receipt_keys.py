"""The receipt signing keys: which KMS keys have signed, and their public JWKs.

A receipt must stay checkable for years, across key rotations, so every key
that ever signed is listed, retired ones included, in one small S3 object
(``receipt-keys/keys.json``, versioned bucket). ``GET /.well-known/jwks.json``
publishes it. The API only reads the list and signs through the KMS alias;
operators change it (``python -m chalicelib.cli rotate-receipt-key``), and a
key is listed *before* the alias points at it, so no receipt is ever signed by
a key the JWKS does not publish.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.jose import jwk_thumbprint, p256_jwk_from_spki
from chalicelib.store import kms, objects
from chalicelib.store.base import iso_utc

KEYS_OBJECT = "receipt-keys/keys.json"

_cache: dict[str, Any] = {"keys": None, "at": 0.0}
_cache_lock = threading.Lock()


def load_keys(*, fresh: bool = False) -> list[dict[str, Any]]:
    """Every key that ever signed receipts, oldest first (cached for a few minutes)."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache["keys"]
        fresh_enough = now - _cache["at"] < settings().receipt_keys_cache_seconds
        if not fresh and cached is not None and fresh_enough:
            return cached
    stored = objects.get_json(KEYS_OBJECT)
    keys = stored[0]["keys"] if stored else []
    with _cache_lock:
        _cache.update(keys=keys, at=now)
    return keys


def forget_cache() -> None:
    """Tests and the operator commands: read the list again on next use."""
    with _cache_lock:
        _cache.update(keys=None, at=0.0)


def jwks() -> dict[str, Any]:
    """The public keys as a JWK Set (RFC 7517), newest first; retired keys stay.

    Read fresh each time (one small GetObject): right after a rotation the new
    ``kid`` must be published by every Lambda, not only those whose cache expired.
    """
    published = []
    for entry in reversed(load_keys(fresh=True)):
        jwk = {**entry["jwk"], "kid": entry["kid"], "alg": "ES256", "use": "sig"}
        published.append(jwk)
    return {"keys": published}


def current_key() -> dict[str, Any] | None:
    """The newest key not retired: the one the alias should point at."""
    live = [entry for entry in load_keys() if not entry.get("retired_at")]
    return live[-1] if live else None


def key_for_arn(key_arn: str) -> dict[str, Any] | None:
    """The listed key with this KMS ARN (re-reading the list once if it is not there)."""
    for fresh in (False, True):
        for entry in load_keys(fresh=fresh):
            if entry["key_arn"] == key_arn:
                return entry
    return None


def _save(change: Any) -> list[dict[str, Any]]:
    """Apply ``change(keys)`` to the stored list; the ETag guards against a concurrent edit."""
    stored = objects.get_json(KEYS_OBJECT)
    keys, etag = (stored[0]["keys"], stored[1]) if stored else ([], None)
    keys = change(keys)
    if etag:
        objects.put_json(KEYS_OBJECT, {"keys": keys}, if_match=etag)
    else:
        objects.put_json(KEYS_OBJECT, {"keys": keys}, if_none_match=True)
    forget_cache()
    return keys


def register(key_arn: str) -> dict[str, Any]:
    """List the KMS key ``key_arn`` (its public JWK and ``kid``); idempotent."""
    arn = kms.key_arn(key_arn) or key_arn
    jwk = p256_jwk_from_spki(kms.public_key(arn))
    entry = {
        "kid": jwk_thumbprint(jwk),
        "key_arn": arn,
        "jwk": jwk,
        "created_at": iso_utc(clock.now()),
        "retired_at": None,
    }

    def add(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if any(existing["kid"] == entry["kid"] for existing in keys):
            return keys
        return [*keys, entry]

    keys = _save(add)
    return next(existing for existing in keys if existing["kid"] == entry["kid"])


def ensure_key() -> dict[str, Any]:
    """The local bootstrap: a signing key behind the alias, listed; safe to run again.

    In the cloud the key and alias come from the stack; the operator runs this
    once after the first deploy to list the key (``bootstrap-receipt-key``).
    """
    alias = settings().receipt_key_id
    arn = kms.key_arn(alias)
    if arn is None:
        arn = kms.create_signing_key("Award Registry verification receipts")
        entry = register(arn)
        kms.point_alias(alias, arn)
        return entry
    return register(arn)


def rotate() -> dict[str, Any]:
    """A new signing key: list it, point the alias at it, mark the previous ones retired.

    Retired keys stay in the JWKS (old receipts remain checkable); their KMS
    keys can later be disabled, never scheduled for deletion while a receipt
    signed by them is within its 5 years.
    """
    alias = settings().receipt_key_id
    previous = kms.key_arn(alias)
    arn = kms.create_signing_key("Award Registry verification receipts")
    entry = register(arn)
    kms.point_alias(alias, arn)
    now = iso_utc(clock.now())

    def retire(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**key, "retired_at": now}
            if key["kid"] != entry["kid"] and not key.get("retired_at")
            else key
            for key in keys
        ]

    _save(retire)
    retired = [key["kid"] for key in load_keys(fresh=True) if key["key_arn"] == previous]
    return {"kid": entry["kid"], "retired": retired}
