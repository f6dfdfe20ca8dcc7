"""The working-day calendar in force: the library plus years an admin loaded."""

from __future__ import annotations

from chalicelib.domain.workdays import WorkdayCalendar


def workday_calendar() -> WorkdayCalendar:
    """The calendar to judge deadlines with.

    Administrator-loaded years (``PUT /v1/calendar/{year}``) are layered on top
    of the library by the calendar service once it stores them.
    """
    return WorkdayCalendar()
