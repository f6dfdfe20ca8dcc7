"""The ``calendar`` table: working-day arrangements an administrator loaded.

Current arrangements share one partition (``pk = "ARRANGEMENT"``, ``sk`` the
year), so the whole calendar is one Query of a few dozen items. A replaced
arrangement is kept under ``pk = "HISTORY#<year>"`` (nothing is deleted).
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

CURRENT = "ARRANGEMENT"


class CalendarYear(Model):
    Meta = table_meta("calendar")

    pk = UnicodeAttribute(hash_key=True)  # CURRENT | HISTORY#<year>
    sk = UnicodeAttribute(range_key=True)  # "<year>" | "<revision:06d>"
    year = NumberAttribute()
    holidays = ListAttribute(of=UnicodeAttribute, default=list)
    workdays = ListAttribute(of=UnicodeAttribute, default=list)
    loaded_at = UnicodeAttribute()
    loaded_by = UnicodeAttribute()
    revision = NumberAttribute()

    @staticmethod
    def history_key(year: int) -> str:
        return f"HISTORY#{year}"
