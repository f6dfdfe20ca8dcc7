"""What provinces tell MOHURD besides awards: feedback and zero reports."""

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
from chalicelib.services import feedback, zero_reports

bp = Blueprint(__name__)


@bp.route("/feedback", methods=["POST"])
@endpoint(bp)
def submit_feedback() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(feedback.submit_feedback(principal, json_body(request), now), status=201)


@bp.route("/feedback", methods=["GET"])
@endpoint(bp)
def list_feedback() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(feedback.list_feedback(principal_of(request), params, limit_param(params)))


@bp.route("/zero-reports", methods=["POST"])
@endpoint(bp)
def file_zero_report() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(
        zero_reports.file_zero_report(principal, json_body(request), now), status=201
    )


@bp.route("/zero-reports", methods=["GET"])
@endpoint(bp)
def list_zero_reports() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(
        zero_reports.list_zero_reports(principal_of(request), params, limit_param(params))
    )
