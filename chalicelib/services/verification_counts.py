"""Verifications served (试点评估), counted as each verify or verify/print answer goes out.

One UpdateItem ``ADD`` per counted answer, on one of ``VERIFY_COUNTER_SHARDS`` daily
counters chosen at random (``store/stats.py``); a failure is logged and the verification
answered anyway. Apart from the reports (``services/pilot_stats.py``) because it runs on
every verify: the first verify after a cold start loads only this and its two stores.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time

from chalicelib.config import settings
from chalicelib.domain.china_time import CHINA_TZ, china_date
from chalicelib.observability import count, logger
from chalicelib.store import rate_limits as rate_limits_store
from chalicelib.store import stats as stats_store

# A verification counts once per client, enterprise and China day (issue 19, M4): a loop
# of identical requests, or paging through one answer, is one verification served.
SEEN_BUCKET = "verify-answers"
DAY_SECONDS = 86_400


def _first_today(now: datetime, client: str, credit_code: str) -> bool:
    """Whether this client asks about this enterprise for the first time this China day.

    One short-lived marker per (client, code, day) in the rate-limit counters (they
    expire by themselves); when it cannot be written, the answer counts (True).
    """
    day = china_date(now)
    start = int(datetime.combine(day, time(), CHINA_TZ).timestamp())
    who = hashlib.sha256(f"{client}\n{credit_code}".encode()).hexdigest()[:32]
    hits = rate_limits_store.add_hit(SEEN_BUCKET, who, start, DAY_SECONDS)
    return hits is None or hits == 1


def count_verification(
    now: datetime, *, client: str | None = None, credit_code: str | None = None
) -> None:
    """Add one to today's verification counter, once per client, code and day; never raises.

    ``client`` is the caller's key (``rate_limits.client_key``) and ``credit_code`` the
    enterprise asked about (normalised); without them every call counts.
    """
    seen = client is not None and credit_code is not None
    if seen and not _first_today(now, client, credit_code):  # type: ignore[arg-type]
        return
    config = settings()
    shard = random.randrange(config.verify_counter_shards)  # spreading writes, not secrecy
    try:
        stats_store.add_one(stats_store.VERIFY, china_date(now), shard)
    except stats_store.CountFailed as exc:
        count("VerificationNotCounted")
        logger.warning("verification not counted", extra={"fault": str(exc)})
