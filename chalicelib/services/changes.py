"""The change feed: every committed change of public data, for provinces and mirrors (SPEC §4).

Each authority's changes carry a gapless ``seq`` taken in the same
transaction as the change (``store.ledger``). A consumer's position is
therefore a map *authority → last seq seen*, never a timestamp: commit times
of different authorities interleave arbitrarily (a push received earlier can
commit later after retries), so "everything up to time T" is not a safe
place to resume, while "everything of authority A up to seq N" is.

A page reads each authority's counter (one consistent BatchGet), then Queries
only the authorities that moved (``seq > position``, consistent reads) and
merges their entries by ``(committed_at, authority_id, seq)``, reading at most
``limit`` + (authorities that moved) entries: each Query asks for a share of
that budget, and a page whose budget cannot refill an authority ends short. From each
authority it takes only the unbroken run after its position: if an entry is
not visible yet while a later one is (DynamoDB shows the items of a committed
transaction to a Query with read-committed isolation), the page stops before
the hole and ``has_more`` stays true, so nothing is ever skipped.

The jobs that need "what changed since my last run" (audit, export) use
``read_changes`` with a position they keep themselves.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import places, validity
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import PUBLIC, award_for, program_for
from chalicelib.domain.errors import InvalidCursorError
from chalicelib.domain.queries import ChangesQuery
from chalicelib.observability import logger
from chalicelib.services.programs import program_facts
from chalicelib.store import changes as change_store
from chalicelib.store import secrets
from chalicelib.store.changes import ChangeEntry

SCOPE = scope_of("changes", {})
CURSOR_VERSION = 1

Position = dict[str, int]


@dataclass(frozen=True)
class ChangePage:
    """Entries in feed order, each with the position right after it."""

    entries: list[tuple[ChangeEntry, Position]]
    position: Position
    has_more: bool


def encode_position(position: Position) -> str:
    """A signed, opaque ``since`` cursor for ``position`` (zero positions left out)."""
    kept = {authority: seq for authority, seq in sorted(position.items()) if seq > 0}
    return encode_cursor(
        {"v": CURSOR_VERSION, "p": kept}, secret=secrets.server_secret(), scope=SCOPE
    )


def decode_position(token: str | None) -> Position:
    """The position in a ``since`` cursor; empty (the beginning) when there is none."""
    if token is None or token == "":
        return {}
    try:
        payload = decode_cursor(token, secret=secrets.server_secret(), scope=SCOPE)
    except InvalidCursorError as error:
        raise InvalidCursorError(error.message, field="since") from None
    if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION:
        raise InvalidCursorError("the cursor is not a change-feed cursor", field="since")
    positions = payload.get("p")
    if not isinstance(positions, dict):
        raise InvalidCursorError("the cursor is not a change-feed cursor", field="since")
    position: Position = {}
    for authority, seq in positions.items():
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise InvalidCursorError("the cursor is malformed", field="since")
        if authority in AUTHORITY_IDS:  # an authority that left the pilot has nothing new
            position[authority] = seq
    return position


def _heads() -> Position:
    """Each authority's latest ``seq``, read consistently in one BatchGet."""
    return change_store.heads()


def current_position() -> Position:
    """Where the feed ends now: each authority's latest ``seq`` (a new subscription starts here)."""
    return {authority: seq for authority, seq in _heads().items() if seq > 0}


def _unbroken_run(authority_id: str, after: int, limit: int) -> list[ChangeEntry]:
    """Entries ``after+1, after+2, …`` up to the first hole, at most ``limit``."""
    run: list[ChangeEntry] = []
    expected = after + 1
    for entry in change_store.after(authority_id, after, limit=limit, page_size=limit):
        if entry.seq != expected:
            logger.warning(
                "change feed hole", extra={"authority_id": authority_id, "seq": expected}
            )
            break
        run.append(entry)
        expected += 1
    return run


def _order(entry: ChangeEntry) -> tuple[str, str, int]:
    return (entry.committed_at, entry.authority_id, int(entry.seq))


