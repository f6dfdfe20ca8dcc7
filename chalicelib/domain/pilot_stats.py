"""The pilot evaluation's numbers (试点评估): pure counting, grouping, shares, medians.

MOHURD must judge whether the pilot reduced the paper burden on enterprises.
The numbers, per authority and nationally, per month:

- programmes approved (month of the approval, China time);
- awards pushed (month of the first push, China time), and of them the share
  on time and the median working days late, judged exactly as the timeliness
  league table judges (``audit_rules.push_class``: excused counts as on time,
  pending and not judged are left out);
- backfill completeness: active awards by the year they were awarded, since
  the backfill's first year;
- verifications served (verify and verify/print answers), per day, summed to
  months, nationally.

The award and programme counters (``PilotCounts``) are kept by the daily
audit from the change feed, in the same item and transaction as the league
table's counters, so a report reads 33 items, never the awards. The
verification counts come from sharded daily counters written on each answer.
Nothing here touches storage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain.audit_rules import PushClass, TimelinessCounts, push_class
from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.errors import ValidationError

# ASCII digits only (``\d`` would take any Unicode digit), months 01-12.
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
EARLIEST_YEAR = 2000
# The month after ``to`` must still be a ``date`` (year 10000 is not): 9999-12 is a 400.
LATEST_YEAR = 9998


def china_month(instant: str) -> str:
    """``YYYY-MM`` of an ISO 8601 UTC instant in China time.

    Examples
    --------
    >>> china_month("2026-01-31T16:30:00.000000Z")
    '2026-02'
    """
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m")


def parse_month(text: str, name: str) -> tuple[int, int]:
    """``(year, month)`` of ``YYYY-MM``; 400 naming ``name`` otherwise."""
    match = MONTH.match(text)
    if not match or not EARLIEST_YEAR <= int(match[1]) <= LATEST_YEAR:
        raise ValidationError(
            f"{name} must be a month written YYYY-MM, from {EARLIEST_YEAR} to {LATEST_YEAR}",
            field=name,
        )
    return int(match[1]), int(match[2])


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_span(first: str | None, last: str | None, *, today: date, max_months: int) -> list[str]:
    """The months ``first``..``last`` inclusive, validated.

    ``last`` defaults to the month of ``today`` and ``first`` to the eleventh
    month before ``last`` (a year of months). ``first`` after ``last`` or a span
    over ``max_months`` is a 400 naming the parameter.

    Examples
    --------
    >>> month_span("2025-11", "2026-02", today=date(2026, 12, 1), max_months=36)
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    end = _index(*parse_month(last, "to")) if last is not None else _index(today.year, today.month)
    start = _index(*parse_month(first, "from")) if first is not None else end - 11
    if start > end:
        raise ValidationError("from must not be after to", field="from")
    if end - start + 1 > max_months:
        raise ValidationError(f"from..to spans more than {max_months} months", field="to")
    return [_month_text(index) for index in range(start, end + 1)]


