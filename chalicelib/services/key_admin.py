"""Key management for administrators: issue, list and revoke API keys over HTTP.

Issuing goes through ``keys.issue_key`` (the key is shown once, only its HMAC
is stored), exactly as the CLI does. Keys are found by id and listed through
the ``by_role`` index (``store/models.py``): one Query per role, two roles,
so a page and a lookup cost two small Queries whatever the number of keys,
and no Scan. The index is eventually consistent: a key issued a moment ago
may take a moment to be listed or revoked by id (404 until then); the
revocation itself is written to the key's item and read consistently by
``keys.authenticate``, so the very next request with a revoked key is a 401.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import schemas
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import ConflictError, NotFoundError, ValidationError
from chalicelib.domain.queries import Page
from chalicelib.services.keys import (
    ROLES,
    Principal,
    find_key,
    issue_key,
    revoke_record,
)
from chalicelib.store import keys as key_store
from chalicelib.store import secrets
from chalicelib.store.keys import ApiKey


def key_view(item: ApiKey) -> dict[str, Any]:
    """What an administrator sees of a key: never the key nor its hash."""
    return {
        "key_id": item.key_id,
        "role": item.role,
        "authority_id": item.authority_id,
        "note": item.note,
        "created_at": item.created_at,
        "created_by": item.created_by,
        "last_used_on": item.last_used_on,
        "revoked_at": item.revoked_at,
        "revoked_by": item.revoked_by,
        "revoke_note": item.revoke_note,
    }


def create_key(principal: Principal, body: schemas.KeyIn) -> dict[str, Any]:
    """``POST /v1/keys``: a new key, shown once in the answer."""
    issued = issue_key(
        role=body.role,
        authority_id=body.authority_id,
        note=body.note,
        created_by=principal.key_id,
    )
    return {
        "key_id": issued["key_id"],
        "api_key": issued["api_key"],
        "role": body.role,
        "authority_id": issued["authority_id"],
        "note": body.note,
    }


def list_keys(page: Page) -> dict[str, Any]:
    """``GET /v1/keys``: every key, newest first (both roles merged by ``key_id``)."""
    scope = scope_of("keys", {})
    secret = secrets.server_secret()
    before = None
    limit = page.limit
    if page.cursor:
        before = decode_cursor(page.cursor, secret=secret, scope=scope).get("before")
        if not isinstance(before, str):
            raise ValidationError("the cursor is malformed", field="cursor")
    rows = key_store.page(ROLES, before, limit + 1)
    rows.sort(key=lambda item: item.key_id, reverse=True)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor({"before": rows[-1].key_id}, secret=secret, scope=scope)
    return {"items": [key_view(item) for item in rows], "next_cursor": next_cursor}


def revoke(
    principal: Principal, key_id: str, now: datetime, body: schemas.KeyRevokeIn | None = None
) -> dict[str, Any]:
    """``POST /v1/keys/{key_id}/revoke``: idempotent; the key's next request is a 401.

    An administrator cannot revoke the key it is calling with (409): that is
    how the last working admin key would be lost by a slip of the mouse. The
    acting key's id and the optional ``note`` are stored with the revocation.
    """
    note = body.note if body is not None else None
    item = find_key(key_id)
    if item is None:
        raise NotFoundError(f"no key {key_id[:64]}")
    if item.key_id == principal.key_id:
        raise ConflictError(
            "invalid_state", "this is the key you are using: revoke it with another admin key"
        )
    revoke_record(item, by=principal.key_id, note=note, now=now)
    return key_view(item)
