"""Pilot statistics (试点评估): the reports, read from counters kept elsewhere.

What each number costs:

- counting, as each verification is served: ``services/verification_counts.py``
  (kept apart so a verify's first request does not load the reports' modules);
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

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.china_time import china_date
from chalicelib.domain.pilot_stats import (
    PilotCounts,
    month_days,
    month_span,
    pilot_report,
    public_summary,
    webhook_summary,
)
from chalicelib.domain.quality_rules import quality_row
from chalicelib.domain.queries import MonthRange
from chalicelib.services import objections
from chalicelib.services.timeliness_stats import _as_of as audit_as_of
from chalicelib.store import audit_records as records
from chalicelib.store import quality as quality_store
from chalicelib.store import stats as stats_store
from chalicelib.store import webhooks as webhook_store

_NAMES = {a.id: (a.name_zh, a.name_en) for a in AUTHORITIES}


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
    counts = _pilot_counts()
    report = pilot_report(
        counts,
        verifications,
        months=months,
        backfill_years=list(range(config.backfill_from.year, today.year + 1)),
    )
    for row in report["authorities"]:
        row["name_zh"], row["name_en"] = _NAMES[row["authority_id"]]
    _add_quality_rows(report["authorities"], counts)
    _add_objections(report, today)
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


def _add_quality_rows(rows: list[dict[str, Any]], counts: dict[str, PilotCounts]) -> None:
    """Each province's data-quality row (issue 22): 33 more counter items, no finding read."""
    counters = quality_store.counters()
    for row in rows:
        counter = counters.get(row["authority_id"])
        row["quality"] = quality_row(
            open_errors=int(counter.open_errors or 0) if counter else 0,
            awards=counts[row["authority_id"]].active_awards,
            resolved_days=quality_store.resolved_days(counter) if counter else [],
        )


def _add_objections(report: dict[str, Any], today: Any) -> None:
    """Objections per province (issue 23): received, answered, share on time, share corrected.

    Counted since the pilot began (not per month): objections are few, and a share of a
    month's two answers says little.
    """
    rows = objections.authority_stats(today)
    keep = ("received", "open", "overdue", "answered", "answered_on_time", "corrected")
    for row in report["authorities"]:
        facts = rows[row["authority_id"]]
        row["objections"] = {
            **{k: facts[k] for k in keep},
            "on_time_share": facts["on_time_share"],
            "corrected_share": facts["corrected_share"],
        }
    totals = {k: sum(r[k] for r in rows.values()) for k in keep}
    answered = totals["answered"]
    totals["on_time_share"] = round(totals["answered_on_time"] / answered, 4) if answered else None
    totals["corrected_share"] = round(totals["corrected"] / answered, 4) if answered else None
    report["objections"] = totals


def public() -> dict[str, Any]:
    """``GET /v1/stats/public``: national totals only, for anyone."""
    config = settings()
    verifications = stats_store.daily_counts(
        stats_store.VERIFY, config.verify_counter_shards, None, None
    )
    summary = public_summary(_pilot_counts(), sum(verifications.values()))
    return {**summary, "as_of": audit_as_of()}
