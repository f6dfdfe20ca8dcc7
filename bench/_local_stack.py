"""The local stack as ``make run`` starts it, for benchmarks: moto launcher + chalice local.

Both run as subprocesses on free loopback ports; :func:`local_stack` yields a
:class:`Stack` and stops them afterwards. The calling process gets
``AWS_ENDPOINT_URL`` and the local stage's names in its environment, so the
store layer (pynamodb models) in the bench process talks to the same emulator.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parents[1]


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


@dataclass(frozen=True)
class Stack:
    api_url: str
    endpoint_url: str

    def url(self, path: str) -> str:
        return self.api_url + path


@contextmanager
def local_stack() -> Iterator[Stack]:
    moto_port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "STAGE": "local",
        "TABLE_PREFIX": "award-registry-local",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SERVER_SECRET", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "STAGE", "TABLE_"))})
    processes: list[subprocess.Popen] = []
    try:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "devtools.local_aws", "--port", str(moto_port)],
                cwd=PROJECT_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(f"{env['AWS_ENDPOINT_URL']}/moto-api/data.json")
        subprocess.run(
            [sys.executable, "-m", "chalicelib.cli", "bootstrap"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
        processes.append(
            subprocess.Popen(
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
        )
        stack = Stack(f"http://127.0.0.1:{api_port}", env["AWS_ENDPOINT_URL"])
        wait_for(stack.url("/v1/health"))
        yield stack
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
