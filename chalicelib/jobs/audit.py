"""The daily audit as a scheduled function (01:00 China time = 17:00 UTC the day before).

Its "today" is the China date of the event's ``time``, so a delayed or
re-delivered event audits the day it was meant for, and tests choose the day
by choosing the event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.china_time import china_date
from chalicelib.observability import logger
from chalicelib.services import audit, audit_lease, imports


def audit_date(event_time: str) -> Any:
    """The China date an EventBridge ``time`` (UTC, e.g. ``2026-11-25T17:00:00Z``) falls on."""
    return china_date(datetime.fromisoformat(event_time.replace("Z", "+00:00")))


def _sweep_imports(now: datetime) -> None:
    """End stale and overrun imports (issue 19); never keeps the audit from running."""
    try:
        imports.sweep(now)
    except Exception:  # logged; the audit's own work matters more, and tomorrow sweeps again
        logger.exception("import sweep failed")


def handle(event: Any) -> dict[str, Any]:
    """Run the audit for the event's China date; a duplicate or concurrent delivery is a no-op."""
    today = audit_date(event.time)
    _sweep_imports(datetime.fromisoformat(event.time.replace("Z", "+00:00")))
    if today < settings().audit_from:
        return {"status": "skipped", "date": today.isoformat(), "reason": "before audit_from"}
    try:
        report = audit.run_audit(today=today, trigger="schedule", event_id=event.event_id)
    except audit_lease.LeaseHeldError:
        logger.info("audit already running", extra={"date": today.isoformat()})
        return {"status": "busy", "date": today.isoformat()}
    except audit_lease.AlreadyAuditedError as exc:
        logger.info("duplicate schedule delivery", extra={"date": today.isoformat()})
        return {"status": "duplicate", "date": today.isoformat(), "run_id": exc.run_id}
    return {
        "status": "completed",
        "date": today.isoformat(),
        "run_id": report["run_id"],
        "summary": report["summary"],
    }
