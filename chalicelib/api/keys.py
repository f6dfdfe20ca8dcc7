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
