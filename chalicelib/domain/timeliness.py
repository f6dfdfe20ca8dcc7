"""The 10-working-day rule: when an award must be pushed, and how late it was.

The notice requires provinces to push each award within 10 working days of the
announcing document. Awards announced before the rule took effect (1 July 2021)
had to be backfilled by 30 June 2021, or within the usual 10 working days if
that ends later. Lateness is counted in working days because that is how the
rule itself is written, and a push dated on a weekend right after a Friday
deadline is late by zero working days.

Dates are China dates: a push received at 00:30 on the 25th in Beijing is a
push of the 25th, even though it is still the 24th in UTC.

When a deadline or a lateness count rests on a year whose official calendar is
not yet known, the result is *provisional*; a push that looks late only on such
a count is ``pending`` rather than ``late``, so nobody is alerted over a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from chalicelib.domain.china_time import china_date
from chalicelib.domain.workdays import WorkdayCalendar

Status = Literal["on_time", "late", "pending"]
CalendarKind = Literal["official", "provisional"]


@dataclass(frozen=True)
class TimelinessPolicy:
    """The dates and length of the rule, kept as data so configuration can set them."""

    rule_start: date = date(2021, 7, 1)
    backfill_deadline: date = date(2021, 6, 30)
    working_days: int = 10


@dataclass(frozen=True)
class Deadline:
    """The last China date an award may be pushed on time.

    ``official`` is False when the date was counted over a provisional year and
    may move once that year's arrangement is loaded.
    """

    due_on: date
    official: bool


@dataclass(frozen=True)
class Timeliness:
    """Whether a push met its deadline, as stored on the award and published."""

    status: Status
    working_days_late: int
    calendar: CalendarKind

    def to_dict(self) -> dict:
        """JSON-ready form, the ``timeliness`` object of an award record."""
        return {
            "status": self.status,
            "working_days_late": self.working_days_late,
            "calendar": self.calendar,
        }


def deadline_for(
    awarded_on: date, calendar: WorkdayCalendar, policy: TimelinessPolicy | None = None
) -> Deadline:
    """Return the push deadline of an award announced on ``awarded_on``.

    Awards announced before ``policy.rule_start`` are due by the later of the
    backfill deadline and the usual count; the backfill deadline is a fixed date,
    so when it wins the deadline is official whatever the calendar.

    Examples
    --------
    >>> deadline_for(date(2021, 6, 28), WorkdayCalendar())
    Deadline(due_on=datetime.date(2021, 7, 12), official=True)
    """
    policy = policy or TimelinessPolicy()
    due_on, official = calendar.add_workdays(awarded_on, policy.working_days)
    if awarded_on < policy.rule_start and policy.backfill_deadline >= due_on:
        return Deadline(due_on=policy.backfill_deadline, official=True)
    return Deadline(due_on=due_on, official=official)


def judge_push(pushed_on: date, deadline: Deadline, calendar: WorkdayCalendar) -> Timeliness:
    """Judge a push made on China date ``pushed_on`` against ``deadline``.

    Late pushes report the working days after the deadline up to and including
    the push date. If the deadline or that count is provisional the push is
    ``pending``: it may turn out on time once the official calendar is loaded.

    Examples
    --------
    >>> calendar = WorkdayCalendar()
    >>> judge_push(date(2024, 2, 19), Deadline(date(2024, 2, 9), True), calendar)
    Timeliness(status='late', working_days_late=2, calendar='official')
    """
    if pushed_on <= deadline.due_on:
        return Timeliness(
            status="on_time",
            working_days_late=0,
            calendar="official" if deadline.official else "provisional",
        )
    days_late, count_official = calendar.count_workdays(deadline.due_on, pushed_on)
    official = deadline.official and count_official
    return Timeliness(
        status="late" if official else "pending",
        working_days_late=days_late,
        calendar="official" if official else "provisional",
    )


def provisional_year(
    awarded_on: date, deadline: Deadline, pushed_on: date, calendar: WorkdayCalendar
) -> int | None:
    """The first year without an official calendar that a judgement rests on.

    That is the year whose arrangement, once loaded, may change the deadline or
    the lateness count; None when every year consulted is official.

    Examples
    --------
    >>> calendar = WorkdayCalendar()
    >>> due = deadline_for(date(2026, 12, 28), calendar)
    >>> provisional_year(date(2026, 12, 28), due, date(2027, 1, 13), calendar)
    2027
    """
    last = max(deadline.due_on, pushed_on)
    for year in range(awarded_on.year, last.year + 1):
        if not calendar.is_official(year):
            return year
    return None


@dataclass(frozen=True)
class Judgement:
    """The deadline and timeliness of an award, as stored on its record.

    ``provisional_year`` (text, the sparse index key) is set only while the
    judgement rests on a year without an official calendar.
    """

    deadline: str
    official: bool
    timeliness: dict
    provisional_year: str | None


def judge_award(
    awarded_on: date,
    submitted_at: datetime,
    calendar: WorkdayCalendar,
    policy: TimelinessPolicy | None = None,
) -> Judgement:
    """Judge an award announced on ``awarded_on`` and first pushed at ``submitted_at``.

    Pure: the caller passes the calendar in force (library plus loaded years),
    so the same record judged again after a year is loaded may change.

    Examples
    --------
    >>> from datetime import UTC
    >>> pushed = datetime(2024, 2, 22, 2, tzinfo=UTC)  # two working days after 2024-02-20
    >>> judge_award(date(2024, 2, 1), pushed, WorkdayCalendar()).timeliness["status"]
    'late'
    """
    deadline = deadline_for(awarded_on, calendar, policy)
    pushed_on = china_date(submitted_at)
    timeliness = judge_push(pushed_on, deadline, calendar)
    year = None
    if timeliness.calendar == "provisional":
        year = provisional_year(awarded_on, deadline, pushed_on, calendar) or awarded_on.year
    return Judgement(
        deadline=deadline.due_on.isoformat(),
        official=deadline.official,
        timeliness=timeliness.to_dict(),
        provisional_year=str(year) if year is not None else None,
    )
