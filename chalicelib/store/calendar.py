"""The ``calendar`` table: working-day arrangements an administrator loaded.

Current arrangements share one partition (``pk = "ARRANGEMENT"``, ``sk`` the
year), so the whole calendar is one Query of a few dozen items. A replaced
arrangement is kept under ``pk = "HISTORY#<year>"`` (nothing is deleted).
"""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.domain.workdays import YearArrangement
from chalicelib.store.base import string_list, table_meta

CURRENT = "ARRANGEMENT"


class CalendarYear(Model):
    Meta = table_meta("calendar")

    pk = UnicodeAttribute(hash_key=True)  # CURRENT | HISTORY#<year>
    sk = UnicodeAttribute(range_key=True)  # "<year>" | "<revision:06d>"
    year = NumberAttribute()
    holidays = string_list(default=list)
    workdays = string_list(default=list)
    loaded_at = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    revision = NumberAttribute()

    @staticmethod
    def history_key(year: int) -> str:
        return f"HISTORY#{year}"


def arrangement_of(item: CalendarYear) -> YearArrangement:
    return YearArrangement.from_lists(
        int(item.year),
        (date.fromisoformat(d) for d in item.holidays or []),
        (date.fromisoformat(d) for d in item.workdays or []),
    )


def load_arrangements() -> dict[int, YearArrangement]:
    """Every loaded year, in one Query of the ``ARRANGEMENT`` partition."""
    return {
        int(item.year): arrangement_of(item)
        for item in CalendarYear.query(CURRENT, consistent_read=True)
    }


def stored(year: int) -> CalendarYear | None:
    """The arrangement loaded for ``year``, if any."""
    try:
        return CalendarYear.get(CURRENT, str(year), consistent_read=True)
    except CalendarYear.DoesNotExist:
        return None
