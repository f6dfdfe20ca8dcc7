"""The daily audit's part for objections (issue 23): overdue answers, erasure of personal data.

An objection not answered by its deadline is a *condition* finding
(``objection_overdue:<number>``): judged again every run from the open
objections alone (the sparse ``by_open`` index), alerted once in its
province's alert of the day it opens (like a late push), and closed as
``resolved`` when the answer comes. A deadline counted over a provisional
year never makes one overdue. The same run erases the contact details and
evidence of objections closed ``erase_after_years`` ago.
"""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.config import settings
from chalicelib.domain import objections as rules
from chalicelib.domain.audit_rules import Finding
from chalicelib.domain.workdays import WorkdayCalendar
from chalicelib.services import objections as objection_service
from chalicelib.store import objections as store


def overdue_findings(today: date, calendar: WorkdayCalendar) -> list[Finding]:
    """A finding for every open objection past its official deadline on ``today``."""
    findings = []
    working_days = settings().objections.answer_working_days
    for item in store.open_objections():
        # Counted again on today's calendar: a year loaded since filing makes it official.
        deadline = rules.answer_deadline(date.fromisoformat(item.routed_on), calendar, working_days)
        if not rules.is_overdue(deadline, today=today):
            continue
        findings.append(
            rules.overdue_finding(
                number=item.number,
                authority_id=item.authority_id,
                kind=item.kind,
                award_id=item.award_id,
                filed_on=date.fromisoformat(item.filed_on),
                deadline=deadline.due_on,
                working_days_over=calendar.count_workdays(deadline.due_on, today)[0],
            )
        )
    return findings


def erase_closed(today: date, now: datetime) -> list[str]:
    """Erase the personal data of objections closed long enough ago: their numbers."""
    return objection_service.erase_due(today, now)
