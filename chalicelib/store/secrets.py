"""The server secret, read from AWS Secrets Manager through powertools' cached parameters.

The HMAC key of API keys and cursors is never in a function's environment (which
anyone with ``lambda:GetFunctionConfiguration`` can read): the stack passes the
secret's ARN, and a container fetches the value on first use and keeps it for
``max_age`` seconds (powertools caches per name). Locally ``make run`` creates the
secret in the emulator, so the same code path runs there.

Only ``chalicelib.config`` imports this module, lazily: its import (powertools'
parameters, boto3) is paid by a function that needs the secret, once.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.parameters import get_secret
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from chalicelib.domain.errors import UnavailableError


def read_secret(secret_id: str, *, max_age: int) -> str:
    """The secret string stored under ``secret_id`` (a name or an ARN), cached ``max_age`` s.

    Raises ``UnavailableError`` (503, try again) when Secrets Manager cannot be
    read, and ``RuntimeError`` when the secret holds no usable string: every key
    check would fail, so the function must not run on a guess.
    """
    try:
        value = get_secret(secret_id, max_age=max_age)
    except GetParameterError as exc:
        # The message names the secret and the AWS error code, never a value.
        raise UnavailableError("cannot read the server secret now, try again") from exc
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8")
    if not isinstance(value, str) or len(value) < 32:
        raise RuntimeError(
            f"the server secret {secret_id!r} is empty or shorter than 32 characters"
        )
    return value


def secret_exists(secret_id: str) -> bool:
    """Whether Secrets Manager (or the emulator) holds a secret named ``secret_id``.

    For the operator CLI, which must not hash a key with a different secret than the
    server's; any failure to ask counts as "no" (nothing to contradict the fallback).
    """
    import boto3  # only the CLI asks; the functions read the secret through powertools
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.config import settings

    try:
        client = boto3.client("secretsmanager", region_name=settings().region)
        client.describe_secret(SecretId=secret_id)
    except (ClientError, BotoCoreError):
        return False
    return True
