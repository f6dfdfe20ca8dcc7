"""The API keys repository: keys stored as their HMAC, found by hash or by id.

A key is stored only as ``HMAC-SHA-256(server secret, key)`` (``services/keys.py``
computes it); the table is keyed by that hash, so checking a key is one consistent
GetItem. The ``by_role`` index (role, key_id) finds a key by its id and lists them.
Nothing is deleted: a revocation is a conditional update.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import GetError, PynamoDBException, UpdateError

from chalicelib.domain.errors import UnavailableError
from chalicelib.store.models import ApiKey

__all__ = ["ApiKey", "add", "by_hash", "by_id", "mark_revoked", "note_used", "page"]

_CONDITION_FAILED = "ConditionalCheckFailedException"


class BookkeepingFailed(Exception):
    """A key's last-used day could not be written (the fault's kind in the message)."""


def add(**fields: Any) -> ApiKey:
    """Store a new key (``key_hash`` and its facts)."""
    item = ApiKey(**fields)
    item.save()
    return item


def by_hash(key_hash: str) -> ApiKey | None:
    """The key stored under this HMAC, read consistently; None when there is none.

    ``UnavailableError`` (503) when DynamoDB cannot answer now.
    """
    try:
        return ApiKey.get(key_hash, consistent_read=True)
    except ApiKey.DoesNotExist:
        return None
    except GetError as exc:
        raise UnavailableError("cannot check the API key now, try again") from exc


def by_id(key_id: str, roles: Iterable[str]) -> ApiKey | None:
    """The key with this id (one small index Query per role), read consistently."""
    for role in roles:
        for entry in ApiKey.by_role.query(role, ApiKey.key_id == key_id, limit=1):
            try:
                return ApiKey.get(entry.key_hash, consistent_read=True)
            except ApiKey.DoesNotExist:
                return None
    return None


def page(roles: Iterable[str], before: str | None, size: int) -> list[ApiKey]:
    """Up to ``size`` keys of each role newest first (by id), older than ``before``."""
    rows: list[ApiKey] = []
    for role in roles:
        condition = ApiKey.key_id < before if before else None
        rows.extend(ApiKey.by_role.query(role, condition, scan_index_forward=False, limit=size))
    return rows


def mark_revoked(record: ApiKey, *, at: str, by: str, note: str | None) -> bool:
    """Revoke ``record`` unless it already is (then it is re-read as stored: False)."""
    actions: list[Any] = [ApiKey.revoked_at.set(at), ApiKey.revoked_by.set(by)]
    if note:
        actions.append(ApiKey.revoke_note.set(note))
    try:
        record.update(
            actions=actions,
            condition=ApiKey.key_hash.exists() & ApiKey.revoked_at.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _CONDITION_FAILED:
            raise
        record.refresh(consistent_read=True)  # revoked a moment ago by someone else
        return False
    return True


def note_used(record: ApiKey, day: str) -> None:
    """Set the key's last-used China ``day`` unless it already is (one conditional write).

    ``BookkeepingFailed`` when the write failed for another reason than a concurrent
    request having written the same day first.
    """
    try:
        record.update(
            actions=[ApiKey.last_used_on.set(day)],
            condition=ApiKey.key_hash.exists()
            & (ApiKey.last_used_on.does_not_exist() | (ApiKey.last_used_on != day)),
        )
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        if isinstance(exc, UpdateError) and exc.cause_response_code == _CONDITION_FAILED:
            return
        raise BookkeepingFailed(type(exc).__name__) from exc
