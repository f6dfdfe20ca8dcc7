"""Award routes: provinces push, correct and revoke; the public reads and verifies."""

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
from chalicelib.services import award_reads, awards, redaction

bp = Blueprint(__name__)


@bp.route("/awards", methods=["POST"])
@endpoint(bp)
def push_award() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    result = awards.push_award(principal, json_body(request), now)
    award = result.award
    return json_response(award, status=result.status, headers=etag(award["version"]))


@bp.route("/awards/batch", methods=["POST"])
@endpoint(bp)
def push_batch() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(awards.push_batch(principal, json_body(request), now))


@bp.route("/awards", methods=["GET"])
@endpoint(bp)
def list_awards() -> Response:
    request = bp.current_request
    params = query_params(request)
    principal = principal_of(request)
    return json_response(award_reads.list_awards(params, limit_param(params), principal))


@bp.route("/awards/{award_id}", methods=["GET"])
@endpoint(bp)
def get_award(award_id: str) -> Response:
    view = award_reads.get_award(award_id, principal_of(bp.current_request))
    return json_response(view, headers=etag(view["version"]))


@bp.route("/awards/{award_id}", methods=["PUT"])
@endpoint(bp)
def correct_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = awards.correct_award(
        principal, award_id, if_match_version(request), json_body(request), now
    )
    return json_response(view, headers=etag(view["version"]))


@bp.route("/awards/{award_id}/revoke", methods=["POST"])
@endpoint(bp)
def revoke_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = awards.revoke_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))


@bp.route("/verify", methods=["GET"])
@endpoint(bp)
def verify() -> Response:
    request = bp.current_request
    params = query_params(request)
    answer = award_reads.verify(params, limit_param(params), principal_of(request))
    return json_response(answer, headers={"Cache-Control": "no-store"})


@bp.route("/awards/{award_id}/redact", methods=["POST"])
@endpoint(bp)
def redact_award(award_id: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    view = redaction.redact_award(principal, award_id, json_body(request), now)
    return json_response(view, headers=etag(view["version"]))
