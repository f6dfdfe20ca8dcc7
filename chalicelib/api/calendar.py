"""Working-day calendar routes: anyone reads a year, administrators load one."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import Param
from chalicelib.api.http import json_response, route
from chalicelib.domain import schemas
from chalicelib.domain.principal import Principal
from chalicelib.domain.queries import CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR
from chalicelib.services import calendars

bp = Blueprint(__name__)
YEAR = Param(
    "year",
    {"type": "integer", "minimum": CALENDAR_MIN_YEAR, "maximum": CALENDAR_MAX_YEAR},
    message=f"year must be {CALENDAR_MIN_YEAR}..{CALENDAR_MAX_YEAR}",
)


@route(
    bp,
    "GET",
    "/calendar/{year}",
    summary="A year's working-day calendar and where it comes from",
    audience="public",
    ok={200: "CalendarYearOut"},
    errors=(400,),
    path_patterns={"year": r"^\d{4}$"},
)
def get_calendar(year: str) -> Response:
    return json_response(calendars.get_calendar(year))


@route(
    bp,
    "PUT",
    "/calendar/{year}",
    summary="Load the State Council's arrangement of a year",
    audience="admin",
    ok={200: "CalendarLoadedOut"},
    auth="required",
    errors=(409,),
    path_patterns={"year": r"^\d{4}$"},
    path_params=(YEAR,),  # read (400 naming it) before the body
    description="Overrides the library for that year without a redeploy; records "
    "judged on a provisional count of the year are recomputed and published. The answer "
    "is the year as loaded, with how many records were re-judged (`recomputed`) and "
    "whether more remain for the daily audit (`recompute_remaining`).",
)
def put_calendar(
    year: int, principal: Principal, body: schemas.CalendarIn, now: datetime
) -> Response:
    return json_response(calendars.put_calendar(principal, year, body, now))
