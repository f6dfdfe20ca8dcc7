"""What provinces tell MOHURD besides awards: feedback and zero reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT
from chalicelib.api.http import (
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
    route,
)
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.services import feedback, zero_reports
else:  # measured cold-start lazy load: a route's services load with its first request
    feedback = lazy_module("chalicelib.services.feedback")
    zero_reports = lazy_module("chalicelib.services.zero_reports")

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/feedback",
    summary="Report an idea or a problem to MOHURD",
    audience="provincial",
    ok={201: "FeedbackItemOut"},
    auth="required",
    body="FeedbackIn",
)
def submit_feedback() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(feedback.submit_feedback(principal, json_body(request), now), status=201)


@route(
    bp,
    "GET",
    "/feedback",
    summary="Feedback from the provinces, newest first",
    audience="admin",
    ok={200: "FeedbackListOut"},
    auth="required",
    query=(LIMIT, CURSOR),
)
def list_feedback() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(feedback.list_feedback(principal_of(request), params, limit_param(params)))


@route(
    bp,
    "POST",
    "/zero-reports",
    summary="Declare no in-scope awards in a period (零报告)",
    audience="provincial",
    ok={201: "ZeroReportOut"},
    auth="required",
    body="ZeroReportIn",
)
def file_zero_report() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(
        zero_reports.file_zero_report(principal, json_body(request), now), status=201
    )


@route(
    bp,
    "GET",
    "/zero-reports",
    summary="Zero reports: a province its own, an administrator everyone's",
    audience="provincial",
    ok={200: "ZeroReportListOut"},
    auth="required",
    query=(AUTHORITY, LIMIT, CURSOR),
    description="Ordered by authority, then latest period end first. A province may "
    "pass only its own `authority_id` (another is 403).",
)
def list_zero_reports() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(
        zero_reports.list_zero_reports(principal_of(request), params, limit_param(params))
    )
