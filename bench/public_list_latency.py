"""Benchmark: public list latency on the local stack, 1,000 vs 10,000 awards (issue 11.8).

Over real HTTP against ``chalice local`` + the moto launcher (what ``make run``
starts). Two local stacks run **at once**, one holding 1,000 awards of one
province and year, the other 10,000 (stored straight through the store layer by
``bench/_award_fill.py``, in a child process pointed at each stack). The
requests then alternate between the two stacks (1k, 10k, 10k, 1k, …), so both
sizes see the same load from whatever else runs on the machine: measured one
size after the other, a busy moment during one of them once made 0.92× look like
2.89×. Each stack's p50 and the ratio are reported for
``GET /v1/awards?authority_id=510000&year=2025&limit=1`` (the page a province
checks during its backfill) and the anonymous first page of everything.

Each stack runs its search worker, as ``make run`` does: after the bulk fill it
indexes every filled award for minutes (thousands of writes to the search
table) while the requests are timed. Before the launcher kept each table's
cached index partitions across writes to *other* tables, every one of those
writes made the next awards list regroup the whole awards table: 5.4× (limit 1)
and 4.1× (first page) with the search worker running, about 1× once it was done.

It also counts the items DynamoDB hands the app for one such request at each
size (the app in the fill process, on the same stack, through
``chalice.test.Client``): a bounded read path reads the same number at 1k and
10k. Before the launcher's partition-only Query (``devtools/moto_patches.py``)
the first request took about 4 s with 7,000 awards stored.

Target: the 10k median at most 2× the 1k median.

    python -m bench.public_list_latency
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from typing import Any

import requests

from devtools.local_stack import PROJECT_DIR, LocalStack, local_stack

SIZES = (1_000, 10_000)
REQUESTS = 40  # per query and size, after WARMUP
WARMUP = 3
AUTHORITY = "510000"
QUERIES = {
    "authority + year, limit 1": f"/v1/awards?authority_id={AUTHORITY}&year=2025&limit=1",
    "first page of everything, limit 20": "/v1/awards?limit=20",
}


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- child side: fill one stack and count the items a request reads ---------------------


def _items_read(paths: list[str]) -> dict[str, dict[str, int]]:
    """Items DynamoDB returns to the app per request for each path (this process's env)."""
    from chalice.test import Client
    from pynamodb.connection.base import Connection

    counts: Counter[str] = Counter()
    original = Connection._make_api_call

    def counting(self: Connection, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        answer = original(self, operation, kwargs)
        if operation in ("Query", "Scan"):
            counts["items"] += len(answer.get("Items", []))
        elif operation == "GetItem":
            counts["items"] += 1 if "Item" in answer else 0
        elif operation == "BatchGetItem":
            counts["items"] += sum(len(v) for v in answer.get("Responses", {}).values())
        counts["requests"] += 1
        return answer

    Connection._make_api_call = counting  # type: ignore[method-assign]
    from app import app

    found = {}
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        for path in paths:
            counts.clear()
            status = client.http.get(path).status_code
            found[path] = {"status": status, **counts}
    return found


def _fill_here(program_id: str, count: int) -> None:
    """Child: store ``count`` awards, then print the items each query reads, as JSON."""
    from bench._award_fill import fill_awards

    started = time.perf_counter()
    fill_awards(AUTHORITY, program_id, 0, count, year=2025)
    seconds = time.perf_counter() - started
    reads = _items_read(list(QUERIES.values()))
    print(json.dumps({"fill_seconds": seconds, "reads": reads}))


def _fill(stack: LocalStack, program_id: str, count: int) -> dict[str, Any]:
    """Fill ``stack`` from a child process (its own clients, pointed at that stack)."""
    env = {**stack.env, "POWERTOOLS_LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        [sys.executable, "-m", "bench.public_list_latency", "--fill", program_id, str(count)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1:])
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- parent side -------------------------------------------------------------------------


def _prepare(stack: LocalStack, count: int) -> dict[str, Any]:
    from tests.e2e.helpers import submitted_program

    key = stack.issue_key("--authority", AUTHORITY)["api_key"]
    program_id = submitted_program(stack, key)
    return _fill(stack, program_id, count)


def _get(session: requests.Session, stack: LocalStack, path: str) -> tuple[float, int]:
    begun = time.perf_counter()
    response = session.get(stack.url(path), timeout=120)
    return (time.perf_counter() - begun) * 1000, response.status_code


def run() -> list[dict]:
    rows: list[dict] = []
    with ExitStack() as stacks:
        started = {size: stacks.enter_context(local_stack()) for size in SIZES}
        filled = {size: _prepare(stack, size) for size, stack in started.items()}
        sessions = {size: requests.Session() for size in SIZES}
        latencies: dict[tuple[str, int], list[float]] = {}
        statuses: dict[tuple[str, int], Counter[int]] = {}
        for label, path in QUERIES.items():
            for size in SIZES:
                latencies[label, size], statuses[label, size] = [], Counter()
            for n in range(WARMUP + REQUESTS):
                # Alternate which size goes first, so neither is always the one after the other.
                order = SIZES if n % 2 == 0 else tuple(reversed(SIZES))
                for size in order:
                    ms, status = _get(sessions[size], started[size], path)
                    statuses[label, size][status] += 1
                    if n >= WARMUP:
                        latencies[label, size].append(ms)
        medians = {key: statistics.median(values) for key, values in latencies.items()}
        for label, path in QUERIES.items():
            for size in SIZES:
                samples = latencies[label, size]
                reads = filled[size]["reads"][path]
                rows.append(
                    {
                        "measure": f"local public list, {label}, {size:,} awards stored",
                        "value": round(medians[label, size], 1),
                        "unit": "ms (median)",
                        "notes": (
                            f"p95 {_percentile(samples, 0.95):.1f} ms over {len(samples)}, "
                            f"interleaved with the other size; statuses "
                            f"{dict(statuses[label, size])}; {reads['items']} items read in "
                            f"{reads['requests']} DynamoDB requests per page; filled {size:,} "
                            f"in {filled[size]['fill_seconds']:.0f} s"
                        ),
                    }
                )
        small, large = SIZES
        for label, path in QUERIES.items():
            ratio = medians[label, large] / medians[label, small]
            items = [filled[size]["reads"][path]["items"] for size in SIZES]
            rows.append(
                {
                    "measure": f"public list p50, {large:,} vs {small:,} awards stored ({label})",
                    "value": round(ratio, 2),
                    "unit": "×",
                    "notes": f"goal ≤ 2× — {'met' if ratio <= 2 else 'NOT met'}; both stacks "
                    f"at once, requests interleaved; items read per page {items[1]} vs {items[0]}",
                }
            )
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--fill":
        _fill_here(sys.argv[2], int(sys.argv[3]))
    else:
        for row in run():
            print(row)
