"""The working-day calendar in force, loading a year of it, and what that changes.

The calendar in force is the library plus the years an administrator loaded.
The State Council publishes next year's arrangement in the autumn; an
administrator loads it with ``PUT /v1/calendar/{year}`` and it takes effect
without a redeploy. Loaded years override the library, so a wrong library year
can be corrected too.

Every push asks for the calendar, so it is cached per container for a short
while (``CACHE_SECONDS``); a PUT clears this process's cache at once, other
containers pick it up when theirs expires.

Loading a year **recomputes** the records judged on a provisional
(Monday-Friday) count of that year: a ``pending`` push becomes ``late`` or
``on_time``. They are found through the sparse ``by_provisional`` index, never
by a Scan, as many as fit in one request; the daily audit re-sweeps any record
still marked provisional for a year that is now official. A recompute is a new
version of the award (op ``update``, the old one kept as history), so
consumers of the change feed see it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.numbers import parse_ascii_int
from chalicelib.domain.principal import Principal
from chalicelib.domain.queries import CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR
from chalicelib.domain.timeliness import Judgement, judge_award
from chalicelib.domain.workdays import WorkdayCalendar, YearArrangement
from chalicelib.store import awards as award_store
from chalicelib.store import calendar as calendar_store
from chalicelib.store import ledger
from chalicelib.store.base import iso_utc, parse_iso_utc

CACHE_SECONDS = 30.0
MIN_YEAR, MAX_YEAR = CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR
RECOMPUTE_LIMIT = 300  # per request; the daily audit picks up any rest

_lock = threading.Lock()
_cached: tuple[float, WorkdayCalendar] | None = None


def workday_calendar() -> WorkdayCalendar:
    """The calendar to judge deadlines with: stored years layered over the library.

    Cached for ``CACHE_SECONDS`` per container; ``invalidate()`` drops it.
    """
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        calendar = WorkdayCalendar(calendar_store.load_arrangements())
        _cached = (time.monotonic(), calendar)
    return calendar


def invalidate() -> None:
    """Forget the cached calendar: the next call reads the stored years again."""
    global _cached
    with _lock:
        _cached = None


def judge(awarded_on: date, submitted_at: str) -> Judgement:
    """Judge a record with the calendar and the policy in force now."""
    return judge_award(
        awarded_on, parse_iso_utc(submitted_at), workday_calendar(), settings().timeliness_policy
    )


def parse_year(text: str) -> int:
    return parse_ascii_int(
        text,
        field="year",
        max_digits=4,
        minimum=MIN_YEAR,
        maximum=MAX_YEAR,
        message=f"year must be {MIN_YEAR}..{MAX_YEAR}",
    )


def _days(year: int) -> list[date]:
    day, end = date(year, 1, 1), date(year, 12, 31)
    days = []
    while day <= end:
        days.append(day)
        day += timedelta(days=1)
    return days


def calendar_view(year: int, calendar: WorkdayCalendar | None = None) -> dict[str, Any]:
    """A year as the API shows it: where it comes from and its exceptions.

    ``source`` is ``loaded`` (an administrator's arrangement), ``library`` (the
    maintained package) or ``provisional`` (unknown: Monday to Friday, no
    exceptions listed).
    """
    item = calendar_store.stored(year)
    if item is not None:
        return {
            "year": year,
            "source": "loaded",
            **calendar_store.arrangement_of(item).to_dict(),
            "loaded_at": item.loaded_at,
            "revision": int(item.revision),
        }
    calendar = calendar or workday_calendar()
    if not calendar.is_official(year):
        return {"year": year, "source": "provisional", "holidays": [], "workdays": []}
    days = _days(year)
    return {
        "year": year,
        "source": "library",
        "holidays": [d.isoformat() for d in days if d.weekday() < 5 and not calendar.is_workday(d)],
        "workdays": [d.isoformat() for d in days if d.weekday() >= 5 and calendar.is_workday(d)],
    }


def get_calendar(year_text: str) -> dict[str, Any]:
    return calendar_view(parse_year(year_text))


def validate_arrangement(year: int, body: schemas.CalendarIn) -> YearArrangement:
    """The body as an arrangement of ``year``; 400 naming the first bad date."""
    for name, days in (("holidays", body.holidays), ("workdays", body.workdays)):
        for index, day in enumerate(days):
            if day.year != year:
                raise ValidationError(
                    f"{name}[{index}]: {day.isoformat()} is not in {year}",
                    field=f"{name}[{index}]",
                )
    holidays = set(body.holidays)
    for index, day in enumerate(body.workdays):
        if day in holidays:
            raise ValidationError(
                f"workdays[{index}]: {day.isoformat()} is also listed as a holiday",
                field=f"workdays[{index}]",
            )
    return YearArrangement.from_lists(year, body.holidays, body.workdays)


def put_calendar(
    principal: Principal, year: int, body: schemas.CalendarIn, now: datetime
) -> dict[str, Any]:
    """Load (or replace) a year's arrangement and recompute what depended on it.

    The replaced arrangement is kept as history. Records judged on a
    provisional count of this year are recomputed now (as many as fit in one
    request; the daily audit finishes any rest) and their changes published.
    """
    arrangement = validate_arrangement(year, body)
    _store(arrangement, principal, now)
    invalidate()
    result = recompute_provisional(year, now)
    return {
        **calendar_view(year),
        "recomputed": result.recomputed,
        "recompute_remaining": result.remaining,
    }


def _store(arrangement: YearArrangement, principal: Principal, now: datetime) -> None:
    """Save ``arrangement`` as its year's current one; the replaced one becomes history."""
    current = calendar_store.stored(arrangement.year)
    fields = arrangement.to_dict()
    try:
        calendar_store.replace(
            current,
            year=arrangement.year,
            holidays=fields["holidays"],
            workdays=fields["workdays"],
            loaded_at=iso_utc(now),
            loaded_by=principal.key_id,
        )
    except ledger.CommitConflict:
        # Not retried: the other administrator's arrangement may differ from this one.
        raise ConflictError(
            "invalid_state", "the calendar of this year changed meanwhile; send it again"
        ) from None


def recompute_record(award_id: str, now: datetime) -> bool:
    """Judge a provisional record again with the calendar in force; True if it changed."""

    def attempt() -> bool:
        record = award_store.load_record(award_id)
        if record.provisional_year is None:
            return False
        judgement = judge(date.fromisoformat(record.awarded_on), record.submitted_at)
        if judgement == award_store.judgement_of(record):
            return False
        at = iso_utc(now)
        snapshot = award_store.award_view(record)
        award_store.set_judgement(record, judgement)
        record.updated_at = at
        award_store.commit_version(record, snapshot, "update", at)
        return True

    return ledger.until_committed(attempt)


@dataclass(frozen=True)
class Recomputed:
    recomputed: int
    remaining: bool


def recompute_provisional(year: int, now: datetime, *, limit: int = RECOMPUTE_LIMIT) -> Recomputed:
    """Recompute up to ``limit`` records that rest on a provisional ``year``.

    A year that is still provisional changes nothing (each record is judged
    the same again); the index is sparse, so this reads only such records.
    """
    award_ids = award_store.provisional_award_ids(year, limit + 1)
    changed = 0
    for award_id in award_ids[:limit]:
        if recompute_record(award_id, now):
            changed += 1
    return Recomputed(recomputed=changed, remaining=len(award_ids) > limit)
