"""Benchmark: stored items one public list page reads, 1,000 vs 10,000 awards (issue 10.1).

In-process (the Chalice test client on in-process moto, as the functional tests
run). Items read are counted on the wire: every Query, GetItem and BatchGetItem
answer pynamodb receives. Each size asks:

- a filter matching nothing that no index serves (a programme's awards of a
  year it has none of: ``by_program``, the year checked on each record), which
  stops at the read bound ``max(10 × limit, 200)`` and answers an empty page
  with a cursor;
- a filter matching nothing that an index serves (``authority_id`` + ``year``);
- the first page of everything (the sharded listing).

Target: equal at both sizes.

    python -m bench.bounded_reads
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench._inprocess import local_app, provincial_key, submitted_program

SIZES = (1_000, 10_000)
AUTHORITY = "510000"
LIMIT = 20


def _count_reads() -> Counter[str]:
    """Install a counter of items read per table on pynamodb's connection."""
    from pynamodb.connection.base import Connection

    counts: Counter[str] = Counter()
    original = Connection._make_api_call

    def counting(self: Connection, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        answer = original(self, operation, kwargs)
        if operation in ("Query", "Scan"):
            counts[kwargs["TableName"].rsplit("-", 1)[-1]] += len(answer.get("Items", []))
            counts["requests"] += 1
        elif operation == "GetItem":
            counts[kwargs["TableName"].rsplit("-", 1)[-1]] += 1 if "Item" in answer else 0
            counts["requests"] += 1
        elif operation == "BatchGetItem":
            for table, items in answer.get("Responses", {}).items():
                counts[table.rsplit("-", 1)[-1]] += len(items)
            counts["requests"] += 1
        return answer

    Connection._make_api_call = counting  # type: ignore[method-assign]
    return counts


def run() -> list[dict]:
    from bench._award_fill import fill_awards

    rows: list[dict] = []
    counts = _count_reads()
    with local_app() as api:
        key = provincial_key(AUTHORITY)
        program_id = submitted_program(api, key)
        queries = {
            "programme + a year it has none of": (
                f"/v1/awards?program_id={program_id}&year=2019&limit={LIMIT}"
            ),
            "authority + a year it has none of": (
                f"/v1/awards?authority_id={AUTHORITY}&year=2019&limit={LIMIT}"
            ),
            "first page of everything": f"/v1/awards?limit={LIMIT}",
        }
        stored = 0
        results: dict[tuple[str, int], int] = {}
        for size in SIZES:
            fill_awards(AUTHORITY, program_id, stored, size - stored, year=2025)
            stored = size
            for label, path in queries.items():
                counts.clear()
                response = api.call("GET", path)
                assert response.status == 200, response.data
                results[label, size] = counts["awards"]
                page = response.data
                rows.append(
                    {
                        "measure": f"items read per page, {label}, {size:,} awards",
                        "value": counts["awards"],
                        "unit": "items",
                        "notes": (
                            f"limit {LIMIT}; {len(page['items'])} served; "
                            f"next_cursor {'yes' if page['next_cursor'] else 'no'}; "
                            f"{counts['requests']} requests"
                        ),
                    }
                )
        small, large = SIZES
        label = "programme + a year it has none of"
        rows.append(
            {
                "measure": (
                    f"items read per page for a filter matching nothing, {large:,} vs {small:,}"
                ),
                "value": round(results[label, large] / max(1, results[label, small]), 2),
                "unit": "×",
                "notes": (
                    f"{results[label, large]} vs {results[label, small]} items "
                    f"(bound max(10 × limit, 200)); target equal (1×)"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
