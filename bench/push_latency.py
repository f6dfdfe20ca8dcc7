"""Benchmark: push latency on the local stack with 1,000 vs 10,000 awards stored.

Over real HTTP against ``chalice local`` + the moto launcher (what ``make run``
starts). The stored awards are written straight through the store layer
(the items a push makes: record, source guard, credit-code items, change
entry; BatchWriteItem, 25 at a time) under another authority, so filling
10,000 takes seconds rather than the minutes 10,000 HTTP pushes would. Then
``PUSHES`` sequential pushes are timed at each size, and ``ROUNDS`` rounds of
20 simultaneous pushes from one province count the 5xx answers.

Target: the 10k median at most 2x the 1k median (the emulator's cost must not
grow with the table; production DynamoDB's does not).

    python -m bench.push_latency
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests

from devtools.local_stack import LocalStack as Stack
from devtools.local_stack import local_stack

SIZES = (1_000, 10_000)
PUSHES = 100
CONCURRENT = 20
ROUNDS = 3
FILL_AUTHORITY = "320000"
PUSH_AUTHORITY = "110000"


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _program(stack: Stack, key: str) -> str:
    """Created, given a verified approval document and submitted: the e2e tests' own steps."""
    from tests.e2e.helpers import submitted_program

    return submitted_program(stack, key)


def _fill(program_id: str, start: int, count: int) -> None:
    """Store ``count`` awards of ``FILL_AUTHORITY`` with the items a push would write."""
    import boto3

    from chalicelib.config import settings
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.schemas import AwardIn, parse_model
    from chalicelib.store.awards import award_view, shard_of
    from chalicelib.store.base import iso_utc
    from chalicelib.store.models import (
        AuthorityRecord,
        AwardRecord,
        ChangeEntry,
        CreditCodeEntry,
        SourceGuard,
    )
    from tests.factories import award_body, credit_code

    ddb = boto3.client("dynamodb")
    awards_table, changes_table = settings().table_name("awards"), settings().table_name("changes")
    authority = AuthorityRecord.get(FILL_AUTHORITY, consistent_read=True)
    seq = int(authority.seq or 0)
    pending: list[tuple[str, dict]] = []

    def flush(force: bool = False) -> None:
        while len(pending) >= 25 or (force and pending):
            chunk, pending[:] = pending[:25], pending[25:]
            requests_by_table: dict[str, list] = {}
            for table, item in chunk:
                requests_by_table.setdefault(table, []).append({"PutRequest": {"Item": item}})
            unprocessed = ddb.batch_write_item(RequestItems=requests_by_table)["UnprocessedItems"]
            assert not unprocessed

    for n in range(start, start + count):
        body = award_body(program_id, source_id=f"FILL-{n}")
        body["winners"][0]["credit_code"] = credit_code(2_000_000 + 2 * n, prefix="91320000")
        body["winners"][1]["credit_code"] = credit_code(2_000_001 + 2 * n, prefix="91320000")
        award = parse_model(AwardIn, body, today=datetime.now(UTC).date())
        at = iso_utc(datetime.now(UTC))
        award_id = new_id("awd")
        record = AwardRecord(
            pk=AwardRecord.key(award_id),
            id=award_id,
            authority_id=FILL_AUTHORITY,
            source_id=award.source_id,
            program_id=program_id,
            year=award.year,
            awarded_on=award.awarded_on.isoformat(),
            content=award.model_dump(mode="json", exclude_none=True),
            content_hash=award.canonical_hash(),
            credit_codes=[w.credit_code for w in award.winners],
            submitted_at=at,
            deadline="2024-03-29",
            deadline_official=True,
            timeliness={"status": "late", "working_days_late": 100, "calendar": "official"},
            awarded_on_changes=[],
            status="active",
            created_at=at,
            updated_at=at,
            shard=shard_of(award_id),
            feed_key=f"{at}#{award_id}",
            version=1,
        )
        seq += 1
        items = [
            record,
            SourceGuard(
                pk=SourceGuard.key(FILL_AUTHORITY, award.source_id),
                award_id=award_id,
                content_hash=record.content_hash,
            ),
            *(
                CreditCodeEntry(
                    pk=CreditCodeEntry.key(code),
                    sk=record.feed_key,
                    award_id=award_id,
                    authority_id=FILL_AUTHORITY,
                )
                for code in record.credit_codes
            ),
        ]
        pending.extend((awards_table, item.serialize()) for item in items)
        change = ChangeEntry(
            authority_id=FILL_AUTHORITY,
            seq=seq,
            entity="award",
            entity_id=award_id,
            op="create",
            version=1,
            committed_at=at,
            data=award_view(record),
        )
        pending.append((changes_table, change.serialize()))
        flush()
    flush(force=True)
    authority.update(actions=[AuthorityRecord.seq.set(seq)])


