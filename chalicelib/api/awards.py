"""Award routes: provinces push, correct and revoke; the public reads and verifies."""

from __future__ import annotations

from datetime import datetime

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
    json_response,
    route,
)
from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.errors import RegistryError
from chalicelib.domain.names import PARTITION_CHARS
from chalicelib.domain.principal import Principal, Province
from chalicelib.domain.queries import AwardFilter, VerifyQuery
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
    errors=(404, 409, 422),
    etag=True,
    description="201 when created; 200 with the same id when the same source_id "
    "is pushed again with the same content; 409 source_id_conflict otherwise.",
)
def push_award(principal: Province, body: schemas.AwardIn, now: datetime) -> Response:
    result = awards.push_award(principal, body, now)
    award = result.award
    status = 201 if result.created else 200
    return json_response(award, status=status, headers=etag(award["version"]))


@route(
    bp,
    "POST",
    "/awards/batch",
    summary="Push up to 100 award records; each stands or falls on its own",
    audience="provincial",
    ok={200: "BatchResultsOut"},
    auth="required",
)
def push_batch(principal: Province, body: schemas.BatchIn, now: datetime) -> Response:
    results = []
    for index, outcome in enumerate(awards.push_batch(principal, body.records, now)):
        if isinstance(outcome, RegistryError):
            error = outcome.to_body(max_details=settings().max_error_details)
            results.append({"index": index, "status": outcome.status, **error})
        else:
            status = 201 if outcome.created else 200
            results.append({"index": index, "status": status, "id": outcome.award["id"]})
    return json_response({"results": results})


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
        Param(
            "year",
            {"type": "integer", "minimum": 1000, "maximum": 9999},
            message="year must be a 4-digit year",
        ),
        Param("credit_code", {"type": "string"}, "A winner's unified social credit code."),
        Param(
            "enterprise_name",
            {"type": "string", "minLength": PARTITION_CHARS, "maxLength": 200},
            f"The start of a winner's name (企业名称); full/half width, spaces and "
            f"case do not matter; at least {PARTITION_CHARS} characters. A prefix "
            "matching too many awards is refused (400): type more of the name.",
            folded=True,  # measured after folding, by the name rule
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
            folded=True,  # measured after folding, by the search rule
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
def list_awards(principal: Principal | None, query: AwardFilter) -> Response:
    return json_response(award_reads.list_awards(query, principal))


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
def get_award(award_id: str, principal: Principal | None) -> Response:
    view = award_reads.get_award(award_id, principal)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "PUT",
    "/awards/{award_id}",
    summary="Correct an award (If-Match: its version)",
    audience="provincial",
    ok={200: "AwardOut"},
    auth="required",
    errors=(404, 409, 422),
    path_patterns=AWARD_PATH,
    if_match=True,
    etag=True,
)
def correct_award(
    award_id: str,
    principal: Province,
    if_match: int | None,
    body: schemas.AwardIn,
    now: datetime,
) -> Response:
    view = awards.correct_award(principal, award_id, if_match, body, now)
    return json_response(view, headers=etag(view["version"]))


@route(
    bp,
    "POST",
    "/awards/{award_id}/revoke",
    summary="Revoke an award",
    audience="provincial",
    ok={200: "AwardOut"},
    auth="required",
    errors=(404, 409),
    path_patterns=AWARD_PATH,
    etag=True,
)
def revoke_award(
    award_id: str, principal: Province, body: schemas.RevokeIn, now: datetime
) -> Response:
    view = awards.revoke_award(principal, award_id, body, now)
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
def verify(principal: Principal | None, query: VerifyQuery) -> Response:
    answer = award_reads.verify(query, principal)
    return json_response(answer, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "POST",
    "/awards/{award_id}/redact",
    summary="Erase personal data from an award, its history and its change entries",
    audience="admin",
    ok={200: "AwardOut"},
    auth="required",
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
def redact_award(
    award_id: str, principal: Principal, body: schemas.RedactIn, now: datetime
) -> Response:
    view = redaction.redact_award(principal, award_id, body, now)
    return json_response(view, headers=etag(view["version"]))
