"""Whether an award still stands: one rule for every read route, page, printout, feed and export.

A verifier asks one question of an award: can I rely on it? Three answers:

- ``valid``: the award is active and its programme was not withdrawn;
- ``revoked``: the province revoked the award itself (this wins over a withdrawal:
  the award no longer exists whatever happened to its programme);
- ``program_withdrawn``: MOHURD withdrew the programme (撤销设立), with a public
  reason and an effective date.

**An award dated before the withdrawal's effective date** was granted while the
programme still stood: it is shown as historically granted (its record, honour and
date unchanged, ``granted_before_withdrawal: true``) but it is flagged
``program_withdrawn`` and never counted as 有效, because the honour now belongs to
a programme that officially no longer exists and a verifier must not rely on it.
An award dated on or after the effective date was granted by a programme that no
longer existed (``granted_before_withdrawal: false``). The rule does not depend on
today's date: a withdrawal takes effect in the answers the moment it is recorded,
so every channel (and the change feed's programme ``status`` entry) agrees at once.

Pure Python: the callers bring the programme's status and ``status_history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from chalicelib.domain import program_status

Validity = Literal["valid", "revoked", "program_withdrawn"]

VALID: Final = "valid"
REVOKED: Final = "revoked"
PROGRAM_WITHDRAWN: Final = "program_withdrawn"
ALL: tuple[str, ...] = (VALID, REVOKED, PROGRAM_WITHDRAWN)


def withdrawal_of(program: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The public facts of a programme's withdrawal (``reason``, ``effective_on``,
    ``withdrawn_at``), or None when the programme is not withdrawn.

    ``program`` is a programme view (or any mapping with ``status`` and
    ``status_history``); the last ``withdrawn`` entry of its history is the one in force.
    """
    if not program or program.get("status") != program_status.WITHDRAWN:
        return None
    entry: Mapping[str, Any] = {}
    for change in program.get("status_history") or []:
        if isinstance(change, Mapping) and change.get("status") == program_status.WITHDRAWN:
            entry = change
    return {
        "reason": entry.get("reason"),
        "effective_on": entry.get("effective_on"),
        "withdrawn_at": entry.get("at"),
    }


def award_validity(award: Mapping[str, Any], program: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{"validity": ..., "validity_detail"?: {...}}`` for an award view and its programme.

    Parameters
    ----------
    award
        The award view (``status``, ``awarded_on``, ``revoked_reason``, ``revoked_at``).
    program
        Its programme's ``status`` and ``status_history`` (None: unknown, taken as standing).

    Examples
    --------
    >>> award_validity({"status": "active", "awarded_on": "2024-03-15"}, {"status": "approved"})
    {'validity': 'valid'}
    >>> withdrawn = {"status": "withdrawn", "status_history": [
    ...     {"status": "withdrawn", "reason": "清理", "effective_on": "2025-01-01", "at": "x"}]}
    >>> award = {"status": "active", "awarded_on": "2024-03-15"}
    >>> award_validity(award, withdrawn)["validity_detail"]["granted_before_withdrawal"]
    True
    """
    if award.get("status") == "revoked":
        detail = {"reason": award.get("revoked_reason"), "revoked_at": award.get("revoked_at")}
        return {"validity": REVOKED, "validity_detail": detail}
    withdrawal = withdrawal_of(program)
    if withdrawal is None:
        return {"validity": VALID}
    effective_on, awarded_on = withdrawal["effective_on"], award.get("awarded_on")
    before = None
    if effective_on and awarded_on:
        before = str(awarded_on) < str(effective_on)  # ISO dates compare as text
    return {
        "validity": PROGRAM_WITHDRAWN,
        "validity_detail": {**withdrawal, "granted_before_withdrawal": before},
    }


def with_validity(award: dict[str, Any], program: Mapping[str, Any] | None) -> dict[str, Any]:
    """``award`` with its ``validity`` (and ``validity_detail``) set, in place and returned."""
    award.pop("validity_detail", None)
    award.update(award_validity(award, program))
    return award
