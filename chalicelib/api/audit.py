"""Audit routes (administrators): run the daily audit now, read past runs."""

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
from chalicelib.services import audit, audit_runs

bp = Blueprint(__name__)


@bp.route("/audit/run", methods=["POST"])
@endpoint(bp)
def run_audit() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    # The body is optional: {"date": "YYYY-MM-DD"} audits as of that China date.
    data = json_body(request) if (request.raw_body or b"").strip() else None
    return json_response(audit.run_now(principal, data, now))


@bp.route("/audit/runs", methods=["GET"])
@endpoint(bp)
def list_runs() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(audit_runs.list_runs(principal_of(request), params, limit_param(params)))


@bp.route("/audit/runs/{run_id}", methods=["GET"])
@endpoint(bp)
def get_run(run_id: str) -> Response:
    return json_response(audit_runs.get_run(principal_of(bp.current_request), run_id))
