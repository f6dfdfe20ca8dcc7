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

import random
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.china_time import china_date
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.pilot_stats import (
    PilotCounts,
    month_days,
    month_span,
    pilot_report,
    public_summary,
)
from chalicelib.observability import count, logger
from chalicelib.services.timeliness_stats import _as_of as audit_as_of
from chalicelib.store import stats as stats_store
from chalicelib.store.audit import TimelinessStats

PILOT_PARAMS = frozenset({"from", "to"})
_NAMES = {a.id: (a.name_zh, a.name_en) for a in AUTHORITIES}


def count_verification(now: datetime) -> None:
    """Add one to today's verification counter; never raises."""
    config = settings()
    shard = random.randrange(config.verify_counter_shards)  # spreading writes, not secrecy
    try:
        stats_store.add_one(stats_store.VERIFY, china_date(now), shard)
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        count("VerificationNotCounted")
        logger.warning("verification not counted", extra={"fault": type(exc).__name__})


def _pilot_counts() -> dict[str, PilotCounts]:
    """Every authority's counters (33 items, one Query), in the authorities' order."""
    items = {s.sk: s for s in TimelinessStats.query("STATS", consistent_read=True)}
    return {
        authority_id: PilotCounts.from_dict(items[authority_id].pilot)
        if authority_id in items
        else PilotCounts()
        for authority_id in _NAMES
    }


def pilot(params: dict[str, str], now: datetime) -> dict[str, Any]:
    """``GET /v1/stats/pilot?from=YYYY-MM&to=YYYY-MM`` (administrators)."""
    for name in params:
        if name not in PILOT_PARAMS:
            raise ValidationError(f"unknown parameter {name[:64]}", field=name[:64])
    config = settings()
    today = china_date(now)
    months = month_span(
        params.get("from"), params.get("to"), today=today, max_months=config.stats_max_months
    )
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
    return {"from": months[0], "to": months[-1], "as_of": audit_as_of(), **report}


def public() -> dict[str, Any]:
    """``GET /v1/stats/public``: national totals only, for anyone."""
    config = settings()
    verifications = stats_store.daily_counts(
        stats_store.VERIFY, config.verify_counter_shards, None, None
    )
    summary = public_summary(_pilot_counts(), sum(verifications.values()))
    return {**summary, "as_of": audit_as_of()}
