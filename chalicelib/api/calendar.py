"""Working-day calendar routes: anyone reads a year, administrators load one."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, json_response, principal_of, received_at
from chalicelib.services import calendars

bp = Blueprint(__name__)


@bp.route("/calendar/{year}", methods=["GET"])
@endpoint(bp)
def get_calendar(year: str) -> Response:
    return json_response(calendars.get_calendar(year))


@bp.route("/calendar/{year}", methods=["PUT"])
@endpoint(bp)
def put_calendar(year: str) -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(calendars.put_calendar(principal, year, json_body(request), now))
