"""The timeliness league table: pushes, on-time rate, late count, median days late.

Counters are kept per authority by the daily audit as it reads the change feed
(``TimelinessStats``), so reading the table is one Query of 33 items, never a
recount of history. They are as of the audit's last run (``as_of``); an
administrator can run the audit now for fresher numbers.
"""

from __future__ import annotations

from typing import Any

from chalicelib.config import settings
from chalicelib.domain.audit_rules import TimelinessCounts
from chalicelib.domain.authorities import AUTHORITIES, AUTHORITY_IDS
from chalicelib.domain.errors import ForbiddenError, NotFoundError
from chalicelib.domain.principal import Principal
from chalicelib.services.audit_findings import finding_view
from chalicelib.store import audit_records as records
from chalicelib.store.audit import OPEN_CONDITION, OPEN_EVENT, OPEN_UNALERTED
from chalicelib.store.audit_records import TimelinessStats

_AUTHORITIES = {a.id: a for a in AUTHORITIES}


def _row(authority_id: str, stats: TimelinessStats | None) -> dict[str, Any]:
    counts = TimelinessCounts.from_dict(stats.counts if stats else None)
    authority = _AUTHORITIES[authority_id]
    return {
        "authority_id": authority_id,
        "name_zh": authority.name_zh,
        "name_en": authority.name_en,
        "pushes": counts.pushes,
        "on_time": counts.on_time,
        "late": counts.late,
        "excused": counts.excused,
        "pending": counts.pending,
        "not_judged": counts.not_judged,
        "on_time_rate": counts.on_time_rate,
        "median_working_days_late": counts.median_working_days_late,
    }


def _as_of() -> str | None:
    return records.last_run_id()


def all_authorities() -> dict[str, Any]:
    """``GET /v1/timeliness``: every authority (the route admits administrators, or anyone
    when ``PUBLIC_TIMELINESS`` is on)."""
    stats = records.stats_of_all()
    items = [_row(authority_id, stats.get(authority_id)) for authority_id in AUTHORITY_IDS]
    return {"items": items, "next_cursor": None, "as_of": _as_of()}


def one_authority(principal: Principal | None, authority_id: str) -> dict[str, Any]:
    """``GET /v1/timeliness/{authority_id}``: the province itself or an administrator."""
    if authority_id not in _AUTHORITIES:
        raise NotFoundError(f"no authority {authority_id}")
    # Unless PUBLIC_TIMELINESS is on, the route let only keys in; one of them may read
    # its own authority's, an administrator any.
    mine = principal is not None and (principal.is_admin or principal.owns(authority_id))
    if not settings().public_timeliness and not mine:
        raise ForbiddenError("another authority's timeliness is not yours to read")
    stats = records.stats_of(authority_id)
    return {**_row(authority_id, stats), "as_of": _as_of()}


def open_findings(principal: Principal, authority_id: str) -> dict[str, Any]:
    """``GET /v1/timeliness/{authority_id}/findings``: the authority's open audit findings.

    Findings are never public (whatever ``PUBLIC_TIMELINESS`` says): only the
    province itself and administrators read them, each with what to do about it.
    Open findings sit in the sparse ``by_open`` index (three small partitions);
    the authority is a filter on them, and at most ``FINDINGS_READ_MAX`` are
    answered (``truncated`` says when there were more).
    """
    if authority_id not in _AUTHORITIES:
        raise NotFoundError(f"no authority {authority_id}")
    if not (principal.is_admin or principal.owns(authority_id)):
        raise ForbiddenError("another authority's findings are not yours to read")
    cap = settings().findings_read_max
    found = records.open_of(authority_id, (OPEN_CONDITION, OPEN_UNALERTED, OPEN_EVENT), cap + 1)
    items = sorted(
        (finding_view(item) for item in found[:cap]),
        key=lambda view: (view["opened_on"], view["id"]),
        reverse=True,
    )
    return {"items": items, "next_cursor": None, "truncated": len(found) > cap}
