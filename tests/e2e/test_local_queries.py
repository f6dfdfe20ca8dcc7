"""The local launcher's partition-only Query (``devtools.moto_patches.partition_query``).

moto lists and sorts the whole table for every Query; the patch hands moto's own query
code only the queried partition (GSI partitions cached until the next write). These
tests run the same requests with the patch and with moto's original ``Table.query``
and require identical answers: base table and GSI, range conditions, both orders,
pagination, and after puts, in-place updates that move an item between GSI partitions,
deletes and transactions, with windows of the default size and of one item. Speed is
measured by ``bench/public_list_latency.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools import moto_patches

REGION = "cn-north-1"
TABLE = "partition-query"


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_patches.apply_patches()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "r")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_g",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "r", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        yield client


@contextmanager
def _unpatched() -> Iterator[None]:
    from moto.dynamodb.models.table import Table

    patched = Table.query
    Table.query = moto_patches._ORIGINALS["query"]  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = patched  # type: ignore[method-assign]


def _all_pages(client: Any, **request: Any) -> list[list[dict[str, Any]]]:
    pages = []
    while True:
        answer = client.query(TableName=TABLE, **request)
        pages.append(answer["Items"])
        if "LastEvaluatedKey" not in answer:
            return pages
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _same_both_ways(client: Any, **request: Any) -> list[list[dict[str, Any]]]:
    patched = _all_pages(client, **dict(request))
    with _unpatched():
        original = _all_pages(client, **dict(request))
    assert patched == original, request
    return patched


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P1"}}},
    {
        "KeyConditionExpression": "pk = :p AND sk > :s",
        "ExpressionAttributeValues": {":p": {"S": "P2"}, ":s": {"S": "s020"}},
        "ScanIndexForward": False,
        "Limit": 3,
    },
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "G1"}},
        "ScanIndexForward": False,
        "Limit": 4,
    },
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g AND r < :r",
        "ExpressionAttributeValues": {":g": {"S": "G2"}, ":r": {"S": "r050"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g AND begins_with(r, :r)",
        "ExpressionAttributeValues": {":g": {"S": "G0"}, ":r": {"S": "r0"}},
        "Limit": 5,
    },
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g AND r BETWEEN :a AND :b",
        "ExpressionAttributeValues": {
            ":g": {"S": "G1"},
            ":a": {"S": "r010"},
            ":b": {"S": "r080"},
        },
    },
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "nobody"}},
    },
]


def _check_all(client: Any) -> int:
    return sum(len(page) for query in QUERIES for page in _same_both_ways(client, **query))


@pytest.fixture(params=["default windows", "tiny windows"])
def windows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also run with windows of one item, so growing the window is exercised."""
    if request.param == "tiny windows":
        monkeypatch.setattr(moto_patches, "FIRST_WINDOW", 1)
        monkeypatch.setattr(moto_patches, "MIN_WINDOW", 1)


def test_patched_queries_answer_as_moto_does_before_and_after_writes(ddb, windows):
    rng = random.Random(7)
    for n in range(120):
        item = {"pk": {"S": f"P{n % 3}"}, "sk": {"S": f"s{n:03d}"}, "v": {"N": str(n)}}
        if n % 5:  # some items are not in the sparse index
            item["g"] = {"S": f"G{rng.randrange(3)}"}
            item["r"] = {"S": f"r{rng.randrange(100):03d}"}
        ddb.put_item(TableName=TABLE, Item=item)
    seen = _check_all(ddb)
    assert seen > 40  # the queries do find items, so "equal" is not "both empty"

    # An in-place update that moves an item to another GSI partition, then a delete.
    moved = {"pk": {"S": "P1"}, "sk": {"S": "s001"}}
    ddb.update_item(
        TableName=TABLE,
        Key=moved,
        UpdateExpression="SET g = :g, r = :r",
        ExpressionAttributeValues={":g": {"S": "G1"}, ":r": {"S": "r001"}},
    )
    ddb.delete_item(TableName=TABLE, Key={"pk": {"S": "P2"}, "sk": {"S": "s002"}})
    _check_all(ddb)
    in_g1 = [i["sk"]["S"] for p in _same_both_ways(ddb, **QUERIES[2]) for i in p]
    assert "s001" in in_g1

    # A transaction (the patched transact_write_items) also refreshes the partitions.
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {
                        "pk": {"S": "P0"},
                        "sk": {"S": "s999"},
                        "g": {"S": "G1"},
                        "r": {"S": "r999"},
                    },
                }
            },
            {"Delete": {"TableName": TABLE, "Key": moved}},
        ]
    )
    _check_all(ddb)
    in_g1 = [i["sk"]["S"] for p in _same_both_ways(ddb, **QUERIES[2]) for i in p]
    assert in_g1[0] == "s999" and "s001" not in in_g1


def test_query_reads_only_the_partition(ddb, monkeypatch):
    for n in range(30):
        ddb.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": f"P{n}"},
                "sk": {"S": "s"},
                "g": {"S": f"G{n % 2}"},
                "r": {"S": f"r{n:03d}"},
            },
        )
    from moto.dynamodb.models.table import Table

    def whole_table(self: Table) -> list[Any]:
        raise AssertionError("the patched query must not list the whole table")

    monkeypatch.setattr(Table, "all_items", whole_table)
    answer = ddb.query(TableName=TABLE, **QUERIES[2])
    assert [i["g"]["S"] for i in answer["Items"]] == ["G1"] * 4
    answer = ddb.query(TableName=TABLE, **QUERIES[0])
    assert [i["pk"]["S"] for i in answer["Items"]] == ["P1"]


def test_writes_to_another_table_keep_the_cached_index_partitions(ddb):
    """The search worker writing its table must not make every awards list regroup."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    for n in range(12):
        item = {"pk": {"S": f"P{n}"}, "sk": {"S": "s"}, "g": {"S": "G1"}, "r": {"S": f"r{n:03d}"}}
        ddb.put_item(TableName=TABLE, Item=item)
    ddb.create_table(
        TableName="other",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(TABLE)

    def cached() -> Any:
        return getattr(table, moto_patches._GROUPS_ATTR)[1]

    first = _same_both_ways(ddb, **QUERIES[2])
    groups = cached()
    ddb.put_item(TableName="other", Item={"pk": {"S": "x"}})
    ddb.batch_write_item(RequestItems={"other": [{"PutRequest": {"Item": {"pk": {"S": "y"}}}}]})
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "other", "Item": {"pk": {"S": "z"}}}}]
    )
    assert _same_both_ways(ddb, **QUERIES[2]) == first
    assert cached() is groups  # nothing regrouped: only the other table was written

    newest = {"pk": {"S": "P99"}, "sk": {"S": "s"}, "g": {"S": "G1"}, "r": {"S": "r999"}}
    ddb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": newest}}]})
    assert _same_both_ways(ddb, **QUERIES[2])[0][0]["r"]["S"] == "r999"
    assert cached() is not groups
