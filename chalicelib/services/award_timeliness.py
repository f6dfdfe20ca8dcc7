"""An administrator excuses a late push (``POST /v1/awards/{id}/excuse``).

The push stays late on the record but is marked ``excused`` with the reason,
and counts as on time in the league table. It is a new version of the award
(op ``update``, the old one kept as history), so consumers of the change feed
see it. (The other change of timeliness the province did not make, the
recompute when a year's calendar is loaded, lives with the calendar:
``services/calendars.py``.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import schemas
from chalicelib.domain.errors import ConflictError
from chalicelib.services.award_reads import finished
from chalicelib.store import ledger
from chalicelib.store.awards import award_view, commit_version, load_record
from chalicelib.store.base import iso_utc


def excuse_award(award_id: str, body: schemas.ExcuseIn, now: datetime) -> dict[str, Any]:
    """Accept a late push as justified; excusing it again changes nothing."""

    def attempt() -> dict[str, Any]:
        record = load_record(award_id)
        timeliness = dict(record.timeliness or {})
        if timeliness.get("excused"):
            return award_view(record)
        if timeliness.get("status") != "late":
            raise ConflictError(
                "invalid_state",
                f"only a late push can be excused; this one is {timeliness.get('status')}",
                field="timeliness.status",
            )
        at = iso_utc(now)
        snapshot = award_view(record)
        record.timeliness = {
            **timeliness,
            "excused": True,
            "excused_reason": body.reason,
            "excused_at": at,
        }
        record.updated_at = at
        return commit_version(record, snapshot, "update", at)

    return finished(ledger.until_committed(attempt))
