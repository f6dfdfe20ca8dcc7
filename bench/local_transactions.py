"""Benchmark: TransactWriteItems latency on the local emulator vs. number of stored items.

Starts the local AWS launcher in this process on a free port, creates a table
(``pk``/``sk`` strings, PAY_PER_REQUEST), then measures N 4-item transactions (3 new puts
with ``attribute_not_exists`` + 1 conditional counter update) after filling the table to
each size. Prints a markdown table.

    python -m bench.local_transactions                 # patched launcher (default)
    python -m bench.local_transactions --unpatched     # plain moto, for comparison

This is a manual benchmark, not a test: timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import uuid
from typing import Any

import boto3

REGION = "cn-north-1"
TABLE = "bench-transactions"


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _fill(ddb: Any, stored: int, target: int) -> int:
    """Batch-write filler items until the table holds ``target`` items."""
    while stored < target:
        batch = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"filler#{(stored + i) // 50}"},
                        "sk": {"S": f"{stored + i:08d}"},
                        "payload": {"S": "x" * 200},
                        "n": {"N": str(stored + i)},
                    }
                }
            }
            for i in range(min(25, target - stored))
        ]
        ddb.batch_write_item(RequestItems={TABLE: batch})
        stored += len(batch)
    return stored


def _transaction(ddb: Any, counter: int) -> None:
    run = uuid.uuid4().hex
    puts = [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {"pk": {"S": f"tx#{run}"}, "sk": {"S": f"{i}"}, "v": {"N": "1"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for i in range(3)
    ]
    update = {
        "Update": {
            "TableName": TABLE,
            "Key": {"pk": {"S": "counter"}, "sk": {"S": "counter"}},
            "UpdateExpression": "SET n = n + :one",
            "ConditionExpression": "n = :expected",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":expected": {"N": str(counter)}},
        }
    }
    ddb.transact_write_items(TransactItems=[*puts, update])


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(sizes: list[int], transactions: int, unpatched: bool) -> list[tuple[int, float, float]]:
    """(stored items, p50 ms, p95 ms) after filling the table to each of ``sizes``."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request
    if unpatched:
        from moto.server import ThreadedMotoServer

        from devtools.local_aws import endpoint_url, wait_until_ready

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        wait_until_ready(endpoint_url(server))
    else:
        from devtools.local_aws import endpoint_url, start_local_aws

        server = start_local_aws("127.0.0.1", 0)
    try:
        ddb = _client(endpoint_url(server))
        ddb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(
            TableName=TABLE, Item={"pk": {"S": "counter"}, "sk": {"S": "counter"}, "n": {"N": "0"}}
        )
        stored, counter = 1, 0
        rows = []
        for size in sizes:
            stored = _fill(ddb, stored, size)
            latencies = []
            for _ in range(transactions):
                start = time.perf_counter()
                _transaction(ddb, counter)
                latencies.append((time.perf_counter() - start) * 1000)
                counter += 1
            rows.append((stored, statistics.median(latencies), _percentile(latencies, 0.95)))
            stored += 3 * transactions
        return rows
    finally:
        server.stop()


def run() -> list[dict]:
    """Rows for ``bench.run_all``: the patched launcher at 1k and 10k stored items."""
    transactions = 100
    rows = measure([1_000, 10_000], transactions, unpatched=False)
    out = [
        {
            "measure": f"4-item TransactWriteItems on the launcher, {stored:,} items stored",
            "value": round(p50, 1),
            "unit": "ms (median)",
            "notes": f"p95 {p95:.1f} ms over {transactions}",
        }
        for stored, p50, p95 in rows
    ]
    out.append(
        {
            "measure": "transaction median, 10k / 1k stored",
            "value": round(rows[-1][1] / rows[0][1], 2),
            "unit": "×",
            "notes": "flat means the emulator's cost does not grow with the table",
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--unpatched", action="store_true", help="plain moto (no patches)")
    args = parser.parse_args()

    rows = measure(args.sizes, args.transactions, args.unpatched)
    label = "moto 5.2.5 unpatched" if args.unpatched else "devtools.local_aws (patched)"
    print(f"{label}, {args.transactions} 4-item transactions per row\n")
    print("| stored items | p50 ms | p95 ms | ratio (p50 / first p50) |")
    print("|---:|---:|---:|---:|")
    base = rows[0][1]
    for stored, p50, p95 in rows:
        print(f"| {stored:,} | {p50:.1f} | {p95:.1f} | {p50 / base:.2f} |")


if __name__ == "__main__":
    main()
