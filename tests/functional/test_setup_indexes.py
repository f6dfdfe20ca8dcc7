"""Set-up brings an existing table up to its model: an index added since is created.

A local stack keeps its tables between code changes; ``submissions`` made before
the ``by_id`` index existed must get it, or handling feedback answers 503.
"""

from __future__ import annotations

import boto3

from chalicelib.config import settings
from chalicelib.store.provision import ensure_tables
from chalicelib.store.submissions import ZeroReport


def _recreate_without_indexes(table: str) -> None:
    """The table as an older version of the code made it: same keys, no global index."""
    client = boto3.client("dynamodb", region_name=settings().region)
    client.delete_table(TableName=table)
    client.get_waiter("table_not_exists").wait(TableName=table)
    client.create_table(
        TableName=table,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table)


def _indexes(table: str) -> dict[str, str]:
    client = boto3.client("dynamodb", region_name=settings().region)
    described = client.describe_table(TableName=table)["Table"]
    return {i["IndexName"]: i["IndexStatus"] for i in described.get("GlobalSecondaryIndexes", [])}


def test_ensure_tables_adds_an_index_an_existing_table_lacks(api, keys):
    table = ZeroReport.Meta.table_name
    _recreate_without_indexes(table)
    assert _indexes(table) == {}

    assert ensure_tables() == []  # nothing created: the table is kept, with its items

    assert _indexes(table) == {"by_id": "ACTIVE", "imports_by_authority": "ACTIVE"}
    sent = api.call("POST", "/v1/feedback", {"subject": "旧表", "body": "内容"}, key=keys["110000"])
    assert sent.status_code == 201, sent.body
    handled = api.call(
        "POST", f"/v1/feedback/{sent.data['id']}/handle", {"reply": "已收到"}, key=keys["admin"]
    )
    assert handled.status_code == 200, handled.body
    assert ensure_tables() == []  # a second run finds everything in place
    assert _indexes(table) == {"by_id": "ACTIVE", "imports_by_authority": "ACTIVE"}
