"""The ``rate-limits`` table: fixed-window counters per client, for any route that needs one.

A window is one item, ``<scope>#<client digest>#<window start>``, bumped by an
``UpdateItem ADD`` under the condition that it is still below the limit: one
write per request, no read, correct under concurrency (DynamoDB serialises the
updates of one item). The client (a source address, a credit code) is stored
only as a SHA-256 digest, and each item carries ``expires_at`` (epoch seconds)
for DynamoDB's time-to-live, so old windows cost nothing.

Written for objections (issue 23) behind this small interface (``hit``), so
another feature's limiter can take its place or reuse it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class RateWindow(Model):
    Meta = table_meta("rate-limits")

    key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()


@dataclass(frozen=True)
class Decision:
    """Whether the request may go on; when not, how many seconds until the window ends."""

    allowed: bool
    retry_after: int = 0


def client_digest(client: str) -> str:
    return hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]


def hit(
    scope: str,
    client: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
    offset_seconds: int = 0,
) -> Decision:
    """Count one request of ``client`` in ``scope``'s current window, unless it is full.

    Windows start at multiples of ``window_seconds`` shifted by ``offset_seconds``
    (``-8 * 3600`` with a day window: days start at midnight China time).
    """
    epoch = int(now.timestamp())
    start = (epoch + offset_seconds) // window_seconds * window_seconds - offset_seconds
    end = start + window_seconds
    item = RateWindow(key=f"{scope}#{client_digest(client)}#{start}")
    try:
        item.update(
            actions=[RateWindow.hits.add(1), RateWindow.expires_at.set(end + window_seconds)],
            condition=RateWindow.hits.does_not_exist() | (RateWindow.hits < limit),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return Decision(False, max(1, end - epoch))
        raise
    return Decision(True)
