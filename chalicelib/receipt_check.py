"""Checking a receipt file offline: the office tool behind ``cli check-receipt``.

Uses ``joserfc`` (a maintained JOSE library, in requirements-dev.txt: an
office tool, never shipped to Lambda) rather than the registry's own few
lines of JOSE, so a check does not trust the code that signed.

joserfc refuses payloads over 128,000 bytes by default (about 210 awards);
a receipt may list ``receipt_max_awards`` (1,000), so the limit is raised to
the largest receipt the registry can sign (``domain/receipt_size.py``).
Anything larger is answered ``status: too_large``: not a receipt of ours,
and not the same thing as a signature that does not hold (``invalid``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from chalicelib.domain.receipt_size import max_payload_segment

ALGORITHMS = ["ES256"]
VALID, INVALID, TOO_LARGE, NO_KEYS = "valid", "invalid", "too_large", "unusable_keys"
HEADER_LIMIT, SIGNATURE_LIMIT = 512, 1024  # joserfc's own limits: ample for ES256


def load_jwks(source: str, *, timeout: float = 10.0) -> dict[str, Any]:
    """A JWK Set from a file or an http(s) URL (a cached copy works offline)."""
    if source.startswith(("http://", "https://")):
        import urllib.request  # only a JWKS by URL needs it: a file check starts faster

        with urllib.request.urlopen(source, timeout=timeout) as answer:
            return json.loads(answer.read().decode("utf-8"))
    return json.loads(Path(source).read_text("utf-8"))


def check_receipt(
    text: str, jwks: dict[str, Any], *, max_awards: int | None = None
) -> dict[str, Any]:
    """``{"valid": bool, "status", "kid", "payload"?, "reason"?}`` for a compact JWS receipt.

    ``status`` is ``valid``, ``invalid`` (not a compact JWS, a signature that does not
    hold, or no listed key signed it: not a receipt as the registry signed it),
    ``too_large`` (longer than any receipt of ``max_awards`` awards, default
    ``receipt_max_awards``: not checked at all) or ``unusable_keys`` (the JWKS given
    cannot be read: nothing was checked).
    """
    # Imported here: joserfc is an office tool's dependency (requirements-dev.txt), never
    # shipped to Lambda, and this module must import without it.
    from joserfc import jws
    from joserfc.errors import ExceededSizeError, JoseError
    from joserfc.jwk import KeySet, KeySetSerialization

    if max_awards is None:
        from chalicelib.config import settings

        max_awards = settings().receipt_max_awards
    registry = receipt_registry(max_awards)
    compact = text.strip()
    limit = registry.max_payload_length
    if len(compact) > HEADER_LIMIT + limit + SIGNATURE_LIMIT + 2:
        return _too_large(len(compact), max_awards, None)
    try:
        keys = KeySet.import_key_set(cast("KeySetSerialization", jwks))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        return {"valid": False, "status": NO_KEYS, "reason": f"unusable JWKS: {exc}"}
    try:
        kid = jws.extract_compact(compact.encode("ascii"), registry=registry).headers().get("kid")
    except ExceededSizeError:
        return _too_large(len(compact), max_awards, None)
    except (JoseError, ValueError, UnicodeError) as exc:
        return {"valid": False, "status": INVALID, "reason": f"not a compact JWS: {exc}"}
    try:
        verified = jws.deserialize_compact(compact, keys, registry=registry)
    except ExceededSizeError:
        return _too_large(len(compact), max_awards, kid)
    except (JoseError, ValueError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return {"valid": False, "status": INVALID, "kid": kid, "reason": reason}
    payload = json.loads(verified.payload)
    return {"valid": True, "status": VALID, "kid": kid, "payload": payload}


def receipt_registry(max_awards: int) -> Any:
    """joserfc's JWS rules for receipts: ES256 only, payloads up to the largest receipt."""
    from joserfc.jws import JWSRegistry

    registry = JWSRegistry(algorithms=ALGORITHMS)
    registry.max_payload_length = max_payload_segment(max_awards)
    return registry


def _too_large(size: int, max_awards: int, kid: str | None) -> dict[str, Any]:
    limit = max_payload_segment(max_awards)
    return {
        "valid": False,
        "status": TOO_LARGE,
        "kid": kid,
        "reason": f"too large: {size} characters, more than any receipt of at most "
        f"{max_awards} awards (payload up to {limit}); not checked",
    }
