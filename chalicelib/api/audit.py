"""Audit routes (administrators): run the daily audit now, read past runs."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import CURSOR, LIMIT
from chalicelib.api.http import (
    json_response,
    route,
)
from chalicelib.domain import schemas
from chalicelib.domain.queries import Page
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
    errors=(409,),
    description="The body is optional; `date` audits as of that China date.",
)
def run_audit(body: schemas.AuditRunIn | None, now: datetime) -> Response:
    # The body is optional: {"date": "YYYY-MM-DD"} audits as of that China date.
    return json_response(audit.run_now(body or schemas.AuditRunIn(), now))


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
def list_runs(query: Page) -> Response:
    return json_response(audit_runs.list_runs(query))


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
    return json_response(audit_runs.get_run(run_id))
