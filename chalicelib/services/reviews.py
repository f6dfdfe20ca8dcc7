"""Administrators review submitted programmes and withdraw approved ones (SPEC §3).

Every decision is a status change through ``programs.transition``: kept in
``status_history`` with who, when and why, and published in the change feed
in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import schemas
from chalicelib.domain.principal import Principal
from chalicelib.services.programs import get_program, transition


def review_program(
    principal: Principal, program_id: str, body: schemas.ReviewIn, now: datetime
) -> dict[str, Any]:
    """Approve or reject a submitted programme; rejecting needs a reason (``ReviewIn``)."""
    get_program(program_id, principal)
    return transition(
        program_id,
        principal,
        allowed_from={"submitted"},
        to="approved" if body.decision == "approve" else "rejected",
        now=now,
        reason=body.reason,
    )


def withdraw_program(
    principal: Principal, program_id: str, body: schemas.WithdrawIn, now: datetime
) -> dict[str, Any]:
    """Withdraw an approved programme (e.g. after an award clean-up) from a given date."""
    get_program(program_id, principal)
    return transition(
        program_id,
        principal,
        allowed_from={"approved"},
        to="withdrawn",
        now=now,
        reason=body.reason,
        extra={"effective_on": body.effective_on.isoformat()},
    )
