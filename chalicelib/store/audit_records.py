"""The audit repository: its lease, findings, kept state and league counters (``audit`` table).

The conditional writes the daily audit relies on live here, each behind a function
that says what it decides: take a lease only if free, open a finding only if it is
new (or was resolved), close it only if open, move the state only from the revision
read. The models are in ``store/audit.py``; the services (``services/audit_*.py``)
decide what to record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.store import ledger
from chalicelib.store.audit import (
    AuditFinding,
    AuditLease,
    AuditRun,
    AuditState,
    ProgramTracker,
    TimelinessStats,
    conditional_failed,
)

__all__ = [
    "AuditFinding",
    "AuditLease",
    "AuditRun",
    "AuditState",
    "ProgramTracker",
    "TimelinessStats",
]

# --- the lease of a day's run ---------------------------------------------------------


def start_lease(day: str, holder: str, expires_at: int) -> bool:
    """Take the day's first lease; False when the day has one already."""
    first = AuditLease(
        sk=day, state="running", holder=holder, expires_at=expires_at, runs=1, event_ids=[]
    )
    try:
        first.save(condition=AuditLease.sk.does_not_exist())
    except PutError as exc:
        if not conditional_failed(exc):
            raise
        return False
    return True


def lease_of(day: str) -> AuditLease:
    return AuditLease.get("LEASE", day, consistent_read=True)


def take_over_lease(current: AuditLease, holder: str, expires_at: int) -> bool:
    """Run ``current``'s day again under ``holder``; False when another run took it first."""
    runs = int(current.runs)
    try:
        current.update(
            actions=[
                AuditLease.state.set("running"),
                AuditLease.holder.set(holder),
                AuditLease.expires_at.set(expires_at),
                AuditLease.runs.set(runs + 1),
            ],
            condition=(AuditLease.runs == runs) & (AuditLease.holder == current.holder),
        )
    except UpdateError as exc:
        if conditional_failed(exc):
            return False
        raise
    return True


def end_lease(day: str, holder: str, *, ok: bool, run_id: str, event_id: str | None) -> bool:
    """``done`` (remembering ``event_id``) or ``failed``; False when ``holder`` lost the lease."""
    actions: list[Any] = [
        AuditLease.state.set("done" if ok else "failed"),
        AuditLease.expires_at.set(0),
        AuditLease.last_run_id.set(run_id),
    ]
    if ok and event_id is not None:
        actions.append(AuditLease.event_ids.set(AuditLease.event_ids.append([event_id])))
    try:
        AuditLease(sk=day).update(actions=actions, condition=AuditLease.holder == holder)
    except UpdateError as exc:
        if not conditional_failed(exc):
            raise
        return False
    return True


# --- findings -------------------------------------------------------------------------


def new_finding(**fields: Any) -> AuditFinding:
    return AuditFinding(**fields)


def open_finding(item: AuditFinding) -> tuple[AuditFinding, bool]:
    """Store ``item`` open, or reopen its finding when that was resolved: ``(item, True)``.

    ``(stored, False)`` when the finding is open already or was closed for good
    (excused, reported): the stored one, read consistently.
    """
    try:
        item.save(condition=AuditFinding.sk.does_not_exist())
        return item, True
    except PutError as exc:
        if not conditional_failed(exc):
            raise
    try:
        item.update(
            actions=[
                AuditFinding.status.set("open"),
                AuditFinding.detail.set(item.detail),
                AuditFinding.action.set(item.action),
                AuditFinding.opened_on.set(item.opened_on),
                AuditFinding.opened_in.set(item.opened_in),
                AuditFinding.open_pk.set(item.open_pk),
                AuditFinding.closed_on.remove(),
                AuditFinding.closed_in.remove(),
                AuditFinding.close_reason.remove(),
                AuditFinding.alerted_in.remove(),
            ],
            condition=(AuditFinding.status == "closed") & (AuditFinding.close_reason == "resolved"),
        )
    except UpdateError as exc:
        if not conditional_failed(exc):
            raise
        return AuditFinding.get("FINDING", item.sk, consistent_read=True), False
    return item, True


def close_finding(finding_id: str, reason: str, *, day: str, run_id: str) -> AuditFinding | None:
    """Close an open finding; None if it is not open (or does not exist)."""
    item = AuditFinding(sk=finding_id)
    try:
        item.update(
            actions=[
                AuditFinding.status.set("closed"),
                AuditFinding.closed_on.set(day),
                AuditFinding.closed_in.set(run_id),
                AuditFinding.close_reason.set(reason),
                AuditFinding.open_pk.remove(),
            ],
            condition=AuditFinding.status == "open",
        )
    except UpdateError as exc:
        if conditional_failed(exc):
            return None
        raise
    return item


