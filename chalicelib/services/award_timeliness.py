"""Changes to an award's timeliness that the province did not make.

- An administrator **excuses** a late push (``POST /v1/awards/{id}/excuse``):
  it stays late on the record but is marked ``excused`` with the reason, and
  counts as on time in the league table.
- Loading a year's calendar **recomputes** the records judged on a provisional
  (Monday-Friday) count of that year; a ``pending`` push becomes ``late`` or
  ``on_time``. They are found through the sparse ``by_provisional`` index,
  never by a Scan.

Both go through ``ledger.commit`` (op ``update``, a new version, the old one
kept as history), so consumers of the change feed see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.domain.errors import ConflictError
from chalicelib.domain.schemas import ExcuseIn, parse_model
from chalicelib.services.awards import award_view, commit_version, judge_record, load_record
from chalicelib.services.keys import ADMIN, Principal, require
from chalicelib.store import ledger
from chalicelib.store.base import iso_utc
from chalicelib.store.models import AwardRecord

RECOMPUTE_LIMIT = 300  # per request; the daily audit picks up any rest


def excuse_award(
    principal: Principal | None, award_id: str, data: Any, now: datetime
) -> dict[str, Any]:
    """Accept a late push as justified; excusing it again changes nothing."""
    principal = require(principal, ADMIN)
    body = parse_model(ExcuseIn, data)
    for _ in ledger.retrying():
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
        try:
            return commit_version(record, snapshot, "update", at)
        except ledger.CommitConflict:
            continue
    raise AssertionError("unreachable: retrying() raises when attempts run out")


def recompute_record(award_id: str, now: datetime) -> bool:
    """Judge a provisional record again with the calendar in force; True if it changed."""
    for _ in ledger.retrying():
        record = load_record(award_id)
        if record.provisional_year is None:
            return False
        judgement = judge_record(date.fromisoformat(record.awarded_on), record.submitted_at)
        unchanged = (
            judgement.deadline == record.deadline
            and judgement.official == record.deadline_official
            and judgement.timeliness == record.timeliness
            and judgement.provisional_year == record.provisional_year
        )
        if unchanged:
            return False
        at = iso_utc(now)
        snapshot = award_view(record)
        judgement.apply(record)
        record.updated_at = at
        try:
            commit_version(record, snapshot, "update", at)
        except ledger.CommitConflict:
            continue
        return True
    raise AssertionError("unreachable: retrying() raises when attempts run out")


@dataclass(frozen=True)
class Recomputed:
    recomputed: int
    remaining: bool


def recompute_provisional(year: int, now: datetime, *, limit: int = RECOMPUTE_LIMIT) -> Recomputed:
    """Recompute up to ``limit`` records that rest on a provisional ``year``.

    A year that is still provisional changes nothing (each record is judged
    the same again); the index is sparse, so this reads only such records.
    """
    keys = AwardRecord.by_provisional.query(str(year), limit=limit + 1)
    award_ids = [item.pk.removeprefix("AWARD#") for item in keys]
    changed = 0
    for award_id in award_ids[:limit]:
        if recompute_record(award_id, now):
            changed += 1
    return Recomputed(recomputed=changed, remaining=len(award_ids) > limit)
