"""The awards repository's lists: which index serves a filter, shards merged, a read bound.

Every list of awards is a DynamoDB Query, GetItem or BatchGet, never a Scan. The
newest-first list of all awards merges the ``by_shard`` index partitions; the other
filters pick the narrowest index (authority + year, year over its shards, programme,
authority, credit code, enterprise name) and the rest is checked on the items read.

Every page reads at most ``Settings.read_bound(limit)`` stored items, whatever the
table size: when a filter checked here rejects many items, the page stops at the
bound and answers what it found (possibly nothing) with the position after the last
item *read*. A position is a ``feed_key`` (``submitted_at#id``); the service keeps it
in a signed cursor bound to the filters (``services/award_reads.py``).

``filters`` (a mapping) has the keys ``authority_id``, ``program_id``, ``source_id``,
``year``, ``credit_code``, ``enterprise_name`` (folded, ``domain.names.fold_name``) and
``include_revoked``; a key absent or None does not filter.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.names import name_key, name_partition, winner_names
from chalicelib.store.awards import by_source, credit_code_page, records_by_id
from chalicelib.store.base import newest_first
from chalicelib.store.batch_reads import records_and_statuses
from chalicelib.store.models import AwardRecord, EnterpriseNameEntry


@dataclass
class Page:
    """Up to ``limit`` records newest first, and where to continue (None: the end).

    ``programs``: facts (``{"status", "status_history"}``) of programmes read with
    the records (verify reads them in the same BatchGetItem), by id.
    """

    records: list[AwardRecord]
    position: str | None
    programs: dict[str, dict[str, Any]] = field(default_factory=dict)


def page(filters: Mapping[str, Any], before: str | None, limit: int) -> Page:
    """The awards matching ``filters`` newest first, after ``before``, within the read bound."""
    include_revoked = bool(filters.get("include_revoked"))
    authority_id, program_id = filters.get("authority_id"), filters.get("program_id")
    year, code = filters.get("year"), filters.get("credit_code")
    name = filters.get("enterprise_name")

    def keep(record: AwardRecord) -> bool:
        return (
            (include_revoked or record.status == "active")
            and (authority_id is None or record.authority_id == authority_id)
            and (program_id is None or record.program_id == program_id)
            and (year is None or record.year == year)
            and (code is None or code in record.credit_codes)
            and (name is None or any(n.startswith(name) for n in winner_names(record.content)))
        )

    stream = _stream_for(filters, before, limit, _Budget(settings().read_bound(limit)))
    records, position = _page(stream, keep, limit)
    return Page(records, position)


def verify_page(code: str, before: str | None, limit: int) -> Page:
    """Awards naming ``code`` now (revoked too), newest first, read consistently, with
    their programmes' facts read in the same requests."""
    budget = _Budget(settings().read_bound(limit))
    statuses: dict[str, dict[str, Any]] = {}
    records, position = _page(
        _credit_code_stream(code, before, limit + 1, budget, statuses), lambda r: True, limit
    )
    return Page(records, position, statuses)


class _BoundReached(Exception):
    """The page has read as many stored items as it may: answer what was found."""


