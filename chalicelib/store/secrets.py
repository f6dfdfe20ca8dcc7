"""The server secret, read from AWS Secrets Manager and kept for a while by each container.

The HMAC key of API keys and cursors is never in a function's environment (which
anyone with ``lambda:GetFunctionConfiguration`` can read): the stack passes the
secret's ARN (``settings().server_secret_arn``, a value), and a container fetches the
secret on first use and keeps it for ``server_secret_max_age`` seconds. Locally
``make run`` creates the secret in the emulator, so the same code path runs there;
in-process tests without an ARN use ``LOCAL_DEV_SECRET`` (local stage only: a cloud
stage refuses to start without the ARN, ``config.py``).

One ``GetSecretValue`` on the process's Secrets Manager client (``store/aws.py``),
with a small cache of our own: it replaced powertools' parameters utility, whose
import (with boto3's) a keyed cold request paid for one call.
"""

from __future__ import annotations

import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import LOCAL_DEV_SECRET, settings
from chalicelib.domain.errors import UnavailableError
from chalicelib.store import aws

_lock = threading.Lock()
_cache: dict[str, tuple[float, str]] = {}  # secret id -> (monotonic expiry, value)


def server_secret() -> str:
    """The HMAC key of API keys and cursors, fetched once per container and cached."""
    config = settings()
    if not config.server_secret_arn:
        return LOCAL_DEV_SECRET
    return read_secret(config.server_secret_arn, max_age=config.server_secret_max_age)


def read_secret(secret_id: str, *, max_age: int) -> str:
    """The secret string stored under ``secret_id`` (a name or an ARN), cached ``max_age`` s.

    Raises ``UnavailableError`` (503, try again) when Secrets Manager cannot be
    read, and ``RuntimeError`` when the secret holds no usable string: every key
    check would fail, so the function must not run on a guess.
    """
    cached = _cache.get(secret_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    try:
        answer = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except (ClientError, BotoCoreError) as exc:
        # The message names neither the secret nor a value.
        raise UnavailableError("cannot read the server secret now, try again") from exc
    value = answer.get("SecretString")
    if value is None and answer.get("SecretBinary") is not None:
        value = bytes(answer["SecretBinary"]).decode("utf-8")
    if not isinstance(value, str) or len(value) < 32:
        raise RuntimeError(
            f"the server secret {secret_id!r} is empty or shorter than 32 characters"
        )
    with _lock:
        _cache[secret_id] = (time.monotonic() + max_age, value)
    return value


def forget() -> None:
    """Drop the cached secrets: the next read fetches again (as a new container would)."""
    with _lock:
        _cache.clear()


def secret_exists(secret_id: str) -> bool:
    """Whether Secrets Manager (or the emulator) holds a secret named ``secret_id``.

    For the operator CLI, which must not hash a key with a different secret than the
    server's; any failure to ask counts as "no" (nothing to contradict the fallback).
    """
    try:
        aws.client("secretsmanager").describe_secret(SecretId=secret_id)
    except (ClientError, BotoCoreError):
        return False
    return True
