"""The audit's rules, pure: classification, findings, cycles, zero reports, counters."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.audit_rules import (
    CONDITION_KINDS,
    EVENT_KINDS,
    Silence,
    TimelinessCounts,
    add_months,
    awarded_on_change_finding,
    calendar_missing_finding,
    gap_covered,
    late_push_finding,
    median_of_histogram,
    missing_calendar_years,
    no_program_list_finding,
    program_list_missing,
    program_silence,
    push_class,
    silent_program_finding,
)
from chalicelib.domain.timeliness import TimelinessPolicy, deadline_for, provisional_year
from chalicelib.domain.workdays import WorkdayCalendar, YearArrangement

AUDIT_FROM = date(2021, 1, 1)
CALENDAR = WorkdayCalendar()
POLICY = TimelinessPolicy()


def award(status="late", days=4, deadline="2026-11-16", **timeliness):
    return {
        "id": "awd_1",
        "authority_id": "110000",
        "source_id": "BJ-1",
        "program_id": "prg_1",
        "awarded_on": "2026-11-02",
        "deadline": deadline,
        "submitted_at": "2026-11-20T02:00:00.000000Z",
        "timeliness": {
            "status": status,
            "working_days_late": days,
            "calendar": "official",
            **timeliness,
        },
    }


# --- classification ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (award("on_time", 0), ("on_time", 0)),
        (award("late", 4), ("late", 4)),
        (award("late", 4, excused=True), ("excused", 4)),
        (award("pending", 2), ("pending", 2)),
        (award("late", 9, deadline="2020-12-31"), ("not_judged", 0)),
    ],
)
def test_push_class(record, expected):
    assert push_class(record, AUDIT_FROM) == expected


def test_a_deadline_on_audit_from_is_judged():
    assert push_class(award("late", 1, deadline="2021-01-01"), AUDIT_FROM) == ("late", 1)


# --- event findings ----------------------------------------------------------------------


def test_a_late_push_finding_has_a_stable_id_and_bilingual_advice():
    finding = late_push_finding(award(), working_days=10)
    assert finding == late_push_finding(award(), working_days=10)
    assert finding.id == "late_push:awd_1"
    assert finding.kind in EVENT_KINDS
    assert finding.detail["working_days_late"] == 4
    assert "10 个工作日内推送" in finding.action_zh
    assert "within 10 working days" in finding.action_en


def test_each_awarded_on_change_is_its_own_finding():
    changed = award("late", 4) | {"awarded_on": "2026-11-02"}
    v2 = awarded_on_change_finding(changed, "2026-11-16", 2, "2026-11-21T01:00:00.000000Z")
    v3 = awarded_on_change_finding(changed, "2026-11-09", 3, "2026-11-22T01:00:00.000000Z")
    assert (v2.id, v3.id) == ("awarded_on_changed:awd_1:v2", "awarded_on_changed:awd_1:v3")
    assert (v2.detail["from"], v2.detail["to"]) == ("2026-11-16", "2026-11-02")


# --- programme lists ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "listed", "missing"),
    [
        (date(2021, 3, 31), False, False),  # the due day itself
        (date(2021, 4, 1), False, True),
        (date(2021, 4, 1), True, False),
    ],
)
def test_programme_list_deadline(today, listed, missing):
    assert program_list_missing(today, date(2021, 3, 31), AUDIT_FROM, listed) is missing


def test_a_list_deadline_before_audit_from_is_judged_from_audit_from():
    due = date(2021, 3, 31)
    assert not program_list_missing(date(2021, 6, 1), due, date(2021, 7, 1), False)
    assert program_list_missing(date(2021, 7, 1), due, date(2021, 7, 1), False)


def test_no_program_list_finding():
    finding = no_program_list_finding("320000", date(2021, 3, 31))
    assert (finding.id, finding.authority_id, finding.kind) == (
        "no_program_list:320000",
        "320000",
        "no_program_list",
    )
    assert finding.kind in CONDITION_KINDS


# --- cycles and silence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),
        (date(2025, 6, 2), 12, date(2026, 6, 2)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def silence(cycle="annual", last=date(2025, 6, 2), approved=None, today=date(2026, 6, 17)):
    return program_silence(
        cycle=cycle,
        last_awarded_on=last,
        approved_on=approved,
        today=today,
        audit_from=AUDIT_FROM,
        calendar=CALENDAR,
        policy=POLICY,
    )


def test_an_annual_programme_is_silent_after_a_year_and_the_push_window():
    # due 2026-06-02; an award of that day may be pushed until 2026-06-16
    assert silence(today=date(2026, 6, 16)) is None
    assert silence(today=date(2026, 6, 17)) == Silence(
        reference=date(2025, 6, 2),
        due_on=date(2026, 6, 2),
        grace_until=date(2026, 6, 16),
        gap_from=date(2026, 6, 3),
        gap_to=date(2026, 6, 16),
    )


def test_a_biennial_programme_has_two_years():
    assert silence(cycle="biennial", today=date(2026, 6, 17)) is None
    assert silence(cycle="biennial", today=date(2027, 6, 30)).due_on == date(2027, 6, 2)


def test_an_irregular_programme_is_never_silent():
    assert silence(cycle="irregular", last=None, today=date(2030, 1, 1)) is None


def test_with_no_award_the_clock_starts_at_approval_but_not_before_audit_from():
    assert silence(last=None, approved=date(2023, 3, 1), today=date(2024, 6, 1)).due_on == date(
        2024, 3, 1
    )
    assert silence(last=None, approved=date(2019, 3, 1), today=date(2022, 6, 1)).reference == (
        AUDIT_FROM
    )


@pytest.mark.parametrize(
    ("periods", "covered"),
    [
        ([(date(2026, 6, 1), date(2026, 6, 30))], True),
        ([(date(2026, 6, 3), date(2026, 6, 16))], True),
        ([(date(2026, 6, 4), date(2026, 6, 30))], False),  # misses the first day
        ([(date(2026, 6, 1), date(2026, 6, 15))], False),  # misses the last day
        ([(date(2026, 6, 1), date(2026, 6, 9)), (date(2026, 6, 10), date(2026, 6, 20))], True),
        ([(date(2026, 6, 10), date(2026, 6, 20)), (date(2026, 6, 1), date(2026, 6, 9))], True),
        ([(date(2026, 6, 1), date(2026, 6, 8)), (date(2026, 6, 10), date(2026, 6, 20))], False),
        ([], False),
    ],
)
def test_zero_reports_must_cover_every_day_of_the_gap(periods, covered):
    assert gap_covered(date(2026, 6, 3), date(2026, 6, 16), periods) is covered


def test_silent_program_finding_id_names_the_cycle_window():
    program = {"id": "prg_1", "authority_id": "110000", "name": "长城杯", "cycle": "annual"}
    finding = silent_program_finding(program, silence())
    assert finding.id == "silent_program:prg_1:2026-06-02"
    assert "零报告" in finding.action_zh


# --- calendars ---------------------------------------------------------------------------


def test_next_years_calendar_is_needed_from_the_first_of_december():
    def is_official(year):
        return year <= 2026

    assert missing_calendar_years(date(2026, 11, 30), is_official) == []
    assert missing_calendar_years(date(2026, 12, 1), is_official) == [2027]
    assert missing_calendar_years(date(2027, 1, 4), is_official) == [2027]
    assert calendar_missing_finding(2027).authority_id is None


def test_a_provisional_judgement_names_the_first_unknown_year():
    due = deadline_for(date(2026, 12, 28), CALENDAR, POLICY)
    assert provisional_year(date(2026, 12, 28), due, date(2027, 1, 13), CALENDAR) == 2027
    official = WorkdayCalendar({2027: YearArrangement.from_lists(2027, [date(2027, 1, 1)], [])})
    due = deadline_for(date(2026, 12, 28), official, POLICY)
    assert provisional_year(date(2026, 12, 28), due, date(2027, 1, 13), official) is None


# --- counters ----------------------------------------------------------------------------


def test_counters_follow_each_record_without_recounting():
    counts = TimelinessCounts()
    counts.move(None, ("on_time", 0))
    counts.move(None, ("late", 4))
    counts.move(None, ("late", 5))
    counts.move(None, ("pending", 2))
    counts.move(("pending", 2), ("late", 1))  # its year's calendar was loaded
    counts.move(("late", 5), ("excused", 5))  # an administrator excused it
    assert (counts.pushes, counts.on_time, counts.late, counts.excused, counts.pending) == (
        4,
        1,
        2,
        1,
        0,
    )
    assert counts.late_days == {1: 1, 4: 1, 5: 0}
    assert counts.on_time_rate == 0.5
    assert counts.median_working_days_late == 2.5
    assert TimelinessCounts.from_dict(counts.to_dict()) == TimelinessCounts(
        pushes=4, on_time=1, late=2, excused=1, late_days={1: 1, 4: 1}
    )


def test_no_judged_push_has_no_rate_and_no_median():
    counts = TimelinessCounts()
    counts.move(None, ("pending", 3))
    counts.move(None, ("not_judged", 0))
    assert (counts.on_time_rate, counts.median_working_days_late) == (None, None)


@pytest.mark.parametrize(
    ("histogram", "median"),
    [({}, None), ({3: 0}, None), ({7: 1}, 7.0), ({1: 1, 3: 1}, 2.0), ({1: 2, 10: 1}, 1.0)],
)
def test_median_of_histogram(histogram, median):
    assert median_of_histogram(histogram) == median