class _Budget:
    """The stored items one page may still read (``Settings.read_bound``)."""

    def __init__(self, items: int) -> None:
        self.remaining = items

    def take(self, wanted: int, per_item: int = 1) -> int:
        """How many candidates the next read may ask for; ``_BoundReached`` when none."""
        allowed = min(wanted, self.remaining // per_item)
        if allowed < 1:
            raise _BoundReached
        return allowed

    def spend(self, items: int) -> None:
        self.remaining -= items


# A candidate: the feed_key of a stored item read, and its record when it still is one
# (``None``: read but not an award of this answer, e.g. a renamed winner's index item).
Candidate = tuple[str, AwardRecord | None]


def _credit_code_stream(
    code: str,
    before: str | None,
    page: int,
    budget: _Budget,
    statuses: dict[str, dict[str, Any]] | None = None,
) -> Iterator[Candidate]:
    """Awards naming ``code`` now, newest first, read consistently from the base table.

    The records and their programmes' statuses (into ``statuses``) come in one
    BatchGetItem per page, with the programme named by each index item.
    """
    statuses = {} if statuses is None else statuses
    start = None
    while True:
        size = budget.take(page, per_item=2)  # an index item and its record
        chunk, next_start = credit_code_page(code, before, size=size, start=start)
        records: dict[str, AwardRecord] = {}
        if chunk:
            wanted = [e.program_id for e in chunk if e.program_id and e.program_id not in statuses]
            records, found = records_and_statuses([entry.award_id for entry in chunk], wanted)
            statuses.update(found)
        budget.spend(len(chunk) + len(records))
        for entry in chunk:
            record = records.get(entry.award_id)
            # A correction may have removed the winner: its index item stays (never deleted).
            yield entry.sk, record if record is not None and code in record.credit_codes else None
        start = next_start
        if start is None:
            return


def _name_stream(
    folded: str, year: int | None, before: str | None, page: int, budget: _Budget
) -> Iterator[Candidate]:
    """Awards with a winner whose name ever started with ``folded``, newest first.

    The index orders by name, not time, so the matching items (small, one
    partition) are read first and sorted; a prefix matching more than
    ``name_search_max`` of them is refused rather than read on every request.
    Items carry the record's year, so a search with ``year`` fetches only that
    year's records. Callers check the record's current winners (a renamed
    winner's item stays).
    """
    limit = settings().name_search_max
    entries = EnterpriseNameEntry.query(
        EnterpriseNameEntry.key(name_partition(folded)),
        EnterpriseNameEntry.sk.startswith(name_key(folded)),
    )
    newest: dict[str, str] = {}
    for count, entry in enumerate(entries, start=1):
        if count > limit:
            raise ValidationError(
                f"more than {limit} awards match this enterprise name; type more of it",
                field="enterprise_name",
            )
        if year is not None and entry.year is not None and entry.year != year:
            continue
        if before is None or entry.feed_key < before:
            newest[entry.award_id] = entry.feed_key
    ordered = sorted(newest, key=newest.__getitem__, reverse=True)
    start = 0
    while start < len(ordered):
        chunk = ordered[start : start + budget.take(page)]
        start += len(chunk)
        records = records_by_id(chunk)
        budget.spend(len(records))
        for award_id in chunk:
            yield newest[award_id], records.get(award_id)


def _index_stream(
    index: Any, hash_key: str, before: str | None, page: int, budget: _Budget
) -> Iterator[Candidate]:
    """One index partition newest first, a page per Query, within the budget."""
    condition = AwardRecord.feed_key < before if before else None
    start = None
    while True:
        size = budget.take(page)
        records, start = newest_first(index, hash_key, condition, size=size, start=start)
        budget.spend(len(records))
        for record in records:
            yield record.feed_key, record
        if start is None:
            return


def _merged_stream(
    index: Any, hash_keys: list[str], before: str | None, page: int, budget: _Budget
) -> Iterator[Candidate]:
    """Several partitions of ``index`` (the shards of one listing) merged newest first.

    Each partition's Queries ask for a share of the page within an equal share of
    the budget, so the bound is reached only after items were served; when a
    partition then needs another page and none is left, the whole merge stops
    (``_BoundReached``): serving the other partitions' older items would step
    over that partition's unread ones.
    """
    # About twice a partition's expected part of the page: most pages need no second
    # Query of any partition, and none reads ``page`` items from each of them.
    expected = -(-2 * page // len(hash_keys))
    share = max(1, min(page, max(2, expected), budget.remaining // len(hash_keys)))
    streams = [_index_stream(index, key, before, share, budget) for key in hash_keys]
    return heapq.merge(*streams, key=lambda candidate: candidate[0], reverse=True)


def _page(
    stream: Iterable[Candidate],
    keep: Callable[[AwardRecord], bool],
    limit: int,
) -> tuple[list[AwardRecord], str | None]:
    """Up to ``limit`` kept records and the position to continue after, if any.

    The position is the last item *served* when the page is full and another match
    exists, and the last item *read* when the read bound stopped the page (which may
    then be short, even empty): everything newer than it has been looked at.
    """
    items: list[AwardRecord] = []
    last_read: str | None = None
    try:
        for feed_key, record in stream:
            if record is not None and keep(record):
                if len(items) == limit:
                    return items, items[-1].feed_key
                items.append(record)
            last_read = feed_key
    except _BoundReached:
        # Every stream reads before it can hit the bound, so last_read is set here.
        return items, last_read
    return items, None


def _stream_for(
    filters: Mapping[str, Any], before: str | None, limit: int, budget: _Budget
) -> Iterable[Candidate]:
    """The narrowest stored order serving ``filters``; ``keep`` checks the rest.

    When the index serves every filter but the (rare) revoked status, a Query asks for
    one more item than the page; otherwise for larger pages, to fill the page in
    fewer round trips within the same bound.
    """
    authority_id, program_id, year = (
        filters.get("authority_id"),
        filters.get("program_id"),
        filters.get("year"),
    )
    code, name = filters.get("credit_code"), filters.get("enterprise_name")
    narrow = limit + 1
    wide = min(100, budget.remaining)
    if filters.get("source_id") is not None:  # the service requires authority_id with it
        return _by_source(str(authority_id), filters["source_id"], before)
    if code is not None:
        return _credit_code_stream(code, before, wide, budget)
    if name is not None:
        page = narrow if authority_id is None and program_id is None else wide
        return _name_stream(name, year, before, page, budget)
    shards = [str(shard) for shard in range(settings().shards)]
    if program_id is not None:
        page = narrow if authority_id is None and year is None else wide
        return _index_stream(AwardRecord.by_program, program_id, before, page, budget)
    if authority_id is not None and year is not None:
        key = f"{authority_id}#{year}"
        return _index_stream(AwardRecord.by_authority_year, key, before, narrow, budget)
    if authority_id is not None:
        return _index_stream(AwardRecord.by_authority, authority_id, before, narrow, budget)
    if year is not None:
        keys = [f"{year}#{shard}" for shard in shards]
        return _merged_stream(AwardRecord.by_year, keys, before, narrow, budget)
    return _merged_stream(AwardRecord.by_shard, shards, before, narrow, budget)


def _by_source(authority_id: str, source_id: str, before: str | None) -> list[Candidate]:
    found = by_source(authority_id, source_id)
    if found is None:
        return []
    record = found[1]
    return [(record.feed_key, record)] if before is None or record.feed_key < before else []
