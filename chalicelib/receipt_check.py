"""Checking a receipt file offline: the office tool behind ``cli check-receipt``.

Uses ``joserfc`` (a maintained JOSE library, in requirements-dev.txt: an
office tool, never shipped to Lambda) rather than the registry's own few
lines of JOSE, so a check does not trust the code that signed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

ALGORITHMS = ["ES256"]


def load_jwks(source: str, *, timeout: float = 10.0) -> dict[str, Any]:
    """A JWK Set from a file or an http(s) URL (a cached copy works offline)."""
    if source.startswith(("http://", "https://")):
        import urllib.request  # only a JWKS by URL needs it: a file check starts faster

        with urllib.request.urlopen(source, timeout=timeout) as answer:
            return json.loads(answer.read().decode("utf-8"))
    return json.loads(Path(source).read_text("utf-8"))


def check_receipt(text: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """``{"valid": bool, "kid", "payload"?, "reason"?}`` for a compact JWS receipt."""
    # Imported here: joserfc is an office tool's dependency (requirements-dev.txt), never
    # shipped to Lambda, and this module must import without it.
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet, KeySetSerialization

    compact = text.strip()
    try:
        keys = KeySet.import_key_set(cast("KeySetSerialization", jwks))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        return {"valid": False, "reason": f"unusable JWKS: {exc}"}
    try:
        kid = jws.extract_compact(compact.encode("ascii")).headers().get("kid")
    except (JoseError, ValueError, UnicodeError) as exc:
        return {"valid": False, "reason": f"not a compact JWS: {exc}"}
    try:
        verified = jws.deserialize_compact(compact, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        return {"valid": False, "kid": kid, "reason": f"{type(exc).__name__}: {exc}"}
    return {"valid": True, "kid": kid, "payload": json.loads(verified.payload)}
