"""What provinces tell MOHURD besides awards: feedback and zero reports."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, FEEDBACK_ID, LIMIT, SHORT_PAGES, Param
from chalicelib.api.http import (
    json_response,
    route,
)
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.domain.queries import FeedbackFilter, ZeroReportFilter
from chalicelib.services import feedback, zero_reports

bp = Blueprint(__name__)

FROM_DAY = Param(
    "from",
    {"type": "string", "format": "date"},
    "First China (Asia/Shanghai) date of arrival, YYYY-MM-DD.",
)
TO_DAY = Param(
    "to",
    {"type": "string", "format": "date"},
    "Last China (Asia/Shanghai) date of arrival, YYYY-MM-DD (included).",
)


@route(
    bp,
    "POST",
    "/feedback",
    summary="Report an idea or a problem to MOHURD",
    audience="provincial",
    ok={201: "FeedbackOut"},
    auth="required",
)
def submit_feedback(principal: Province, body: schemas.FeedbackIn, now: datetime) -> Response:
    return json_response(feedback.submit_feedback(principal, body, now), status=201)


@route(
    bp,
    "GET",
    "/feedback",
    summary="Feedback with its replies, newest first: an administrator everyone's, a "
    "province its own",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator reads every province's
    ok={200: "FeedbackListOut"},
    auth="required",
    query=(AUTHORITY, FROM_DAY, TO_DAY, LIMIT, CURSOR),
    description="Filters: `authority_id` (a province may pass only its own: another is "
    "403), `from`/`to` (China dates of arrival, both included). Each item says its "
    "`state` (`open` or `handled`), the latest `reply` and `handled_at`, and every reply "
    "in `replies`. The province filter is checked on the items read: "
    + SHORT_PAGES.replace("awards", "items").replace("award", "item"),
)
def list_feedback(principal: Principal, query: FeedbackFilter) -> Response:
    return json_response(feedback.list_feedback(principal, query))


@route(
    bp,
    "POST",
    "/feedback/{feedback_id}/handle",
    summary="Mark feedback handled with a reply the province reads in its console",
    audience="admin",
    ok={200: "FeedbackOut"},
    auth="required",
    errors=(404, 409),
    path_patterns={"feedback_id": FEEDBACK_ID},
    description="Answers the item, `state: handled`, with the reply. Handling it again "
    "with a different reply replaces the shown `reply` and `handled_at` and keeps every "
    "earlier reply in `replies` (oldest first), up to `FEEDBACK_MAX_REPLIES` (default "
    "20; past it 409 `invalid_state`); the same reply as the latest changes nothing, "
    "so a retried request is harmless. Feedback sent a moment ago may be 404 for a "
    "moment (found through an eventually consistent index).",
)
def handle_feedback(
    feedback_id: str, principal: Principal, body: schemas.FeedbackHandleIn, now: datetime
) -> Response:
    return json_response(feedback.handle_feedback(principal, feedback_id, body, now))


@route(
    bp,
    "POST",
    "/zero-reports",
    summary="Declare no in-scope awards in a period (零报告)",
    audience="provincial",
    ok={201: "ZeroReportOut"},
    auth="required",
)
def file_zero_report(principal: Province, body: schemas.ZeroReportIn, now: datetime) -> Response:
    return json_response(zero_reports.file_zero_report(principal, body, now), status=201)


@route(
    bp,
    "GET",
    "/zero-reports",
    summary="Zero reports: a province its own, an administrator everyone's",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator reads every province's
    ok={200: "ZeroReportListOut"},
    auth="required",
    query=(AUTHORITY, LIMIT, CURSOR),
    description="Ordered by authority, then latest period end first. A province may "
    "pass only its own `authority_id` (another is 403).",
)
def list_zero_reports(principal: Principal, query: ZeroReportFilter) -> Response:
    return json_response(zero_reports.list_zero_reports(principal, query))
