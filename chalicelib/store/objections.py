"""The ``objections`` table: enterprises' objections (异议), their numbers and counters.

Item kinds under ``pk``/``sk``:

- ``Objection`` (``OBJ#<year>`` / ``YY-<year>-<sequence>``): one objection, with
  its private parts (``contact``, ``evidence``) beside the rest. Sorting by
  ``sk`` is sorting by number, which is filing order.
- ``ObjectionCounter`` (``OBJ#<year>`` / ``#COUNTER``): the last sequence number
  given out that year. A filing bumps it under a condition on its old value in
  the same transaction that puts the objection, so numbers are gapless and
  never reused; a lost race re-reads and tries again (``ledger.until_committed``).
- ``ObjectionStats`` (``STATS`` / <authority>): per routed province, what the
  timeliness table and the pilot statistics show (received, answered, answered
  on time, corrected, a histogram of working days to answer), moved in the
  same transaction as the objection it counts.

Sparse indexes keep the daily audit's reads to what it must judge:
``by_open`` (objections still waiting for an answer) and ``by_erase`` (closed
ones whose personal data has not been erased yet, by the date it is due).
``by_authority`` lists a province's objections by number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from chalicelib.domain.objections import parse_number
from chalicelib.store import ledger
from chalicelib.store.base import StoreModel, newest_first, table_meta
from chalicelib.store.models import ChangeEntry

OBJECTIONS_META = table_meta("objections")
COUNTER_SK = "#COUNTER"
STATS_PK = "STATS"
OPEN_PK = "OPEN"
ERASE_PK = "ERASE"


class ObjectionsByAuthority(GlobalSecondaryIndex):
    """A province's objections by number (newest last); administrators list per year."""

    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    authority_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class OpenObjections(GlobalSecondaryIndex):
    """Sparse: objections waiting for an answer (``open_pk`` set only while open)."""

    class Meta:
        index_name = "by_open"
        projection = AllProjection()

    open_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ErasePending(GlobalSecondaryIndex):
    """Sparse: closed objections whose contact and evidence wait for erasure, by due date."""

    class Meta:
        index_name = "by_erase"
        projection = KeysOnlyProjection()

    erase_pk = UnicodeAttribute(hash_key=True)
    erase_on = UnicodeAttribute(range_key=True)


class Objection(StoreModel):
    Meta = OBJECTIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # the number, YY-2026-000123
    number = UnicodeAttribute()
    kind = UnicodeAttribute()
    credit_code = UnicodeAttribute()
    award_id = UnicodeAttribute(null=True)
    authority_id = UnicodeAttribute()  # the province it is routed to now
    description = UnicodeAttribute()
    state = UnicodeAttribute()  # open | answered
    filed_at = UnicodeAttribute()
    filed_on = UnicodeAttribute()  # China date of filing
    routed_on = UnicodeAttribute()  # China date the deadline counts from (a transfer restarts)
    deadline = UnicodeAttribute()
    deadline_official = UnicodeAttribute()  # "true" | "false"
    token_hash = UnicodeAttribute()
    # Personal data: the routed province and administrators only; erased after closing.
    contact = JSONAttribute(null=True)
    evidence = JSONAttribute(null=True)  # [{id, filename, content_type, size, sha256, status…}]
    answer = JSONAttribute(null=True)  # {outcome, reply, at, by, change?}
    history = JSONAttribute()  # [{action, at, by, …}], oldest first
    answered_at = UnicodeAttribute(null=True)
    erased_at = UnicodeAttribute(null=True)
    open_pk = UnicodeAttribute(null=True)
    erase_pk = UnicodeAttribute(null=True)
    erase_on = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_authority = ObjectionsByAuthority()
    by_open = OpenObjections()
    by_erase = ErasePending()

    @staticmethod
    def key(year: int) -> str:
        return f"OBJ#{year:04d}"


class ObjectionCounter(StoreModel):
    Meta = OBJECTIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=COUNTER_SK)
    last = NumberAttribute(default=0)


class ObjectionStats(StoreModel):
    Meta = OBJECTIONS_META

    pk = UnicodeAttribute(hash_key=True, default=STATS_PK)
    sk = UnicodeAttribute(range_key=True)  # the authority
    received = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)
    answered_on_time = NumberAttribute(default=0)
    corrected = NumberAttribute(default=0)
    transferred_away = NumberAttribute(default=0)
    # On ``<authority>#days#<n>`` items: answers given n working days after filing. A
    # histogram of small items moved by ADD, so the median needs neither history nor a
    # read-modify-write.
    answers = NumberAttribute(default=0)

    @staticmethod
    def days_key(authority_id: str, days: int) -> str:
        return f"{authority_id}#days#{max(0, days):04d}"


# --- reads -------------------------------------------------------------------------------


def get(number: str) -> Objection | None:
    """The objection with this number (read consistently); None when there is none."""
    parsed = parse_number(number)
    if parsed is None:
        return None
    try:
        return Objection.get(Objection.key(parsed[0]), number, consistent_read=True)
    except Objection.DoesNotExist:
        return None


