"""Key management routes (administrators): issue, list, revoke API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.api.doc import CURSOR, KEY_ID, LIMIT
from chalicelib.api.http import (
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
    route,
)
from chalicelib.domain.errors import UnauthenticatedError
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.services import key_admin
else:  # measured cold-start lazy load: a route's services load with its first request
    key_admin = lazy_module("chalicelib.services.key_admin")

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/keys",
    summary="Issue an API key (shown once)",
    audience="admin",
    ok={201: "ApiKeyCreatedOut"},
    auth="required",
    body="KeyIn",
    description="A provincial key needs `authority_id` (one of the 33); an admin key "
    "takes none. Only the key's HMAC is stored: the answer is the one time it is seen. "
    "The acting key's id is stored as the new key's `created_by` and logged.",
)
def create_key() -> Response:
    request = bp.current_request
    principal = principal_of(request)
    return json_response(key_admin.create_key(principal, json_body(request)), status=201)


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
def list_keys() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(key_admin.list_keys(principal_of(request), params, limit_param(params)))


@route(
    bp,
    "POST",
    "/keys/{key_id}/revoke",
    summary="Revoke an API key: its next request is refused (401)",
    audience="admin",
    ok={200: "ApiKeyOut"},
    auth="required",
    errors=(404, 409),
    body="KeyRevokeIn",
    path_patterns={"key_id": KEY_ID},
    description="Idempotent: an already revoked key is answered as it is (its first "
    "revocation kept). The key you call with cannot be revoked with itself (409 "
    '`invalid_state`). The body is optional: `{"note": "…"}` says why; the acting '
    "key's id is stored as `revoked_by` and logged.",
)
def revoke_key(key_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    data = json_body(request) if (request.raw_body or b"").strip() else None
    return json_response(key_admin.revoke(principal_of(request), key_id, now, data))


@route(
    bp,
    "GET",
    "/me",
    summary="Who the key belongs to (role, authority, key id)",
    audience="provincial",
    ok={200: "MeOut"},
    auth="required",
    description="The console signs in with it; an unknown or revoked key is a 401.",
)
def who_am_i() -> Response:
    """Who the key belongs to: the console signs in with it (a revoked key is a 401 here)."""
    principal = principal_of(bp.current_request)
    if principal is None:
        raise UnauthenticatedError("this route needs an API key")
    return json_response(
        {
            "role": principal.role,
            "authority_id": principal.authority_id,
            "key_id": principal.key_id,
        }
    )
