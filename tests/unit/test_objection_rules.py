"""The pure rules of objections (``domain/objections.py``), with the dates written out."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import objections as rules
from chalicelib.domain.timeliness import Deadline
from chalicelib.domain.workdays import WorkdayCalendar

CALENDAR = WorkdayCalendar()
FILED_AT = "2026-11-20T02:00:00.000000Z"


def test_numbers_are_year_and_six_digit_sequence():
    assert rules.format_number(2026, 123) == "YY-2026-000123"
    assert rules.parse_number("YY-2026-000123") == (2026, 123)
    for wrong in ("YY-26-000123", "yy-2026-000123", "YY-2026-123", "YY-2026-0001234", ""):
        assert rules.parse_number(wrong) is None


def test_a_token_has_at_least_128_random_bits_and_only_its_hash_matches():
    token = rules.new_token()
    assert len(token) >= 22 and token != rules.new_token()
    stored = rules.token_hash(token, "secret")
    assert token not in stored
    assert rules.token_matches(token, stored, "secret")
    assert not rules.token_matches(token, stored, "another secret")
    assert not rules.token_matches(
        token[:-1] + "A" if token[-1] != "A" else token[:-1] + "B", stored, "secret"
    )
    assert not rules.token_matches(None, stored, "secret")
    assert not rules.token_matches("短", stored, "secret")


def test_the_answer_is_due_on_the_tenth_working_day_after_filing():
    # Friday 2026-11-20 → Friday 2026-12-04
    assert rules.answer_deadline(date(2026, 11, 20), CALENDAR, 10) == Deadline(
        date(2026, 12, 4), True
    )
    # over the 2026 holidays: Mid-Autumn Friday 25 September and National Day 1-7 October
    # off, Saturday 10 October a make-up working day
    assert rules.answer_deadline(date(2026, 9, 25), CALENDAR, 10).due_on == date(2026, 10, 15)


def test_a_deadline_in_a_provisional_year_is_never_overdue():
    due = rules.answer_deadline(date(2026, 12, 28), CALENDAR, 10)
    assert due == Deadline(date(2027, 1, 11), False)
    assert not rules.is_overdue(due, today=date(2027, 3, 1))
    official = Deadline(date(2026, 12, 4), True)
    assert not rules.is_overdue(official, today=date(2026, 12, 4))
    assert rules.is_overdue(official, today=date(2026, 12, 5))


def test_working_days_left_counts_down_and_goes_negative():
    due = Deadline(date(2026, 12, 4), True)
    assert rules.working_days_left(due, date(2026, 11, 20), CALENDAR) == 10
    assert rules.working_days_left(due, date(2026, 12, 4), CALENDAR) == 0
    assert rules.working_days_left(due, date(2026, 12, 7), CALENDAR) == -1
    assert rules.working_days_to_answer(date(2026, 11, 20), date(2026, 11, 25), CALENDAR) == 3


def test_personal_data_is_erased_three_years_after_closing():
    assert rules.erase_on(date(2026, 11, 25), 3) == date(2029, 11, 25)
    assert rules.erase_on(date(2028, 2, 29), 3) == date(2031, 3, 1)


def entry(**overrides):
    base = {
        "authority_id": "110000",
        "seq": 7,
        "entity": "award",
        "entity_id": "awd_A",
        "op": "update",
        "committed_at": "2026-11-24T02:00:00.000000Z",
        "data": {"winners": [{"credit_code": "CODE-1"}]},
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("change", "award_id", "ok"),
    [
        ({}, "awd_A", True),
        ({"op": "revoke"}, "awd_A", True),
        ({"op": "create", "entity_id": "awd_NEW"}, None, True),  # the missing award pushed
        ({"op": "create", "entity_id": "awd_NEW", "data": {"winners": []}}, None, False),
        ({"entity_id": "awd_B"}, "awd_A", False),  # another award
        ({"committed_at": "2026-11-19T02:00:00.000000Z"}, "awd_A", False),  # before filing
        ({"authority_id": "320000"}, "awd_A", False),  # another province's change
        ({"entity": "program", "op": "status"}, "awd_A", False),
    ],
)
def test_a_corrected_answer_must_name_a_change_made_after_filing(change, award_id, ok):
    problem = rules.change_problem(
        entry(**change),
        authority_id="110000",
        filed_at=FILED_AT,
        award_id=award_id,
        credit_code="CODE-1",
    )
    assert (problem is None) is ok, problem


def test_the_overdue_finding_holds_no_personal_data():
    finding = rules.overdue_finding(
        number="YY-2026-000001",
        authority_id="110000",
        kind="wrong_facts",
        award_id="awd_A",
        filed_on=date(2026, 11, 20),
        deadline=date(2026, 12, 4),
        working_days_over=1,
    )
    assert finding.id == "objection_overdue:YY-2026-000001"
    assert finding.kind == rules.OVERDUE_KIND and finding.authority_id == "110000"
    assert set(finding.detail) == {
        "number",
        "kind",
        "award_id",
        "filed_on",
        "deadline",
        "working_days_over",
    }
