"""Programme routes: provinces declare and revise, everyone reads what they may see."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT, PROGRAM_PATH, Param
from chalicelib.api.http import (
    etag,
    if_match_version,
    json_body,
    json_response,
    limit_param,
    principal_of,
    query_params,
    received_at,
    route,
)
from chalicelib.domain import program_status
from chalicelib.services import programs, reviews

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/programs",
    summary="Declare a programme (draft)",
    audience="provincial",
    ok={201: "ProgramOut"},
    auth="required",
    body="ProgramIn",
    errors=(422,),
    etag=True,
)
def create_program() -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = programs.create_program(principal, json_body(request), received_at())
    return json_response(view, status=201, headers=etag(view["version"]))


@route(
    bp,
    "GET",
    "/programs",
    summary="Award programmes, newest first",
    audience="public",
    ok={200: "ProgramListOut"},
    auth="optional",
    query=(
        AUTHORITY,
        Param(
            "status",
            {
                "type": "string",
                "enum": list(program_status.ALL),
            },
        ),
        LIMIT,
        CURSOR,
    ),
    description="The public sees submitted, approved and withdrawn programmes; "
    "with its key a province also sees its own drafts and rejected ones.",
)
def list_programs() -> Response:
    request = bp.current_request
    params = query_params(request)
    return json_response(programs.list_programs(principal_of(request), params, limit_param(params)))


@route(
    bp,
    "GET",
    "/programs/{program_id}",
    summary="One programme",
    audience="public",
    ok={200: "ProgramOut"},
    auth="optional",
    errors=(404,),
    path_patterns=PROGRAM_PATH,
    etag=True,
)
def get_program(program_id: str) -> Response:
    view = programs.read_program(program_id, principal_of(bp.current_request))
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "PUT",
    "/programs/{program_id}",
    summary="Revise a draft or rejected programme",
    audience="provincial",
    ok={200: "ProgramOut"},
    auth="required",
    body="ProgramIn",
    errors=(404, 409, 422),
    path_patterns=PROGRAM_PATH,
    if_match=True,
    etag=True,
)
def update_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = programs.update_program(
        principal, program_id, if_match_version(request), json_body(request), received_at()
    )
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/programs/{program_id}/submit",
    summary="Submit a draft programme for review",
    audience="provincial",
    ok={200: "ProgramOut"},
    auth="required",
    errors=(404, 409),
    path_patterns=PROGRAM_PATH,
    etag=True,
)
def submit_program(program_id: str) -> Response:
    principal = principal_of(bp.current_request)
    view = programs.submit_program(principal, program_id, received_at())
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/programs/{program_id}/review",
    summary="Approve or reject a submitted programme",
    audience="admin",
    ok={200: "ProgramOut"},
    auth="required",
    body="ReviewIn",
    errors=(409,),
    path_patterns=PROGRAM_PATH,
    etag=True,
    description="`reason` is required to reject. A rejected programme goes back "
    "to its province, which revises it (it becomes a draft) and submits it again.",
)
def review_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = reviews.review_program(principal, program_id, json_body(request), received_at())
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/programs/{program_id}/withdraw",
    summary="Withdraw an approved programme from a date",
    audience="admin",
    ok={200: "ProgramOut"},
    auth="required",
    body="WithdrawIn",
    errors=(409,),
    path_patterns=PROGRAM_PATH,
    etag=True,
)
def withdraw_program(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    view = reviews.withdraw_program(principal, program_id, json_body(request), received_at())
    return json_response(view, headers=etag(view["version"]))
