"""Health and the authorities list."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_response
from chalicelib.services.authorities import list_authorities

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
@endpoint(bp)
def health() -> Response:
    return json_response({"status": "ok"})


@bp.route("/authorities", methods=["GET"])
@endpoint(bp)
def authorities() -> Response:
    return json_response({"items": list_authorities(), "next_cursor": None})
