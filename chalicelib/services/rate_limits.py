"""Per-client rate limits: ``check_rate(bucket, client, limit=…, window=…)`` or a 429.

Anonymous routes that cost real work (a signed, stored receipt; a printed
verification) are limited per client so one caller cannot spend the API's
concurrency, KMS quota and storage on a loop (issue 19). In the cloud an AWS
WAF rate-based rule does this before the function runs (``infra/resources.json``,
``ReceiptRateLimit``); this is the same rule in the application, so the local
stack (which has no WAF) behaves alike and other routes can reuse it (per
address, per credit code …) with their own bucket and numbers from
``config.py``.

Fixed windows: a client's requests are counted per ``window`` seconds
(windows start at multiples of ``window`` since the epoch); the request that
makes the count exceed ``limit`` and every later one in that window get
``ThrottledError`` (429 ``throttled``) with ``retry_after``, the seconds until
the window ends (the ``Retry-After`` header). A refused request is counted
too: retrying faster does not shorten the wait.

Counting never fails a request: when the counter cannot be written the
request goes through (logged), since refusing every verification because the
bookkeeping table is slow would be worse than a short unlimited moment.

Example
-------
>>> check_rate("receipts", client_key("203.0.113.9"), limit=100, window=300)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime

from chalicelib import clock
from chalicelib.domain.errors import ThrottledError
from chalicelib.observability import count, logger
from chalicelib.store import rate_limits


def client_key(identity: str) -> str:
    """A client's key in the counters: a keyed hash, so no address is stored as such.

    The key is the HMAC of ``identity`` with a fixed label (not the server
    secret: a rate-limit key needs no secrecy, only not to be the raw address).
    """
    return hmac.new(b"rate-limit-client", identity.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def check_rate(
    bucket: str,
    client: str,
    *,
    limit: int,
    window: int,
    now: datetime | None = None,
) -> int:
    """Count one request of ``client`` in ``bucket``; 429 when over ``limit`` per ``window`` s.

    Parameters
    ----------
    bucket
        What is limited, e.g. ``"receipts"`` (one counter per bucket and client).
    client
        Who is limited: ``client_key(source address)``, a credit code, … (kept as given
        in the key of a short-lived counter item; pass a hash for anything personal).
    limit, window
        At most ``limit`` requests per ``window`` seconds (from ``config.py``).
    now
        The request's time (default: the one clock).

    Returns the number of requests counted in the current window, this one included.
    Raises ``ThrottledError`` (``retry_after`` set) when that number is over ``limit``.
    """
    moment = (now or clock.now()).timestamp()
    window = max(1, int(window))
    start = int(moment // window) * window
    hits = rate_limits.add_hit(bucket, client, start, window)
    if hits is None:
        logger.warning("rate limit not counted", extra={"bucket": bucket})
        return 0
    if hits > limit:
        retry_after = max(1, math.ceil(start + window - moment))
        count(f"Throttled_{bucket}")
        raise ThrottledError(
            f"too many requests: at most {limit} per {window} seconds; "
            f"retry after {retry_after} seconds",
            message_zh=f"请求过于频繁（每 {window} 秒最多 {limit} 次），请 {retry_after} 秒后重试",
            retry_after=retry_after,
        )
    return hits
