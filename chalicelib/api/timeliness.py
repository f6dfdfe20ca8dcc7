"""Timeliness routes: the league table, and excusing a late push (administrators)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.doc import AWARD_PATH
from chalicelib.api.http import etag, json_body, json_response, principal_of, received_at, route
from chalicelib.domain.principal import ADMIN, PROVINCIAL
from chalicelib.services import award_timeliness, timeliness_stats

bp = Blueprint(__name__)


@route(
    bp,
    "GET",
    "/timeliness",
    summary="Timeliness of every authority, as of the last audit",
    audience="admin",
    ok={200: "TimelinessTableOut"},
    auth="required",
)
def league_table() -> Response:
    return json_response(timeliness_stats.all_authorities(principal_of(bp.current_request)))


@route(
    bp,
    "GET",
    "/timeliness/{authority_id}",
    summary="One authority's timeliness (the province itself or an administrator)",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator reads every province's
    ok={200: "TimelinessOneOut"},
    auth="required",
    errors=(404,),
)
def one_authority(authority_id: str) -> Response:
    principal = principal_of(bp.current_request)
    return json_response(timeliness_stats.one_authority(principal, authority_id))


@route(
    bp,
    "GET",
    "/timeliness/{authority_id}/findings",
    summary="One authority's open audit findings, each with what to do",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator reads every province's
    ok={200: "OpenFindingListOut"},
    auth="required",
    errors=(404,),
    description="The province itself or an administrator; never public.",
)
def open_findings(authority_id: str) -> Response:
    principal = principal_of(bp.current_request)
    return json_response(timeliness_stats.open_findings(principal, authority_id))


@route(
    bp,
    "POST",
    "/awards/{award_id}/excuse",
    summary="Accept a late push as justified",
    audience="admin",
    ok={200: "AwardOut"},
    auth="required",
    body="ExcuseIn",
    errors=(404, 409),
    path_patterns=AWARD_PATH,
    etag=True,
)
def excuse_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = award_timeliness.excuse_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))
