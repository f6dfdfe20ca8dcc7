"""The one maker of AWS clients: one botocore session per process, each client on first use.

Every client of the app (DynamoDB for every pynamodb model and transaction, S3, SNS,
SQS, KMS, Secrets Manager) comes from ``client(service)``. Why one session: a botocore
session reads ``endpoints.json`` and each service's model from disk and parses them
(tens of milliseconds each); pynamodb gives every model its own ``Connection`` with its
own session and client, so a cold push made six sessions and six clients before this
(measured: ``make bench``, cold first request, issue 20). Here the session is made once,
each service's client once, and every pynamodb model and transaction uses the one
DynamoDB client (``store/base.py``, ``StoreModel``; ``store/ledger.py``).

Nothing is made at import (a Lambda that never touches S3 does not pay for its client)
and ``AWS_ENDPOINT_URL`` points every client at the local emulator, as botocore
honours it. Clients are thread-safe once made; making one is not, hence the lock.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from botocore.config import Config

from chalicelib.config import settings

# Each service's client settings, in one place.
_CONFIGS: dict[str, dict[str, Any]] = {
    # As pynamodb configures its own (pynamodb.connection.base.Connection.client) with the
    # models' Meta: 3 retries after the first try; no client-side parameter validation.
    "dynamodb": {
        "parameter_validation": False,
        "connect_timeout": 15,
        "read_timeout": 30,
        "max_pool_connections": 10,
        "retries": {"total_max_attempts": 4, "mode": "standard"},
    },
    "s3": {"signature_version": "s3v4", "retries": {"mode": "standard"}},
    # A receipt is answered within the API's 25 s: short timeouts, one retry.
    "kms": {
        "connect_timeout": 2,
        "read_timeout": 5,
        "retries": {"mode": "standard", "max_attempts": 2},
    },
}

_lock = threading.Lock()
_session: botocore.session.Session | None = None
_clients: dict[str, Any] = {}


def session() -> botocore.session.Session:
    """The process's botocore session (made on first use)."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                _session = botocore.session.get_session()
    return _session


def client(service: str) -> Any:
    """The process's client of ``service`` (``"dynamodb"``, ``"s3"``, …), made on first use.

    A client whose credentials came back empty (a flaky metadata service) is made again,
    as pynamodb does: botocore would otherwise keep the empty credentials for good.
    """
    made = _clients.get(service)
    if made is None or not _has_credentials(made):
        shared = session()
        with _lock:
            made = _clients.get(service)
            if made is None or not _has_credentials(made):
                made = shared.create_client(
                    service,
                    region_name=settings().region,
                    config=Config(**_CONFIGS.get(service, {})),
                )
                _clients[service] = made
    return made


def _has_credentials(made: Any) -> bool:
    signer = getattr(made, "_request_signer", None)
    return signer is None or bool(getattr(signer, "_credentials", True))


def reset() -> None:
    """Forget the session and every client (a test that changes the region or endpoint)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
