"""What the audit learns from the change feed since its last position.

The audit never reads history: it Queries each authority's ``changes``
partition after the ``seq`` it stopped at, and for a record that changed
again reads only the version just before the batch (``AwardVersion``). From
those it derives the league-table moves, the event findings, the programmes'
last ``awarded_on`` and which authorities have submitted a programme list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.domain import program_status
from chalicelib.domain.audit_rules import (
    Finding,
    PushClass,
    awarded_on_change_finding,
    late_push_finding,
    push_class,
)
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import china_date
from chalicelib.domain.pilot_stats import AwardFacts, award_facts, china_month
from chalicelib.observability import logger
from chalicelib.store import changes as change_store
from chalicelib.store.awards import earlier_view
from chalicelib.store.base import parse_iso_utc
from chalicelib.store.changes import ChangeEntry

MAX_ENTRIES_PER_RUN = 20_000  # a first run over a large history continues the next day


@dataclass
class Digest:
    """Everything one batch of changes means to the audit."""

    entries: int = 0
    # authority -> [(before, after)] moves of the league table
    moves: dict[str, list[tuple[tuple[PushClass, int] | None, tuple[PushClass, int] | None]]] = (
        field(default_factory=dict)
    )
    late_open: dict[str, Finding] = field(default_factory=dict)
    late_close: dict[str, str] = field(default_factory=dict)  # award id -> reason
    changed_awarded_on: list[Finding] = field(default_factory=list)
    programs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> latest fields
    last_awarded_on: dict[str, date] = field(default_factory=dict)  # programme id -> max
    listed: set[str] = field(default_factory=set)
    award_ids: set[str] = field(default_factory=set)
    # The pilot evaluation's counters (``domain/pilot_stats.py``): per authority, the
    # records' (before, after) facts, and the months programmes were approved in.
    pilot_moves: dict[str, list[tuple[AwardFacts | None, AwardFacts | None]]] = field(
        default_factory=dict
    )
    approvals: dict[str, list[str]] = field(default_factory=dict)


def read_changes(
    positions: Mapping[str, int], *, limit: int = MAX_ENTRIES_PER_RUN
) -> tuple[list[ChangeEntry], dict[str, int], bool]:
    """Entries after each authority's position, in ``seq`` order per authority.

    One BatchGet of the 33 sequence counters tells which authorities changed;
    only their partitions are queried.
    """
    heads = change_store.heads()
    entries: list[ChangeEntry] = []
    new_positions = dict(positions)
    for authority_id in AUTHORITY_IDS:
        after = int(positions.get(authority_id, 0))
        room = limit - len(entries)
        if heads.get(authority_id, 0) <= after or room <= 0:
            continue
        batch = list(change_store.after(authority_id, after, limit=room))
        entries.extend(batch)
        if batch:
            new_positions[authority_id] = int(batch[-1].seq)
    more = any(heads.get(a, 0) > int(new_positions.get(a, 0)) for a in AUTHORITY_IDS)
    return entries, new_positions, more


def digest(entries: Iterable[ChangeEntry], *, audit_from: date, working_days: int) -> Digest:
    """Turn change entries (seq order within each authority) into the audit's facts."""
    result = Digest()
    by_award: dict[str, list[ChangeEntry]] = {}
    for entry in entries:
        result.entries += 1
        if entry.entity == "program":
            _program_entry(result, entry.data)
            if entry.op == "status" and entry.data.get("status") == program_status.APPROVED:
                month = china_month(entry.committed_at)
                result.approvals.setdefault(entry.authority_id, []).append(month)
        elif entry.entity == "award":
            by_award.setdefault(entry.entity_id, []).append(entry)
    for award_id, award_entries in by_award.items():
        _award_entries(result, award_id, award_entries, audit_from, working_days)
    return result


def _program_entry(result: Digest, data: Mapping[str, Any]) -> None:
    status = data.get("status")
    approval = data.get("approval") or {}
    result.programs[data["id"]] = {
        "authority_id": data["authority_id"],
        "name": data.get("name", ""),
        "cycle": data.get("cycle", "irregular"),
        "status": status,
        "approved_on": approval.get("approved_on"),
    }
    if status in program_status.PUBLIC:
        result.listed.add(data["authority_id"])


def _award_entries(
    result: Digest,
    award_id: str,
    entries: list[ChangeEntry],
    audit_from: date,
    working_days: int,
) -> None:
    first, last = entries[0], entries[-1]
    authority_id = first.authority_id
    result.award_ids.add(award_id)
    existed_before = first.op != "create"
    before_view = earlier_view(award_id, int(first.version) - 1) if existed_before else None
    if existed_before and before_view is None:
        logger.warning("no earlier version of a changed award", extra={"award_id": award_id})
    before = push_class(before_view, audit_from) if before_view else None
    after_view = last.data
    after = push_class(after_view, audit_from)
    if before != after and not (existed_before and before_view is None):
        result.moves.setdefault(authority_id, []).append((before, after))
    before_facts = award_facts(before_view, audit_from) if before_view else None
    after_facts = award_facts(after_view, audit_from)
    if before_facts != after_facts and not (existed_before and before_view is None):
        result.pilot_moves.setdefault(authority_id, []).append((before_facts, after_facts))

    # A correction that moved awarded_on after the push (each such version once).
    previous_awarded_on = before_view.get("awarded_on") if before_view else None
    for entry in entries:
        current = entry.data.get("awarded_on")
        if (
            previous_awarded_on is not None
            and current != previous_awarded_on
            and china_date(parse_iso_utc(entry.committed_at)) >= audit_from
        ):
            result.changed_awarded_on.append(
                awarded_on_change_finding(
                    entry.data, previous_awarded_on, int(entry.version), entry.committed_at
                )
            )
        previous_awarded_on = current

    kind, _ = after
    if kind == "late":
        result.late_open[award_id] = late_push_finding(after_view, working_days=working_days)
    elif existed_before:
        result.late_close[award_id] = "excused" if kind == "excused" else "resolved"

    if after_view.get("status") == "active" and after_view.get("program_id"):
        program_id = after_view["program_id"]
        awarded_on = date.fromisoformat(after_view["awarded_on"])
        if (
            program_id not in result.last_awarded_on
            or awarded_on > result.last_awarded_on[program_id]
        ):
            result.last_awarded_on[program_id] = awarded_on
