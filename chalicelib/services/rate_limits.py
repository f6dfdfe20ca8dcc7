"""Per-client rate limits as a service: count a request or refuse it with 429.

The one function routes' services call (``enforce``); the counting lives in
``store/rate_limits.py``. A refusal is ``ThrottledError`` carrying
``retry_after``, which the HTTP edge sends as ``Retry-After``.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import ThrottledError
from chalicelib.store import rate_limits

DAY = 24 * 3600
HOUR = 3600
CHINA_MIDNIGHT = 8 * 3600  # a day window starts at 00:00 Asia/Shanghai


def enforce(
    scope: str,
    client: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
    message_zh: str,
    field: str | None = None,
) -> None:
    """Count this request of ``client``; ``ThrottledError`` (429) when its window is full."""
    offset = CHINA_MIDNIGHT if window_seconds % DAY == 0 else 0
    decision = rate_limits.hit(
        scope, client, limit=limit, window_seconds=window_seconds, now=now, offset_seconds=offset
    )
    if not decision.allowed:
        raise ThrottledError(
            f"too many requests: at most {limit} per {window_seconds // 60} minutes "
            f"({scope}); try again in {decision.retry_after} s",
            field=field,
            message_zh=message_zh,
            retry_after=decision.retry_after,
        )
