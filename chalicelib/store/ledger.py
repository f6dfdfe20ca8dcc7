"""Commit a write together with its change-feed entry and sequence number.

Every change of public data goes through ``commit``: the caller's items, the
``ChangeEntry`` and the authority's ``seq`` counter are one TransactWrite, so
the feed is gapless per authority and never shows a change that did not
happen. The counter is bumped under a condition on its old value; when two
writers race, one transaction is cancelled and ``CommitConflict`` tells the
caller to re-read its state and try again (``retrying``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import GetError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain.errors import UnavailableError
from chalicelib.store.models import AuthorityRecord, ChangeEntry

MAX_ATTEMPTS = 40
_THROTTLING = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
}


class CommitConflict(Exception):
    """The transaction was cancelled by a concurrent writer; re-read and retry."""


@dataclass(frozen=True)
class Change:
    entity: str  # "award" | "program"
    entity_id: str
    op: str  # "create" | "update" | "revoke" | "status" | "redact"
    version: int
    data: dict[str, Any]


_connection: Connection | None = None


def connection() -> Connection:
    global _connection
    if _connection is None:
        _connection = Connection(region=settings().region)
    return _connection


def commit(
    authority_id: str,
    change: Change,
    committed_at: str,
    writes: Callable[[TransactWrite], None],
) -> ChangeEntry:
    """Apply ``writes`` and record ``change`` as the authority's next ``seq``, atomically."""
    try:
        authority = AuthorityRecord.get(authority_id, consistent_read=True)
    except AuthorityRecord.DoesNotExist:
        raise UnavailableError(f"authority {authority_id} is not loaded") from None
    except GetError as exc:
        raise UnavailableError("storage is unavailable, try again") from exc
    seq = int(authority.seq or 0)
    entry = ChangeEntry(
        authority_id=authority_id,
        seq=seq + 1,
        entity=change.entity,
        entity_id=change.entity_id,
        op=change.op,
        version=change.version,
        committed_at=committed_at,
        data=change.data,
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            writes(transaction)
            transaction.save(entry, condition=ChangeEntry.seq.does_not_exist())
            transaction.update(
                authority,
                actions=[AuthorityRecord.seq.set(seq + 1)],
                condition=AuthorityRecord.seq == seq,
            )
    except TransactWriteError as exc:
        code = exc.cause_response_code
        if code in ("TransactionCanceledException", "TransactionConflictException"):
            raise CommitConflict(str(exc)) from exc
        if code in _THROTTLING:
            raise CommitConflict(code) from exc
        raise UnavailableError("storage rejected the write, try again") from exc
    return entry


def retrying(max_attempts: int = MAX_ATTEMPTS) -> Iterator[int]:
    """Attempt numbers with jittered back-off between them; 503 when they run out.

    Use as ``for attempt in retrying(): ... try: commit(...) except CommitConflict: continue``.
    """
    for attempt in range(max_attempts):
        if attempt:
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))
        yield attempt
    raise UnavailableError("too many concurrent changes, try again")
