"""What the audit keeps between runs: positions, programme trackers, league counters.

The audit never re-reads history. It keeps the change-feed position of each
authority and which authorities have a programme list (``AuditState``), each
programme's cycle, status and last ``awarded_on`` (``ProgramTracker``) and the
league-table counters (``TimelinessStats``). Trackers are saved as the batch is
read; the positions and the counters move together in one transaction at the
end (``commit``), so a run that dies half-way counts nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.audit_rules import TimelinessCounts
from chalicelib.domain.errors import UnavailableError
from chalicelib.domain.pilot_stats import PilotCounts
from chalicelib.services.audit_changes import Digest
from chalicelib.store import audit_records as records
from chalicelib.store import ledger
from chalicelib.store.audit_records import AuditState, ProgramTracker, TimelinessStats


def load_state() -> AuditState:
    return records.state()


def update_trackers(facts: Digest) -> dict[str, ProgramTracker]:
    """Programme trackers (one Query, a few hundred items), updated from the batch."""
    trackers = records.trackers()
    changed: dict[str, ProgramTracker] = {}
    for program_id, fields in facts.programs.items():
        tracker = trackers.get(program_id) or records.new_tracker(program_id)
        tracker.authority_id = fields["authority_id"]
        tracker.name = fields["name"]
        tracker.cycle = fields["cycle"]
        tracker.status = fields["status"]
        tracker.approved_on = fields["approved_on"]
        trackers[program_id] = changed[program_id] = tracker
    for program_id, awarded_on in facts.last_awarded_on.items():
        known = trackers.get(program_id)
        if known is None:
            continue  # a programme the feed never announced: nothing to judge it by
        last = known.last_awarded_on
        if last is None or awarded_on.isoformat() > last:
            known.last_awarded_on = awarded_on.isoformat()
            trackers[program_id] = changed[program_id] = known
    records.save_trackers(changed.values())
    return trackers


def load_stats() -> dict[str, TimelinessStats]:
    return records.stats_of_all()


def move_counters(
    stats: dict[str, TimelinessStats],
    facts: Digest,
    run_id: str,
) -> dict[str, TimelinessStats]:
    """Apply the batch's league-table moves to ``stats`` (in place); return the changed."""
    changed: dict[str, TimelinessStats] = {}
    for authority_id in {*facts.moves, *facts.pilot_moves, *facts.approvals}:
        item = stats.get(authority_id) or records.new_stats(authority_id)
        counts = TimelinessCounts.from_dict(item.counts)
        for before, after in facts.moves.get(authority_id, []):
            counts.move(before, after)
        # The pilot evaluation's counters ride in the same item and transaction.
        pilot = PilotCounts.from_dict(item.pilot)
        for before_facts, after_facts in facts.pilot_moves.get(authority_id, []):
            pilot.move(before_facts, after_facts)
        for month in facts.approvals.get(authority_id, []):
            pilot.program_approved(month)
        item.counts, item.pilot, item.as_of = counts.to_dict(), pilot.to_dict(), run_id
        stats[authority_id] = changed[authority_id] = item
    return changed


def pending_pushes(stats: Iterable[TimelinessStats]) -> int:
    """Pushes judged on a provisional calendar, over every authority."""
    return sum(TimelinessCounts.from_dict(s.counts).pending for s in stats)


def commit(
    state: AuditState,
    positions: dict[str, int],
    listed: set[str],
    feedback_after: str | None,
    run_id: str,
    stats: Iterable[TimelinessStats],
) -> None:
    """Move the positions and the counters together, or neither."""
    try:
        records.save_state(
            state,
            stats,
            positions=positions,
            listed=sorted(listed),
            feedback_after=feedback_after,
            last_run_id=run_id,
        )
    except ledger.CommitConflict as exc:
        raise UnavailableError(
            "another audit run moved the change-feed position first; run again"
        ) from exc
