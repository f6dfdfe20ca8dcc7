"""Audit routes (administrators): run the daily audit now, read past runs."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.doc import CURSOR, LIMIT
from chalicelib.api.http import (
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
    route,
)
from chalicelib.services import audit, audit_runs

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/audit/run",
    summary="Run the daily audit now and return its report",
    audience="admin",
    ok={200: "AuditReportOut"},
    auth="required",
    body="AuditRunIn",
    errors=(409,),
    description="The body is optional; `date` audits as of that China date.",
)
def run_audit() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    # The body is optional: {"date": "YYYY-MM-DD"} audits as of that China date.
    data = json_body(request) if (request.raw_body or b"").strip() else None
    return json_response(audit.run_now(principal, data, now))


@route(
    bp,
    "GET",
    "/audit/runs",
    summary="Audit runs, newest first",
    audience="admin",
    ok={200: "AuditRunListOut"},
    auth="required",
    query=(LIMIT, CURSOR),
)
def list_runs() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(audit_runs.list_runs(principal_of(request), params, limit_param(params)))


@route(
    bp,
    "GET",
    "/audit/runs/{run_id}",
    summary="One audit run with its report",
    audience="admin",
    ok={200: "AuditRunWithReportOut"},
    auth="required",
    errors=(404,),
)
def get_run(run_id: str) -> Response:
    return json_response(audit_runs.get_run(principal_of(bp.current_request), run_id))
