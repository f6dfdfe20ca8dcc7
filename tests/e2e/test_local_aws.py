"""The local AWS launcher (``devtools.local_aws``): moto server with the DynamoDB patches.

The launcher runs as a subprocess, exactly as ``make run`` starts it; boto3 talks to it
over HTTP. Checks transactional semantics (rollback, cancellation reasons), concurrency
(no HTTP 5xx with parallel writers) and that the patch is in place. Latency is measured by
``bench/local_transactions.py``, never asserted here.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

PROJECT_DIR = Path(__file__).resolve().parents[2]
REGION = "cn-north-1"
READY_LINE = re.compile(r"^moto server ready on (http://127\.0\.0\.1:\d+)$")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_ready_line(process: subprocess.Popen, timeout: float) -> str:
    """First stdout line of the launcher, or fail after ``timeout`` seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            pytest.fail(f"launcher not ready (exit code {process.poll()}), stdout {buffer!r}")
        readable, _, _ = select.select([process.stdout], [], [], remaining)
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                continue
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode().strip()


@pytest.fixture(scope="module")
def aws_env() -> Iterator[dict[str, str]]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
            mp.delenv(name, raising=False)
        yield env


@pytest.fixture(scope="module")
def endpoint(aws_env: dict[str, str]) -> Iterator[str]:
    """The launcher as a subprocess; on teardown SIGTERM must stop it with exit code 0."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.local_aws", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_DIR,
        env={**os.environ, **aws_env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        line = _read_ready_line(process, timeout=30)
        match = READY_LINE.match(line)
        assert match, line
        assert match.group(1) == f"http://127.0.0.1:{port}"
        yield match.group(1)
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def ddb(endpoint: str) -> Any:
    # No retries: a 5xx must surface, not be retried away by botocore.
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=16)
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, config=config)


@pytest.fixture
def table(ddb: Any) -> str:
    name = f"local-aws-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
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
    return name


def _key(pk: str, sk: str = "0") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _put(ddb: Any, table: str, pk: str, **attrs: str) -> None:
    item = _key(pk) | {name: {"S": value} for name, value in attrs.items()}
    ddb.put_item(TableName=table, Item=item)


def _get(ddb: Any, table: str, pk: str) -> dict[str, Any] | None:
    return ddb.get_item(TableName=table, Key=_key(pk), ConsistentRead=True).get("Item")


def _scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _seed(ddb: Any, table: str) -> None:
    _put(ddb, table, "updated", v="old")
    _put(ddb, table, "overwritten", v="old", extra="kept")
    _put(ddb, table, "deleted", v="old")
    _put(ddb, table, "guard", state="closed")


def test_cancelled_transaction_leaves_no_trace_and_reports_reasons_in_order(ddb, table):
    _seed(ddb, table)
    before = _scan(ddb, table)

    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": _key("new") | {"v": {"S": "new"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": table, "Item": _key("overwritten") | {"v": {"S": "new"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("updated"),
                        "UpdateExpression": "SET v = :new, added = :new",
                        "ExpressionAttributeValues": {":new": {"S": "new"}},
                    }
                },
                {"Delete": {"TableName": table, "Key": _key("deleted")}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("guard"),
                        "UpdateExpression": "SET #s = :open",
                        "ConditionExpression": "#s = :open",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": {":open": {"S": "open"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )

    reasons = caught.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None"] * 4 + ["ConditionalCheckFailed"]
    assert reasons[-1]["Item"] == _key("guard") | {"state": {"S": "closed"}}
    assert _scan(ddb, table) == before
    assert _get(ddb, table, "new") is None
    assert _get(ddb, table, "updated") == _key("updated") | {"v": {"S": "old"}}
    assert _get(ddb, table, "overwritten") == _key("overwritten") | {
        "v": {"S": "old"},
        "extra": {"S": "kept"},
    }
    assert _get(ddb, table, "deleted") == _key("deleted") | {"v": {"S": "old"}}


def test_successful_transaction_applies_every_item(ddb, table):
    _seed(ddb, table)

    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": _key("new") | {"v": {"S": "new"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": table, "Item": _key("overwritten") | {"v": {"S": "new"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": _key("updated"),
                    "UpdateExpression": "SET v = :new",
                    "ConditionExpression": "v = :old",
                    "ExpressionAttributeValues": {":new": {"S": "new"}, ":old": {"S": "old"}},
                }
            },
            {"Delete": {"TableName": table, "Key": _key("deleted")}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": _key("guard"),
                    "ConditionExpression": "#s = :closed",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":closed": {"S": "closed"}},
                }
            },
        ]
    )

    assert _scan(ddb, table) == [
        _key("guard") | {"state": {"S": "closed"}},
        _key("new") | {"v": {"S": "new"}},
        _key("overwritten") | {"v": {"S": "new"}},
        _key("updated") | {"v": {"S": "new"}},
    ]


def test_two_operations_on_one_key_are_rejected_and_rolled_back(ddb, table):
    _seed(ddb, table)
    before = _scan(ddb, table)

    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": _key("new")}},
                {"Put": {"TableName": table, "Item": _key("updated") | {"v": {"S": "new"}}}},
                {"Delete": {"TableName": table, "Key": _key("updated")}},
            ]
        )

    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "multiple operations on one item" in error["Message"]
    assert _scan(ddb, table) == before


def test_more_than_100_items_are_rejected(ddb, table):
    items = [{"Put": {"TableName": table, "Item": _key(f"p{i}")}} for i in range(101)]
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=items)
    assert _scan(ddb, table) == []


def test_concurrent_writers_get_no_server_errors_and_lose_no_update(ddb, table):
    threads_n, per_thread = 8, 50
    counter_key = _key("counter")
    ddb.put_item(TableName=table, Item=counter_key | {"n": {"N": "0"}})

    successes = [0] * threads_n
    unexpected: list[str] = []
    server_errors: list[str] = []

    def transaction(thread: int, i: int, seen: int) -> list[dict[str, Any]]:
        puts = [
            {
                "Put": {
                    "TableName": table,
                    "Item": _key(f"w{thread}-{i}", str(part)) | {"v": {"N": str(part)}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for part in range(3)
        ]
        update = {
            "Update": {
                "TableName": table,
                "Key": counter_key,
                "UpdateExpression": "SET n = n + :one",
                "ConditionExpression": "n = :seen",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":seen": {"N": str(seen)}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        return [*puts, update]

    def writer(thread: int) -> None:
        seen = 0
        for i in range(per_thread):
            for _attempt in range(500):
                try:
                    ddb.transact_write_items(TransactItems=transaction(thread, i, seen))
                except ddb.exceptions.TransactionCanceledException as exc:
                    reasons = exc.response["CancellationReasons"]
                    if [r["Code"] for r in reasons] != ["None"] * 3 + ["ConditionalCheckFailed"]:
                        unexpected.append(f"thread {thread}: reasons {reasons}")
                        return
                    seen = int(reasons[-1]["Item"]["n"]["N"])  # retry with the current value
                    continue
                except ClientError as exc:
                    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                    (server_errors if status >= 500 else unexpected).append(f"{status}: {exc}")
                    return
                except Exception as exc:
                    unexpected.append(repr(exc))
                    return
                successes[thread] += 1
                seen += 1
                break
            else:
                unexpected.append(f"thread {thread}: transaction {i} never went through")
                return

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert server_errors == []
    assert unexpected == []
    assert sum(successes) == threads_n * per_thread
    counter = _get(ddb, table, "counter")
    assert counter is not None and int(counter["n"]["N"]) == sum(successes)
    assert len(_scan(ddb, table)) == 1 + 3 * sum(successes)


def test_patches_are_installed_idempotently_in_process():
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    from devtools.moto_patches import apply_patches

    apply_patches()
    transact, call_action = DynamoDBBackend.transact_write_items, DynamoHandler.call_action
    apply_patches()

    assert DynamoDBBackend.transact_write_items is transact
    assert DynamoHandler.call_action is call_action
    assert transact.__module__ == "devtools.moto_patches"
    # wrapped exactly once: the inner function is moto's, not another copy of the wrapper
    assert not getattr(call_action.__wrapped__, "_award_registry_moto_patch", False)


def test_start_local_aws_in_process(aws_env):
    from devtools.local_aws import endpoint_url, start_local_aws, wait_until_ready

    server = start_local_aws("127.0.0.1", 0)
    try:
        url = endpoint_url(server)
        wait_until_ready(url, timeout=5)
        client = boto3.client("dynamodb", endpoint_url=url, region_name=REGION)
        name = f"in-process-{uuid.uuid4().hex[:8]}"
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert name in client.list_tables()["TableNames"]
    finally:
        server.stop()
