"""Benchmark: DynamoDB items the daily audit reads, 1k vs 10k awards of history.

The audit reads the change feed after its stored positions, plus what it keeps
(state, trackers, counters, open findings), never the registry (SPEC §5). So
the same 200 new pushes since the last run should cost the same reads over
1,000 or 10,000 awards of history: the ratio row should be ≈1×, with no Scan.

The data-quality checks (issue 22) run in the same audit, so these rows count
their reads too (target ≤ 1.1×). The history is a hard case for them: every group
the 200 new awards touch, through each of the checks' indexes, holds half or all
of the history, and the checks must read a bounded part of a group, never the
whole. The programme is biennial (so its programme + year groups are read) and
every award has its announcement number and year; the even-numbered history
awards have the new awards' project name (the duplicate group: normalised project
name + programme + year) with winners of their own; the odd-numbered ones a project
name of their own with the new awards' first winner (the credit-code group, one
name). Nothing in the history trips a rule; the 200 new awards are duplicates of
each other (same winners, same project).

Each size runs on its own fresh in-process moto: history batch-written with the
items a push writes, change entries included, and already indexed for the
data-quality checks (``bench/_award_fill.py``: on time, distinct winners, one
project name; the index items are the ones ``store/quality.write_index`` writes,
built by the same code), one audit run that takes the history's changes in, 200 new
pushes through the service layer (``push_award``, each its own ledger transaction,
as the API would), then the measured audit run, with the app's own settings.

The history's index is written straight, not by the first audit: judging 10,000
awards' ~50,000 groups one by one on moto took over 50 minutes on a loaded 2-core
machine. The first run leaves the history batch to a background rescan, as the
audit does on the day a backfill lands (``QUALITY_AUDIT_MAX_AWARDS``); that rescan
is not run, as the index already holds what it would write, and it would find
nothing (every history award has its own winners). ``AUDIT_BENCH_INDEX=audit``
makes the first run index and judge the history itself instead (slow: use small
sizes), to check that both ways give the measured run the same reads.

Items read are counted with a botocore ``after-call.dynamodb`` hook
on every DynamoDB client (GetItem 1 if found, Query/Scan ``ScannedCount``: what a
filtered Query evaluated, which is what it costs, not only what it returned;
BatchGetItem/TransactGetItems their responses). The programme-list deadline is
moved out of the way as in the audit's functional tests, so the first run does
not alert all 32 authorities. The audit's seconds in the notes are moto's
(its in-memory queries slow down as tables grow), not DynamoDB's.

    python -m bench.audit_reads
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import date, datetime
from typing import Any

import botocore.session

from bench._inprocess import moto  # sets the env before any botocore client exists

# AUDIT_BENCH_HISTORY="200,2000" for a quicker look on a loaded machine.
HISTORY = tuple(int(n) for n in os.environ.get("AUDIT_BENCH_HISTORY", "1000,10000").split(","))
# "fill" (default): the history's quality index batch-written; "audit": the first run builds it.
INDEX_BY = os.environ.get("AUDIT_BENCH_INDEX", "fill")
NEW_PUSHES = 200
AUTHORITY = "110000"
HISTORY_AT = datetime.fromisoformat("2026-11-20T02:00:00+00:00")  # awarded 2026-11-16: on time
FIRST_AUDIT = date(2026, 11, 21)
NEW_AT = datetime.fromisoformat("2026-11-21T02:00:00+00:00")  # awarded 2026-11-02: late
SECOND_AUDIT = date(2026, 11, 22)


class ItemReads:
    """DynamoDB requests by operation and items returned, from every client made after install."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.operations: Counter[str] = Counter()
        self.items = 0

    def install(self) -> ItemReads:
        create_client = botocore.session.Session.create_client
        reads = self

        def counting_create_client(session: Any, service_name: str, *args: Any, **kwargs: Any):
            client = create_client(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register("after-call.dynamodb", reads._on_call)
            return client

        botocore.session.Session.create_client = counting_create_client
        return self

    def _on_call(self, parsed: dict, model: Any, **_: Any) -> None:
        operation = model.name
        if operation == "GetItem":
            items = 1 if parsed.get("Item") else 0
        elif operation in ("Query", "Scan"):
            items = int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        elif operation == "BatchGetItem":
            items = sum(len(rows) for rows in parsed.get("Responses", {}).values())
        elif operation == "TransactGetItems":
            items = len(parsed.get("Responses", []))
        else:
            items = 0
        with self._lock:
            self.operations[operation] += 1
            self.items += items

    def reset(self) -> None:
        with self._lock:
            self.operations.clear()
            self.items = 0

    def summary(self) -> str:
        return " ".join(f"{name}×{n}" for name, n in sorted(self.operations.items()))


def _measure(history: int, reads: ItemReads) -> dict[str, Any]:
    """Fill ``history`` awards, audit, push the new ones, audit again; what the second run read."""
    from bench._award_fill import fill_awards
    from chalicelib.config import settings
    from chalicelib.domain import schemas
    from chalicelib.domain.principal import Province
    from chalicelib.services import audit, programs
    from chalicelib.services.awards import push_award
    from chalicelib.services.setup import bootstrap
    from tests.factories import award_body, program_body

    with moto.mock_aws():
        bootstrap()
        object.__setattr__(settings(), "program_list_due", date(2099, 12, 31))
        max_awards = settings().quality_audit_max_awards  # the measured run's own setting
        principal = Province(role="provincial", authority_id=AUTHORITY, key_id="key_bench")
        program_in = schemas.parse_model(schemas.ProgramIn, program_body(cycle="biennial"))
        program_id = programs.create_program(principal, program_in, HISTORY_AT)["id"]
        # Straight to submitted: the approval-document upload is another flow, not measured.
        programs.transition(
            program_id, principal, allowed_from={"draft"}, to="submitted", now=HISTORY_AT
        )

        def push(prefix: str, count: int, awarded_on: str, at: datetime) -> None:
            for n in range(count):
                body = award_body(program_id, f"{prefix}-{n:05d}", awarded_on=awarded_on, year=2026)
                award = schemas.parse_model(schemas.AwardIn, body)  # today: the pinned clock
                assert push_award(principal, award, at).created

        new_winner = award_body(program_id)["winners"][0]

        def half_and_half(n: int, body: dict[str, Any]) -> None:
            """Odd: the new awards' first winner, a project of its own (see the module doc)."""
            if n % 2:
                body["project"]["name"] += f"（{n}号地块）"
                body["winners"][0] = dict(new_winner)

        started = time.monotonic()
        by_fill = INDEX_BY != "audit"
        fill_awards(
            AUTHORITY,
            program_id,
            0,
            history,
            year=2026,
            on_time=True,
            quality_index=by_fill,
            adjust=half_and_half,
        )
        # Indexed by the fill: the history batch goes to a rescan (queued, not run, see the
        # module doc). Else the first run indexes and judges all of it itself.
        object.__setattr__(settings(), "quality_audit_max_awards", 1 if by_fill else 1_000_000)
        first = audit.run_audit(today=FIRST_AUDIT, trigger="bench")
        fill_seconds = time.monotonic() - started
        object.__setattr__(settings(), "quality_audit_max_awards", max_awards)

        push("NEW", NEW_PUSHES, "2026-11-02", NEW_AT)
        reads.reset()
        started = time.monotonic()
        report = audit.run_audit(today=SECOND_AUDIT, trigger="bench")
        audit_seconds = time.monotonic() - started
        return {
            "items": reads.items,
            "requests": sum(reads.operations.values()),
            "scans": reads.operations["Scan"],
            "summary": reads.summary(),
            "changes_read": report["summary"]["changes_read"],
            "findings_new": len(report["findings_new"]),
            "quality": report.get("quality", {}),
            "fill_seconds": fill_seconds,
            "audit_seconds": audit_seconds,
            "first_changes": first["summary"]["changes_read"],
            "first_quality": first.get("quality", {}),
        }


def run() -> list[dict]:
    reads = ItemReads().install()
    from devtools.moto_patches import apply_patches

    apply_patches()
    measured = {history: _measure(history, reads) for history in HISTORY}
    rows = []
    for history, m in measured.items():
        rows.append(
            {
                "measure": f"items read by the daily audit, {history:,} awards of history "
                f"+ {NEW_PUSHES} new pushes",
                "value": m["items"],
                "unit": "items",
                "notes": (
                    f"{m['requests']} requests: {m['summary']}; Scan×{m['scans']}; "
                    f"changes_read={m['changes_read']}, findings_new={m['findings_new']}; "
                    f"quality checks: {m['quality'].get('awards_checked', 0)} awards, "
                    f"{m['quality'].get('groups_judged', 0)} groups judged; "
                    f"audit {m['audit_seconds']:.1f} s; history batch-written and taken in "
                    f"by a first run ({m['first_changes']:,} changes; quality index "
                    + (
                        "by the fill, the batch left to a rescan"
                        if "deferred_to_rescan" in m["first_quality"]
                        else f"by that run: {m['first_quality'].get('groups_judged', 0):,} "
                        f"groups judged, {m['first_quality'].get('opened', 0)} findings"
                    )
                    + f") in {m['fill_seconds']:.0f} s"
                ),
            }
        )
    small, large = (measured[h] for h in HISTORY)
    ratio = round(large["items"] / small["items"], 2) if small["items"] else None
    rows.append(
        {
            "measure": f"audit items read (data-quality checks on), {HISTORY[1]:,} vs "
            f"{HISTORY[0]:,} awards of history",
            "value": ratio if ratio is not None else "n/a",
            "unit": "×",
            "notes": (
                f"goal ≤ 1.1× — {'met' if ratio is not None and ratio <= 1.1 else 'NOT met'} "
                f"(grows with new pushes, not history); {large['items']} vs {small['items']} "
                f"items, requests {large['requests']} vs {small['requests']}"
            ),
        }
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
