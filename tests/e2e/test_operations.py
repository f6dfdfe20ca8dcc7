"""Operations on the local stack as ``make run`` starts it: the secret and the key CLI.

The API and the CLI read the server secret from the emulator's Secrets Manager
(created by ``bootstrap``), the same path as in the cloud; keys are revoked by
id or from stdin, and the next request is refused.
"""

from __future__ import annotations

import hashlib
import hmac

import boto3
import requests

from chalicelib.config import LOCAL_DEV_SECRET
from devtools.local_stack import LOCAL_SECRET_NAME
from tests.e2e.helpers import bearer
from tests.factories import program_body


def _creates_a_programme(stack, key: str) -> int:
    response = requests.post(stack.url("/v1/programs"), json=program_body(), headers=bearer(key))
    return response.status_code


def _client(stack, service: str):
    return boto3.client(
        service, endpoint_url=stack.endpoint_url, region_name=stack.env["AWS_REGION"]
    )


def test_keys_are_hashed_with_the_secret_the_stack_keeps_in_secrets_manager(stack):
    assert stack.env["SERVER_SECRET_ARN"] == LOCAL_SECRET_NAME
    secret = _client(stack, "secretsmanager").get_secret_value(SecretId=LOCAL_SECRET_NAME)
    value = secret["SecretString"]
    assert value != LOCAL_DEV_SECRET and len(value) >= 32
    issued = stack.issue_key("--authority", "350000")
    digest = hmac.new(
        value.encode(), f"api-key:{issued['api_key']}".encode(), hashlib.sha256
    ).hexdigest()
    table = f"{stack.env['TABLE_PREFIX']}-keys"
    item = _client(stack, "dynamodb").get_item(TableName=table, Key={"key_hash": {"S": digest}})
    assert item["Item"]["key_id"]["S"] == issued["key_id"]
    assert _creates_a_programme(stack, issued["api_key"]) == 201  # the API reads the same


def test_revoke_key_reads_the_key_from_stdin(stack):
    key = stack.issue_key("--authority", "360000")["api_key"]
    assert _creates_a_programme(stack, key) == 201
    revoked = stack.cli("revoke-key", "--api-key", "-", stdin=key + "\n")
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stderr == ""
    assert _creates_a_programme(stack, key) == 401


def test_revoke_key_by_the_key_id_issue_key_printed(stack):
    issued = stack.issue_key("--authority", "370000")
    other = stack.issue_key("--authority", "370000")
    revoked = stack.cli("revoke-key", "--key-id", issued["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    assert _creates_a_programme(stack, issued["api_key"]) == 401
    assert _creates_a_programme(stack, other["api_key"]) == 201