def last_number(year: int) -> int:
    """The last sequence number given out in ``year`` (0 before the first)."""
    try:
        return int(ObjectionCounter.get(Objection.key(year), COUNTER_SK, consistent_read=True).last)
    except ObjectionCounter.DoesNotExist:
        return 0


def of_authority(
    authority_id: str, *, before: str | None, size: int
) -> tuple[list[Objection], bool]:
    """Up to ``size`` of a province's objections, newest number first, before ``before``."""
    condition = Objection.sk < before if before else None
    rows, more = newest_first(Objection.by_authority, authority_id, condition, size=size)
    return rows, more is not None


def of_year(year: int, *, before: str | None, size: int) -> tuple[list[Objection], bool]:
    """Up to ``size`` objections of ``year`` (everyone's), newest number first."""
    condition = Objection.sk < before if before else Objection.sk.startswith("YY-")
    rows, more = newest_first(Objection, Objection.key(year), condition, size=size, consistent=True)
    return [row for row in rows if row.sk != COUNTER_SK], more is not None


def open_objections() -> list[Objection]:
    """Every objection waiting for an answer (the sparse ``by_open`` index)."""
    return list(Objection.by_open.query(OPEN_PK))


def due_for_erasure(today: str) -> list[Objection]:
    """Closed objections whose personal data is due for erasure on or before ``today``."""
    keys = Objection.by_erase.query(ERASE_PK, Objection.erase_on <= today)
    found = []
    for entry in keys:
        item = get(entry.sk)
        if item is not None and item.erase_pk:
            found.append(item)
    return found


def change_entry(authority_id: str, seq: int) -> dict[str, Any] | None:
    """One entry of an authority's change feed, as a plain dict; None when there is none."""
    try:
        entry = ChangeEntry.get(authority_id, seq, consistent_read=True)
    except ChangeEntry.DoesNotExist:
        return None
    return _entry_dict(entry)


def award_changes_after(award_id: str, authority_id: str, after: str) -> list[dict[str, Any]]:
    """An award's change entries of ``authority_id`` committed after ``after`` (oldest first).

    Through the ``by_entity`` index (keys only, eventually consistent), then
    each entry read from the table.
    """
    found = []
    for key in ChangeEntry.by_entity.query(award_id):
        if key.authority_id != authority_id:
            continue
        entry = change_entry(authority_id, int(key.seq))
        if entry is not None and entry["committed_at"] > after:
            found.append(entry)
    return found


def _entry_dict(entry: ChangeEntry) -> dict[str, Any]:
    return {
        "authority_id": entry.authority_id,
        "seq": int(entry.seq),
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "op": entry.op,
        "committed_at": entry.committed_at,
        "data": entry.data,
    }


def all_stats() -> tuple[dict[str, ObjectionStats], dict[str, dict[int, int]]]:
    """The per-province counters and answer-day histograms (one Query of small items)."""
    counters: dict[str, ObjectionStats] = {}
    days: dict[str, dict[int, int]] = {}
    for item in ObjectionStats.query(STATS_PK, consistent_read=True):
        authority, _, n = item.sk.partition("#days#")
        if n:
            days.setdefault(authority, {})[int(n)] = int(item.answers or 0)
        else:
            counters[authority] = item
    return counters, days


# --- writes ------------------------------------------------------------------------------


def stats_actions(**moves: int) -> list[Any]:
    """``ADD`` actions for the counters named in ``moves`` (e.g. ``received=1``)."""
    return [getattr(ObjectionStats, name).add(value) for name, value in moves.items() if value]


def file_new(year: int, build: Callable[[str], Objection]) -> Objection:
    """Give out the next number of ``year`` and put the objection ``build(number)`` makes.

    One transaction: the counter moves from its read value, the objection is
    put where none is, and its province's ``received`` counter moves. Raises
    ``ledger.CommitConflict`` when another filing took the number first.
    """
    from chalicelib.domain.objections import format_number

    last = last_number(year)
    item = build(format_number(year, last + 1))
    counter = ObjectionCounter(pk=Objection.key(year), sk=COUNTER_SK, last=last + 1)
    stats = ObjectionStats(pk=STATS_PK, sk=item.authority_id)

    def writes(tx: TransactWrite) -> None:
        if last == 0:
            tx.save(counter, condition=ObjectionCounter.sk.does_not_exist())
        else:
            tx.save(counter, condition=ObjectionCounter.last == last)
        tx.save(item, condition=Objection.sk.does_not_exist())
        tx.update(stats, actions=stats_actions(received=1))

    ledger.transact(writes)
    return item


def save_with_stats(item: Objection, moves: Iterable[tuple[str, dict[str, int]]] = ()) -> None:
    """Save a changed objection (version-checked) with counter moves, in one transaction.

    ``moves`` are ``(stats key, {counter: amount})``, the key an authority or
    ``ObjectionStats.days_key(...)``; ``ledger.CommitConflict`` when the
    objection changed since it was read.
    """
    pending = [(authority, counters) for authority, counters in moves if any(counters.values())]

    def writes(tx: TransactWrite) -> None:
        tx.save(item)
        for authority, counters in pending:
            tx.update(ObjectionStats(pk=STATS_PK, sk=authority), actions=stats_actions(**counters))

    ledger.transact(writes)
