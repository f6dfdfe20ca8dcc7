"""Commit a write together with its change-feed entry and sequence number.

Every change of public data goes through ``commit``: the caller's items, the
``ChangeEntry`` and the authority's ``seq`` counter are one TransactWrite, so
the feed is gapless per authority and never shows a change that did not
happen. The counter is bumped under a condition on its old value; when two
writers race, one transaction is cancelled and ``CommitConflict`` tells the
caller to re-read its state and try again.

That re-read, decide, commit loop is written once, ``until_committed``: every
write service passes it one attempt (a function that reads what it needs,
decides, and commits or raises ``CommitConflict``), and the loop tries again
with a jittered back-off until it lands or the attempts run out (503). The
number of attempts and the back-off are settings, with their reason, in
``config.py`` (``commit_attempts``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import GetError, PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain.errors import UnavailableError
from chalicelib.store import aws
from chalicelib.store.models import AuthorityRecord, ChangeEntry

T = TypeVar("T")

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
    """The connection transactions go through, on the process's one DynamoDB client."""
    global _connection
    if _connection is None:
        _connection = Connection(region=settings().region)
    _connection._client = aws.client("dynamodb")
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

    def with_entry(transaction: TransactWrite) -> None:
        writes(transaction)
        transaction.save(entry, condition=ChangeEntry.seq.does_not_exist())
        transaction.update(
            authority,
            actions=[AuthorityRecord.seq.set(seq + 1)],
            condition=AuthorityRecord.seq == seq,
        )

    transact(with_entry)
    return entry


def transact(writes: Callable[[TransactWrite], None]) -> None:
    """Apply ``writes`` as one TransactWrite.

    A cancelled transaction (a condition failed: someone else wrote first) or a
    throttled one raises ``CommitConflict``; any other refusal is a 503.
    """
    try:
        with TransactWrite(connection=connection()) as transaction:
            writes(transaction)
    except TransactWriteError as exc:
        code = exc.cause_response_code
        if code in ("TransactionCanceledException", "TransactionConflictException"):
            raise CommitConflict(str(exc)) from exc
        if code in _THROTTLING:
            raise CommitConflict(code) from exc
        raise UnavailableError("storage rejected the write, try again") from exc


def until_committed(attempt: Callable[[], T]) -> T:
    """Call ``attempt`` until it returns instead of raising ``CommitConflict``.

    Each call should read the state afresh, decide, and commit: a conflict means
    a concurrent writer won, so its decision may now be different. Between calls
    it sleeps a jittered, doubling back-off; when ``settings().commit_attempts``
    calls all conflicted it raises ``UnavailableError`` (503 ``unavailable``).

    Examples
    --------
    >>> def revoke() -> dict:
    ...     record = load_record(award_id)  # re-read on every attempt
    ...     return commit_version(record, ...)  # raises CommitConflict on a lost race
    >>> view = until_committed(revoke)  # doctest: +SKIP
    """
    config = settings()
    for number in range(config.commit_attempts):
        if number:
            step = config.commit_backoff_ms * 2 ** min(number, 6)
            time.sleep(random.uniform(0, min(config.commit_backoff_cap_ms, step)) / 1000)
        try:
            return attempt()
        except CommitConflict:
            continue
    raise UnavailableError("too many concurrent changes, try again")


def save_if_unchanged(item: Model) -> None:
    """Save a versioned item (``VersionAttribute``) not published in the change feed.

    ``CommitConflict`` when its stored version moved since it was read.
    """
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise CommitConflict("the item changed since it was read") from exc
        raise
