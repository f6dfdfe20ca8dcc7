"""Programme routes: provinces declare and revise, everyone reads what they may see."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import (
    endpoint,
    etag,
    if_match_version,
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
)
from chalicelib.services import programs, reviews

bp = Blueprint(__name__)


@bp.route("/programs", methods=["POST"])
@endpoint(bp)
def create_program() -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = programs.create_program(principal, json_body(request), received_at())
    return json_response(view, status=201, headers=etag(view["version"]))


@bp.route("/programs", methods=["GET"])
@endpoint(bp)
def list_programs() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(programs.list_programs(principal_of(request), params, limit_param(params)))


@bp.route("/programs/{program_id}", methods=["GET"])
@endpoint(bp)
def get_program(program_id: str) -> Response:
    view = programs.read_program(program_id, principal_of(bp.current_request))
    return json_response(view, headers=etag(view["version"]))


@bp.route("/programs/{program_id}", methods=["PUT"])
@endpoint(bp)
def update_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = programs.update_program(
        principal, program_id, if_match_version(request), json_body(request), received_at()
    )
    return json_response(view, headers=etag(view["version"]))


@bp.route("/programs/{program_id}/submit", methods=["POST"])
@endpoint(bp)
def submit_program(program_id: str) -> Response:
    principal = principal_of(bp.current_request)
    view = programs.submit_program(principal, program_id, received_at())
    return json_response(view, headers=etag(view["version"]))


@bp.route("/programs/{program_id}/review", methods=["POST"])
@endpoint(bp)
def review_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = reviews.review_program(principal, program_id, json_body(request), received_at())
    return json_response(view, headers=etag(view["version"]))


@bp.route("/programs/{program_id}/withdraw", methods=["POST"])
@endpoint(bp)
def withdraw_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = reviews.withdraw_program(principal, program_id, json_body(request), received_at())
    return json_response(view, headers=etag(view["version"]))
