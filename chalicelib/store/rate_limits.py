"""The ``rate-limits`` table: how many requests one client made in one time window.

One item per (bucket, client, window): ``key = <bucket>#<client>#<window start>``,
``hits`` (moved only by ``ADD``, so concurrent requests never lose a count) and
``expires_at``, DynamoDB's time-to-live attribute: a window's item removes itself
a while after the window ended, so the table holds only the current windows
whatever the traffic. The client is whatever the caller passes (a hashed source
address, a credit code, an e-mail address …); this module does not interpret it.

``services/rate_limits.py`` holds the policy (limits, windows, the 429).
"""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException

from chalicelib.store.base import StoreModel, table_meta

# A window's item outlives its window by this long (DynamoDB deletes expired items
# within a few days anyway; the count is only read while its window is current).
EXPIRY_GRACE_SECONDS = 3600


class RateWindow(StoreModel):
    Meta = table_meta("rate-limits")

    key = UnicodeAttribute(hash_key=True)  # <bucket>#<client>#<window start, epoch seconds>
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def key_of(bucket: str, client: str, window_start: int) -> str:
        return f"{bucket}#{client}#{window_start}"


def add_hit(bucket: str, client: str, window_start: int, window_seconds: int) -> int | None:
    """Count one request of ``client`` in the window starting at ``window_start``.

    One UpdateItem (``ADD hits 1``, creating the item on the window's first
    request); returns the window's count including this request, or None when
    the table could not be written (the caller decides what that means).
    """
    item = RateWindow(key=RateWindow.key_of(bucket, client, window_start))
    expires = window_start + window_seconds + EXPIRY_GRACE_SECONDS
    try:
        item.update(
            actions=[
                RateWindow.hits.add(1),
                RateWindow.expires_at.set(datetime.fromtimestamp(expires, tz=UTC)),
            ]
        )
    except (PynamoDBException, ClientError, BotoCoreError):
        return None
    return int(item.hits)
