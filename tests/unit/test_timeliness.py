"""The 10-working-day rule, with the dates in the tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.timeliness import (
    Deadline,
    Judgement,
    Timeliness,
    TimelinessPolicy,
    china_date,
    deadline_for,
    judge_award,
    judge_push,
)
from chalicelib.domain.workdays import WorkdayCalendar, YearArrangement

CALENDAR = WorkdayCalendar()
POLICY = TimelinessPolicy()


# --- deadlines -------------------------------------------------------------------


def test_award_is_due_ten_working_days_after_its_announcement() -> None:
    # Monday 2024-03-04 -> Monday 2024-03-18.
    assert deadline_for(date(2024, 3, 4), CALENDAR, POLICY) == Deadline(date(2024, 3, 18), True)


def test_award_on_the_rule_start_day_gets_ten_working_days() -> None:
    # Thursday 2021-07-01 -> Thursday 2021-07-15.
    assert deadline_for(date(2021, 7, 1), CALENDAR, POLICY) == Deadline(date(2021, 7, 15), True)


def test_award_before_july_2021_is_due_by_june_30_2021() -> None:
    assert deadline_for(date(2018, 1, 1), CALENDAR, POLICY) == Deadline(date(2021, 6, 30), True)
    assert deadline_for(date(2021, 6, 1), CALENDAR, POLICY) == Deadline(date(2021, 6, 30), True)


def test_award_mid_june_2021_whose_ten_days_end_on_june_30_is_due_june_30() -> None:
    # 2021-06-16 (Wed): the 10th working day after is Wed 2021-06-30 (06-14 was Dragon Boat).
    assert deadline_for(date(2021, 6, 16), CALENDAR, POLICY) == Deadline(date(2021, 6, 30), True)


def test_award_late_june_2021_gets_ten_working_days_past_june_30() -> None:
    # 2021-06-28 (Mon): 06-29, 06-30, 07-01, 07-02, 07-05 .. 07-09, 07-12.
    deadline = deadline_for(date(2021, 6, 28), CALENDAR, POLICY)
    assert deadline == Deadline(date(2021, 7, 12), True)
    assert deadline.due_on > POLICY.backfill_deadline


def test_spring_festival_2024_pushes_the_deadline_back() -> None:
    # Thu 2024-02-01: 02-02, 02-04 (make-up Sunday), 02-05 .. 02-09, then the
    # holiday 02-10 .. 02-17, then 02-18 (make-up Sunday), 02-19, 02-20.
    assert deadline_for(date(2024, 2, 1), CALENDAR, POLICY) == Deadline(date(2024, 2, 20), True)


def test_award_of_2026_12_28_has_a_provisional_deadline_in_2027() -> None:
    # 2026-12-29, 30, 31, then 2027 counted Mon-Fri: 01-01, 04 .. 08, 11.
    assert deadline_for(date(2026, 12, 28), CALENDAR, POLICY) == Deadline(date(2027, 1, 11), False)


def test_loading_2027_makes_that_deadline_official_and_moves_it() -> None:
    calendar = CALENDAR.with_arrangement(
        YearArrangement.from_lists(2027, holidays=[date(2027, 1, 1)], workdays=[])
    )
    assert deadline_for(date(2026, 12, 28), calendar, POLICY) == Deadline(date(2027, 1, 12), True)


def test_policy_defaults_apply_when_omitted() -> None:
    assert deadline_for(date(2024, 3, 4), CALENDAR) == Deadline(date(2024, 3, 18), True)


def test_policy_is_data() -> None:
    policy = TimelinessPolicy(working_days=5)
    assert deadline_for(date(2024, 3, 4), CALENDAR, policy) == Deadline(date(2024, 3, 11), True)


# --- judging a push ---------------------------------------------------------------------


def test_push_on_the_deadline_is_on_time() -> None:
    deadline = Deadline(date(2024, 3, 18), True)
    assert judge_push(date(2024, 3, 18), deadline, CALENDAR) == Timeliness("on_time", 0, "official")


def test_push_before_the_announcement_deadline_is_on_time() -> None:
    deadline = deadline_for(date(2024, 3, 4), CALENDAR, POLICY)
    assert judge_push(date(2024, 3, 5), deadline, CALENDAR).status == "on_time"


def test_push_after_ten_working_days_is_late() -> None:
    # Announced Mon 2024-03-04, due Mon 2024-03-18; pushed Wed 2024-03-20.
    deadline = deadline_for(date(2024, 3, 4), CALENDAR, POLICY)
    assert judge_push(date(2024, 3, 20), deadline, CALENDAR) == Timeliness("late", 2, "official")


def test_backfilled_award_pushed_in_july_2021_is_late() -> None:
    deadline = deadline_for(date(2019, 5, 20), CALENDAR, POLICY)
    # Due Wed 2021-06-30; pushed Mon 2021-07-05: 07-01, 07-02, 07-05.
    assert judge_push(date(2021, 7, 5), deadline, CALENDAR) == Timeliness("late", 3, "official")


def test_spring_festival_2024_holidays_do_not_count_as_days_late() -> None:
    # Due Fri 2024-02-09; pushed Mon 2024-02-19: only 02-18 (make-up Sunday) and 02-19 count.
    deadline = Deadline(date(2024, 2, 9), True)
    assert judge_push(date(2024, 2, 19), deadline, CALENDAR) == Timeliness("late", 2, "official")


def test_push_on_a_make_up_saturday_counts_a_working_day_late() -> None:
    # 2023 National Day: due Thu 2023-09-28, pushed Sat 2023-10-07 (a make-up working day).
    deadline = Deadline(date(2023, 9, 28), True)
    assert judge_push(date(2023, 10, 7), deadline, CALENDAR) == Timeliness("late", 1, "official")


def test_push_during_a_holiday_is_late_by_zero_working_days() -> None:
    deadline = Deadline(date(2023, 9, 28), True)
    assert judge_push(date(2023, 10, 3), deadline, CALENDAR) == Timeliness("late", 0, "official")


def test_weekend_push_after_a_friday_deadline_is_late_with_zero_days() -> None:
    # Due Fri 2024-03-08; pushed Sat 2024-03-09 and Sun 2024-03-10.
    deadline = Deadline(date(2024, 3, 8), True)
    assert judge_push(date(2024, 3, 9), deadline, CALENDAR) == Timeliness("late", 0, "official")
    assert judge_push(date(2024, 3, 10), deadline, CALENDAR) == Timeliness("late", 0, "official")
    assert judge_push(date(2024, 3, 11), deadline, CALENDAR) == Timeliness("late", 1, "official")


def test_late_push_on_a_provisional_deadline_is_pending() -> None:
    deadline = deadline_for(date(2026, 12, 28), CALENDAR, POLICY)
    assert deadline == Deadline(date(2027, 1, 11), False)
    # Pushed Wed 2027-01-13: 2 working days late on a Mon-Fri count, not alerted.
    assert judge_push(date(2027, 1, 13), deadline, CALENDAR) == Timeliness(
        "pending", 2, "provisional"
    )


def test_on_time_push_on_a_provisional_deadline_says_provisional() -> None:
    deadline = Deadline(date(2027, 1, 11), False)
    assert judge_push(date(2027, 1, 5), deadline, CALENDAR) == Timeliness(
        "on_time", 0, "provisional"
    )


def test_late_only_on_a_provisional_count_is_pending() -> None:
    # Official deadline Wed 2026-12-30, pushed Tue 2027-01-05: the count reaches into 2027.
    deadline = Deadline(date(2026, 12, 30), True)
    assert judge_push(date(2027, 1, 5), deadline, CALENDAR) == Timeliness(
        "pending", 4, "provisional"
    )


def test_late_push_becomes_late_once_2027_is_loaded() -> None:
    calendar = CALENDAR.with_arrangement(
        YearArrangement.from_lists(2027, holidays=[date(2027, 1, 1)], workdays=[])
    )
    deadline = deadline_for(date(2026, 12, 28), calendar, POLICY)
    assert deadline == Deadline(date(2027, 1, 12), True)
    assert judge_push(date(2027, 1, 13), deadline, calendar) == Timeliness("late", 1, "official")


def test_timeliness_to_dict() -> None:
    assert Timeliness("late", 2, "official").to_dict() == {
        "status": "late",
        "working_days_late": 2,
        "calendar": "official",
    }


# --- a whole award: what its record stores ---------------------------------------------


def test_award_of_2024_02_01_pushed_at_01_00_beijing_on_02_22_is_two_days_late() -> None:
    # Due 2024-02-20 (Spring Festival, make-up Sundays 02-04 and 02-18); 2024-02-21 17:00Z
    # is already 02-22 in Beijing: 02-21 and 02-22 are the two working days late.
    judged = judge_award(date(2024, 2, 1), datetime(2024, 2, 21, 17, 0, tzinfo=UTC), CALENDAR)
    assert judged == Judgement(
        deadline="2024-02-20",
        official=True,
        timeliness={"status": "late", "working_days_late": 2, "calendar": "official"},
        provisional_year=None,
    )


def test_award_judged_over_unknown_2027_is_pending_and_names_2027() -> None:
    judged = judge_award(date(2026, 12, 28), datetime(2027, 1, 13, 2, 0, tzinfo=UTC), CALENDAR)
    assert judged.timeliness["status"] == "pending"
    assert judged.official is False
    assert judged.provisional_year == "2027"


def test_award_judged_again_once_2027_is_loaded_is_late_and_final() -> None:
    loaded = CALENDAR.with_arrangement(
        YearArrangement.from_lists(2027, holidays=[date(2027, 1, 1)], workdays=[])
    )
    judged = judge_award(date(2026, 12, 28), datetime(2027, 1, 13, 2, 0, tzinfo=UTC), loaded)
    assert judged == Judgement(
        deadline="2027-01-12",
        official=True,
        timeliness={"status": "late", "working_days_late": 1, "calendar": "official"},
        provisional_year=None,
    )


# --- China dates ----------------------------------------------------------------------------


def test_china_date_of_2026_11_24T16_30Z_is_2026_11_25() -> None:
    instant = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert china_date(instant) == date(2026, 11, 25)


def test_china_date_just_before_midnight_in_beijing() -> None:
    instant = datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC)
    assert china_date(instant) == date(2026, 11, 24)


def test_china_date_from_another_offset() -> None:
    instant = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert china_date(instant) == date(2026, 11, 25)


def test_china_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        china_date(datetime(2026, 11, 24, 16, 30))
