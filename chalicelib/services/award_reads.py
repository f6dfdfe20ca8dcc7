"""Public reads of awards: lists, one award, and verification by credit code.

Every read is a DynamoDB Query, GetItem or BatchGet, never a Scan. The
newest-first list of all awards merges the ``by_shard`` index partitions; the
other filters pick the narrowest index (authority + year, year over its shards,
programme, authority, credit code) and check the rest in Python. An
enterprise-name search reads the name index items of its prefix (small
items, one Query on one partition), orders them newest first and fetches the
records a page at a time.

Every page reads at most ``Settings.read_bound(limit)`` stored items, whatever
the table size: when a filter checked in Python rejects many items, the page
stops at the bound and answers what it found (possibly nothing) with a cursor
after the last item *read*. A page position is a ``feed_key``
(``submitted_at#id``), kept in a signed cursor bound to the filters.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.china_time import china_date
from chalicelib.domain.credit_code import InvalidCreditCodeError, validate_credit_code
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import award_for, reader_of
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.messages_zh import CREDIT_CODE_ZH, field_message_zh
from chalicelib.domain.names import (
    PARTITION_CHARS,
    fold_name,
    name_key,
    name_partition,
    winner_names,
)
from chalicelib.domain.places import with_location
from chalicelib.domain.queries import AwardFilter, VerifyQuery
from chalicelib.domain.validity import with_validity
from chalicelib.services.award_search import search_records
from chalicelib.services.keys import Principal
from chalicelib.services.programs import program_facts
from chalicelib.store.awards import (
    award_history,
    award_view,
    by_source,
    credit_code_page,
    load_record,
    records_by_id,
)
from chalicelib.store.base import iso_utc, newest_first
from chalicelib.store.batch_reads import records_and_statuses
from chalicelib.store.models import (
    AwardRecord,
    EnterpriseNameEntry,
)

BATCH_GET_MAX = 100
NAME_QUERY_MAX_CHARS = 200


def _credit_code(raw: str | None, *, field: str = "credit_code") -> str:
    if raw is None or not raw.strip():
        raise ValidationError("credit_code is required", field=field)
    try:
        return validate_credit_code(raw, today=china_date(clock.now()))
    except InvalidCreditCodeError as exc:
        raise ValidationError(
            f"credit_code: {exc}",
            field=field,
            message_zh=field_message_zh(field, CREDIT_CODE_ZH[exc.reason]),
        ) from None


def with_program_status(
    views: list[dict[str, Any]], known: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each award with what a verifier must see beside it: its programme's status when not
    approved, its ``validity`` (``domain.validity``: one rule everywhere) and the names of
    its project's place (``domain.places``).

    ``known``: programme facts already read (verify reads them with the records, in the
    same BatchGetItem); only the other programmes are fetched (one BatchGet per 100).
    """
    found = dict(known or {})
    found.update(program_facts({view["program_id"] for view in views} - set(found)))
    for view in views:
        program = found.get(view["program_id"])
        status = program and program["status"]
        if status and status != "approved":
            view["program_status"] = status
        with_validity(view, program)
        with_location(view)
    return views


def finished(view: dict[str, Any]) -> dict[str, Any]:
    """One award as a write answers it to its owner or an admin (with its programme's status)."""
    return with_program_status([view])[0]


def for_reader(views: list[dict[str, Any]], principal: Principal | None) -> list[dict[str, Any]]:
    """Each award as this caller may see it (its owner and admins see everything)."""
    return [award_for(view, reader_of(principal, view["authority_id"])) for view in views]


def get_award(award_id: str, principal: Principal | None = None) -> dict[str, Any]:
    record = load_record(award_id)
    view = finished(award_view(record))
    view["history"] = award_history(award_id)
    return for_reader([view], principal)[0]


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


def _enterprise_name(raw: str) -> str:
    folded = fold_name(raw)
    if len(folded) < PARTITION_CHARS:
        raise ValidationError(
            f"enterprise_name needs at least {PARTITION_CHARS} characters", field="enterprise_name"
        )
    if len(folded) > NAME_QUERY_MAX_CHARS:
        raise ValidationError(
            f"enterprise_name is over {NAME_QUERY_MAX_CHARS} characters", field="enterprise_name"
        )
    return folded


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