def mark_alerted(
    item: AuditFinding,
    alert_id: str,
    *,
    closed_as_reported: tuple[str, str] | None = None,
    open_pk: str | None = None,
) -> None:
    """Record which alert carried a finding; ``closed_as_reported`` = (day, run id) closes
    it (reported once is done), ``open_pk`` moves it to another open set."""
    actions: list[Any] = [AuditFinding.alerted_in.set(alert_id)]
    if closed_as_reported is not None:
        day, run_id = closed_as_reported
        actions += [
            AuditFinding.status.set("closed"),
            AuditFinding.closed_on.set(day),
            AuditFinding.closed_in.set(run_id),
            AuditFinding.close_reason.set("reported"),
            AuditFinding.open_pk.remove(),
        ]
    elif open_pk is not None:
        actions.append(AuditFinding.open_pk.set(open_pk))
    item.update(actions=actions)


def open_in(open_pk: str) -> list[AuditFinding]:
    """The open findings of one set (the sparse ``by_open`` index)."""
    return list(AuditFinding.by_open.query(open_pk))


def open_of(authority_id: str, open_pks: Iterable[str], most: int) -> list[AuditFinding]:
    """At most ``most`` open findings of one authority, from these sets in turn."""
    found: list[AuditFinding] = []
    for open_pk in open_pks:
        for item in AuditFinding.by_open.query(
            open_pk, filter_condition=AuditFinding.authority_id == authority_id
        ):
            found.append(item)
            if len(found) >= most:
                return found
    return found


# --- what the audit keeps between runs ------------------------------------------------


def state() -> AuditState:
    try:
        return AuditState.get("STATE", "STATE", consistent_read=True)
    except AuditState.DoesNotExist:
        return AuditState(positions={}, listed=[], revision=0)


def trackers() -> dict[str, ProgramTracker]:
    """Every programme tracker (one Query, a few hundred items), by programme id."""
    return {t.sk: t for t in ProgramTracker.query("PROGRAM", consistent_read=True)}


def new_tracker(program_id: str) -> ProgramTracker:
    return ProgramTracker(sk=program_id)


def save_trackers(changed: Iterable[ProgramTracker]) -> None:
    for tracker in changed:
        tracker.save()  # one by one: BatchWriteItem could also delete, and no role may


def last_run_id() -> str | None:
    """The run that last moved the kept state (what the league table is as of)."""
    try:
        return AuditState.get("STATE", "STATE", consistent_read=True).last_run_id
    except AuditState.DoesNotExist:
        return None


def stats_of(authority_id: str) -> TimelinessStats | None:
    try:
        return TimelinessStats.get("STATS", authority_id, consistent_read=True)
    except TimelinessStats.DoesNotExist:
        return None


def stats_of_all() -> dict[str, TimelinessStats]:
    """The league-table counters of every authority that has some, by authority."""
    keys = [("STATS", authority_id) for authority_id in AUTHORITY_IDS]
    return {s.sk: s for s in TimelinessStats.batch_get(keys, consistent_read=True)}


def new_stats(authority_id: str) -> TimelinessStats:
    return TimelinessStats(sk=authority_id, counts={})


def save_state(previous: AuditState, stats: Iterable[TimelinessStats], **fields: Any) -> None:
    """The next revision of the state (``fields``) and the counters, together or neither.

    ``ledger.CommitConflict`` when another run moved the state from ``previous`` first.
    """
    revision = int(previous.revision or 0)
    new_state = AuditState(revision=revision + 1, **fields)
    condition = AuditState.revision == revision if revision else AuditState.pk.does_not_exist()

    def writes(transaction: Any) -> None:
        transaction.save(new_state, condition=condition)
        for item in stats:
            transaction.save(item)

    ledger.transact(writes)


# --- runs -----------------------------------------------------------------------------


def add_run(**fields: Any) -> None:
    """Store the item of a finished run (``sk`` = its id)."""
    AuditRun(**fields).save()


def run_ids_of(day: str) -> set[str]:
    """Ids of the runs of China date ``day`` that completed (run ids start with it)."""
    return {r.sk for r in AuditRun.query("RUN", AuditRun.sk.startswith(f"{day}-"))}


def runs_before(before: str | None, limit: int) -> list[AuditRun]:
    """At most ``limit`` runs, newest first, older than the run id ``before``."""
    condition = AuditRun.sk < before if before else None
    return list(AuditRun.query("RUN", condition, scan_index_forward=False, limit=limit))


def run(run_id: str) -> AuditRun | None:
    try:
        return AuditRun.get("RUN", run_id, consistent_read=True)
    except AuditRun.DoesNotExist:
        return None
