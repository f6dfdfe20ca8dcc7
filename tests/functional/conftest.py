"""Functional tests: the Chalice app in-process (``chalice.test.Client``) on moto.

moto is imported before any botocore client exists, and ``AWS_ENDPOINT_URL``
is removed so the in-process mock, not a server, answers.
"""

from __future__ import annotations

import os

os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ["TABLE_PREFIX"] = "award-registry-test"
os.environ["STAGE"] = "local"

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import moto
import pytest
from chalice.test import Client
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from chalicelib import clock as registry_clock
from devtools.moto_patches import apply_patches
from tests.contract import check_answer

apply_patches()  # the same serialised, item-snapshot transactions as the local stack


def _bind_every_model_to_the_test_tables() -> None:
    """Import every store module now, while the environment is this process's own.

    A model's table name is fixed when its module is imported (``store/base.table_meta``).
    A store module first imported inside a Chalice test request, right after a test
    cleared the settings (``use_env``), would name the stage's tables
    (``TABLE_PREFIX=award-registry-local``, which the test client patches in) for the rest
    of the worker: whether that happened depended on which files the worker ran before.
    """
    import importlib
    import pkgutil

    import chalicelib.store

    for module in pkgutil.iter_modules(chalicelib.store.__path__):
        importlib.import_module(f"chalicelib.store.{module.name}")


_bind_every_model_to_the_test_tables()

PROJECT_DIR = Path(__file__).resolve().parents[2]


# moto empties every backend for each test (isolation) but need not drop boto3's
# default session: kept, its parsed service models serve every test's clients
# (a fresh session re-reads them, about 0.3 s of CPU per test).
KEEP_SESSION = {"core": {"reset_boto3_session": False}}
_empty_tables: dict[str, Any] | None = None


@pytest.fixture
def aws() -> Iterator[None]:
    """Every test starts on empty AWS, bootstrapped: tables, bucket, topic, authorities, keys.

    The 16 tables are created once per process and deep-copied (empty) into each
    test's fresh moto backend: creating them took most of a functional test's time.
    ``bootstrap()`` then does the rest as it would, finding the tables there.
    """
    global _empty_tables
    with moto.mock_aws(config=KEEP_SESSION):
        from chalicelib.config import settings

        # Settings of this process's environment as it is now: a test that changed the
        # environment and cleared the settings may have left a snapshot read in between
        # (or inside a Chalice test request, whose environment is the stage's:
        # ``TABLE_PREFIX=award-registry-local``); every later test of the worker would then
        # make another bucket, secret or key than the next ``use_env`` names. Fixtures that
        # set a field of the snapshot for their test run after this one (they take ``aws``).
        if settings() != settings.__wrapped__():
            settings.cache_clear()
        from chalicelib.services import calendars
        from chalicelib.services.setup import bootstrap
        from chalicelib.store.provision import ensure_tables

        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings().region]
        if _empty_tables is None:
            ensure_tables()
            _empty_tables = copy.deepcopy(backend.tables)
        else:
            backend.tables = copy.deepcopy(_empty_tables)
        bootstrap()
        calendars.invalidate()  # a calendar cached from another test's tables
        yield


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


class Api:
    """A thin JSON helper over ``client.http`` so tests read like requests."""

    def __init__(self, client: Client) -> None:
        from app import app

        self.client = client
        self.app = app

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = (
            getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
            if payload is not None
            else getattr(self.client.http, method.lower())(path, headers=all_headers)
        )
        response.data = json.loads(response.body) if response.body else None
        # Every answer as its route declares it (status and shape): tests/contract.py.
        check_answer(self.app, method, path, response.status_code, response.headers, response.body)
        return response


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def keys(aws: None) -> dict[str, str]:
    from chalicelib.services.keys import issue_key

    return {
        "admin": issue_key(role="admin")["api_key"],
        "110000": issue_key(role="provincial", authority_id="110000")["api_key"],
        "320000": issue_key(role="provincial", authority_id="320000")["api_key"],
    }


class Clock:
    """The one clock every route reads (``received_at()``, ``chalicelib/clock.py``), pinned.

    ``clock.set("2026-11-20T02:00:00+00:00")`` and every request after it (pushes,
    reviews, feedback, verifications, key bookkeeping) happens at that instant,
    so a test writes out when each thing was done.
    """

    def set(self, instant: str | datetime) -> None:
        registry_clock.pin(datetime.fromisoformat(instant) if isinstance(instant, str) else instant)


@pytest.fixture
def clock() -> Iterator[Clock]:
    """A pinnable clock, released after the test (the real time again)."""
    yield Clock()
    registry_clock.pin(None)


PUBLIC_URL = "https://registry.example.cn/api"


@pytest.fixture
def public_base_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``PUBLIC_BASE_URL`` set as a deployed stack sets it: the only root of absolute links."""
    from chalicelib.config import settings

    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_URL + "/")  # a trailing slash is dropped
    settings.cache_clear()
    # Read now: a first read inside a request would see the chalice stage's environment
    # (TABLE_PREFIX=award-registry-local), which the test Client patches in per request.
    settings()
    yield PUBLIC_URL
    settings.cache_clear()
