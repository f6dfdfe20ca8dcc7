"""Key management routes (administrators): issue, list, revoke API keys."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import CURSOR, KEY_ID, LIMIT
from chalicelib.api.http import (
    json_response,
    route,
)
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal
from chalicelib.domain.queries import Page
from chalicelib.services import key_admin

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/keys",
    summary="Issue an API key (shown once)",
    audience="admin",
    ok={201: "ApiKeyCreatedOut"},
    auth="required",
    description="A provincial key needs `authority_id` (one of the 33); an admin key "
    "takes none. Only the key's HMAC is stored: the answer is the one time it is seen. "
    "The acting key's id is stored as the new key's `created_by` and logged.",
)
def create_key(principal: Principal, body: schemas.KeyIn) -> Response:
    return json_response(key_admin.create_key(principal, body), status=201)


@route(
    bp,
    "GET",
    "/keys",
    summary="API keys, newest first (never the keys themselves)",
    audience="admin",
    ok={200: "ApiKeyListOut"},
    auth="required",
    query=(LIMIT, CURSOR),
)
def list_keys(query: Page) -> Response:
    return json_response(key_admin.list_keys(query))


@route(
    bp,
    "POST",
    "/keys/{key_id}/revoke",
    summary="Revoke an API key: its next request is refused (401)",
    audience="admin",
    ok={200: "ApiKeyOut"},
    auth="required",
    errors=(404, 409),
    path_patterns={"key_id": KEY_ID},
    description="Idempotent: an already revoked key is answered as it is (its first "
    "revocation kept). The key you call with cannot be revoked with itself (409 "
    '`invalid_state`). The body is optional: `{"note": "…"}` says why; the acting '
    "key's id is stored as `revoked_by` and logged.",
)
def revoke_key(
    key_id: str, principal: Principal, now: datetime, body: schemas.KeyRevokeIn | None
) -> Response:
    return json_response(key_admin.revoke(principal, key_id, now, body))


@route(
    bp,
    "GET",
    "/me",
    summary="Who the key belongs to (role, authority, key id)",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # any key: the console signs administrators in too
    ok={200: "MeOut"},
    auth="required",
    description="The console signs in with it; an unknown or revoked key is a 401.",
)
def who_am_i(principal: Principal) -> Response:
    """Who the key belongs to: the console signs in with it (a revoked key is a 401 here)."""
    return json_response(
        {
            "role": principal.role,
            "authority_id": principal.authority_id,
            "key_id": principal.key_id,
        }
    )