def _push(stack: Stack, session: requests.Session, key: str, program_id: str, n: int) -> Any:
    from tests.factories import award_body, credit_code

    body = award_body(program_id, source_id=f"BENCH-{n}")
    body["winners"][0]["credit_code"] = credit_code(5_000_000 + n)
    start = time.perf_counter()
    response = session.post(stack.url("/v1/awards"), json=body, headers=_bearer(key), timeout=120)
    return response.status_code, (time.perf_counter() - start) * 1000


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run() -> list[dict]:
    rows: list[dict] = []
    with local_stack(export_env=True) as stack:
        from chalicelib.services.keys import PROVINCIAL, issue_key

        filler = issue_key(role=PROVINCIAL, authority_id=FILL_AUTHORITY)["api_key"]
        pusher = issue_key(role=PROVINCIAL, authority_id=PUSH_AUTHORITY)["api_key"]
        fill_program, push_program = _program(stack, filler), _program(stack, pusher)
        stored, pushed, medians = 0, 0, {}
        session = requests.Session()
        for size in SIZES:
            started = time.perf_counter()
            _fill(fill_program, stored, size - stored)
            fill_seconds = time.perf_counter() - started
            stored = size
            latencies, statuses = [], Counter()
            for _ in range(PUSHES):
                status, ms = _push(stack, session, pusher, push_program, pushed)
                pushed += 1
                statuses[status] += 1
                latencies.append(ms)
            medians[size] = statistics.median(latencies)
            rows.append(
                {
                    "measure": f"local push latency, {size:,} awards stored",
                    "value": round(medians[size], 1),
                    "unit": "ms (median)",
                    "notes": (
                        f"p95 {_percentile(latencies, 0.95):.1f} ms over {PUSHES} pushes; "
                        f"statuses {dict(statuses)}; filled {size:,} in {fill_seconds:.0f} s"
                    ),
                }
            )
        ratio = medians[SIZES[-1]] / medians[SIZES[0]]
        rows.append(
            {
                "measure": f"push median, {SIZES[-1]:,} / {SIZES[0]:,} stored",
                "value": round(ratio, 2),
                "unit": "×",
                "notes": "target ≤ 2× — " + ("met" if ratio <= 2 else "NOT met"),
            }
        )
        statuses, latencies = Counter(), []
        lock = threading.Lock()
        for _ in range(ROUNDS):
            barrier = threading.Barrier(CONCURRENT)

            def one(n: int, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                status, ms = _push(stack, requests.Session(), pusher, push_program, n)
                with lock:
                    statuses[status] += 1
                    latencies.append(ms)

            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                list(pool.map(one, range(pushed, pushed + CONCURRENT)))
            pushed += CONCURRENT
        errors = sum(n for status, n in statuses.items() if status >= 500)
        rows.append(
            {
                "measure": f"5xx at {CONCURRENT} concurrent pushes (one province)",
                "value": errors,
                "unit": f"of {CONCURRENT * ROUNDS}",
                "notes": (
                    f"{ROUNDS} rounds; statuses {dict(statuses)}; "
                    f"median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
