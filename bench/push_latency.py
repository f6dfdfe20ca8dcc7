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
from typing import Any

import requests

from bench._award_fill import fill_awards
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
    fill_awards(FILL_AUTHORITY, program_id, start, count)


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
