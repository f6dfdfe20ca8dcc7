"""Timeliness routes: the league table, and excusing a late push (administrators)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, etag, json_body, json_response, principal_of, received_at
from chalicelib.services import award_timeliness, timeliness_stats

bp = Blueprint(__name__)


@bp.route("/timeliness", methods=["GET"])
@endpoint(bp)
def league_table() -> Response:
    return json_response(timeliness_stats.all_authorities(principal_of(bp.current_request)))


@bp.route("/timeliness/{authority_id}", methods=["GET"])
@endpoint(bp)
def one_authority(authority_id: str) -> Response:
    principal = principal_of(bp.current_request)
    return json_response(timeliness_stats.one_authority(principal, authority_id))


@bp.route("/timeliness/{authority_id}/findings", methods=["GET"])
@endpoint(bp)
def open_findings(authority_id: str) -> Response:
    principal = principal_of(bp.current_request)
    return json_response(timeliness_stats.open_findings(principal, authority_id))


@bp.route("/awards/{award_id}/excuse", methods=["POST"])
@endpoint(bp)
def excuse_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = award_timeliness.excuse_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))