def list_awards(query: AwardFilter, principal: Principal | None = None) -> dict[str, Any]:
    """One page of ``GET /v1/awards``: ``query`` is read and bounded by the route."""
    authority_id, program_id, source_id = query.authority_id, query.program_id, query.source_id
    year, include_revoked, limit = query.year, query.include_revoked, query.limit
    if source_id is not None and authority_id is None:
        raise ValidationError("source_id needs authority_id", field="authority_id")
    code = _credit_code(query.credit_code) if query.credit_code is not None else None
    name = _enterprise_name(query.enterprise_name) if query.enterprise_name is not None else None
    filters: dict[str, Any] = {
        "authority_id": authority_id,
        "program_id": program_id,
        "source_id": source_id,
        "year": year,
        "credit_code": code,
        "enterprise_name": name,
        "include_revoked": include_revoked,
    }
    if query.q is not None:  # any part of a winner or project name: the search index
        found = search_records(query, filters)
        views = with_program_status([award_view(record) for record in found.records])
        return {
            "items": for_reader(views, principal),
            "next_cursor": found.next_cursor,
            "total": found.total,
            "total_is_lower_bound": found.total_is_lower_bound,
        }
    if query.sort == "name":  # sort=date is this order; no other list has a name order
        raise ValidationError("sort=name needs q (a search by name)", field="sort")
    secret = settings().server_secret
    scope = scope_of("awards", filters)
    before = None
    if query.cursor:
        before = decode_cursor(query.cursor, secret=secret, scope=scope)["before"]

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
    items, position = _page(stream, keep, limit)
    next_cursor = None
    if position is not None:
        next_cursor = encode_cursor({"before": position}, secret=secret, scope=scope)
    views = with_program_status([award_view(record) for record in items])
    return {"items": for_reader(views, principal), "next_cursor": next_cursor}


def _stream_for(
    filters: dict[str, Any], before: str | None, limit: int, budget: _Budget
) -> Iterable[Candidate]:
    """The narrowest stored order serving ``filters``; ``keep`` checks the rest.

    When the index serves every filter but the (rare) revoked status, a Query asks for
    one more item than the page; otherwise for larger pages, to fill the page in
    fewer round trips within the same bound.
    """
    authority_id, program_id, year = filters["authority_id"], filters["program_id"], filters["year"]
    code, name = filters["credit_code"], filters["enterprise_name"]
    narrow = limit + 1
    wide = min(100, budget.remaining)
    if filters["source_id"] is not None:
        return _by_source(authority_id, filters["source_id"], before)
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


def verify(query: VerifyQuery, principal: Principal | None = None) -> dict[str, Any]:
    """What a local authority checks instead of asking for paper proof (SPEC §1.5)."""
    code = _credit_code(query.credit_code)
    limit = query.limit
    secret = settings().server_secret
    scope = scope_of("verify", {"credit_code": code})
    before = None
    if query.cursor:
        before = decode_cursor(query.cursor, secret=secret, scope=scope)["before"]
    as_of = iso_utc(clock.now())
    budget = _Budget(settings().read_bound(limit))
    statuses: dict[str, dict[str, Any]] = {}
    records, position = _page(
        _credit_code_stream(code, before, limit + 1, budget, statuses), lambda r: True, limit
    )
    views = for_reader(
        with_program_status([award_view(r) for r in records], known=statuses), principal
    )
    for view in views:
        view["enterprise_role"] = next(
            w["role"] for w in view["winners"] if w["credit_code"] == code
        )
    next_cursor = None
    if position is not None:
        next_cursor = encode_cursor({"before": position}, secret=secret, scope=scope)
    return {
        "credit_code": code,
        "as_of": as_of,
        "awards": [v for v in views if v["status"] == "active"],
        "revoked": [v for v in views if v["status"] == "revoked"],
        "next_cursor": next_cursor,
    }
