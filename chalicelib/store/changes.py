"""The change feed repository: entries per authority by ``seq``, and each authority's head.

An entry is written only by ``store/ledger.commit``, in the transaction of the
change it records, with the authority's sequence counter (``AuthorityRecord.seq``).
Readers here: the public feed (``services/changes.py``), the daily audit
(``services/audit_changes.py``), the nightly export and the search indexer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.store.models import AuthorityRecord, ChangeEntry

__all__ = [
    "ChangeEntry",
    "after",
    "award_creations",
    "from_image",
    "get_many",
    "heads",
    "programs_and_changes",
    "replace_data",
    "seqs_of",
]


def heads() -> dict[str, int]:
    """Each authority's latest ``seq`` (0 when none), read consistently in one BatchGet."""
    records = AuthorityRecord.batch_get(
        sorted(AUTHORITY_IDS), consistent_read=True, attributes_to_get=["id", "seq"]
    )
    found = {record.id: int(record.seq or 0) for record in records}
    return {authority_id: found.get(authority_id, 0) for authority_id in AUTHORITY_IDS}


def after(
    authority_id: str, seq: int, *, limit: int, page_size: int | None = None
) -> Iterator[ChangeEntry]:
    """The authority's entries after ``seq``, in order, read consistently, at most ``limit``."""
    return iter(
        ChangeEntry.query(
            authority_id,
            ChangeEntry.seq > seq,
            consistent_read=True,
            limit=limit,
            page_size=page_size,
        )
    )


def programs_and_changes(authority_id: str, seq: int, *, page_size: int) -> Iterator[ChangeEntry]:
    """Up to ``seq``: every programme entry and every award entry but a creation, in order."""
    return iter(
        ChangeEntry.query(
            authority_id,
            ChangeEntry.seq <= seq,
            filter_condition=(ChangeEntry.entity == "program") | (ChangeEntry.op != "create"),
            consistent_read=True,
            page_size=page_size,
        )
    )


def award_creations(authority_id: str, seq: int, *, page_size: int) -> Iterator[ChangeEntry]:
    """Up to ``seq``: the creation entry of every award, in order (ids and first views)."""
    return iter(
        ChangeEntry.query(
            authority_id,
            ChangeEntry.seq <= seq,
            filter_condition=(ChangeEntry.entity == "award") & (ChangeEntry.op == "create"),
            consistent_read=True,
            attributes_to_get=["authority_id", "seq", "entity_id", "data"],
            page_size=page_size,
        )
    )


def get_many(keys: Iterable[tuple[str, int]]) -> list[ChangeEntry]:
    """The entries at these ``(authority_id, seq)`` (at most 100), read consistently."""
    return list(ChangeEntry.batch_get(list(keys), consistent_read=True))


def seqs_of(entity_id: str) -> list[int]:
    """The ``seq`` of every entry of one award or programme (the ``by_entity`` index:
    eventually consistent, a moment behind a commit)."""
    return [int(item.seq) for item in ChangeEntry.by_entity.query(entity_id)]


def replace_data(entry: ChangeEntry, data: dict[str, Any]) -> None:
    """Rewrite an entry's ``data`` in place (a redaction's erasure only)."""
    entry.update(actions=[ChangeEntry.data.set(data)])


def from_image(image: dict[str, Any]) -> ChangeEntry:
    """An entry from a DynamoDB stream record's ``NewImage``."""
    return ChangeEntry.from_raw_data(image)