def month_days(months: list[str]) -> tuple[date, date]:
    """The first day of the first month and the last day of the last month."""
    first_year, first_month = parse_month(months[0], "from")
    last_index = _index(*parse_month(months[-1], "to")) + 1
    after_last = date(last_index // 12, last_index % 12 + 1, 1)
    return date(first_year, first_month, 1), date.fromordinal(after_last.toordinal() - 1)


# --- what one award contributes ---------------------------------------------------------


@dataclass(frozen=True)
class AwardFacts:
    """What one award version counts for: its push month, its judgement, its year."""

    month: str  # China month of the first push (``submitted_at`` never changes)
    judged: tuple[PushClass, int]
    year: int  # of ``awarded_on``
    active: bool


def award_facts(view: Mapping[str, Any], audit_from: date) -> AwardFacts:
    """The facts of an award view as the change feed carries it."""
    return AwardFacts(
        month=china_month(view["submitted_at"]),
        judged=push_class(view, audit_from),
        year=int(str(view["awarded_on"])[:4]),
        active=view.get("status", "active") == "active",
    )


# --- one authority's counters -----------------------------------------------------------


@dataclass
class PilotCounts:
    """One authority's pilot counters, moved by the audit as records change.

    ``months`` are league-table counters (``TimelinessCounts``) per push month;
    ``approved`` counts programme approvals per month; ``years`` counts the
    active awards per awarded year.
    """

    months: dict[str, TimelinessCounts] = field(default_factory=dict)
    approved: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PilotCounts:
        data = data or {}
        return cls(
            months={
                m: TimelinessCounts.from_dict(c) for m, c in (data.get("months") or {}).items()
            },
            approved={m: int(n) for m, n in (data.get("approved") or {}).items()},
            years={int(y): int(n) for y, n in (data.get("years") or {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "months": {m: c.to_dict() for m, c in sorted(self.months.items())},
            "approved": {m: n for m, n in sorted(self.approved.items()) if n},
            "years": {str(y): n for y, n in sorted(self.years.items()) if n},
        }

    def _month(self, month: str) -> TimelinessCounts:
        return self.months.setdefault(month, TimelinessCounts())

    def move(self, before: AwardFacts | None, after: AwardFacts | None) -> None:
        """Account for one record going from ``before`` to ``after`` (None: not pushed)."""
        if before is not None and after is not None and before.month == after.month:
            if before.judged != after.judged:
                self._month(after.month).move(before.judged, after.judged)
        else:
            if before is not None:
                counts = self._month(before.month)
                counts.move(before.judged, None)
                counts.pushes -= 1
            if after is not None:
                self._month(after.month).move(None, after.judged)
        for sign, facts in ((-1, before), (1, after)):
            if facts is not None and facts.active:
                self.years[facts.year] = self.years.get(facts.year, 0) + sign

    def program_approved(self, month: str) -> None:
        self.approved[month] = self.approved.get(month, 0) + 1

    @property
    def pushes(self) -> int:
        return sum(counts.pushes for counts in self.months.values())

    @property
    def active_awards(self) -> int:
        return sum(self.years.values())


# --- the report -------------------------------------------------------------------------


def merge(counts: Iterable[TimelinessCounts]) -> TimelinessCounts:
    """Counters summed, histograms merged: a median over all, never a median of medians."""
    total = TimelinessCounts()
    for one in counts:
        total.pushes += one.pushes
        total.on_time += one.on_time
        total.late += one.late
        total.excused += one.excused
        total.pending += one.pending
        total.not_judged += one.not_judged
        for days, count in one.late_days.items():
            total.late_days[days] = total.late_days.get(days, 0) + count
    return total


def _row(counts: TimelinessCounts, approved: int) -> dict[str, Any]:
    return {
        "programs_approved": approved,
        "awards_pushed": counts.pushes,
        "on_time": counts.on_time + counts.excused,
        "late": counts.late,
        "pending": counts.pending,
        "on_time_share": counts.on_time_rate,
        "median_working_days_late": counts.median_working_days_late,
    }


def _series(pilot: PilotCounts, months: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [
        {"month": m, **_row(pilot.months.get(m, TimelinessCounts()), pilot.approved.get(m, 0))}
        for m in months
    ]
    totals = _row(
        merge(pilot.months.get(m, TimelinessCounts()) for m in months),
        sum(pilot.approved.get(m, 0) for m in months),
    )
    return rows, totals


def _combined(pilots: Iterable[PilotCounts]) -> PilotCounts:
    national = PilotCounts()
    for pilot in pilots:
        for month, counts in pilot.months.items():
            national.months[month] = merge([national._month(month), counts])
        for month, count in pilot.approved.items():
            national.approved[month] = national.approved.get(month, 0) + count
        for year, count in pilot.years.items():
            national.years[year] = national.years.get(year, 0) + count
    return national


def pilot_report(
    per_authority: Mapping[str, PilotCounts],
    verifications: Mapping[date, int],
    *,
    months: list[str],
    backfill_years: list[int],
) -> dict[str, Any]:
    """The numbers of ``GET /v1/stats/pilot`` for ``months`` (every authority listed)."""

    def backfill(pilot: PilotCounts) -> dict[str, int]:
        return {str(year): pilot.years.get(year, 0) for year in backfill_years}

    monthly: dict[str, int] = dict.fromkeys(months, 0)
    for day, count in verifications.items():
        key = day.strftime("%Y-%m")
        if key in monthly:
            monthly[key] += count
    national = _combined(per_authority.values())
    national_rows, national_totals = _series(national, months)
    for row in national_rows:
        row["verifications"] = monthly[row["month"]]
    national_totals["verifications"] = sum(monthly.values())
    authorities = []
    for authority_id, pilot in per_authority.items():
        rows, totals = _series(pilot, months)
        authorities.append(
            {
                "authority_id": authority_id,
                "months": rows,
                "totals": totals,
                "backfill": backfill(pilot),
            }
        )
    return {
        "months": months,
        "national": {
            "months": national_rows,
            "totals": national_totals,
            "backfill": backfill(national),
        },
        "authorities": authorities,
        "verifications": {
            "total": national_totals["verifications"],
            "daily": [
                {"date": day.isoformat(), "count": count}
                for day, count in sorted(verifications.items())
                if count and day.strftime("%Y-%m") in monthly
            ],
        },
    }


def public_summary(
    per_authority: Mapping[str, PilotCounts], verifications_total: int
) -> dict[str, int]:
    """National totals only: active awards, authorities that pushed, verifications served."""
    return {
        "awards": sum(pilot.active_awards for pilot in per_authority.values()),
        "provinces_reporting": sum(1 for pilot in per_authority.values() if pilot.pushes > 0),
        "verifications": verifications_total,
    }


# --- Webhook deliveries (issue 21): who receives pushes, and how late ------------------


def _percentile(sorted_values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def webhook_summary(
    subscriptions: Iterable[Mapping[str, Any]], authority_ids: Iterable[str]
) -> dict[str, Any]:
    """The share of provinces receiving pushes, and the delivery lag (push to receipt).

    A province *receives* when it has an active subscription that has delivered at
    least once and is not failing now. Lags are the recent ones each subscription
    keeps (seconds from the change's commit to the receiver's 2xx), pooled.

    Examples
    --------
    >>> webhook_summary([{"owner_authority_id": "110000", "state": "active",
    ...   "delivered": 3, "failing_since": None, "lags": [1.0, 2.0, 9.0]}],
    ...   ["110000", "320000"])["share_of_provinces_receiving"]
    0.5
    """
    ids = list(authority_ids)
    receiving: set[str] = set()
    lags: list[float] = []
    active = paused = 0
    for subscription in subscriptions:
        state = subscription.get("state")
        if state == "deleted":
            continue
        if state == "active":
            active += 1
        else:
            paused += 1
        lags.extend(float(lag) for lag in subscription.get("lags") or [])
        if (
            state == "active"
            and int(subscription.get("delivered") or 0) > 0
            and not subscription.get("failing_since")
            and subscription.get("owner_authority_id") in ids
        ):
            receiving.add(str(subscription["owner_authority_id"]))
    lags.sort()
    return {
        "provinces_receiving": len(receiving),
        "share_of_provinces_receiving": round(len(receiving) / len(ids), 4) if ids else None,
        "receiving_authority_ids": sorted(receiving),
        "subscriptions_active": active,
        "subscriptions_paused": paused,
        "delivery_lag_seconds": {
            "p50": _percentile(lags, 0.5),
            "p95": _percentile(lags, 0.95),
            "samples": len(lags),
        },
    }
