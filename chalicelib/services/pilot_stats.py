"""Pilot statistics (试点评估): verifications counted as they are served, reports read.

What each number costs:

- counting: one UpdateItem ``ADD`` per verify or verify/print answer, on one
  of ``VERIFY_COUNTER_SHARDS`` daily counters chosen at random (``store/stats.py``);
  a failure is logged and the verification answered anyway;
- ``GET /v1/stats/pilot``: one Query of the 33 counter items the daily audit
  keeps (``TimelinessStats``, awards and programmes, as of its last run) and
  one Query per counter shard over the days asked for (at most
  ``STATS_MAX_MONTHS`` months: ≤ 31 × months items per shard). It never reads
  an award;
- ``GET /v1/stats/public``: the same 33 items and one Query per shard over
  every day counted so far (a year is 365 small items per shard); anonymous
  answers are cached a minute (``edge_headers``).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.china_time import CHINA_TZ, china_date
from chalicelib.domain.pilot_stats import (
    PilotCounts,
    month_days,
    month_span,
    pilot_report,
    public_summary,
    webhook_summary,
)
from chalicelib.domain.queries import MonthRange
from chalicelib.observability import count, logger
from chalicelib.services.timeliness_stats import _as_of as audit_as_of
from chalicelib.store import audit_records as records
from chalicelib.store import rate_limits as rate_limits_store
from chalicelib.store import stats as stats_store
from chalicelib.store import webhooks as webhook_store

_NAMES = {a.id: (a.name_zh, a.name_en) for a in AUTHORITIES}


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


def _pilot_counts() -> dict[str, PilotCounts]:
    """Every authority's counters (33 items, one Query), in the authorities' order."""
    items = records.stats_of_all()
    return {
        authority_id: PilotCounts.from_dict(items[authority_id].pilot)
        if authority_id in items
        else PilotCounts()
        for authority_id in _NAMES
    }


def pilot(query: MonthRange, now: datetime) -> dict[str, Any]:
    """``GET /v1/stats/pilot?from=YYYY-MM&to=YYYY-MM`` (administrators)."""
    config = settings()
    today = china_date(now)
    months = month_span(query.from_, query.to, today=today, max_months=config.stats_max_months)
    first, last = month_days(months)
    verifications = stats_store.daily_counts(
        stats_store.VERIFY, config.verify_counter_shards, first, last
    )
    report = pilot_report(
        _pilot_counts(),
        verifications,
        months=months,
        backfill_years=list(range(config.backfill_from.year, today.year + 1)),
    )
    for row in report["authorities"]:
        row["name_zh"], row["name_en"] = _NAMES[row["authority_id"]]
    return {
        "from": months[0],
        "to": months[-1],
        "as_of": audit_as_of(),
        **report,
        "webhooks": _webhooks(),
    }


def _webhooks() -> dict[str, Any]:
    """Webhook reach and lag, read now from the subscriptions (one Query, a few hundred)."""
    rows = [
        {
            "owner_authority_id": item.owner_authority_id,
            "state": item.state,
            "delivered": item.delivered,
            "failing_since": item.failing_since,
            "lags": item.lags,
        }
        for item in webhook_store.every_subscription()
    ]
    return webhook_summary(rows, _NAMES)


def public() -> dict[str, Any]:
    """``GET /v1/stats/public``: national totals only, for anyone."""
    config = settings()
    verifications = stats_store.daily_counts(
        stats_store.VERIFY, config.verify_counter_shards, None, None
    )
    summary = public_summary(_pilot_counts(), sum(verifications.values()))
    return {**summary, "as_of": audit_as_of()}
