"""What the daily audit finds, and what each finding asks someone to do.

Pure rules, no storage: the audit service feeds them what changed and what it
remembers, and they answer with findings. Each finding has a stable id, so the
same fact found on two days (or by two deliveries of the same schedule) is one
finding, and subscribers of the alerts can deduplicate.

Kinds (SPEC §5):

- ``late_push``: a record pushed after its deadline on an official calendar
  (``pending`` ones, judged on a provisional count, are never findings);
  open until an administrator excuses it or a correction makes it on time.
- ``awarded_on_changed``: a correction moved ``awarded_on`` after the push, so
  the deadline moved with it; reported once.
- ``no_program_list``: the list deadline passed and the authority has not
  submitted a programme.
- ``silent_program``: an approved annual or biennial programme pushed nothing
  for longer than its cycle, and no zero report covers the gap.
- ``calendar_missing``: from 1 December, next year's official working-day
  calendar is not known (and, later, a current year still not known).

Nothing dated before ``audit_from`` is judged, and nothing is invented for
awards that have not been pushed: the audit only judges records it was sent.
"""

from __future__ import annotations

import calendar as _month_calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from chalicelib.domain.china_time import date_zh
from chalicelib.domain.labels_zh import ADVICE_ZH
from chalicelib.domain.timeliness import TimelinessPolicy
from chalicelib.domain.workdays import WorkdayCalendar

Kind = Literal[
    "late_push",
    "awarded_on_changed",
    "no_program_list",
    "silent_program",
    "calendar_missing",
    "objection_overdue",
]
# Findings about a state that holds or not on a given day: re-judged every run.
CONDITION_KINDS: frozenset[str] = frozenset(
    {"no_program_list", "silent_program", "calendar_missing", "objection_overdue"}
)
# Findings about one event: judged when the event shows up in the change feed.
EVENT_KINDS: frozenset[str] = frozenset({"late_push", "awarded_on_changed"})
# Event findings with nothing left to decide once they have been reported.
REPORT_ONCE_KINDS: frozenset[str] = frozenset({"awarded_on_changed"})

CYCLE_MONTHS: Mapping[str, int] = {"annual": 12, "biennial": 24}

# How a push counts in the timeliness league table.
PushClass = Literal["on_time", "late", "excused", "pending", "not_judged"]


@dataclass(frozen=True)
class Finding:
    """One thing the audit reports, with what to do about it in both languages.

    ``authority_id`` is None for findings addressed to the administrators only
    (a missing calendar).
    """

    id: str
    kind: str
    authority_id: str | None
    subject_type: str
    subject_id: str
    detail: dict[str, Any]
    action_zh: str
    action_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "authority_id": self.authority_id,
            "subject": {"type": self.subject_type, "id": self.subject_id},
            "detail": self.detail,
            "action": {"zh": self.action_zh, "en": self.action_en},
        }


# --- classification of a pushed record ------------------------------------------------


def push_class(award: Mapping[str, Any], audit_from: date) -> tuple[PushClass, int]:
    """Classify an award view (as in the change feed) and its working days late.

    Records whose deadline fell before ``audit_from`` are ``not_judged``; a
    late push an administrator excused counts as ``excused``, not ``late``.

    Examples
    --------
    >>> push_class({"deadline": "2024-03-29", "timeliness": {"status": "late",
    ...     "working_days_late": 3, "calendar": "official"}}, date(2021, 1, 1))
    ('late', 3)
    """
    deadline = date.fromisoformat(award["deadline"])
    if deadline < audit_from:
        return "not_judged", 0
    timeliness = award.get("timeliness") or {}
    status = timeliness.get("status")
    days = int(timeliness.get("working_days_late") or 0)
    if status == "late":
        return ("excused" if timeliness.get("excused") else "late"), days
    if status == "pending":
        return "pending", days
    return "on_time", 0


# How a province asks for a late push to be excused: said the same in every finding, page
# and alert (the console's 及时性 tab shows it beside each late push too).
EXCUSE_HOW_ZH = ADVICE_ZH["excuse"]


# --- event findings --------------------------------------------------------------------


def late_push_finding(award: Mapping[str, Any], *, working_days: int) -> Finding:
    """A late push: the record was received after its deadline.

    ``working_days`` is the rule's length, quoted back in the advice.
    """
    timeliness = award["timeliness"]
    days = int(timeliness.get("working_days_late") or 0)
    return Finding(
        id=f"late_push:{award['id']}",
        kind="late_push",
        authority_id=award["authority_id"],
        subject_type="award",
        subject_id=award["id"],
        detail={
            "source_id": award.get("source_id"),
            "program_id": award.get("program_id"),
            "awarded_on": award.get("awarded_on"),
            "deadline": award.get("deadline"),
            "submitted_at": award.get("submitted_at"),
            "working_days_late": days,
        },
        action_zh=(
            f"获奖信息晚报 {days} 个工作日（报送截止 {date_zh(award.get('deadline'))}）。"
            f"{EXCUSE_HOW_ZH}今后请在公布后 {working_days} 个工作日内推送。"
        ),
        action_en=(
            f"Pushed {days} working day(s) after its deadline {award.get('deadline')}. "
            "Explain the delay; if it was justified an administrator excuses it "
            f"(POST /v1/awards/{award['id']}/excuse). "
            f"Push within {working_days} working days of the announcement."
        ),
    )


