"""Mainland China's working days: library years, loaded years, provisional years."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.workdays import WorkdayCalendar, YearArrangement

CALENDAR = WorkdayCalendar()

# The 2027 arrangement as an administrator might load it (illustrative dates).
ARRANGEMENT_2027 = YearArrangement.from_lists(
    2027,
    holidays=[date(2027, 1, 1), date(2027, 2, 8), date(2027, 2, 9)],
    workdays=[date(2027, 2, 7), date(2027, 2, 20)],
)


# --- library years ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2024, 2, 10), date(2024, 2, 12), date(2024, 2, 14), date(2024, 2, 17)],
)
def test_spring_festival_2024_holidays_are_not_working_days(day: date) -> None:
    assert not CALENDAR.is_workday(day)


def test_spring_festival_2024_make_up_sunday_feb_4_is_a_working_day() -> None:
    assert date(2024, 2, 4).weekday() == 6
    assert CALENDAR.is_workday(date(2024, 2, 4))


def test_spring_festival_2024_make_up_sunday_feb_18_is_a_working_day() -> None:
    assert date(2024, 2, 18).weekday() == 6
    assert CALENDAR.is_workday(date(2024, 2, 18))


def test_national_day_2023_sep_29_to_oct_6_are_off() -> None:
    day = date(2023, 9, 29)
    while day <= date(2023, 10, 6):
        assert not CALENDAR.is_workday(day), day
        day += timedelta(days=1)


def test_national_day_2023_weekend_oct_7_and_8_are_worked() -> None:
    assert CALENDAR.is_workday(date(2023, 10, 7))  # Saturday
    assert CALENDAR.is_workday(date(2023, 10, 8))  # Sunday


def test_new_year_2026_around_the_year_end() -> None:
    assert CALENDAR.is_workday(date(2025, 12, 31))  # Wednesday
    assert not CALENDAR.is_workday(date(2026, 1, 1))  # New Year's Day, Thursday
    assert not CALENDAR.is_workday(date(2026, 1, 2))  # Friday, off
    assert not CALENDAR.is_workday(date(2026, 1, 3))  # Saturday
    assert CALENDAR.is_workday(date(2026, 1, 4))  # Sunday, make-up working day
    assert CALENDAR.is_workday(date(2026, 1, 5))  # Monday


def test_spring_festival_2026() -> None:
    assert CALENDAR.is_workday(date(2026, 2, 14))  # Saturday, make-up
    assert not CALENDAR.is_workday(date(2026, 2, 16))  # Monday, New Year's Eve week
    assert not CALENDAR.is_workday(date(2026, 2, 23))  # Monday, last day off
    assert CALENDAR.is_workday(date(2026, 2, 24))
    assert CALENDAR.is_workday(date(2026, 2, 28))  # Saturday, make-up


def test_national_day_2026() -> None:
    assert CALENDAR.is_workday(date(2026, 9, 20))  # Sunday, make-up
    assert not CALENDAR.is_workday(date(2026, 10, 1))
    assert CALENDAR.is_workday(date(2026, 10, 10))  # Saturday, make-up


def test_library_years_are_official() -> None:
    assert CALENDAR.is_official(2021)
    assert CALENDAR.is_official(2024)
    assert CALENDAR.is_official(2026)


# --- provisional years -------------------------------------------------------------------


def test_2027_is_provisional_monday_to_friday() -> None:
    assert not CALENDAR.is_official(2027)
    assert CALENDAR.is_workday(date(2027, 1, 1))  # Friday: no arrangement yet
    assert not CALENDAR.is_workday(date(2027, 1, 2))  # Saturday
    assert not CALENDAR.is_workday(date(2027, 2, 7))  # Sunday
    assert CALENDAR.is_workday(date(2027, 2, 8))  # Monday


def test_a_year_before_the_library_is_provisional() -> None:
    assert not CALENDAR.is_official(1999)
    assert CALENDAR.is_workday(date(1999, 10, 1))  # a Friday, counted Mon-Fri


# --- loaded arrangements ----------------------------------------------------------------


def test_arrangement_for_2027_makes_it_official() -> None:
    calendar = WorkdayCalendar({2027: ARRANGEMENT_2027})
    assert calendar.is_official(2027)
    assert not calendar.is_workday(date(2027, 1, 1))  # holiday, Friday
    assert calendar.is_workday(date(2027, 2, 7))  # make-up Sunday
    assert calendar.is_workday(date(2027, 2, 20))  # make-up Saturday
    assert not calendar.is_workday(date(2027, 2, 8))  # holiday, Monday
    assert calendar.is_workday(date(2027, 2, 10))  # ordinary Wednesday
    assert not calendar.is_workday(date(2027, 2, 13))  # ordinary Saturday


def test_with_arrangement_returns_a_new_calendar() -> None:
    loaded = CALENDAR.with_arrangement(ARRANGEMENT_2027)
    assert loaded.is_official(2027)
    assert not CALENDAR.is_official(2027)


def test_arrangement_overrides_the_library() -> None:
    # An administrator correcting 2024: 2024-02-09 (Friday) off, 2024-02-18 not worked.
    arrangement = YearArrangement.from_lists(
        2024,
        holidays=[date(2024, 2, 9), *(date(2024, 2, d) for d in range(10, 18))],
        workdays=[date(2024, 2, 4)],
    )
    calendar = WorkdayCalendar({2024: arrangement})
    assert not calendar.is_workday(date(2024, 2, 9))
    assert not calendar.is_workday(date(2024, 2, 18))
    assert calendar.is_workday(date(2024, 2, 4))
    # Other library holidays of 2024 are gone too: the arrangement is the whole year.
    assert calendar.is_workday(date(2024, 10, 1))


def test_calendar_refuses_an_arrangement_under_the_wrong_year() -> None:
    with pytest.raises(ValueError, match="2027"):
        WorkdayCalendar({2028: ARRANGEMENT_2027})


def test_arrangement_to_dict_lists_sorted_iso_dates() -> None:
    assert ARRANGEMENT_2027.to_dict() == {
        "year": 2027,
        "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"],
        "workdays": ["2027-02-07", "2027-02-20"],
    }


# --- arrangement validation ------------------------------------------------------------


def test_arrangement_refuses_a_holiday_of_another_year() -> None:
    with pytest.raises(ValueError, match="holiday 2026-12-31 is not in 2027"):
        YearArrangement.from_lists(2027, holidays=[date(2026, 12, 31)], workdays=[])


def test_arrangement_refuses_a_workday_of_another_year() -> None:
    with pytest.raises(ValueError, match="workday 2028-01-02 is not in 2027"):
        YearArrangement.from_lists(2027, holidays=[], workdays=[date(2028, 1, 2)])


def test_arrangement_refuses_a_day_both_holiday_and_workday() -> None:
    with pytest.raises(ValueError, match="2027-02-07 is listed both as a holiday and as a workday"):
        YearArrangement.from_lists(2027, holidays=[date(2027, 2, 7)], workdays=[date(2027, 2, 7)])


def test_arrangement_validates_on_direct_construction() -> None:
    with pytest.raises(ValueError, match="2026-10-01"):
        YearArrangement(2027, frozenset({date(2026, 10, 1)}), frozenset())


def test_arrangement_refuses_a_datetime() -> None:
    with pytest.raises(ValueError, match="is not a date"):
        YearArrangement.from_lists(2027, holidays=[datetime(2027, 1, 1, 0, 0)], workdays=[])


# --- adding working days -------------------------------------------------------------------


def test_add_workdays_skips_spring_festival_2024() -> None:
    # Thursday 2024-02-08 -> Friday 02-09 is the 1st, Sunday 02-18 the 2nd.
    assert CALENDAR.add_workdays(date(2024, 2, 8), 1) == (date(2024, 2, 9), True)
    assert CALENDAR.add_workdays(date(2024, 2, 8), 2) == (date(2024, 2, 18), True)


def test_add_workdays_counts_strictly_after_start() -> None:
    # Start on a working day: that day itself does not count.
    assert CALENDAR.add_workdays(date(2024, 3, 4), 1) == (date(2024, 3, 5), True)


def test_add_zero_workdays_is_the_start() -> None:
    assert CALENDAR.add_workdays(date(2024, 2, 10), 0) == (date(2024, 2, 10), True)


def test_add_negative_workdays_is_refused() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_workdays(date(2024, 2, 10), -1)


def test_add_workdays_into_2027_is_provisional() -> None:
    # 2026-12-29, 30, 31, then Mon-Fri in 2027: Jan 1, 4, 5, 6, 7, 8, 11.
    assert CALENDAR.add_workdays(date(2026, 12, 28), 10) == (date(2027, 1, 11), False)


def test_add_workdays_within_2026_is_official_even_late_in_the_year() -> None:
    assert CALENDAR.add_workdays(date(2026, 12, 14), 10) == (date(2026, 12, 28), True)


def test_add_workdays_into_loaded_2027_is_official() -> None:
    calendar = WorkdayCalendar({2027: ARRANGEMENT_2027})
    # 2026-12-29, 30, 31, then 2027-01-04 .. 08, 11, 12 (Jan 1 is a holiday).
    assert calendar.add_workdays(date(2026, 12, 28), 10) == (date(2027, 1, 12), True)


def test_add_many_workdays_across_several_years() -> None:
    day, official = CALENDAR.add_workdays(date(2021, 12, 31), 250 * 3)
    assert official
    assert CALENDAR.count_workdays(date(2021, 12, 31), day) == (750, True)
    assert CALENDAR.is_workday(day)


# --- counting working days ---------------------------------------------------------------


def test_count_workdays_excludes_after_and_includes_through() -> None:
    # Friday 2024-02-09 -> Monday 02-19: Sunday 02-18 and Monday 02-19.
    assert CALENDAR.count_workdays(date(2024, 2, 9), date(2024, 2, 19)) == (2, True)


def test_count_workdays_over_an_empty_range_is_zero() -> None:
    assert CALENDAR.count_workdays(date(2024, 2, 9), date(2024, 2, 9)) == (0, True)
    assert CALENDAR.count_workdays(date(2024, 2, 9), date(2024, 2, 1)) == (0, True)


def test_count_workdays_over_a_weekend_is_zero() -> None:
    assert CALENDAR.count_workdays(date(2024, 3, 8), date(2024, 3, 10)) == (0, True)


def test_count_workdays_from_dec_31_consults_only_the_next_year() -> None:
    # Nothing of 2026 is counted, so the count is as official as 2027.
    assert CALENDAR.count_workdays(date(2026, 12, 31), date(2027, 1, 4)) == (2, False)
    assert CALENDAR.count_workdays(date(2025, 12, 31), date(2026, 1, 5)) == (2, True)


def test_count_workdays_into_2027_is_provisional() -> None:
    assert CALENDAR.count_workdays(date(2026, 12, 30), date(2027, 1, 1)) == (2, False)


def test_count_workdays_matches_a_day_by_day_count() -> None:
    after, through = date(2022, 12, 20), date(2025, 1, 10)
    expected = 0
    day = after + timedelta(days=1)
    while day <= through:
        expected += CALENDAR.is_workday(day)
        day += timedelta(days=1)
    assert CALENDAR.count_workdays(after, through) == (expected, True)


def test_count_workdays_over_years_is_cheap() -> None:
    calendar = WorkdayCalendar()
    calendar.count_workdays(date(2018, 1, 1), date(2027, 12, 31))  # warm the year tables
    started = time.perf_counter()
    for offset in range(5000):
        calendar.count_workdays(date(2018, 1, 1) + timedelta(days=offset % 700), date(2026, 11, 25))
    assert time.perf_counter() - started < 1.0
