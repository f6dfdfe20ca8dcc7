"""Which condition findings hold on a day: judged afresh each run from what the audit keeps.

A condition (no programme list, a programme silent past its cycle, a missing
working-day calendar) is a state, not an event: the run judges every one again
from the authorities with a list, the programme trackers and the calendar, and
``audit_findings.record_conditions`` opens the new and closes those that no
longer hold. Zero reports are read only for authorities with a silent
programme, and only those ending after the earliest gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chalicelib.config import settings
from chalicelib.domain import audit_rules, program_status
from chalicelib.domain.audit_rules import Finding
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.workdays import WorkdayCalendar
from chalicelib.services.zero_reports import periods_ending_on_or_after
from chalicelib.store.audit import ProgramTracker


def conditions(
    today: date,
    listed: set[str],
    trackers: Iterable[ProgramTracker],
    calendar: WorkdayCalendar,
) -> list[Finding]:
    """Every condition finding that holds on ``today``."""
    config = settings()
    findings: list[Finding] = []
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
        if tracker.status != program_status.APPROVED:
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
