"""The daily timeliness audit (SPEC §5): what it reads, decides, stores and sends.

One run, for one China date ("today"):

1. takes the date's lease (``audit_lease``): a second delivery does nothing;
2. re-judges records still provisional for years whose calendar is now
   official (normally none: loading a year already did it);
3. reads the change feed after its stored per-authority positions
   (``audit_changes``) and turns it into league-table moves, event findings
   (late pushes, ``awarded_on`` changed), programme facts and list status;
4. re-judges the open condition findings (no programme list, silent
   programmes, missing calendar) from what it keeps, not from history;
5. writes findings, then one outbox alert per authority with new findings and
   the administrators' summary (``alerts``), then commits the new positions
   together with the counters in one transaction;
6. publishes pending alerts, writes the report (JSON + CSV) to S3 and a run
   item, and releases the lease.

Its reads grow with the changes since the last run and the open findings,
not with the size of the registry. Findings are written idempotently (stable
ids, conditional puts) and counters only move with the positions, so a run
that dies half-way can simply run again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain import audit_rules
from chalicelib.domain.audit_rules import Finding, TimelinessCounts
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import ConflictError, NotFoundError, UnavailableError, ValidationError
from chalicelib.domain.schemas import AuditRunIn, parse_model
from chalicelib.domain.timeliness import china_date
from chalicelib.domain.workdays import WorkdayCalendar
from chalicelib.observability import logger
from chalicelib.services import alerts, audit_changes, audit_lease, audit_reports, calendars
from chalicelib.services import feedback as feedback_service
from chalicelib.services.award_timeliness import recompute_provisional
from chalicelib.services.keys import ADMIN, Principal, require
from chalicelib.services.zero_reports import periods_ending_on_or_after
from chalicelib.store import ledger
from chalicelib.store.audit import (
    OPEN_CONDITION,
    OPEN_EVENT,
    OPEN_UNALERTED,
    AuditFinding,
    AuditRun,
    AuditState,
    ProgramTracker,
    TimelinessStats,
)
from chalicelib.store.base import iso_utc, utc_now

ADMIN_RUN_MAX_ENTRIES = 2_000


def _conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


# --- findings as stored items ----------------------------------------------------------


def finding_view(item: AuditFinding) -> dict[str, Any]:
    return {
        "id": item.sk,
        "kind": item.kind,
        "authority_id": item.authority_id,
        "subject": {"type": item.subject_type, "id": item.subject_id},
        "detail": item.detail,
        "action": item.action,
        "status": item.status,
        "opened_on": item.opened_on,
        "closed_on": item.closed_on,
        "close_reason": item.close_reason,
        "alert_id": item.alerted_in,
    }


def _open(
    finding: Finding, *, day: str, run_id: str, open_pk: str, reported: set[str]
) -> AuditFinding | None:
    """Store a new open finding, or reopen one that had been resolved.

    None if that finding is open already, or was closed for good (excused,
    reported) -- unless an earlier run of this day opened it and never
    completed (``reported`` holds the day's completed runs): then it is still
    news, and this run reports it.
    """
    item = AuditFinding(
        sk=finding.id,
        kind=finding.kind,
        authority_id=finding.authority_id,
        subject_type=finding.subject_type,
        subject_id=finding.subject_id,
        detail=finding.detail,
        action={"zh": finding.action_zh, "en": finding.action_en},
        status="open",
        opened_on=day,
        opened_in=run_id,
        open_pk=open_pk,
    )
    try:
        item.save(condition=AuditFinding.sk.does_not_exist())
        return item
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
    try:
        item.update(
            actions=[
                AuditFinding.status.set("open"),
                AuditFinding.detail.set(item.detail),
                AuditFinding.action.set(item.action),
                AuditFinding.opened_on.set(day),
                AuditFinding.opened_in.set(run_id),
                AuditFinding.open_pk.set(open_pk),
                AuditFinding.closed_on.remove(),
                AuditFinding.closed_in.remove(),
                AuditFinding.close_reason.remove(),
                AuditFinding.alerted_in.remove(),
            ],
            condition=(AuditFinding.status == "closed") & (AuditFinding.close_reason == "resolved"),
        )
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise
        existing = AuditFinding.get("FINDING", finding.id, consistent_read=True)
        return existing if _unreported(existing, day, reported) else None
    return item


def _unreported(item: AuditFinding, day: str, reported: set[str]) -> bool:
    """Opened today by a run that did not complete, so no report has shown it yet."""
    return item.status == "open" and item.opened_on == day and item.opened_in not in reported


def _close(finding_id: str, reason: str, *, day: str, run_id: str) -> AuditFinding | None:
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
        if _conditional_failed(exc):
            return None
        raise
    return item


def _mark_alerted(item: AuditFinding, the_alert_id: str, *, day: str, run_id: str) -> None:
    """Record which alert carried a finding; event findings leave the 'unalerted' set."""
    actions: list[Any] = [AuditFinding.alerted_in.set(the_alert_id)]
    if item.kind in audit_rules.REPORT_ONCE_KINDS:
        actions += [
            AuditFinding.status.set("closed"),
            AuditFinding.closed_on.set(day),
            AuditFinding.closed_in.set(run_id),
            AuditFinding.close_reason.set("reported"),
            AuditFinding.open_pk.remove(),
        ]
    elif item.kind in audit_rules.EVENT_KINDS:
        actions.append(AuditFinding.open_pk.set(OPEN_EVENT))
    item.update(actions=actions)


# --- what the audit keeps between runs -------------------------------------------------


def _load_state() -> AuditState:
    try:
        return AuditState.get("STATE", "STATE", consistent_read=True)
    except AuditState.DoesNotExist:
        return AuditState(positions={}, listed=[], revision=0)


def _update_trackers(facts: audit_changes.Digest) -> dict[str, ProgramTracker]:
    """Programme trackers (one Query, a few hundred items), updated from the batch."""
    trackers = {t.sk: t for t in ProgramTracker.query("PROGRAM", consistent_read=True)}
    changed: dict[str, ProgramTracker] = {}
    for program_id, fields in facts.programs.items():
        tracker = trackers.get(program_id) or ProgramTracker(sk=program_id)
        tracker.authority_id = fields["authority_id"]
        tracker.name = fields["name"]
        tracker.cycle = fields["cycle"]
        tracker.status = fields["status"]
        tracker.approved_on = fields["approved_on"]
        trackers[program_id] = changed[program_id] = tracker
    for program_id, awarded_on in facts.last_awarded_on.items():
        tracker = trackers.get(program_id)
        if tracker is None:
            continue  # a programme the feed never announced: nothing to judge it by
        last = tracker.last_awarded_on
        if last is None or awarded_on.isoformat() > last:
            tracker.last_awarded_on = awarded_on.isoformat()
            trackers[program_id] = changed[program_id] = tracker
    for tracker in changed.values():
        tracker.save()  # one by one: BatchWriteItem could also delete, and no role may
    return trackers


def _load_stats() -> dict[str, TimelinessStats]:
    keys = [("STATS", authority_id) for authority_id in AUTHORITY_IDS]
    return {s.sk: s for s in TimelinessStats.batch_get(keys, consistent_read=True)}


def _conditions(
    today: date,
    listed: set[str],
    trackers: Iterable[ProgramTracker],
    calendar: WorkdayCalendar,
) -> list[Finding]:
    """Every condition finding that holds on ``today``."""
    config = settings()
    findings = []
    if today < config.audit_from:
        return findings
    for authority_id in AUTHORITY_IDS:
        if audit_rules.program_list_missing(
            today, config.program_list_due, config.audit_from, authority_id in listed
        ):
            findings.append(
                audit_rules.no_program_list_finding(authority_id, config.program_list_due)
            )
    silent: dict[str, list[tuple[ProgramTracker, audit_rules.Silence]]] = {}
    for tracker in trackers:
        if tracker.status != "approved":
            continue
        silence = audit_rules.program_silence(
            cycle=tracker.cycle,
            last_awarded_on=_date(tracker.last_awarded_on),
            approved_on=_date(tracker.approved_on),
            today=today,
            audit_from=config.audit_from,
            calendar=calendar,
            policy=config.timeliness_policy,
        )
        if silence is not None:
            silent.setdefault(tracker.authority_id, []).append((tracker, silence))
    for authority_id, programs in sorted(silent.items()):
        earliest = min(silence.gap_from for _, silence in programs)
        periods = periods_ending_on_or_after(authority_id, earliest)
        for tracker, silence in programs:
            if not audit_rules.gap_covered(silence.gap_from, silence.gap_to, periods):
                program = {
                    "id": tracker.sk,
                    "authority_id": tracker.authority_id,
                    "name": tracker.name,
                    "cycle": tracker.cycle,
                }
                findings.append(audit_rules.silent_program_finding(program, silence))
    for year in audit_rules.missing_calendar_years(today, calendar.is_official):
        findings.append(audit_rules.calendar_missing_finding(year))
    return findings


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# --- the run ---------------------------------------------------------------------------


def run_audit(
    *,
    today: date,
    trigger: str,
    event_id: str | None = None,
    max_entries: int = audit_changes.MAX_ENTRIES_PER_RUN,
) -> dict[str, Any]:
    """Audit as of China date ``today``; returns the report.

    At most ``max_entries`` change entries are read; the rest wait for the next
    run (``summary.more_changes``). Raises ``audit_lease.LeaseHeldError`` while
    another run holds the date and ``audit_lease.AlreadyAuditedError`` for a
    duplicate delivery of ``event_id``.
    """
    lease = audit_lease.acquire(today, event_id=event_id)
    ok = False
    try:
        report = _run(lease, today, trigger, max_entries)
        ok = True
        return report
    finally:
        audit_lease.release(lease, ok=ok, event_id=event_id)


def _run(lease: audit_lease.Lease, today: date, trigger: str, max_entries: int) -> dict[str, Any]:
    config = settings()
    started = utc_now()
    day, run_id = today.isoformat(), lease.run_id

    calendars.invalidate()  # judge with every year loaded up to now
    calendar = calendars.workday_calendar()
    recomputed = 0
    for year in (today.year - 1, today.year, today.year + 1):
        if calendar.is_official(year):
            recomputed += recompute_provisional(year, started).recomputed

    state = _load_state()
    reported = {r.sk for r in AuditRun.query("RUN", AuditRun.sk.startswith(f"{day}-"))}
    entries, positions, more = audit_changes.read_changes(state.positions or {}, limit=max_entries)
    facts = audit_changes.digest(
        entries, audit_from=config.audit_from, working_days=config.working_days
    )
    trackers = _update_trackers(facts)
    stats = _load_stats()
    changed_stats: dict[str, TimelinessStats] = {}
    for authority_id, moves in facts.moves.items():
        item = stats.get(authority_id) or TimelinessStats(sk=authority_id, counts={})
        counts = TimelinessCounts.from_dict(item.counts)
        for before, after in moves:
            counts.move(before, after)
        item.counts, item.as_of = counts.to_dict(), run_id
        stats[authority_id] = changed_stats[authority_id] = item
    listed = set(state.listed or []) | facts.listed

    # Event findings from the batch.
    new: list[AuditFinding] = []
    closed: list[AuditFinding] = []
    for finding in [*facts.late_open.values(), *facts.changed_awarded_on]:
        item = _open(finding, day=day, run_id=run_id, open_pk=OPEN_UNALERTED, reported=reported)
        if item is not None:
            new.append(item)
    for award_id, reason in sorted(facts.late_close.items()):
        item = _close(f"late_push:{award_id}", reason, day=day, run_id=run_id)
        if item is not None:
            closed.append(item)

    # Condition findings: judged again every day from what the audit keeps.
    current = {f.id: f for f in _conditions(today, listed, trackers.values(), calendar)}
    open_conditions = {i.sk: i for i in AuditFinding.by_open.query(OPEN_CONDITION)}
    standing = []
    for finding_id, finding in current.items():
        known = open_conditions.get(finding_id)
        if known is not None:
            (new if _unreported(known, day, reported) else standing).append(known)
            continue
        item = _open(finding, day=day, run_id=run_id, open_pk=OPEN_CONDITION, reported=reported)
        if item is not None:
            new.append(item)
    for finding_id in sorted(set(open_conditions) - set(current)):
        item = _close(finding_id, "resolved", day=day, run_id=run_id)
        if item is not None:
            closed.append(item)

    # Findings waiting for an alert: new ones, standing conditions never sent,
    # and event findings an earlier run of this day could not send.
    waiting = {i.sk: i for i in AuditFinding.by_open.query(OPEN_UNALERTED)}
    for item in [*new, *standing]:
        if item.status == "open" and not item.alerted_in:
            waiting[item.sk] = item
    feedback_items = feedback_service.feedback_since(state.feedback_after)
    report = {
        "run_id": run_id,
        "date": day,
        "trigger": trigger,
        "started_at": iso_utc(started),
        "summary": {
            "changes_read": facts.entries,
            "more_changes": more,
            "awards_changed": len(facts.award_ids),
            "findings_new": len(new),
            "findings_closed": len(closed),
            "findings_open": len(standing),
            "pending_pushes": sum(
                TimelinessCounts.from_dict(s.counts).pending for s in stats.values()
            ),
            "feedback": len(feedback_items),
            "recomputed": recomputed,
        },
        "findings_new": [finding_view(i) for i in new],
        "findings_open": [finding_view(i) for i in standing],
        "findings_closed": [finding_view(i) for i in closed],
        "feedback": [feedback_service.feedback_view(f) for f in feedback_items],
        "calendar": {
            "missing_years": audit_rules.missing_calendar_years(today, calendar.is_official)
        },
        "positions": positions,
        "report_keys": audit_reports.latest_keys(day),
    }

    created = _create_alerts(day, run_id, list(waiting.values()), report)
    report["findings_new"] = [finding_view(i) for i in new]  # now with their alert ids
    report["findings_open"] = [finding_view(i) for i in standing]
    summary_created = any(item.authority_id is None for item in created)
    feedback_after = state.feedback_after
    if summary_created and feedback_items:
        feedback_after = feedback_items[-1].sk

    # The report is stored before the positions move: if S3 fails, nothing is
    # committed and the next attempt audits the same changes again.
    report["alerts"] = [
        {"alert_id": i.sk, "authority_id": i.authority_id, "status": "pending"} for i in created
    ]
    report["finished_at"] = None
    audit_reports.write_report(report)
    _commit_state(state, positions, listed, feedback_after, run_id, changed_stats.values())

    report["alerts"] = alerts.publish_pending(created)
    report["summary"]["alerts_sent"] = sum(a["status"] == "sent" for a in report["alerts"])
    report["summary"]["alerts_failed"] = sum(a["status"] == "failed" for a in report["alerts"])
    report["finished_at"] = iso_utc(utc_now())
    keys = audit_reports.write_report(report)  # again, with what the alerts did
    AuditRun(
        sk=run_id,
        date=day,
        trigger=trigger,
        started_at=report["started_at"],
        finished_at=report["finished_at"],
        summary=report["summary"],
        report_keys=keys,
        positions=positions,
    ).save()
    logger.info("audit run finished", extra={"run_id": run_id, **report["summary"]})
    return report


def _create_alerts(
    day: str, run_id: str, waiting: list[AuditFinding], report: dict[str, Any]
) -> list[Any]:
    """One outbox alert per authority with waiting findings, plus the day's summary."""
    report_key = report["report_keys"]["json"]
    by_authority: dict[str, list[AuditFinding]] = {}
    for item in sorted(waiting, key=lambda i: i.sk):
        if item.authority_id is not None:
            by_authority.setdefault(item.authority_id, []).append(item)
    created = []
    for authority_id, items in sorted(by_authority.items()):
        subject, message = alerts.authority_message(day, authority_id, items, report_key)
        outbox = alerts.create(
            day=day,
            authority_id=authority_id,
            subject=subject,
            message=message,
            finding_ids=[i.sk for i in items],
            run_id=run_id,
        )
        if outbox is None:
            continue  # this authority was alerted today: the rest waits for tomorrow
        created.append(outbox)
        for item in items:
            _mark_alerted(item, outbox.sk, day=day, run_id=run_id)
    subject, message = alerts.summary_message(day, report, report_key)
    summary = alerts.create(
        day=day,
        authority_id=None,
        subject=subject,
        message=message,
        finding_ids=[f["id"] for f in report["findings_new"]],
        run_id=run_id,
    )
    if summary is not None:
        created.append(summary)
        for item in waiting:
            if item.authority_id is None:
                _mark_alerted(item, summary.sk, day=day, run_id=run_id)
    return created


def _commit_state(
    state: AuditState,
    positions: dict[str, int],
    listed: set[str],
    feedback_after: str | None,
    run_id: str,
    stats: Iterable[TimelinessStats],
) -> None:
    """Move the positions and the counters together, or neither."""
    revision = int(state.revision or 0)
    new_state = AuditState(
        positions=positions,
        listed=sorted(listed),
        feedback_after=feedback_after,
        revision=revision + 1,
        last_run_id=run_id,
    )
    condition = AuditState.revision == revision if revision else AuditState.pk.does_not_exist()
    try:
        with TransactWrite(connection=ledger.connection()) as transaction:
            transaction.save(new_state, condition=condition)
            for item in stats:
                transaction.save(item)
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise UnavailableError(
                "another audit run moved the change-feed position first; run again"
            ) from exc
        raise


# --- the admin routes ------------------------------------------------------------------


def run_now(principal: Principal | None, data: Any, now: datetime) -> dict[str, Any]:
    """``POST /v1/audit/run``: the same audit, now, for today or a given China date."""
    require(principal, ADMIN)
    body = parse_model(AuditRunIn, data if data is not None else {})
    today = body.date or china_date(now)
    if today < settings().audit_from:
        raise ValidationError(
            f"date must be on or after audit_from ({settings().audit_from.isoformat()})",
            field="date",
        )
    try:
        # An HTTP request has under 30 s: a large backlog is left to the schedule.
        return run_audit(today=today, trigger="admin", max_entries=ADMIN_RUN_MAX_ENTRIES)
    except audit_lease.LeaseHeldError as exc:
        raise ConflictError("invalid_state", str(exc)) from None


def run_view(run: AuditRun) -> dict[str, Any]:
    return {
        "id": run.sk,
        "date": run.date,
        "trigger": run.trigger,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "report_keys": run.report_keys,
    }


def list_runs(principal: Principal | None, params: dict[str, str], limit: int) -> dict:
    """Runs newest first."""
    require(principal, ADMIN)
    scope = scope_of("audit-runs", {})
    secret = settings().server_secret
    condition = None
    if params.get("cursor"):
        before = decode_cursor(params["cursor"], secret=secret, scope=scope)["before"]
        condition = AuditRun.sk < before
    items = list(AuditRun.query("RUN", condition, scan_index_forward=False, limit=limit + 1))
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"before": items[-1].sk}, secret=secret, scope=scope)
    return {"items": [run_view(run) for run in items], "next_cursor": next_cursor}


def get_run(principal: Principal | None, run_id: str) -> dict[str, Any]:
    """One run with the report it wrote."""
    require(principal, ADMIN)
    try:
        run = AuditRun.get("RUN", run_id, consistent_read=True)
    except AuditRun.DoesNotExist:
        raise NotFoundError(f"no audit run {run_id}") from None
    return {**run_view(run), "report": audit_reports.read_report(run.report_keys["run_json"])}
