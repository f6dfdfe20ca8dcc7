"""Pilot statistics: the administrators' evaluation, the public summary, and the counting.

Verifications are counted here, at the HTTP edge, by a middleware: every 200
answer of the routes in ``COUNTED_ROUTES`` adds one to today's counter. The
verify logic itself (``services/award_reads.py``, ``services/verify_print.py``)
knows nothing of it, and a failure to count never changes the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.http import endpoint, json_response, principal_of, query_params, received_at
from chalicelib.services import pilot_stats

bp = Blueprint(__name__)

# The answers that spare an enterprise a paper proof.
COUNTED_ROUTES = frozenset({"/v1/verify", "/v1/verify/print"})


def count_verifications(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: one count per successful verify or verify/print answer."""
    response = get_response(request)
    if response.status_code == 200 and request.path in COUNTED_ROUTES:
        pilot_stats.count_verification(received_at())
    return response


@bp.route("/stats/pilot", methods=["GET"])
@endpoint(bp)
def pilot() -> Response:
    request = bp.current_request
    now = received_at()
    principal = principal_of(request)
    return json_response(pilot_stats.pilot(principal, query_params(request), now))


@bp.route("/stats/public", methods=["GET"])
@endpoint(bp)
def public() -> Response:
    return json_response(pilot_stats.public())
