"""Programme routes: provinces declare and revise, everyone reads what they may see."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT, PROGRAM_PATH, Param
from chalicelib.api.http import (
    etag,
    json_response,
    route,
)
from chalicelib.domain import program_status, schemas
from chalicelib.domain.principal import Principal, Province
from chalicelib.domain.queries import ProgramFilter
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
    errors=(422,),
    etag=True,
)
def create_program(principal: Province, body: schemas.ProgramIn, now: datetime) -> Response:
    view = programs.create_program(principal, body, now)
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
            message=f"status must be one of {', '.join(program_status.ALL)}",
        ),
        LIMIT,
        CURSOR,
    ),
    description="The public sees submitted, approved and withdrawn programmes; "
    "with its key a province also sees its own drafts and rejected ones.",
)
def list_programs(principal: Principal | None, query: ProgramFilter) -> Response:
    return json_response(programs.list_programs(query, principal))


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
def get_program(program_id: str, principal: Principal | None) -> Response:
    view = programs.read_program(program_id, principal)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "PUT",
    "/programs/{program_id}",
    summary="Revise a draft or rejected programme",
    audience="provincial",
    ok={200: "ProgramOut"},
    auth="required",
    errors=(404, 409, 422),
    path_patterns=PROGRAM_PATH,
    if_match=True,
    etag=True,
)
def update_program(
    program_id: str,
    principal: Province,
    if_match: int | None,
    body: schemas.ProgramIn,
    now: datetime,
) -> Response:
    view = programs.update_program(principal, program_id, if_match, body, now)
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
def submit_program(program_id: str, principal: Province, now: datetime) -> Response:
    view = programs.submit_program(principal, program_id, now)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/programs/{program_id}/review",
    summary="Approve or reject a submitted programme",
    audience="admin",
    ok={200: "ProgramOut"},
    auth="required",
    errors=(409,),
    path_patterns=PROGRAM_PATH,
    etag=True,
    description="`reason` is required to reject. A rejected programme goes back "
    "to its province, which revises it (it becomes a draft) and submits it again.",
)
def review_program(
    program_id: str, principal: Principal, body: schemas.ReviewIn, now: datetime
) -> Response:
    view = reviews.review_program(principal, program_id, body, now)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/programs/{program_id}/withdraw",
    summary="Withdraw an approved programme from a date",
    audience="admin",
    ok={200: "ProgramOut"},
    auth="required",
    errors=(409,),
    path_patterns=PROGRAM_PATH,
    etag=True,
)
def withdraw_program(
    program_id: str, principal: Principal, body: schemas.WithdrawIn, now: datetime
) -> Response:
    view = reviews.withdraw_program(principal, program_id, body, now)
    return json_response(view, headers=etag(view["version"]))
