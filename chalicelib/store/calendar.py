"""The ``calendar`` table: working-day arrangements an administrator loaded.

Current arrangements share one partition (``pk = "ARRANGEMENT"``, ``sk`` the
year), so the whole calendar is one Query of a few dozen items. A replaced
arrangement is kept under ``pk = "HISTORY#<year>"`` (nothing is deleted).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.domain.workdays import YearArrangement
from chalicelib.store import ledger
from chalicelib.store.base import StoreModel, string_list, table_meta

CURRENT = "ARRANGEMENT"


class CalendarYear(StoreModel):
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


def replace(current: CalendarYear | None, *, year: int, **fields: Any) -> None:
    """Make ``fields`` the current arrangement of ``year``; ``current`` (the one read, if
    any) is kept as history, all in one transaction.

    ``ledger.CommitConflict`` when the year's arrangement changed since ``current`` was read.
    """
    revision = int(current.revision) if current is not None else 0
    item = CalendarYear(pk=CURRENT, sk=str(year), year=year, revision=revision + 1, **fields)

    def writes(transaction: Any) -> None:
        if current is None:
            transaction.save(item, condition=CalendarYear.pk.does_not_exist())
            return
        history = CalendarYear(
            pk=CalendarYear.history_key(year),
            sk=f"{revision:06d}",
            year=current.year,
            holidays=current.holidays,
            workdays=current.workdays,
            loaded_at=current.loaded_at,
            loaded_by=current.loaded_by,
            revision=revision,
        )
        transaction.save(history, condition=CalendarYear.pk.does_not_exist())
        transaction.save(item, condition=CalendarYear.revision == revision)

    ledger.transact(writes)
