"""Administrators review submitted programmes and withdraw approved ones (SPEC §3).

Every decision is a status change through ``programs.transition``: kept in
``status_history`` with who, when and why, and published in the change feed
in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.bodies import parse_body
from chalicelib.services.keys import ADMIN, Principal, require
from chalicelib.services.programs import get_program, transition


def review_program(
    principal: Principal | None, program_id: str, data: Any, now: datetime
) -> dict[str, Any]:
    """Approve or reject a submitted programme; rejecting needs a reason."""
    principal = require(principal, ADMIN)
    get_program(program_id, principal)
    body = parse_body("ReviewIn", data)  # a rejection without a reason is refused there
    return transition(
        program_id,
        principal,
        allowed_from={"submitted"},
        to="approved" if body.decision == "approve" else "rejected",
        now=now,
        reason=body.reason,
    )


def withdraw_program(
    principal: Principal | None, program_id: str, data: Any, now: datetime
) -> dict[str, Any]:
    """Withdraw an approved programme (e.g. after an award clean-up) from a given date."""
    principal = require(principal, ADMIN)
    get_program(program_id, principal)
    body = parse_body("WithdrawIn", data)
    return transition(
        program_id,
        principal,
        allowed_from={"approved"},
        to="withdrawn",
        now=now,
        reason=body.reason,
        extra={"effective_on": body.effective_on.isoformat()},
    )
