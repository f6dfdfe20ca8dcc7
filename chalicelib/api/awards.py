"""Award routes: provinces push, correct and revoke; the public reads and verifies."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.doc import (
    AUTHORITY,
    AWARD_PATH,
    CREDIT_CODE,
    CURSOR,
    LIMIT,
    PERSONAL_DATA,
    SHORT_PAGES,
    Param,
)
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
from chalicelib.domain.names import PARTITION_CHARS
from chalicelib.domain.search_text import QUERY_MAX_CHARS, QUERY_MIN_CHARS
from chalicelib.services import award_reads, awards, redaction

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/awards",
    summary="Push an award record",
    audience="provincial",
    ok={201: "AwardOut", 200: "AwardOut"},
    auth="required",
    body="AwardIn",
    errors=(404, 409, 422),
    etag=True,
    description="201 when created; 200 with the same id when the same source_id "
    "is pushed again with the same content; 409 source_id_conflict otherwise.",
)
def push_award() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    result = awards.push_award(principal, json_body(request), now)
    award = result.award
    return json_response(award, status=result.status, headers=etag(award["version"]))


@route(
    bp,
    "POST",
    "/awards/batch",
    summary="Push up to 100 award records; each stands or falls on its own",
    audience="provincial",
    ok={200: "BatchResultsOut"},
    auth="required",
    body="BatchIn",
)
def push_batch() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(awards.push_batch(principal, json_body(request), now))


@route(
    bp,
    "GET",
    "/awards",
    summary="Awards, newest submitted_at first",
    audience="public",
    ok={200: "AwardListOut"},
    auth="optional",
    description=PERSONAL_DATA + " " + SHORT_PAGES,
    query=(
        AUTHORITY,
        Param("program_id", {"type": "string", "minLength": 1, "maxLength": 64}),
        Param("year", {"type": "integer", "minimum": 1000, "maximum": 9999}),
        Param("credit_code", {"type": "string"}, "A winner's unified social credit code."),
        Param(
            "enterprise_name",
            {"type": "string", "minLength": PARTITION_CHARS, "maxLength": 200},
            f"The start of a winner's name (企业名称); full/half width, spaces and "
            f"case do not matter; at least {PARTITION_CHARS} characters. A prefix "
            "matching too many awards is refused (400): type more of the name.",
        ),
        Param(
            "source_id",
            {"type": "string", "minLength": 1, "maxLength": 128},
            "The province's own id; needs authority_id.",
        ),
        Param("include_revoked", {"type": "boolean", "default": False}),
        Param(
            "q",
            {"type": "string", "minLength": QUERY_MIN_CHARS, "maxLength": QUERY_MAX_CHARS},
            "Any part of a winner's or the project's name (城建集团, 副中心); width, "
            "spaces and case do not matter. Served by a search index built from the "
            "change feed: eventually consistent (an award is found seconds after it is "
            "committed). The answer adds total and total_is_lower_bound. Not with "
            "credit_code, enterprise_name or source_id.",
        ),
        Param(
            "sort",
            {"type": "string", "enum": ["date", "name"], "default": "date"},
            "date: newest submitted first; name: by the lead winner's name (needs q).",
        ),
        LIMIT,
        CURSOR,
    ),
)
def list_awards() -> Response:
    request = bp.current_request
    params = query_params(request)
    principal = principal_of(request)
    return json_response(award_reads.list_awards(params, limit_param(params), principal))


@route(
    bp,
    "GET",
    "/awards/{award_id}",
    summary="One award, revoked ones too, with its history",
    audience="public",
    ok={200: "AwardOut"},
    auth="optional",
    description=PERSONAL_DATA,
    errors=(404,),
    path_patterns=AWARD_PATH,
    etag=True,
)
def get_award(award_id: str) -> Response:
    view = award_reads.get_award(award_id, principal_of(bp.current_request))
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "PUT",
    "/awards/{award_id}",
    summary="Correct an award (If-Match: its version)",
    audience="provincial",
    ok={200: "AwardOut"},
    auth="required",
    body="AwardIn",
    errors=(404, 409, 422),
    path_patterns=AWARD_PATH,
    if_match=True,
    etag=True,
)
def correct_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = awards.correct_award(
        principal, award_id, if_match_version(request), json_body(request), now
    )
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/awards/{award_id}/revoke",
    summary="Revoke an award",
    audience="provincial",
    ok={200: "AwardOut"},
    auth="required",
    body="RevokeIn",
    errors=(404, 409),
    path_patterns=AWARD_PATH,
    etag=True,
)
def revoke_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = awards.revoke_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "GET",
    "/verify",
    summary="An enterprise's awards by credit code, read consistently",
    audience="public",
    ok={200: "VerificationOut"},
    auth="optional",
    description=PERSONAL_DATA + " " + SHORT_PAGES,
    query=(
        CREDIT_CODE,
        LIMIT,
        CURSOR,
    ),
)
def verify() -> Response:
    request = bp.current_request
    params = query_params(request)
    answer = award_reads.verify(params, limit_param(params), principal_of(request))
    return json_response(answer, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "POST",
    "/awards/{award_id}/redact",
    summary="Erase personal data from an award, its history and its change entries",
    audience="admin",
    ok={200: "AwardOut"},
    auth="required",
    body="RedactIn",
    errors=(404, 422),
    path_patterns=AWARD_PATH,
    etag=True,
    description="`fields` from the redactable list (`project_manager`; anything "
    "else is 422 `validation_error` naming `fields[i]`). The values leave the record, "
    "every earlier version and every change entry of the award; `redactions` gains "
    "`{fields, at, reason}` (the reason is not public); the version goes up by one "
    "(nothing else changes, and a re-push of the original content still answers 200); "
    "a change entry `op: redact` tells mirrors to erase their copies. Repeating the "
    "same request changes nothing and adds no entry. Answers the administrator's view "
    "with `history`.",
)
def redact_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = redaction.redact_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))
