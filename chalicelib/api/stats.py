"""Pilot statistics: the administrators' evaluation, the public summary, and the counting.

Verifications are counted here, at the HTTP edge, by a middleware: every 200
answer of the routes in ``COUNTED_ROUTES`` adds one to today's counter. The
verify logic itself (``services/award_reads.py``, ``services/verify_print.py``)
knows nothing of it, and a failure to count never changes the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.doc import Param
from chalicelib.api.http import json_response, query_params, received_at, route
from chalicelib.services import pilot_stats

bp = Blueprint(__name__)
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

# The answers that spare an enterprise a paper proof.
COUNTED_ROUTES = frozenset({"/v1/verify", "/v1/verify/print"})


def count_verifications(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: one count per successful verify or verify/print answer."""
    response = get_response(request)
    if response.status_code == 200 and request.path in COUNTED_ROUTES:
        pilot_stats.count_verification(received_at())
    return response


@route(
    bp,
    "GET",
    "/stats/pilot",
    summary="The pilot evaluation: per authority and national, per month",
    audience="admin",
    ok={200: "PilotStatsOut"},
    auth="required",
    query=(
        Param("from", {"type": "string", "pattern": MONTH}, "First month (YYYY-MM)."),
        Param(
            "to",
            {"type": "string", "pattern": MONTH},
            "Last month (YYYY-MM); default this month (China time).",
        ),
    ),
    description="Programmes approved, awards pushed, share on time and median working "
    "days late (as of the last daily audit), backfill by awarded year, and "
    "verifications served (verify and verify/print answers, counted per day). "
    "`from` defaults to 11 months before `to`; at most STATS_MAX_MONTHS months.",
)
def pilot(now: datetime) -> Response:
    return json_response(pilot_stats.pilot(query_params(bp.current_request), now))


@route(
    bp,
    "GET",
    "/stats/public",
    summary="National totals: awards, authorities reporting, verifications served",
    audience="public",
    ok={200: "PublicStatsOut"},
)
def public() -> Response:
    return json_response(pilot_stats.public())
