"""Bulk open data: where the latest nightly export is."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_response
from chalicelib.services import export

bp = Blueprint(__name__)


@bp.route("/exports/latest", methods=["GET"])
@endpoint(bp)
def latest_export() -> Response:
    # The links inside expire: a cache may keep the answer only briefly.
    return json_response(export.latest_export(), headers={"Cache-Control": "max-age=60"})
