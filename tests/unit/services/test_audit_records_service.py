"""The daily audit's lease and findings over the in-memory audit repository (no moto).

``services/audit_lease.py``: EventBridge may deliver a schedule twice, so a run
takes the day's lease; ``services/audit_findings.py``: a finding is news once,
a resolved one can come back, an excused or reported one does not (SPEC §5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.audit_rules import Finding
from chalicelib.services import audit_findings, audit_lease, verification_counts
from chalicelib.store.audit import OPEN_CONDITION, OPEN_EVENT, OPEN_UNALERTED

NOV_21 = date(2026, 11, 21)
DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_a_second_delivery_while_the_run_holds_the_lease_is_refused(twins):
    lease = audit_lease.acquire(NOV_21, event_id="evt-1", now=1_000)
    assert lease.run_id == "2026-11-21-01"
    with pytest.raises(audit_lease.LeaseHeldError):
        audit_lease.acquire(NOV_21, event_id="evt-2", now=1_001)


def test_a_delivery_already_audited_is_recognised_and_a_new_one_runs_again(twins):
    lease = audit_lease.acquire(NOV_21, event_id="evt-1", now=1_000)
    audit_lease.release(lease, ok=True, event_id="evt-1")
    with pytest.raises(audit_lease.AlreadyAuditedError) as refused:
        audit_lease.acquire(NOV_21, event_id="evt-1", now=1_002)
    assert refused.value.run_id == "2026-11-21-01"
    assert audit_lease.acquire(NOV_21, event_id="evt-2", now=1_003).run_id == "2026-11-21-02"


def test_an_expired_lease_is_taken_over_and_the_late_release_changes_nothing(twins):
    stuck = audit_lease.acquire(NOV_21, now=1_000)
    later = 1_000 + audit_lease.LEASE_SECONDS + 1
    again = audit_lease.acquire(NOV_21, now=later)
    assert again.number == 2
    audit_lease.release(stuck, ok=False)  # the first run wakes up: it no longer holds it
    assert twins.audit.lease_of("2026-11-21").holder == again.holder
    assert twins.audit.lease_of("2026-11-21").state == "running"


def _finding(kind: str = "no_program_list", subject: str = "110000") -> Finding:
    return Finding(
        id=f"{kind}:{subject}",
        kind=kind,
        authority_id="110000",
        subject_type="authority",
        subject_id=subject,
        detail={},
        action_zh="请报送",
        action_en="Report it",
    )


def _conditions(current, outcome, day: str, run_id: str, reported: set[str]) -> None:
    audit_findings.record_conditions(current, outcome, day=day, run_id=run_id, reported=reported)


def test_a_condition_is_new_once_then_standing_then_closed_when_resolved(twins):
    first = audit_findings.Outcome()
    audit_findings.record_conditions(
        [_finding()], first, day="2026-11-21", run_id="r1", reported={"r1"}
    )
    assert [f.sk for f in first.new] == ["no_program_list:110000"]
    second = audit_findings.Outcome()
    audit_findings.record_conditions(
        [_finding()], second, day="2026-11-22", run_id="r2", reported={"r1"}
    )
    assert second.new == [] and [f.sk for f in second.standing] == ["no_program_list:110000"]
    third = audit_findings.Outcome()
    _conditions([], third, "2026-11-23", "r3", {"r1"})
    assert [f.sk for f in third.closed] == ["no_program_list:110000"]
    assert twins.audit.open_in(OPEN_CONDITION) == []
    back = audit_findings.Outcome()  # resolved ones may come back, as news
    audit_findings.record_conditions(
        [_finding()], back, day="2026-11-24", run_id="r4", reported=set()
    )
    assert [f.sk for f in back.new] == ["no_program_list:110000"]


def test_a_finding_of_a_run_that_died_is_still_news_to_the_next_run_that_day(twins):
    died = audit_findings.Outcome()
    audit_findings.record_conditions(
        [_finding()], died, day="2026-11-21", run_id="r1", reported=set()
    )
    retry = audit_findings.Outcome()
    audit_findings.record_conditions(
        [_finding()], retry, day="2026-11-21", run_id="r2", reported=set()
    )
    assert [f.sk for f in retry.new] == ["no_program_list:110000"]


def test_an_alerted_late_push_leaves_the_unalerted_set_a_changed_date_closes(twins):
    late = _finding("late_push", "awd_1")
    moved = _finding("awarded_on_changed", "awd_2")
    outcome = audit_findings.Outcome()
    audit_findings.record_events(
        [late, moved], {}, outcome, day="2026-11-21", run_id="r1", reported=set()
    )
    assert {f.sk for f in twins.audit.open_in(OPEN_UNALERTED)} == {late.id, moved.id}
    for item in outcome.new:
        audit_findings.mark_alerted(item, "audit-2026-11-21-110000", day="2026-11-21", run_id="r1")
    assert [f.sk for f in twins.audit.open_in(OPEN_EVENT)] == [late.id]
    assert twins.audit.open_in(OPEN_UNALERTED) == []
    closed = twins.audit.findings[moved.id]
    assert closed["close_reason"] == {"S": "reported"}


def test_counting_a_verification_never_fails_it(twins):
    verification_counts.count_verification(DEC_1)
    assert sum(twins.stats.counts.values()) == 1
    twins.stats.failing = True
    verification_counts.count_verification(DEC_1)  # no raise
    assert sum(twins.stats.counts.values()) == 1
