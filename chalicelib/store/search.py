"""The ``search`` table: the substring index of winner and project names (issue 12).

Built asynchronously from the change feed (``services/search_index.py``), never in
the write transaction, so search is eventually consistent while verification by
credit code keeps reading the awards table consistently. Two item kinds:

- ``BigramEntry`` (``pk = BG#<bigram>``, ``sk = <feed_key>``): one per character
  pair of an award's searchable text, carrying that text and the few fields the
  public filters on, so a query checks the whole fragment on the index item and
  fetches only the records it serves. ``by_name`` orders one bigram's items by
  the lead winner's folded name for ``sort=name``.
- ``SearchDoc`` (``pk = DOC#<award_id>``): the version last indexed and its
  bigrams, so a replayed or older change is skipped and a correction knows which
  items it left behind.

Bigram partitions are not sharded: a common pair (公司, 有限) takes one write per award,
from the stream function, which processes a stream shard's records one batch at a time;
even a backfill's rate stays far below one partition's 1,000 writes a second. A read of
a common pair is bounded by the page's read bound, not by the partition's size.

Nothing here is deleted: a bigram a correction removed keeps its item,
overwritten once with the award's *current* text, which by construction no
longer contains any fragment with that pair, so it never matches again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import StoreModel, string_list, table_meta

SEARCH_META = table_meta("search")


class BigramNameIndex(GlobalSecondaryIndex):
    """One bigram's items by ``<folded lead winner name>#<feed_key>`` (``sort=name``)."""

    class Meta:
        index_name = "by_name"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class BigramEntry(StoreModel):
    """An award under one character pair of its names, newest first by ``sk``."""

    Meta = SEARCH_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    award_id = UnicodeAttribute()
    text = UnicodeAttribute()
    status = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    program_id = UnicodeAttribute()
    year = NumberAttribute()
    name_key = UnicodeAttribute()
    version = NumberAttribute()

    by_name = BigramNameIndex()

    @staticmethod
    def key(bigram: str) -> str:
        return f"BG#{bigram}"


class SearchDoc(StoreModel):
    """What the index holds of one award: the version indexed and its bigrams."""

    Meta = SEARCH_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="DOC")
    version = NumberAttribute()
    bigrams = string_list(default=list)

    @staticmethod
    def key(award_id: str) -> str:
        return f"DOC#{award_id}"


def entries(
    pair: str, sort: str, after: str | None, size: int, *, page_size: int
) -> Iterator[BigramEntry]:
    """One bigram's items after ``after``, at most ``size``: newest first (``sort="date"``,
    by ``sk``) or by the lead winner's folded name (``"name"``, the ``by_name`` index)."""
    if sort == "date":
        condition = BigramEntry.sk < after if after else None
        return iter(
            BigramEntry.query(
                BigramEntry.key(pair),
                condition,
                scan_index_forward=False,
                limit=size,
                page_size=page_size,
            )
        )
    named = BigramEntry.name_key > after if after else None
    return iter(
        BigramEntry.by_name.query(BigramEntry.key(pair), named, limit=size, page_size=page_size)
    )


def indexed(award_id: str) -> tuple[int, list[str]]:
    """The version of the award indexed last (0: never) and the bigrams it was indexed under."""
    try:
        doc = SearchDoc.get(SearchDoc.key(award_id), "DOC", consistent_read=True)
    except SearchDoc.DoesNotExist:
        return 0, []
    return int(doc.version), [str(pair) for pair in doc.bigrams or []]


def put_entries(pairs: Iterable[str], **fields: Any) -> None:
    """One ``BigramEntry`` per pair (``fields``: ``sk`` and the award's indexed fields),
    written in BatchWriteItems of 25; an existing item of the same pair and award is
    overwritten."""
    with BigramEntry.batch_write() as batch:
        for pair in pairs:
            batch.save(BigramEntry(pk=BigramEntry.key(pair), **fields))


def mark_indexed(award_id: str, version: int, pairs: list[str]) -> bool:
    """Remember ``version`` (and its bigrams) as indexed, unless a newer one was (False)."""
    doc = SearchDoc(pk=SearchDoc.key(award_id), version=version, bigrams=pairs)
    try:
        doc.save(condition=SearchDoc.version.does_not_exist() | (SearchDoc.version < version))
    except PutError:
        return False
    return True
