"""Bulk open data: where the latest nightly export is; an administrator runs one now."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_response, principal_of, received_at
from chalicelib.services import export

bp = Blueprint(__name__)


@bp.route("/exports/latest", methods=["GET"])
@endpoint(bp)
def latest_export() -> Response:
    # The links inside expire: a cache may keep the answer only briefly.
    return json_response(export.latest_export(), headers={"Cache-Control": "max-age=60"})


@bp.route("/exports/run", methods=["POST"])
@endpoint(bp)
def run_export() -> Response:
    request = bp.current_request
    now = received_at()
    answer = export.run_now(principal_of(request), now)
    return json_response(answer, headers={"Cache-Control": "no-store"})
