"""The change feed provinces and mirrors pull: ``GET /v1/changes?since=&limit=``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_response, limit_param, query_params
from chalicelib.services import changes

bp = Blueprint(__name__)


@bp.route("/changes", methods=["GET"])
@endpoint(bp)
def list_changes() -> Response:
    params = query_params(bp.current_request)
    return json_response(changes.list_changes(params, limit_param(params)))
