"""The local stack as ``make run`` starts it: moto launcher, ``chalice local`` and the imports
queue worker, as subprocesses.

One implementation for the end-to-end tests and the benchmarks: both run on
free loopback ports, resources are created by the operator CLI, and
``local_stack()`` stops both processes when it exits.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parents[1]
# The server secret's name in the emulator's Secrets Manager (``make run`` uses the same).
LOCAL_SECRET_NAME = "award-registry-local-server-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


class LocalStack:
    """Addresses of a running local stack, and the operator CLI against it."""

    def __init__(self, env: dict[str, str], api_url: str) -> None:
        self.env = env
        self.api_url = api_url
        self.endpoint_url = env["AWS_ENDPOINT_URL"]

    def url(self, path: str) -> str:
        return self.api_url + path

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run the operator CLI; ``stdin`` is piped to it (a key for ``--api-key -``)."""
        return subprocess.run(
            [sys.executable, "-m", "chalicelib.cli", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def issue_key(self, *args: str) -> dict:
        result = self.cli("issue-key", *args)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        return json.loads(result.stdout)


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def local_stack(
    *, export_env: bool = False, extra_env: dict[str, str] | None = None
) -> Iterator[LocalStack]:
    """Start the emulator and the API; ``export_env`` also points this process at them.

    ``extra_env``: settings for the stack's processes only (this process keeps its own).
    """
    moto_port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1"),
        "AWS_REGION": os.environ.get("AWS_REGION", "cn-north-1"),
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "STAGE": "local",
        "TABLE_PREFIX": "award-registry-local",
        # The API's own address: the only root of its links, as make run sets it.
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
        # ``bootstrap`` creates it in the emulator; the API reads it as in the cloud.
        "SERVER_SECRET_ARN": LOCAL_SECRET_NAME,
        "PYTHONUNBUFFERED": "1",
    }
    if export_env:
        os.environ.update(
            {k: v for k, v in env.items() if k.startswith(("AWS_", "STAGE", "TABLE_", "SERVER_"))}
        )
    processes: list[subprocess.Popen] = []
    try:
        processes.append(_start(["devtools.local_aws", "--port", str(moto_port)], env))
        wait_for(f"{env['AWS_ENDPOINT_URL']}/moto-api/data.json")
        stack = LocalStack(env, f"http://127.0.0.1:{api_port}")
        setup = stack.cli("bootstrap")
        if setup.returncode != 0:
            raise RuntimeError(setup.stderr)
        # chalice local runs no SQS event sources: the imports queue's worker, as make run.
        processes.append(_start(["devtools.import_worker"], env))
        processes.append(
            _start(
                [
                    "devtools.chalice_local",
                    "--stage",
                    "local",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(api_port),
                    "--no-autoreload",
                ],
                env,
            )
        )
        # The stand-in for the changes table's stream: feeds the name-search index.
        processes.append(_start(["devtools.search_worker"], env))
        # The stand-in for the webhook functions (stream + schedule): signed deliveries.
        processes.append(_start(["devtools.webhook_worker"], env))
        wait_for(stack.url("/v1/health"))
        yield stack
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
