"""Mainland China's official working days: the one place that knows them.

Every deadline and every lateness count in the registry is measured in working
days as the State Council arranges them each year (holidays plus make-up
working Saturdays and Sundays), so one calendar must answer for all of them.

Sources, most authoritative first, decided per year:

1. an arrangement an administrator loaded as data (``PUT /v1/calendar/{year}``),
   so a newly published notice takes effect without a redeploy and can correct
   the library;
2. the maintained ``chinese_calendar`` library, for the years it ships;
3. otherwise Monday to Friday, and the year is *provisional*: results that
   depend on it are marked so and recomputed once the year is loaded.

Answers are computed a whole year at a time and kept as a sorted tuple of
working days, so counting across several years costs a few binary searches.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class YearArrangement:
    """The State Council's arrangement for one year, as loaded by an administrator.

    Only the exceptions are listed: ``holidays`` are days off (weekdays or not)
    and ``workdays`` are the adjusted working days (usually a Saturday or a
    Sunday). Every other Monday-Friday is a working day.

    Construction validates the dates, so an arrangement that exists is usable.

    Raises
    ------
    ValueError
        If a date is outside ``year`` or is both a holiday and a workday.

    Examples
    --------
    >>> YearArrangement.from_lists(2027, [date(2027, 1, 1)], [date(2027, 2, 7)]).year
    2027
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def from_lists(
        cls, year: int, holidays: Iterable[date], workdays: Iterable[date]
    ) -> YearArrangement:
        """Build an arrangement from any iterables of dates (e.g. parsed JSON lists)."""
        return cls(year=year, holidays=frozenset(holidays), workdays=frozenset(workdays))

    def validate(self) -> None:
        """Refuse dates that would silently make the calendar wrong.

        A date of another year would never be consulted (it belongs to that
        year's arrangement), and a date in both lists has no meaning.
        """
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ValueError(f"year must be an integer, got {self.year!r}")
        if not date.min.year <= self.year <= date.max.year:
            raise ValueError(f"year {self.year} is out of range")
        for label, days in (("holiday", self.holidays), ("workday", self.workdays)):
            for day in sorted(days, key=_sort_key):
                if not isinstance(day, date) or isinstance(day, datetime):
                    raise ValueError(f"{label} {day!r} is not a date")
                if day.year != self.year:
                    raise ValueError(
                        f"{label} {day.isoformat()} is not in {self.year}; "
                        f"it belongs to the {day.year} arrangement"
                    )
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"{both[0].isoformat()} is listed both as a holiday and as a workday")

    def to_dict(self) -> dict:
        """JSON-ready form with sorted ISO dates, for storage and the API."""
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }


class WorkdayCalendar:
    """Answers "is this a working day?" and counts working days across years.

    Parameters
    ----------
    arrangements
        Administrator-loaded years, keyed by year. They override the library.

    Examples
    --------
    >>> calendar = WorkdayCalendar()
    >>> calendar.is_workday(date(2024, 2, 4))  # a make-up Sunday
    True
    >>> calendar.add_workdays(date(2024, 2, 8), 2)
    (datetime.date(2024, 2, 18), True)
    """

    def __init__(self, arrangements: Mapping[int, YearArrangement] | None = None) -> None:
        self._arrangements: dict[int, YearArrangement] = dict(arrangements or {})
        for year, arrangement in self._arrangements.items():
            if arrangement.year != year:
                raise ValueError(
                    f"arrangement for {arrangement.year} was given under the key {year}"
                )
        self._years: dict[int, tuple[tuple[int, ...], frozenset[int], bool]] = {}

    @property
    def arrangements(self) -> Mapping[int, YearArrangement]:
        """The loaded arrangements (a copy; the calendar itself never changes)."""
        return dict(self._arrangements)

    def with_arrangement(self, arrangement: YearArrangement) -> WorkdayCalendar:
        """Return a new calendar with ``arrangement`` loaded (replacing that year).

        Calendars are immutable so cached answers can never go stale; loading a
        year means building a new calendar.
        """
        return WorkdayCalendar({**self._arrangements, arrangement.year: arrangement})

    def is_official(self, year: int) -> bool:
        """Whether ``year`` comes from a loaded arrangement or the library."""
        return self._year(year)[2]

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day in mainland China."""
        return day.toordinal() in self._year(day.year)[1]

    def add_workdays(self, start: date, n: int) -> tuple[date, bool]:
        """Return the ``n``-th working day strictly after ``start``.

        The flag is ``True`` when every year consulted is official; ``n == 0``
        returns ``start`` itself and consults nothing.

        Examples
        --------
        >>> WorkdayCalendar().add_workdays(date(2026, 12, 28), 10)
        (datetime.date(2027, 1, 11), False)
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return start, True
        official = True
        year = start.year
        after = start.toordinal()
        remaining = n
        while True:
            days, _, year_official = self._year(year)
            official = official and year_official
            first = bisect.bisect_right(days, after)
            available = len(days) - first
            if remaining <= available:
                return date.fromordinal(days[first + remaining - 1]), official
            remaining -= available
            year += 1

    def count_workdays(self, after: date, through: date) -> tuple[int, bool]:
        """Count working days ``d`` with ``after < d <= through``.

        The flag is ``True`` when every year consulted is official; an empty
        range (``through <= after``) returns ``(0, True)``.

        Examples
        --------
        >>> WorkdayCalendar().count_workdays(date(2024, 2, 9), date(2024, 2, 19))
        (2, True)
        """
        if through <= after:
            return 0, True
        low, high = after.toordinal(), through.toordinal()
        total = 0
        official = True
        for year in range((after + timedelta(days=1)).year, through.year + 1):
            days, _, year_official = self._year(year)
            official = official and year_official
            total += bisect.bisect_right(days, high) - bisect.bisect_right(days, low)
        return total, official

    def _year(self, year: int) -> tuple[tuple[int, ...], frozenset[int], bool]:
        cached = self._years.get(year)
        if cached is None:
            arrangement = self._arrangements.get(year)
            if arrangement is not None:
                days = _arranged_workdays(arrangement)
                official = True
            else:
                library = _library_workdays(year)
                official = library is not None
                days = library if library is not None else _weekday_workdays(year)
            cached = (days, frozenset(days), official)
            self._years[year] = cached
        return cached


def _sort_key(value: object) -> tuple[int, str]:
    return (0, value.isoformat()) if isinstance(value, date) else (1, repr(value))


def _days_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    one = timedelta(days=1)
    while day.year == year:
        yield day
        if day == date.max:
            return
        day += one


def _arranged_workdays(arrangement: YearArrangement) -> tuple[int, ...]:
    return tuple(
        d.toordinal()
        for d in _days_of(arrangement.year)
        if d in arrangement.workdays or (d.weekday() < 5 and d not in arrangement.holidays)
    )


@functools.cache
def _weekday_workdays(year: int) -> tuple[int, ...]:
    return tuple(d.toordinal() for d in _days_of(year) if d.weekday() < 5)


@functools.cache
def _library_workdays(year: int) -> tuple[int, ...] | None:
    """The library's working days for ``year``, or None if it does not know it.

    The library's data never changes within a process, so this is shared by all
    calendars; it raises NotImplementedError for years it does not ship.
    """
    # Measured cold-start lazy load: the library's tables load with the first deadline.
    import chinese_calendar

    try:
        return tuple(d.toordinal() for d in _days_of(year) if chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None
