"""Timeliness routes: the league table, and excusing a late push (administrators)."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AWARD_PATH
from chalicelib.api.http import etag, json_response, route
from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal
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
    public_if=lambda: settings().public_timeliness,
)
def league_table() -> Response:
    return json_response(timeliness_stats.all_authorities())


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
    public_if=lambda: settings().public_timeliness,
)
def one_authority(authority_id: str, principal: Principal | None) -> Response:
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
def open_findings(authority_id: str, principal: Principal) -> Response:
    return json_response(timeliness_stats.open_findings(principal, authority_id))


@route(
    bp,
    "POST",
    "/awards/{award_id}/excuse",
    summary="Accept a late push as justified",
    audience="admin",
    ok={200: "AwardOut"},
    auth="required",
    errors=(404, 409),
    path_patterns=AWARD_PATH,
    etag=True,
)
def excuse_award(award_id: str, body: schemas.ExcuseIn, now: datetime) -> Response:
    view = award_timeliness.excuse_award(award_id, body, now)
    return json_response(view, headers=etag(view["version"]))
