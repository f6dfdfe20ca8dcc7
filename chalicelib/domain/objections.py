"""Objections (异议): an enterprise disputes its record; the province answers in time.

The pure rules, without AWS: what an objection number looks like, how a lookup
token is made and compared, the answer deadline in working days, when an open
objection is overdue, which award change may back a ``corrected`` answer, and
when the personal data of a closed objection is erased.

The deadline is the pushes' rule turned around: the routed province answers
within ``answer_working_days`` (10) working days strictly after the China date
of filing, counted on the same calendar (official years from the library or
loaded by an administrator, Monday-Friday guessed for the others). A deadline
counted over a provisional year never makes an objection overdue, as a push
late only on a provisional count is ``pending``, not alerted.

Example
-------
>>> from datetime import date
>>> from chalicelib.domain.workdays import WorkdayCalendar
>>> due = answer_deadline(date(2026, 11, 20), WorkdayCalendar(), 10)
>>> due
Deadline(due_on=datetime.date(2026, 12, 4), official=True)
>>> is_overdue(due, today=date(2026, 12, 5))
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from chalicelib.domain.audit_rules import Finding
from chalicelib.domain.timeliness import Deadline
from chalicelib.domain.workdays import WorkdayCalendar

Kind = Literal["wrong_facts", "not_ours", "missing_award", "other"]
KINDS: tuple[str, ...] = ("wrong_facts", "not_ours", "missing_award", "other")
KIND_ZH: Mapping[str, str] = {
    "wrong_facts": "信息有误",
    "not_ours": "非本企业获奖",
    "missing_award": "奖项缺失",
    "other": "其他",
}
# The kinds that name an award (``award_id`` required); ``missing_award`` names a province.
AWARD_KINDS: frozenset[str] = frozenset({"wrong_facts", "not_ours"})

Outcome = Literal["corrected", "upheld", "transferred"]
OUTCOME_ZH: Mapping[str, str] = {
    "corrected": "已更正",
    "upheld": "原信息无误",
    "transferred": "已转交",
}
OPEN, ANSWERED = "open", "answered"
STATE_ZH: Mapping[str, str] = {OPEN: "处理中", ANSWERED: "已答复"}

# YY-2026-000123: the year of filing (China time) and a gapless sequence of that year.
NUMBER = re.compile(r"^YY-(\d{4})-(\d{6})$")
NUMBER_PATTERN = NUMBER.pattern
TOKEN_BYTES = 24  # 192 random bits (the issue asks for at least 128)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Award change operations that can back a ``corrected`` answer.
CORRECTING_OPS: frozenset[str] = frozenset({"create", "update", "revoke", "redact"})


def format_number(year: int, sequence: int) -> str:
    """``YY-2026-000123``.

    >>> format_number(2026, 123)
    'YY-2026-000123'
    """
    return f"YY-{year:04d}-{sequence:06d}"


def parse_number(text: str) -> tuple[int, int] | None:
    """``(year, sequence)`` of a well-formed number; None for anything else."""
    match = NUMBER.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def new_token() -> str:
    """A lookup token: ``TOKEN_BYTES`` random bytes, URL-safe base64 (shown once)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str, secret: str) -> str:
    """What is stored of a token: HMAC-SHA-256 with the server secret, hex."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def token_matches(token: str | None, stored_hash: str, secret: str) -> bool:
    """Constant-time comparison of a presented token with the stored hash."""
    if not token or not _TOKEN.match(token):
        return False
    return hmac.compare_digest(token_hash(token, secret), stored_hash)


def answer_deadline(filed_on: date, calendar: WorkdayCalendar, working_days: int) -> Deadline:
    """The last China date of an on-time answer: the n-th working day after filing."""
    due_on, official = calendar.add_workdays(filed_on, working_days)
    return Deadline(due_on=due_on, official=official)


def is_overdue(deadline: Deadline, *, today: date) -> bool:
    """An open objection is overdue once ``today`` is past an official deadline."""
    return deadline.official and today > deadline.due_on


def working_days_left(deadline: Deadline, today: date, calendar: WorkdayCalendar) -> int:
    """Working days from ``today`` (exclusive) to the deadline (inclusive); negative when past.

    >>> due = Deadline(date(2026, 12, 4), True)
    >>> working_days_left(due, date(2026, 12, 1), WorkdayCalendar())
    3
    """
    if today <= deadline.due_on:
        return calendar.count_workdays(today, deadline.due_on)[0]
    return -calendar.count_workdays(deadline.due_on, today)[0]


def working_days_to_answer(filed_on: date, answered_on: date, calendar: WorkdayCalendar) -> int:
    """Working days after filing up to and including the answer's China date."""
    return calendar.count_workdays(filed_on, answered_on)[0]


def erase_on(closed_on: date, years: int) -> date:
    """The China date from which a closed objection's personal data is erased.

    >>> erase_on(date(2024, 2, 29), 3)
    datetime.date(2027, 3, 1)
    """
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:  # 29 February into a common year
        return date(closed_on.year + years, 3, 1)


def change_problem(
    entry: Mapping[str, Any],
    *,
    authority_id: str,
    filed_at: str,
    award_id: str | None,
    credit_code: str,
) -> str | None:
    """Why this change entry cannot back a ``corrected`` answer; None when it can.

    It must be an award change of the answering authority committed after the
    objection was filed, and either change the disputed award or create a new
    award that names the objecting enterprise among its winners (a missing award
    pushed at last).
    """
    if entry.get("entity") != "award" or entry.get("op") not in CORRECTING_OPS:
        return "the change is not a change of an award"
    if entry.get("authority_id") != authority_id:
        return "the change is another authority's"
    if str(entry.get("committed_at") or "") <= filed_at:
        return "the change was made before the objection was filed"
    if award_id is not None and entry.get("entity_id") == award_id:
        return None
    if entry.get("op") == "create":
        winners = (entry.get("data") or {}).get("winners") or []
        if any(w.get("credit_code") == credit_code for w in winners if isinstance(w, Mapping)):
            return None
        return "the new award does not name the objecting enterprise among its winners"
    return "the change is not of the disputed award"


OVERDUE_KIND = "objection_overdue"


def overdue_finding(
    *,
    number: str,
    authority_id: str,
    kind: str,
    award_id: str | None,
    filed_on: date,
    deadline: date,
    working_days_over: int,
) -> Finding:
    """The audit's finding for an objection not answered by its deadline (no personal data)."""
    return Finding(
        id=f"{OVERDUE_KIND}:{number}",
        kind=OVERDUE_KIND,
        authority_id=authority_id,
        subject_type="objection",
        subject_id=number,
        detail={
            "number": number,
            "kind": kind,
            "award_id": award_id,
            "filed_on": filed_on.isoformat(),
            "deadline": deadline.isoformat(),
            "working_days_over": working_days_over,
        },
        action_zh=f"异议 {number} 已超过答复期限（{deadline.isoformat()}），"
        "请在控制台“异议处理”中答复",
        action_en=f"Objection {number} is past its answer deadline ({deadline.isoformat()}): "
        "answer it in the console's objections tab",
    )
