"""Benchmark: public list latency on the local stack, 1,000 vs 10,000 awards (issue 11.8).

Over real HTTP against ``chalice local`` + the moto launcher (what ``make run``
starts). Awards of one province and year are stored straight through the store
layer (``bench/_award_fill.py``), then ``REQUESTS`` sequential
``GET /v1/awards?authority_id=510000&year=2025&limit=1`` (the page a province
checks during its backfill) and as many anonymous first pages of everything are
timed at each size. Before the launcher's partition-only Query
(``devtools/moto_patches.py``) the first took about 4 s with 7,000 awards stored.

Target: the 10k median at most 2× the 1k median.

    python -m bench.public_list_latency
"""

from __future__ import annotations

import statistics
import time

import requests

from devtools.local_stack import local_stack

SIZES = (1_000, 10_000)
REQUESTS = 50
AUTHORITY = "510000"
QUERIES = {
    "authority + year, limit 1": f"/v1/awards?authority_id={AUTHORITY}&year=2025&limit=1",
    "first page of everything, limit 20": "/v1/awards?limit=20",
}


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run() -> list[dict]:
    from bench._award_fill import fill_awards

    rows: list[dict] = []
    with local_stack(export_env=True) as stack:
        from chalicelib.services.keys import PROVINCIAL, issue_key
        from tests.e2e.helpers import submitted_program

        key = issue_key(role=PROVINCIAL, authority_id=AUTHORITY)["api_key"]
        program_id = submitted_program(stack, key)
        session = requests.Session()
        stored = 0
        medians: dict[tuple[str, int], float] = {}
        for size in SIZES:
            started = time.perf_counter()
            fill_awards(AUTHORITY, program_id, stored, size - stored, year=2025)
            fill_seconds = time.perf_counter() - started
            stored = size
            for label, path in QUERIES.items():
                latencies, statuses = [], set()
                for _ in range(REQUESTS):
                    begun = time.perf_counter()
                    response = session.get(stack.url(path), timeout=120)
                    latencies.append((time.perf_counter() - begun) * 1000)
                    statuses.add(response.status_code)
                medians[label, size] = statistics.median(latencies)
                rows.append(
                    {
                        "measure": f"local public list, {label}, {size:,} awards stored",
                        "value": round(medians[label, size], 1),
                        "unit": "ms (median)",
                        "notes": (
                            f"p95 {_percentile(latencies, 0.95):.1f} ms over {REQUESTS}; "
                            f"statuses {sorted(statuses)}; filled {size:,} in {fill_seconds:.0f} s"
                        ),
                    }
                )
        small, large = SIZES
        for label in QUERIES:
            ratio = medians[label, large] / medians[label, small]
            rows.append(
                {
                    "measure": f"public list p50, {large:,} vs {small:,} awards stored ({label})",
                    "value": round(ratio, 2),
                    "unit": "×",
                    "notes": "goal ≤ 2× — " + ("met" if ratio <= 2 else "NOT met"),
                }
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