def awarded_on_change_finding(
    award: Mapping[str, Any], previous_awarded_on: str, version: int, committed_at: str
) -> Finding:
    """A correction after the push moved ``awarded_on`` (and so the deadline)."""
    return Finding(
        id=f"awarded_on_changed:{award['id']}:v{version}",
        kind="awarded_on_changed",
        authority_id=award["authority_id"],
        subject_type="award",
        subject_id=award["id"],
        detail={
            "source_id": award.get("source_id"),
            "from": previous_awarded_on,
            "to": award.get("awarded_on"),
            "version": version,
            "corrected_at": committed_at,
            "deadline": award.get("deadline"),
            "timeliness": award.get("timeliness"),
        },
        action_zh=(
            f"推送后更正了公布日期（{date_zh(previous_awarded_on)} → "
            f"{date_zh(award.get('awarded_on'))}），"
            "截止日期随之重算。请核对表彰文件的实际印发日期。"
        ),
        action_en=(
            f"A correction after the push changed awarded_on from {previous_awarded_on} "
            f"to {award.get('awarded_on')}, which moves the deadline. Check the date of "
            "the announcing document."
        ),
    )


# --- condition findings ----------------------------------------------------------------


def program_list_missing(today: date, due: date, audit_from: date, listed: bool) -> bool:
    """Whether an authority is overdue with its programme list on ``today``."""
    return not listed and today > due and today >= audit_from


