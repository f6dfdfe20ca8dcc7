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

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import string_list, table_meta

SEARCH_META = table_meta("search")


class BigramNameIndex(GlobalSecondaryIndex):
    """One bigram's items by ``<folded lead winner name>#<feed_key>`` (``sort=name``)."""

    class Meta:
        index_name = "by_name"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class BigramEntry(Model):
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


class SearchDoc(Model):
    """What the index holds of one award: the version indexed and its bigrams."""

    Meta = SEARCH_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="DOC")
    version = NumberAttribute()
    bigrams = string_list(default=list)

    @staticmethod
    def key(award_id: str) -> str:
        return f"DOC#{award_id}"
