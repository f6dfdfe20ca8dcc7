"""The audit's findings as stored items: opened, closed, and sent in alerts.

A finding's id is stable (``late_push:<award id>``, ``silent_program:...``),
so opening one is a conditional put and a second run of the same day finds it
there. Open findings carry ``open_pk`` and so sit in the sparse ``by_open``
index: a run reads the open conditions and the findings no alert carried yet,
never the whole history.

A run calls, in order: ``record_events`` (findings from the change feed),
``record_conditions`` (conditions judged today against the open ones),
``waiting_for_alert``, then ``send_alerts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain import audit_rules
from chalicelib.domain.audit_rules import Finding
from chalicelib.services import alerts
from chalicelib.store import audit_records as records
from chalicelib.store.audit import OPEN_CONDITION, OPEN_EVENT, OPEN_UNALERTED
from chalicelib.store.audit_records import AuditFinding


@dataclass
class Outcome:
    """What recording the day's findings did: what the report lists under each head."""

    new: list[AuditFinding] = field(default_factory=list)
    standing: list[AuditFinding] = field(default_factory=list)  # open conditions seen before
    closed: list[AuditFinding] = field(default_factory=list)


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


def open_finding(
    finding: Finding, *, day: str, run_id: str, open_pk: str, reported: set[str]
) -> AuditFinding | None:
    """Store a new open finding, or reopen one that had been resolved.

    None if that finding is open already, or was closed for good (excused,
    reported) -- unless an earlier run of this day opened it and never
    completed (``reported`` holds the day's completed runs): then it is still
    news, and this run reports it.
    """
    item, stored = records.open_finding(
        records.new_finding(
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
    )
    if stored or unreported(item, day, reported):
        return item
    return None


def unreported(item: AuditFinding, day: str, reported: set[str]) -> bool:
    """Opened today by a run that did not complete, so no report has shown it yet."""
    return item.status == "open" and item.opened_on == day and item.opened_in not in reported


def close_finding(finding_id: str, reason: str, *, day: str, run_id: str) -> AuditFinding | None:
    """Close an open finding; None if it is not open (or does not exist)."""
    return records.close_finding(finding_id, reason, day=day, run_id=run_id)


def mark_alerted(item: AuditFinding, the_alert_id: str, *, day: str, run_id: str) -> None:
    """Record which alert carried a finding; event findings leave the 'unalerted' set."""
    if item.kind in audit_rules.REPORT_ONCE_KINDS:
        records.mark_alerted(item, the_alert_id, closed_as_reported=(day, run_id))
    elif item.kind in audit_rules.EVENT_KINDS:
        records.mark_alerted(item, the_alert_id, open_pk=OPEN_EVENT)
    else:
        records.mark_alerted(item, the_alert_id)


# --- the phases of a run ---------------------------------------------------------------


def record_events(
    opened: Iterable[Finding],
    closing: Mapping[str, str],
    outcome: Outcome,
    *,
    day: str,
    run_id: str,
    reported: set[str],
) -> None:
    """Event findings from the change-feed batch: open the new, close the resolved.

    ``closing`` maps award ids to why their late push is no longer late.
    """
    for finding in opened:
        item = open_finding(
            finding, day=day, run_id=run_id, open_pk=OPEN_UNALERTED, reported=reported
        )
        if item is not None:
            outcome.new.append(item)
    for award_id, reason in sorted(closing.items()):
        item = close_finding(f"late_push:{award_id}", reason, day=day, run_id=run_id)
        if item is not None:
            outcome.closed.append(item)


def record_conditions(
    current: Iterable[Finding], outcome: Outcome, *, day: str, run_id: str, reported: set[str]
) -> None:
    """Condition findings judged today against the open ones: open, keep or close each."""
    holding = {f.id: f for f in current}
    open_conditions = {i.sk: i for i in records.open_in(OPEN_CONDITION)}
    for finding_id, finding in holding.items():
        known = open_conditions.get(finding_id)
        if known is not None:
            (outcome.new if unreported(known, day, reported) else outcome.standing).append(known)
            continue
        item = open_finding(
            finding, day=day, run_id=run_id, open_pk=OPEN_CONDITION, reported=reported
        )
        if item is not None:
            outcome.new.append(item)
    for finding_id in sorted(set(open_conditions) - set(holding)):
        item = close_finding(finding_id, "resolved", day=day, run_id=run_id)
        if item is not None:
            outcome.closed.append(item)


def waiting_for_alert(outcome: Outcome) -> list[AuditFinding]:
    """New findings, standing conditions never sent, and event findings an earlier
    run of this day could not send."""
    waiting = {i.sk: i for i in records.open_in(OPEN_UNALERTED)}
    for item in [*outcome.new, *outcome.standing]:
        if item.status == "open" and not item.alerted_in:
            waiting[item.sk] = item
    return list(waiting.values())


def send_alerts(
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
            mark_alerted(item, outbox.sk, day=day, run_id=run_id)
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
                mark_alerted(item, summary.sk, day=day, run_id=run_id)
    return created
