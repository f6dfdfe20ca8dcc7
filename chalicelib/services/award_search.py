"""``GET /v1/awards?q=``: awards whose winner or project name contains a fragment.

Reads the search index (``store/search.py``), eventually consistent: an award is
found once the change-feed consumer indexed it (seconds in the cloud, well under
a second locally). A page:

1. probes up to ``PROBE_MAX`` of the fragment's bigrams (the first few items of
   each, from the page's position) and keeps the sparsest (``_rarest``); any bigram
   of the fragment would give the same answer, only at another cost;
2. reads on in that pair's items, newest first (``sort=date``, on ``sk``) or by the
   lead winner's folded name (``sort=name``, the ``by_name`` index), checking the
   whole fragment and the filters on the text each item carries;
3. fetches the records it serves (consistent BatchGet) and checks them again,
   so an award corrected or revoked since it was indexed is left out.

Every page reads at most ``Settings.read_bound(limit)`` items in all (probes,
index items, records). When the bound stops the reading, the page answers what it
found (possibly nothing) with a cursor after the last item read. The first page
counts the matches it read: ``total`` is exact when it read the bigram's whole
partition, otherwise a lower bound (``total_is_lower_bound: true``); later pages
carry the first page's total in their signed cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.queries import AwardFilter
from chalicelib.domain.search_text import award_text, bigrams, matches, search_query
from chalicelib.store import search as search_store
from chalicelib.store import secrets
from chalicelib.store.awards import AwardRecord, records_by_id
from chalicelib.store.search import BigramEntry

SORTS = ("date", "name")
NOT_WITH_Q = ("credit_code", "enterprise_name", "source_id")
QUERY_PAGE_MAX = 100
PROBE_MAX = 8


@dataclass(frozen=True)
class SearchPage:
    """The records one search page serves, and what the answer says about the rest."""

    records: list[AwardRecord]
    next_cursor: str | None
    total: int
    total_is_lower_bound: bool


def _keeps(filters: dict[str, Any], status: str, authority_id: str, program_id: str, year: int):
    return (
        (filters["include_revoked"] or status == "active")
        and filters["authority_id"] in (None, authority_id)
        and filters["program_id"] in (None, program_id)
        and filters["year"] in (None, year)
    )


def _probe_pairs(pairs: list[str]) -> list[str]:
    """At most ``PROBE_MAX`` of the fragment's bigrams, spread over it (any one will do:
    every match contains them all; probing picks the cheapest to read)."""
    if len(pairs) <= PROBE_MAX:
        return pairs
    step = (len(pairs) - 1) / (PROBE_MAX - 1)
    return list(dict.fromkeys(pairs[round(i * step)] for i in range(PROBE_MAX)))


def _rarest(pairs: list[str], sort: str, after: str | None, size: int):
    """The bigram whose partition is cheapest to read, with its first items and whether
    they are all of it.

    Reads the first ``size`` items (in ``sort`` order after ``after``) of each probed
    bigram. A partition that ends within them is read completely; otherwise the one
    whose first items reach furthest (oldest date, or latest name) is the sparsest.
    """
    probes = {pair: list(_entries(pair, sort, after, size)) for pair in _probe_pairs(pairs)}

    ended = [pair for pair, items in probes.items() if len(items) < size]
    if ended:
        pair = min(ended, key=lambda p: len(probes[p]))
    else:
        reach = {pair: _position(items[-1], sort) for pair, items in probes.items()}
        pair = (min if sort == "date" else max)(reach, key=reach.__getitem__)
    return pair, probes[pair], len(probes[pair]) < size, sum(map(len, probes.values()))


def _entries(pair: str, sort: str, after: str | None, size: int) -> Iterator[BigramEntry]:
    """One bigram's items in ``sort`` order after ``after``, read a Query page at a time."""
    return search_store.entries(pair, sort, after, size, page_size=min(size, QUERY_PAGE_MAX))


def _position(entry: BigramEntry, sort: str) -> str:
    return entry.sk if sort == "date" else entry.name_key


def search_records(query: AwardFilter, filters: dict[str, Any]) -> SearchPage:
    """One page of the awards matching ``query.q`` and ``filters`` (already validated)."""
    fragment = search_query(query.q or "")
    sort, limit = query.sort, query.limit
    for name in NOT_WITH_Q:
        if filters.get(name) is not None:
            raise ValidationError(f"q cannot be combined with {name}", field="q")
    secret = secrets.server_secret()
    kept = {k: v for k, v in filters.items() if k not in NOT_WITH_Q}
    scope = scope_of("awards-search", {**kept, "q": fragment, "sort": sort})
    state: dict[str, Any] | None = None
    if query.cursor:
        state = decode_cursor(query.cursor, secret=secret, scope=scope)
    pairs = bigrams(fragment)
    budget = settings().read_bound(limit) - limit  # index items; the rest: records served
    after = state["after"] if state is not None else None
    probe_size = max(1, min(limit + 1, budget // (2 * min(len(pairs), PROBE_MAX))))
    pair, first, complete, probed = _rarest(pairs, sort, after, probe_size)
    first_page = state is None
    served: list[BigramEntry] = []
    total, last_read, exhausted, read = 0, None, True, probed - len(first)

    def candidates():
        yield from first
        if not complete and first:
            yield from _entries(pair, sort, _position(first[-1], sort), budget - probed)

    for entry in candidates():
        read += 1
        last_read = _position(entry, sort)
        if matches(fragment, entry.text) and _keeps(
            filters, entry.status, entry.authority_id, entry.program_id, int(entry.year)
        ):
            total += 1
            if len(served) < limit + 1:
                served.append(entry)
            elif not first_page:
                break
        if read >= budget:
            exhausted = False
            break
    if len(served) > limit:
        served = served[:limit]
        position: str | None = _position(served[-1], sort)
    else:
        position = None if exhausted else last_read
    if state is None:  # the first page
        total_is_lower_bound = not exhausted
    else:
        total, total_is_lower_bound = state["total"], state["lower"]
    next_cursor = None
    if position is not None:
        payload = {"after": position, "total": total, "lower": total_is_lower_bound}
        next_cursor = encode_cursor(payload, secret=secret, scope=scope)
    return SearchPage(_current(served, fragment, filters), next_cursor, total, total_is_lower_bound)


def _current(
    served: list[BigramEntry], fragment: str, filters: dict[str, Any]
) -> list[AwardRecord]:
    """The served awards whose *current* record still matches, in the page's order."""
    if not served:
        return []
    records = records_by_id([entry.award_id for entry in served])
    found = []
    for entry in served:
        record = records.get(entry.award_id)
        if (
            record is not None
            and matches(fragment, award_text(record.content))
            and _keeps(
                filters, record.status, record.authority_id, record.program_id, int(record.year)
            )
        ):
            found.append(record)
    return found
