"""Opaque, signed pagination cursors bound to the filters they were made for.

A cursor is ``base64url(json) . base64url(hmac)``; the HMAC covers the payload
and the *scope* (the route and its filters), so a client cannot edit one or
reuse it under other filters: both are a 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.errors import InvalidCursorError


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def scope_of(route: str, filters: dict[str, Any]) -> str:
    """A stable text naming a route and the filters a cursor may be used with."""
    kept = {k: v for k, v in sorted(filters.items()) if v not in (None, "", False)}
    return route + "?" + json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)


def _signature(secret: str, scope: str, body: str) -> str:
    mac = hmac.new(secret.encode(), f"cursor:{scope}:{body}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:20])


def encode_cursor(payload: Any, *, secret: str, scope: str) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{body}.{_signature(secret, scope, body)}"


def decode_cursor(token: str, *, secret: str, scope: str) -> Any:
    try:
        body, signature = token.split(".")
    except ValueError:
        raise InvalidCursorError("the cursor is malformed", field="cursor") from None
    # compare_digest refuses non-ASCII str (TypeError): compare the UTF-8 bytes.
    expected = _signature(secret, scope, body).encode()
    if not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
        raise InvalidCursorError(
            "the cursor was not issued for these filters or was altered", field="cursor"
        )
    try:
        return json.loads(_unb64(body))
    except ValueError:
        raise InvalidCursorError("the cursor is malformed", field="cursor") from None
