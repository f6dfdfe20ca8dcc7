"""Create the storage the app needs where CloudFormation does not: the local emulator.

In the cloud the tables, bucket, topic, queue and server secret come from
``infra/resources.json``; locally (moto) and in tests this creates the same
things, idempotently (``services/setup.py`` runs it with the data the app loads).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from pynamodb.exceptions import TableDoesNotExist
from pynamodb.models import Model

from chalicelib.config import settings
from chalicelib.store import aws, queue
from chalicelib.store.tables import ALL_TABLES


def ensure_tables() -> list[str]:
    """Create the tables that are missing and add missing indexes to those that exist.

    A local stack's tables outlive code changes: a table made before a model gained
    an index (``submissions``' ``by_id``) would otherwise never get it, and every
    read through that index would fail. Returns the tables created.
    """
    created = []
    for model in ALL_TABLES:
        try:
            description = model._get_connection().describe_table()
        except TableDoesNotExist:
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            created.append(model.Meta.table_name)
            continue
        _add_missing_indexes(model, description)
    return created


def _add_missing_indexes(model: type[Model], description: dict[str, Any]) -> list[str]:
    """Create the model's global indexes the table lacks, one UpdateTable each.

    DynamoDB takes one index creation per UpdateTable and refuses another while
    one is building, so each is waited for (ACTIVE) before the next.
    """
    have = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes") or []}
    wanted = model._get_schema()["global_secondary_indexes"]
    missing = [index for index in wanted if index["index_name"] not in have]
    if not missing:
        return []
    config = settings()
    client = aws.client("dynamodb")
    table = model.Meta.table_name
    added = []
    for index in missing:
        create = {
            "IndexName": index["index_name"],
            "KeySchema": index["key_schema"],
            "Projection": index["projection"],
        }
        if description.get("BillingModeSummary", {}).get("BillingMode") != "PAY_PER_REQUEST":
            create["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        client.update_table(
            TableName=table,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[{"Create": create}],
        )
        _wait_for_index(client, table, index["index_name"], config.index_build_wait_seconds)
        added.append(index["index_name"])
    return added


def _wait_for_index(client: Any, table: str, name: str, wait_seconds: int) -> None:
    """Poll until the table and its index ``name`` are ACTIVE; RuntimeError past the wait."""
    deadline = time.monotonic() + wait_seconds
    while True:
        answer = client.describe_table(TableName=table)["Table"]
        statuses = {
            i["IndexName"]: i.get("IndexStatus") for i in answer.get("GlobalSecondaryIndexes") or []
        }
        if answer.get("TableStatus") == "ACTIVE" and statuses.get(name) == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"index {name} of {table} not ACTIVE after {wait_seconds} s")
        time.sleep(2)


def ensure_bucket_and_topic() -> dict[str, str]:
    config = settings()
    s3 = aws.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if config.bucket not in existing:
        kwargs = {}
        if config.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": config.region}
        s3.create_bucket(Bucket=config.bucket, **kwargs)
        # Versioned as in the template: a rejected upload's move leaves a delete marker.
        s3.put_bucket_versioning(
            Bucket=config.bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    sns = aws.client("sns")
    topic_name = config.alerts_topic_arn.rsplit(":", 1)[-1]
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]  # idempotent
    return {"bucket": config.bucket, "topic_arn": topic_arn}


def ensure_imports_queue() -> str:
    """The FIFO queue of spreadsheet imports and its dead-letter queue, redriven after
    ``IMPORT_MAX_RECEIVES`` tries (the merge template's ``ImportsQueue``)."""
    config = settings()
    sqs = queue.sqs()
    dead = sqs.create_queue(
        QueueName=config.imports_dead_letter_queue_name, Attributes={"FifoQueue": "true"}
    )["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dead_arn, "maxReceiveCount": config.import_max_receives}
    attributes = {
        "FifoQueue": "true",
        "VisibilityTimeout": "600",
        "RedrivePolicy": json.dumps(redrive),
    }
    url = sqs.create_queue(QueueName=config.imports_queue_name, Attributes=attributes)
    return url["QueueUrl"]


def ensure_server_secret() -> bool:
    """Create the secret ``SERVER_SECRET_ARN`` names, with a random value, if it is absent.

    For the emulator (``make run``, the local stack): the app then reads it through
    the same Secrets Manager path as in the cloud. True when it was created.
    """
    config = settings()
    if not config.server_secret_arn:
        return False  # the local stage's embedded default (in-process tests)
    client = aws.client("secretsmanager")
    try:
        client.describe_secret(SecretId=config.server_secret_arn)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_secret(Name=config.server_secret_arn, SecretString=secrets.token_urlsafe(48))
    return True
