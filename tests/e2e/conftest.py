"""End to end: moto server (the local launcher) + ``chalice local``, over real HTTP.

Both run as subprocesses exactly as ``make run`` starts them; keys come from
the CLI the way an operator issues them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

PROJECT_DIR = Path(__file__).resolve().parents[2]


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
    def __init__(self, env: dict[str, str], api_url: str) -> None:
        self.env = env
        self.api_url = api_url

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "chalicelib.cli", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def issue_key(self, *args: str) -> dict:
        result = self.cli("issue-key", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def url(self, path: str) -> str:
        return self.api_url + path


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    moto_port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "STAGE": "local",
        "TABLE_PREFIX": "award-registry-local",
        "PYTHONUNBUFFERED": "1",
    }
    processes = []
    try:
        moto = subprocess.Popen(
            [sys.executable, "-m", "devtools.local_aws", "--port", str(moto_port)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(moto)
        wait_for(f"http://127.0.0.1:{moto_port}/moto-api/data.json")
        local = LocalStack(env, f"http://127.0.0.1:{api_port}")
        setup = local.cli("bootstrap")
        assert setup.returncode == 0, setup.stderr
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devtools.chalice_local",
                "--stage",
                "local",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--no-autoreload",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(api)
        wait_for(local.url("/v1/health"))
        yield local
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
