"""The ``submissions`` table: what provinces tell MOHURD besides awards.

- ``ZeroReport`` (``pk = ZERO#<authority>``, ``sk = <period_to>#<id>``): "no
  in-scope awards in this period". Sorted by the period's end, so the audit
  reads only the reports that end inside the gap it is judging.
- ``Feedback`` (``pk = FEEDBACK``, ``sk = <created_at>#<id>``): ideas and
  problems; one partition, newest last, read by the audit from its position and
  by the lists by creation time (a date window is a range of the sort key). An
  administrator's reply is written onto the item (``state``, ``reply``,
  ``handled_at``, every reply in ``replies``); it is never deleted.

Import jobs (``store/imports.py``) live here too, with their own sparse index
``imports_by_authority`` (an authority's imports by creation time; only import
jobs carry its key ``import_authority``).

The table's first index, ``by_id`` (keys only), finds an item by its ``id``: the
route ``POST /v1/feedback/{id}/handle`` names only the id. It is over an
attribute every item already has (so feedback sent before the index existed is
in it too); zero reports are in it as well, and a lookup checks the partition.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import StoreModel, newest_first, table_meta

SUBMISSIONS_META = table_meta("submissions")
FEEDBACK_PK = "FEEDBACK"


class SubmissionIdIndex(GlobalSecondaryIndex):
    """Items of the table by ``id`` (keys only): one small Query finds a feedback item.

    Eventually consistent: an item sent a moment ago may not be found for a moment.
    """

    class Meta:
        index_name = "by_id"
        projection = KeysOnlyProjection()

    id = UnicodeAttribute(hash_key=True)


class ImportsByAuthorityIndex(GlobalSecondaryIndex):
    """An authority's import jobs by ``created_at`` (whole items: they are small).

    Sparse: only import jobs have ``import_authority``. The daily sweep finds the
    open imports of the last days here (``store.imports.recent_jobs``), and a
    province's import history can be listed from it.
    """

    class Meta:
        index_name = "imports_by_authority"
        projection = AllProjection()

    import_authority = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ZeroReport(StoreModel):
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

    # Declared on both models of the table: the table is created from this one (ALL_TABLES).
    by_id = SubmissionIdIndex()
    # Declared here for the same reason; queried through ImportJob (store/imports.py).
    imports_by_authority = ImportsByAuthorityIndex()

    @staticmethod
    def key(authority_id: str) -> str:
        return f"ZERO#{authority_id}"


def zero_reports_of(authority_id: str, *, before: str | None, limit: int) -> list[ZeroReport]:
    """Up to ``limit`` of one authority's reports, latest period end first, after ``before``.

    ``before`` is a sort key from the previous page; one Query, bounded by ``limit``.
    """
    condition = ZeroReport.sk < before if before else None
    rows, _ = newest_first(
        ZeroReport, ZeroReport.key(authority_id), condition, size=limit, consistent=True
    )
    return rows


def add_zero_report(
    authority_id: str, *, report_id: str, period_to: str, **fields: Any
) -> ZeroReport:
    """Store a new zero report (sorted by its period's end) and return it."""
    report = ZeroReport(
        pk=ZeroReport.key(authority_id),
        sk=f"{period_to}#{report_id}",
        id=report_id,
        authority_id=authority_id,
        period_to=period_to,
        **fields,
    )
    report.save(condition=ZeroReport.pk.does_not_exist())
    return report


def zero_reports_ending_from(authority_id: str, day: str) -> list[ZeroReport]:
    """One authority's reports whose period ends on or after ``day`` (one Query)."""
    return list(
        ZeroReport.query(ZeroReport.key(authority_id), ZeroReport.sk >= day, consistent_read=True)
    )


class Feedback(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True, default=FEEDBACK_PK)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    # An administrator's handling (absent until then): the latest reply and its time, and
    # every reply given, oldest first ({reply, handled_at, handled_by}).
    state = UnicodeAttribute(null=True)
    reply = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    replies = JSONAttribute(null=True)
    version = VersionAttribute()

    by_id = SubmissionIdIndex()


def feedback_newest_first(
    *, upper: str | None, lower: str | None, size: int, start: dict[str, Any] | None = None
) -> tuple[list[Feedback], dict[str, Any] | None]:
    """One Query: up to ``size`` feedback items, newest first, with ``lower <= sk < upper``.

    ``upper`` is exclusive: a previous page's last sort key, or the end of a date
    window (an instant, which no sort key equals: each has ``#<id>`` after it).
    Returns the items and where the next Query starts (``None``: nothing older).
    """
    condition: Condition | None
    if lower is not None and upper is not None:
        condition = Feedback.sk.between(lower, upper)
    elif upper is not None:
        condition = Feedback.sk < upper
    elif lower is not None:
        condition = Feedback.sk >= lower
    else:
        condition = None
    rows, next_start = newest_first(
        Feedback, FEEDBACK_PK, condition, size=size, start=start, consistent=True
    )
    return [item for item in rows if item.sk != upper], next_start


def find_feedback(feedback_id: str) -> Feedback | None:
    """The feedback item with this id, read consistently; None when there is none."""
    for entry in Feedback.by_id.query(feedback_id, limit=1):
        if entry.pk != FEEDBACK_PK:
            return None  # a zero report's id
        try:
            return Feedback.get(entry.pk, entry.sk, consistent_read=True)
        except Feedback.DoesNotExist:
            return None
    return None


def add_feedback(**fields: Any) -> Feedback:
    """Store a new feedback item (sorted by its ``sk``, ``<created_at>#<id>``); return it."""
    item = Feedback(pk=FEEDBACK_PK, **fields)
    item.save(condition=Feedback.sk.does_not_exist())
    return item


def feedback_after(after: str | None, *, limit: int) -> list[Feedback]:
    """At most ``limit`` feedback items after position ``after`` (a sort key), oldest first."""
    condition = Feedback.sk > after if after else None
    return list(Feedback.query(FEEDBACK_PK, condition, consistent_read=True, limit=limit))
