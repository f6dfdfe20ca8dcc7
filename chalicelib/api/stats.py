"""Pilot statistics: the administrators' evaluation, the public summary, and the counting.

Verifications are counted here, at the HTTP edge, by a middleware: a 200
answer of the routes in ``COUNTED_ROUTES`` adds one to today's counter the
first time a client (its source address) asks about an enterprise (its credit
code) on a China day — "verifications served" are distinct (client,
enterprise, day) answers, so a loop of identical requests or the pages of one
answer count once (issue 19, M4). The verify logic itself
(``services/award_reads.py``, ``services/verify_print.py``) knows nothing of
it, and a failure to count never changes the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.doc import Param
from chalicelib.api.http import json_response, received_at, route, routed_query, source_ip
from chalicelib.domain.credit_code import normalize_credit_code
from chalicelib.domain.queries import CreditCodeQuery, MonthRange, VerifyQuery
from chalicelib.services import pilot_stats, rate_limits, verification_counts

bp = Blueprint(__name__)
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

# The answers that spare an enterprise a paper proof.
COUNTED_ROUTES = frozenset({"/v1/verify", "/v1/verify/print"})


def count_verifications(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: one count per client, enterprise and China day of successful
    verify or verify/print answers."""
    response = get_response(request)
    if response.status_code == 200 and request.path in COUNTED_ROUTES:
        query = routed_query(request)  # the code as the route read it
        if not isinstance(query, CreditCodeQuery | VerifyQuery):
            return response
        code = normalize_credit_code(query.credit_code or "")
        client = rate_limits.client_key(source_ip(request))
        verification_counts.count_verification(received_at(), client=client, credit_code=code)
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
    "verifications served: distinct (client address, credit code, China day) among the "
    "successful verify and verify/print answers — repeats and further pages count once. "
    "`from` defaults to 11 months before `to`; at most STATS_MAX_MONTHS months.",
)
def pilot(query: MonthRange, now: datetime) -> Response:
    return json_response(pilot_stats.pilot(query, now))


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
