"""Keeps the name-search index (``store/search.py``) in step with the committed awards.

Runs *after* the write transaction, from the change feed: in the cloud a
DynamoDB stream on the ``changes`` table invokes ``jobs/search_index.py`` for
each new entry (typically within seconds); locally ``devtools/search_worker.py``
polls the feed and calls the same ``index_change``. Each change entry carries the
award's full view, so indexing reads nothing from the awards table.

Idempotent and ordered per award: the ``SearchDoc`` remembers the version
indexed, so a replayed stream record (delivery is at-least-once) or an older
change arriving after a newer one is skipped. All changes of one award come from
one authority, the ``changes`` partition key, so the stream delivers them in order.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.search_text import award_text, bigrams, sort_name
from chalicelib.observability import logger
from chalicelib.services.changes import Position, read_changes
from chalicelib.store import changes as change_store
from chalicelib.store import search as search_store
from chalicelib.store.changes import ChangeEntry


def feed_key_of(view: dict[str, Any]) -> str:
    """The award's position in the newest-first order (as ``AwardRecord.feed_key``)."""
    return f"{view['submitted_at']}#{view['id']}"


def index_award(view: dict[str, Any]) -> bool:
    """Index one version of an award; False when that version (or a later one) already is.

    Every bigram of the new text gets an item with the current text; every bigram only
    the previous version had gets its item overwritten with the current text too (so it
    no longer matches) and is then forgotten. A few requests per award: one GetItem, one
    or two BatchWriteItem (25 items each), one PutItem.
    """
    award_id, version = view["id"], int(view["version"])
    done, previous = search_store.indexed(award_id)
    if done >= version:
        return False
    text = award_text(view)
    pairs = bigrams(text)
    feed_key = feed_key_of(view)
    search_store.put_entries(
        dict.fromkeys([*pairs, *previous]),
        sk=feed_key,
        award_id=award_id,
        text=text,
        status=view.get("status", "active"),
        authority_id=view["authority_id"],
        program_id=view["program_id"],
        year=int(view["year"]),
        name_key=f"{sort_name(view)}#{feed_key}",
        version=version,
    )
    if not search_store.mark_indexed(award_id, version, pairs):
        # A newer version was indexed meanwhile: its items win on the next change anyway.
        logger.warning("search index raced", extra={"award_id": award_id, "version": version})
    return True


def index_change(entry: ChangeEntry) -> bool:
    """Index the award a change-feed entry carries (programme changes are not searched)."""
    if entry.entity != "award":
        return False
    return index_award(entry.data)


def index_image(image: dict[str, Any]) -> bool:
    """Index the change entry of a DynamoDB stream record's ``NewImage``."""
    return index_change(change_store.from_image(image))


def catch_up(position: Position, limit: int = 100) -> tuple[Position, bool]:
    """Index the next ``limit`` changes after ``position`` (the local worker's step).

    Returns the new position and whether more changes wait. Where there is no stream
    (``make run``, the e2e stack, tests) this consumes the public change feed's order,
    which never skips an entry (``services/changes.py``).
    """
    page = read_changes(position, limit)
    for entry, _after in page.entries:
        index_change(entry)
    return page.position, page.has_more
