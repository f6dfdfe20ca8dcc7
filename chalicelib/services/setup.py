"""Create what the app needs where CloudFormation does not: the local emulator.

In the cloud the tables, bucket, topic and server secret come from
``infra/resources.json``; locally (moto) and in tests this creates the same
things, idempotently.
"""

from __future__ import annotations

import secrets

from chalicelib.config import settings
from chalicelib.services import receipt_keys
from chalicelib.services.authorities import load_authorities
from chalicelib.store import queue
from chalicelib.store.tables import ALL_TABLES


def ensure_tables() -> list[str]:
    created = []
    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            created.append(model.Meta.table_name)
    return created


def ensure_bucket_and_topic() -> dict[str, str]:
    import boto3  # only the set-up needs the low-level clients

    config = settings()
    s3 = boto3.client("s3", region_name=config.region)
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
    sns = boto3.client("sns", region_name=config.region)
    topic_name = config.alerts_topic_arn.rsplit(":", 1)[-1]
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]  # idempotent
    return {"bucket": config.bucket, "topic_arn": topic_arn}


def ensure_imports_queue() -> str:
    """The FIFO queue of spreadsheet imports (the merge template's ``ImportsQueue``)."""
    config = settings()
    attributes = {"FifoQueue": "true", "VisibilityTimeout": "900"}
    url = queue.sqs().create_queue(QueueName=config.imports_queue_name, Attributes=attributes)
    return url["QueueUrl"]


def ensure_server_secret() -> bool:
    """Create the secret ``SERVER_SECRET_ARN`` names, with a random value, if it is absent.

    For the emulator (``make run``, the local stack): the app then reads it through
    the same Secrets Manager path as in the cloud. True when it was created.
    """
    import boto3  # only the set-up needs the low-level clients

    config = settings()
    if not config.server_secret_arn:
        return False  # the local stage's embedded default (in-process tests)
    client = boto3.client("secretsmanager", region_name=config.region)
    try:
        client.describe_secret(SecretId=config.server_secret_arn)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_secret(Name=config.server_secret_arn, SecretString=secrets.token_urlsafe(48))
    return True


def bootstrap() -> dict:
    """Tables, bucket, topic, server secret, imports queue, the 33 authorities, a receipt key."""
    tables = ensure_tables()
    resources = ensure_bucket_and_topic()
    secret_created = ensure_server_secret()
    imports_queue = ensure_imports_queue()
    authorities = load_authorities()
    receipt_key = receipt_keys.ensure_key()  # locally moto's KMS plays the stack's key
    return {
        "tables_created": tables,
        **resources,
        "server_secret_created": secret_created,
        "imports_queue_url": imports_queue,
        "authorities_created": authorities,
        "receipt_kid": receipt_key["kid"],
    }
