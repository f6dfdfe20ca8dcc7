"""The programmes repository: every read and write of the ``programs`` table.

Services ask for programmes by intention (``get``, ``get_many``, ``page``) and hand
new or changed ones back (``add``, ``save_if_unchanged``; a change that goes in the
change feed is committed through ``store/ledger.py``). A programme is a
``Program`` item (``store/models.py``); ``tests/twins.py`` has the in-memory twin
the service unit tests use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.store import ledger
from chalicelib.store.models import Program

__all__ = [
    "Program",
    "add",
    "commit",
    "get",
    "get_many",
    "new",
    "of_authority",
    "page",
    "save_if_unchanged",
]
# BatchGetItem takes at most 100 keys per request.
BATCH_GET_MAX = 100


def new(**fields: Any) -> Program:
    """A programme not stored yet (``add`` stores it)."""
    return Program(**fields)


def get(program_id: str) -> Program | None:
    """The programme, read consistently; None when there is none."""
    try:
        return Program.get(program_id, consistent_read=True)
    except Program.DoesNotExist:
        return None


def get_many(program_ids: Iterable[str]) -> dict[str, Program]:
    """The programmes of these ids that exist, by id: one BatchGet per 100 (the one loop)."""
    ids = sorted(set(program_ids))
    found: dict[str, Program] = {}
    for start in range(0, len(ids), BATCH_GET_MAX):
        for program in Program.batch_get(ids[start : start + BATCH_GET_MAX]):
            found[program.id] = program
    return found


def of_authority(authority_id: str) -> Iterator[Program]:
    """Every programme of one authority (a few dozen at most), oldest first."""
    return iter(Program.by_authority.query(authority_id))


def page(authority_id: str | None, before: str | None, size: int) -> Iterator[Program]:
    """Programmes newest first (of one authority, or all), after the ``before`` listing key.

    Reads ``size`` items per request and keeps reading while the caller iterates
    (it stops when it has what it keeps).
    """
    condition = Program.listing_key < before if before else None
    if authority_id:
        return iter(
            Program.by_authority.query(
                authority_id, condition, scan_index_forward=False, page_size=size
            )
        )
    return iter(
        Program.by_listing.query("program", condition, scan_index_forward=False, page_size=size)
    )


def add(program: Program) -> None:
    """Store a new programme."""
    program.save()


def commit(program: Program, change: ledger.Change, at: str) -> None:
    """Save ``program`` (its next version) with its change-feed entry, in one transaction.

    ``ledger.CommitConflict`` when a concurrent writer won.
    """
    ledger.commit(program.authority_id, change, at, lambda transaction: transaction.save(program))


def save_if_unchanged(program: Program) -> None:
    """Save a change not published in the change feed; ``ledger.CommitConflict`` when its
    stored version moved since it was read."""
    ledger.save_if_unchanged(program)
