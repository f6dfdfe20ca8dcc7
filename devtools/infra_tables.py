"""Write the DynamoDB tables of ``infra/resources.json`` from the pynamodb models.

The models are the truth (``chalicelib.store.tables.ALL_TABLES``); this keeps
the CloudFormation twin of each table, its keys and its indexes in step, so a
new table or index is one command, and ``tests/unit/test_infra_template.py``
fails until it is run. Settings that are not in the models (point-in-time
recovery, deletion protection in prod, Retain) are the same for every table.

    python -m devtools.infra_tables
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.config import settings
from chalicelib.store.tables import ALL_TABLES

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "resources.json"
# Tables whose DynamoDB stream feeds a function (``app.py``: ``on_dynamodb_record``). Not in
# the models: locally the change feed is polled instead, and the emulator runs without streams.
STREAMS = {"changes": "NEW_IMAGE"}
# Tables whose items expire by DynamoDB's time-to-live (epoch seconds in this attribute):
# the rate limiter's windows (``store/rate_limits.py``). Not in the models either.
TIME_TO_LIVE = {"rate-limits": "expires_at"}


def _key_schema(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in keys]


def table_resource(model: Any) -> tuple[str, dict[str, Any]]:
    """The logical id and resource of ``model``'s table."""
    kind = model.Meta.table_name[len(settings().table_prefix) + 1 :]
    schema = model._get_schema()
    properties: dict[str, Any] = {
        "TableName": {"Fn::Sub": f"award-registry-${{Stage}}-{kind}"},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
            for a in schema["attribute_definitions"]
        ],
        "KeySchema": _key_schema(schema["key_schema"]),
    }
    indexes = [
        {
            "IndexName": index["index_name"],
            "KeySchema": _key_schema(index["key_schema"]),
            "Projection": dict(index["projection"]),
        }
        for index in schema["global_secondary_indexes"]
    ]
    if indexes:
        properties["GlobalSecondaryIndexes"] = indexes
    if kind in STREAMS:
        properties["StreamSpecification"] = {"StreamViewType": STREAMS[kind]}
    if kind in TIME_TO_LIVE:
        properties["TimeToLiveSpecification"] = {
            "AttributeName": TIME_TO_LIVE[kind],
            "Enabled": True,
        }
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    properties["DeletionProtectionEnabled"] = {"Fn::If": ["IsProd", True, False]}
    logical_id = "".join(part.capitalize() for part in kind.split("-")) + "Table"
    return logical_id, {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def main() -> int:
    template = json.loads(TEMPLATE.read_text())
    resources = template["Resources"]
    for model in ALL_TABLES:
        logical_id, resource = table_resource(model)
        resources[logical_id] = resource
    TEMPLATE.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
