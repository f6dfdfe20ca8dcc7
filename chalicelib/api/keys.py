"""Key management routes (administrators): issue, list, revoke API keys."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    endpoint,
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
)
from chalicelib.domain.errors import UnauthenticatedError
from chalicelib.services import key_admin

bp = Blueprint(__name__)


@bp.route("/keys", methods=["POST"])
@endpoint(bp)
def create_key() -> Response:
    request = bp.current_request
    principal = principal_of(request)
    return json_response(key_admin.create_key(principal, json_body(request)), status=201)


@bp.route("/keys", methods=["GET"])
@endpoint(bp)
def list_keys() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(key_admin.list_keys(principal_of(request), params, limit_param(params)))


@bp.route("/keys/{key_id}/revoke", methods=["POST"])
@endpoint(bp)
def revoke_key(key_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    return json_response(key_admin.revoke(principal_of(request), key_id, now))


@bp.route("/me", methods=["GET"])
@endpoint(bp)
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
