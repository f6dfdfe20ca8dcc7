"""The ``submissions`` table: what provinces tell MOHURD besides awards.

- ``ZeroReport`` (``pk = ZERO#<authority>``, ``sk = <period_to>#<id>``): "no
  in-scope awards in this period". Sorted by the period's end, so the audit
  reads only the reports that end inside the gap it is judging.
- ``Feedback`` (``pk = FEEDBACK``, ``sk = <created_at>#<id>``): ideas and
  problems; one partition, newest last, read by the audit from its position.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

SUBMISSIONS_META = table_meta("submissions")
FEEDBACK_PK = "FEEDBACK"


class ZeroReport(Model):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    period_from = UnicodeAttribute()
    period_to = UnicodeAttribute()
    note = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()

    @staticmethod
    def key(authority_id: str) -> str:
        return f"ZERO#{authority_id}"


def zero_reports_of(authority_id: str, *, before: str | None, limit: int) -> list[ZeroReport]:
    """Up to ``limit`` of one authority's reports, latest period end first, after ``before``.

    ``before`` is a sort key from the previous page; one Query, bounded by ``limit``.
    """
    condition = ZeroReport.sk < before if before else None
    rows = ZeroReport.query(
        ZeroReport.key(authority_id),
        condition,
        scan_index_forward=False,
        consistent_read=True,
        limit=limit,
    )
    return list(rows)


class Feedback(Model):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True, default=FEEDBACK_PK)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
