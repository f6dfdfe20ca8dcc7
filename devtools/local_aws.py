"""Local AWS emulator launcher: moto server with the DynamoDB patches applied.

Run it as::

    python -m devtools.local_aws --host 127.0.0.1 --port 4566

It prints ``moto server ready on http://127.0.0.1:4566`` once the server answers and runs
until SIGINT/SIGTERM. Point clients at it with ``AWS_ENDPOINT_URL``. Tests that want the
emulator in their own process use :func:`start_local_aws` instead.

Plain ``moto_server`` is not enough for this project: see :mod:`devtools.moto_patches`
(whole-table deep copies per transaction, no thread safety). Only the emulator is
patched; the production write path is unchanged.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from types import FrameType

from moto.server import ThreadedMotoServer

from devtools.moto_patches import apply_patches

__all__ = ["endpoint_url", "main", "start_local_aws", "wait_until_ready"]

_READY_PATH = "/moto-api/data.json"


class _LauncherMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer that reports a failed bind instead of hanging.

    moto's ``start()`` waits on an event that its server thread sets only after the
    socket is bound; if binding fails (port in use) the thread dies and ``start()``
    waits forever.
    """

    startup_error: BaseException | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except BaseException as exc:
            self.startup_error = exc
            self._server_ready_event.set()


def endpoint_url(server: ThreadedMotoServer) -> str:
    """The ``http://host:port`` URL clients should use for a started server."""
    host, port = server.get_host_and_port()
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def wait_until_ready(endpoint_url: str, timeout: float = 15.0) -> None:
    """Poll ``GET {endpoint_url}/moto-api/data.json`` until it answers 200.

    Raises ``TimeoutError`` after ``timeout`` seconds. Uses urllib with proxies disabled
    (the emulator is always local), so it needs no third-party HTTP client.
    """
    url = endpoint_url.rstrip("/") + _READY_PATH
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    last_error: object = None
    while True:
        try:
            with opener.open(url, timeout=2.0) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            last_error = exc
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"moto server at {endpoint_url} not ready after {timeout:.1f}s: {last_error}"
            )
        time.sleep(0.05)


def start_local_aws(
    host: str, port: int, *, log_requests: bool = False, ready_timeout: float = 15.0
) -> ThreadedMotoServer:
    """Apply the moto patches and start moto server in a background thread.

    ``port=0`` picks a free port; read it back with :func:`endpoint_url`. Returns once the
    server answers. Call ``.stop()`` on the result when done. With ``log_requests=False``
    werkzeug's one-line-per-request log is silenced.
    """
    apply_patches()
    if not log_requests:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = _LauncherMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    if server.startup_error is not None:
        server.stop()
        error = server.startup_error
        # werkzeug reports a busy port on stderr and raises SystemExit(1).
        reason = "bind failed" if isinstance(error, SystemExit) else repr(error)
        raise OSError(f"could not start moto server on {host}:{port}: {reason}") from error
    try:
        wait_until_ready(endpoint_url(server), timeout=ready_timeout)
    except BaseException:
        server.stop()
        raise
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.local_aws",
        description="Local AWS emulator (moto server with DynamoDB patches).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=4566, help="port (default 4566; 0 picks a free one)"
    )
    parser.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def _request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)

    try:
        server = start_local_aws(args.host, args.port, log_requests=args.log_requests)
    except (OSError, TimeoutError) as exc:
        print(f"local_aws: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"moto server ready on {endpoint_url(server)}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