class _Runs:
    """The entries read so far of each authority that moved, refilled within a budget.

    The budget is ``limit`` + (authorities that moved): each Query asks for at most a
    share of what is left, so a page never reads more than that, however many entries
    wait. An authority is *finished* for this page when its run reached its head, met a
    hole, or Query found fewer entries than asked.
    """

    def __init__(self, heads: Position, position: Position, moved: list[str], limit: int):
        self.heads = heads
        self.read_to = {authority: position.get(authority, 0) for authority in moved}
        self.buffers: dict[str, deque[ChangeEntry]] = {a: deque() for a in moved}
        self.finished: set[str] = set()
        self.budget = limit + len(moved)

    def starving(self) -> list[str]:
        """Authorities with nothing buffered that may still have entries."""
        return [a for a, b in self.buffers.items() if not b and a not in self.finished]

    def refill(self, authorities: list[str]) -> bool:
        """Read the next entries of ``authorities``; False when the budget is spent."""
        share = self.budget // len(authorities)
        if share < 1:
            return False
        for authority in authorities:
            after = self.read_to[authority]
            wanted = min(share, self.heads[authority] - after)
            run = _unbroken_run(authority, after, wanted)
            self.budget -= len(run)
            self.buffers[authority].extend(run)
            self.read_to[authority] = after + len(run)
            if len(run) < wanted or self.read_to[authority] >= self.heads[authority]:
                self.finished.add(authority)
        return True

    def next_entry(self) -> ChangeEntry | None:
        """The earliest buffered entry, once every unfinished authority has one buffered.

        Only the heads of the runs are compared, so each authority's entries stay in seq
        order even where their commit times are not monotonic. ``None``: the page ends
        (nothing left, or the budget cannot refill an authority that may hold an earlier
        entry).
        """
        starving = self.starving()
        if starving and not self.refill(starving):
            return None
        heads = [b[0] for b in self.buffers.values() if b]
        if not heads:
            return None
        earliest = min(heads, key=_order)
        return self.buffers[earliest.authority_id].popleft()


def read_changes(position: Position, limit: int) -> ChangePage:
    """The next ``limit`` changes after ``position``, and where to resume.

    Reads at most ``limit`` + (authorities with new entries) entries, so the page
    may be short (``has_more`` then says to continue).

    Parameters
    ----------
    position
        Last ``seq`` seen per authority (missing = none seen).
    limit
        Most entries to return.

    Examples
    --------
    >>> page = read_changes({}, 20)          # doctest: +SKIP
    >>> page = read_changes(page.position, 20)  # doctest: +SKIP
    """
    heads = _heads()
    moved = [a for a in sorted(heads) if heads[a] > position.get(a, 0)]
    runs = _Runs(heads, position, moved, limit)
    current = dict(position)
    entries: list[tuple[ChangeEntry, Position]] = []
    while len(entries) < limit:
        entry = runs.next_entry()
        if entry is None:
            break
        current[entry.authority_id] = int(entry.seq)
        entries.append((entry, dict(current)))
    has_more = any(head > current.get(authority, 0) for authority, head in heads.items())
    return ChangePage(entries=entries, position=current, has_more=has_more)


def public_data(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """An entry's ``data`` as the public may see it: the change feed is public for
    everyone (a key does not widen it), so no project manager, key id or review reason."""
    if entity == "award":
        return award_for(data, PUBLIC)
    return program_for(data, PUBLIC)


def _programs_of(entries: list[ChangeEntry]) -> dict[str, dict[str, Any]]:
    """The programmes of the award entries on a page (one BatchGet: a page is <= 100)."""
    ids = {e.data.get("program_id") for e in entries if e.entity == "award"} - {None}
    return program_facts(ids) if ids else {}


def award_data_at(data: dict[str, Any], committed_at: str, program: dict | None) -> dict[str, Any]:
    """An award entry's data with its ``validity`` *as of the entry* and its place names.

    A withdrawal is final (approved → withdrawn, never back), so the programme's
    withdrawal applies to the entries committed at or after it; earlier entries keep
    ``valid`` (a mirror learns of the withdrawal from the programme's ``status`` entry,
    which comes in between, and re-marks that programme's awards).
    """
    withdrawal = validity.withdrawal_of(program)
    if withdrawal is None or (withdrawal["withdrawn_at"] or "") > committed_at:
        program = None
    return places.with_location(validity.with_validity(dict(data), program))


def entry_view(
    entry: ChangeEntry, cursor: str, programs: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    data = public_data(entry.entity, entry.data)
    if entry.entity == "award":
        program = (programs or {}).get(data.get("program_id") or "")
        data = award_data_at(data, entry.committed_at, program)
    return {
        "cursor": cursor,
        "authority_id": entry.authority_id,
        "seq": int(entry.seq),
        "entity": entry.entity,
        "id": entry.entity_id,
        "op": entry.op,
        "version": int(entry.version),
        "committed_at": entry.committed_at,
        "data": data,
    }


def list_changes(query: ChangesQuery) -> dict[str, Any]:
    """``GET /v1/changes``: one page of the feed after ``since``."""
    page = read_changes(decode_position(query.since), query.limit)
    programs = _programs_of([entry for entry, _ in page.entries])
    return {
        "items": [
            entry_view(entry, encode_position(after), programs) for entry, after in page.entries
        ],
        "next_cursor": encode_position(page.position),
        "has_more": page.has_more,
    }
