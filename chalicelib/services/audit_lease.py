"""The lease that makes one audit of a China date run once at a time.

EventBridge delivers a scheduled event at least once, so two invocations of
the same day's audit may start together. The first takes the lease with a
conditional put keyed by the date; the other finds it held and stops. A lease
records the event ids of the runs it finished, so a late duplicate delivery of
the same event does nothing either, while an administrator's ``POST
/v1/audit/run`` (no event id) runs the day again. A run that crashed releases
its lease as ``failed``; one that was killed holds it until it expires.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date

from chalicelib.store import audit_records as records

LEASE_SECONDS = 15 * 60  # the longest a Lambda can run


@dataclass(frozen=True)
class Lease:
    day: str
    holder: str
    number: int  # 1 for the day's first run, then 2, 3...

    @property
    def run_id(self) -> str:
        return f"{self.day}-{self.number:02d}"


class LeaseHeldError(Exception):
    """Another invocation is auditing this date right now."""


class AlreadyAuditedError(Exception):
    """This very event was already audited (a duplicate delivery)."""

    def __init__(self, run_id: str | None) -> None:
        super().__init__(f"already audited by run {run_id}")
        self.run_id = run_id


def acquire(day: date, *, event_id: str | None = None, now: float | None = None) -> Lease:
    """Take the lease of ``day`` or raise ``LeaseHeldError`` / ``AlreadyAuditedError``."""
    now = time.time() if now is None else now
    key = day.isoformat()
    holder = uuid.uuid4().hex
    expires_at = int(now) + LEASE_SECONDS
    if records.start_lease(key, holder, expires_at):
        return Lease(day=key, holder=holder, number=1)
    current = records.lease_of(key)
    if event_id is not None and event_id in (current.event_ids or []):
        raise AlreadyAuditedError(current.last_run_id)
    if current.state == "running" and current.expires_at > now:
        raise LeaseHeldError(f"the audit of {key} is running")
    runs = int(current.runs)
    if not records.take_over_lease(current, holder, expires_at):
        raise LeaseHeldError(f"the audit of {key} was just taken")
    return Lease(day=key, holder=holder, number=runs + 1)


def release(lease: Lease, *, ok: bool, event_id: str | None = None) -> None:
    """End the lease: ``done`` (remembering ``event_id``) or ``failed``."""
    # False: our lease expired and someone else took it: their run owns the day now.
    records.end_lease(lease.day, lease.holder, ok=ok, run_id=lease.run_id, event_id=event_id)
