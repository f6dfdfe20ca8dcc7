"""Set up what the app needs where CloudFormation does not: the local emulator.

In the cloud the tables, bucket, topic and server secret come from
``infra/resources.json``; locally (moto) and in tests ``store/provision.py`` creates
the same things, idempotently, and this loads the data the app starts with.
"""

from __future__ import annotations

from chalicelib.config import settings
from chalicelib.services import receipt_keys
from chalicelib.services.authorities import load_authorities
from chalicelib.store.provision import (
    ensure_bucket_and_topic,
    ensure_imports_queue,
    ensure_server_secret,
    ensure_tables,
)


def ensure_webhook_key() -> str:
    """The symmetric key that encrypts webhook secrets (the stack's ``WebhookSecretsKey``)."""
    from chalicelib.store import kms

    return kms.ensure_symmetric_key(settings().webhook_key_id, "award-registry webhook secrets")


def bootstrap() -> dict:
    """Tables, bucket, topic, server secret, imports queue, the 33 authorities, a receipt key."""
    tables = ensure_tables()
    resources = ensure_bucket_and_topic()
    secret_created = ensure_server_secret()
    imports_queue = ensure_imports_queue()
    authorities = load_authorities()
    receipt_key = receipt_keys.ensure_key()  # locally moto's KMS plays the stack's key
    ensure_webhook_key()
    return {
        "tables_created": tables,
        **resources,
        "server_secret_created": secret_created,
        "imports_queue_url": imports_queue,
        "authorities_created": authorities,
        "receipt_kid": receipt_key["kid"],
    }
