"""The app in this process on in-process moto, as the functional tests run it (benchmarks only).

Import this module first in a bench process: it sets the fake AWS environment
and imports moto before any botocore client exists.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "TABLE_PREFIX": "award-registry-bench",
        "STAGE": "local",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

import moto  # before any botocore client exists

from devtools.moto_patches import apply_patches

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Response:
    status: int
    data: Any

    @property
    def status_code(self) -> int:  # the shape tests/functional/helpers.py expects
        return self.status

    @property
    def body(self) -> str:
        return json.dumps(self.data, ensure_ascii=False)


class InProcessApi:
    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = None) -> Response:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        send = getattr(self.client.http, method.lower())
        if body is None:
            response = send(path, headers=headers)
        else:
            response = send(path, headers=headers, body=json.dumps(body))
        return Response(response.status_code, json.loads(response.body) if response.body else None)


@contextmanager
def local_app() -> Iterator[InProcessApi]:
    """Tables, bucket, topic and authorities on in-process moto; the Chalice test client."""
    from chalice.test import Client

    apply_patches()
    with moto.mock_aws():
        from chalicelib.services.setup import bootstrap

        bootstrap()
        from app import app

        with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            yield InProcessApi(client)


def provincial_key(authority_id: str) -> str:
    from chalicelib.services.keys import PROVINCIAL, issue_key

    return issue_key(role=PROVINCIAL, authority_id=authority_id)["api_key"]


def submitted_program(api: InProcessApi, key: str) -> str:
    """A programme with a verified approval document, submitted: the tests' own steps."""
    from tests.functional.helpers import submitted_program as submit

    return submit(api, key)