def no_program_list_finding(authority_id: str, due: date) -> Finding:
    return Finding(
        id=f"no_program_list:{authority_id}",
        kind="no_program_list",
        authority_id=authority_id,
        subject_type="authority",
        subject_id=authority_id,
        detail={"due": due.isoformat()},
        action_zh=(
            f"奖项清单应于 {date_zh(due)}前报送，至今未报。请在控制台“奖项清单”栏目新建本地区"
            "主办或主管的奖项并提交审核；如无此类奖项，请在“及时性”栏目的“意见反馈”中说明。"
        ),
        action_en=(
            f"The award programme list was due by {due.isoformat()} and none was submitted. "
            "Declare and submit the programmes you host or supervise (POST /v1/programs, "
            "then submit); if there are none, say so through feedback."
        ),
    )


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 → 28/29 Feb).

    Examples
    --------
    >>> add_months(date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _month_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Silence:
    """An approved programme silent past its cycle.

    The next award was due by ``due_on`` (one cycle after ``reference``); the
    audit waits until the push deadline of an award announced that day has
    passed (``grace_until``), so a record still legitimately in transit is not
    taken for silence. ``gap_from``..``gap_to`` are the days that need
    explaining: from the day after ``due_on`` through yesterday.
    """

    reference: date
    due_on: date
    grace_until: date
    gap_from: date
    gap_to: date


def program_silence(
    *,
    cycle: str,
    last_awarded_on: date | None,
    approved_on: date | None,
    today: date,
    audit_from: date,
    calendar: WorkdayCalendar,
    policy: TimelinessPolicy,
) -> Silence | None:
    """The silence of a programme on ``today``, or None if it is not silent.

    The clock starts at the last ``awarded_on`` pushed for the programme (or,
    with none, the approval date of its setting-up document), but never before
    ``audit_from``: silence before the audit began is not judged. ``irregular``
    programmes have no cycle and are never silent.

    Examples
    --------
    >>> program_silence(cycle="annual", last_awarded_on=date(2024, 5, 10),
    ...     approved_on=None, today=date(2025, 6, 3), audit_from=date(2021, 1, 1),
    ...     calendar=WorkdayCalendar(), policy=TimelinessPolicy()).due_on
    datetime.date(2025, 5, 10)
    """
    months = CYCLE_MONTHS.get(cycle)
    if months is None:
        return None
    start = last_awarded_on or approved_on or audit_from
    reference = max(start, audit_from)
    due_on = add_months(reference, months)
    grace_until, _ = calendar.add_workdays(due_on, policy.working_days)
    if today <= grace_until:
        return None
    return Silence(
        reference=reference,
        due_on=due_on,
        grace_until=grace_until,
        gap_from=due_on + timedelta(days=1),
        gap_to=today - timedelta(days=1),
    )


def gap_covered(gap_from: date, gap_to: date, periods: Iterable[tuple[date, date]]) -> bool:
    """Whether the zero-report ``periods`` together cover every day of the gap.

    Examples
    --------
    >>> gap_covered(date(2025, 1, 1), date(2025, 6, 30),
    ...     [(date(2024, 7, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30))])
    True
    """
    covered_through = gap_from - timedelta(days=1)
    for start, end in sorted(periods):
        if start > covered_through + timedelta(days=1):
            break
        covered_through = max(covered_through, end)
        if covered_through >= gap_to:
            return True
    return covered_through >= gap_to


def silent_program_finding(program: Mapping[str, Any], silence: Silence) -> Finding:
    """``program`` holds ``id``, ``authority_id``, ``name`` and ``cycle``."""
    cycle_zh = {"annual": "一年", "biennial": "两年"}.get(program["cycle"], program["cycle"])
    return Finding(
        id=f"silent_program:{program['id']}:{silence.due_on.isoformat()}",
        kind="silent_program",
        authority_id=program["authority_id"],
        subject_type="program",
        subject_id=program["id"],
        detail={
            "name": program.get("name"),
            "cycle": program["cycle"],
            "since": silence.reference.isoformat(),
            "due_on": silence.due_on.isoformat(),
            "gap_from": silence.gap_from.isoformat(),
            "gap_to": silence.gap_to.isoformat(),
        },
        action_zh=(
            f"奖项「{program.get('name')}」评选周期为{cycle_zh}，自 {date_zh(silence.reference)}"
            f"以来未推送获奖信息（应于 {date_zh(silence.due_on)}前产生下一批）。"
            "请推送遗漏的获奖信息；如该期间确无获奖，请在“及时性”栏目报送零报告。"
        ),
        action_en=(
            f"Programme '{program.get('name')}' is {program['cycle']} but nothing was pushed "
            f"since {silence.reference.isoformat()} (next awards were due by "
            f"{silence.due_on.isoformat()}). Push the missing awards, or file a zero report "
            "for the period (POST /v1/zero-reports)."
        ),
    )


def missing_calendar_years(today: date, is_official: Any) -> list[int]:
    """Years whose official calendar the registry needs on ``today`` but lacks.

    This year always; next year from 1 December (the State Council usually
    publishes its arrangement in November). ``is_official`` is a callable
    ``year -> bool``.
    """
    years = [today.year]
    if today.month == 12:
        years.append(today.year + 1)
    return [year for year in years if not is_official(year)]


def calendar_missing_finding(year: int) -> Finding:
    return Finding(
        id=f"calendar_missing:{year}",
        kind="calendar_missing",
        authority_id=None,
        subject_type="calendar",
        subject_id=str(year),
        detail={"year": year},
        action_zh=(
            f"{year} 年的法定节假日与调休安排尚未载入，相关截止日期只能按周一至周五暂算。"
            "国务院办公厅通知发布后，请在控制台“工作日历”栏目加载该年安排。"
        ),
        action_en=(
            f"The official {year} working-day calendar is not loaded, so deadlines in {year} "
            f"are counted Monday to Friday provisionally. Load the State Council's "
            f"arrangement when it is published (PUT /v1/calendar/{year})."
        ),
    )


# --- the league table ------------------------------------------------------------------


@dataclass
class TimelinessCounts:
    """Per-authority counters kept up to date from the change feed, never recounted.

    ``late_days`` is a histogram ``{working_days_late: count}`` of unexcused
    late pushes, enough to give the median without reading any record.
    """

    pushes: int = 0
    on_time: int = 0
    late: int = 0
    excused: int = 0
    pending: int = 0
    not_judged: int = 0
    late_days: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TimelinessCounts:
        data = data or {}
        return cls(
            pushes=int(data.get("pushes", 0)),
            on_time=int(data.get("on_time", 0)),
            late=int(data.get("late", 0)),
            excused=int(data.get("excused", 0)),
            pending=int(data.get("pending", 0)),
            not_judged=int(data.get("not_judged", 0)),
            late_days={int(k): int(v) for k, v in (data.get("late_days") or {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "pushes": self.pushes,
            "on_time": self.on_time,
            "late": self.late,
            "excused": self.excused,
            "pending": self.pending,
            "not_judged": self.not_judged,
            "late_days": {str(k): v for k, v in sorted(self.late_days.items()) if v},
        }

    def move(
        self, before: tuple[PushClass, int] | None, after: tuple[PushClass, int] | None
    ) -> None:
        """Account for one record going from ``before`` to ``after`` (None: not pushed)."""
        if before is None and after is not None:
            self.pushes += 1
        for sign, judged in ((-1, before), (1, after)):
            if judged is None:
                continue
            kind, days = judged
            setattr(self, kind, getattr(self, kind) + sign)
            if kind == "late":
                self.late_days[days] = self.late_days.get(days, 0) + sign

    @property
    def on_time_rate(self) -> float | None:
        """On-time share of judged pushes: excused ones count as on time, pending ones not."""
        judged = self.on_time + self.late + self.excused
        if not judged:
            return None
        return round((self.on_time + self.excused) / judged, 4)

    @property
    def median_working_days_late(self) -> float | None:
        return median_of_histogram(self.late_days)


def median_of_histogram(histogram: Mapping[int, int]) -> float | None:
    """Median of a multiset given as ``{value: count}``; None when empty.

    Examples
    --------
    >>> median_of_histogram({1: 1, 3: 1})
    2.0
    >>> median_of_histogram({2: 3, 9: 1})
    2.0
    """
    total = sum(count for count in histogram.values() if count > 0)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    values: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        for position in wanted:
            if seen <= position < seen + count:
                values.append(value)
        seen += count
    return sum(values) / len(values)
