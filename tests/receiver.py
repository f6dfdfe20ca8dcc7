"""A provincial platform's webhook endpoint, started inside a test on 127.0.0.1.

Records every request (headers, raw body), answers from a script of status codes
(200 when the script is empty), and checks deliveries with the ``svix`` library,
as a provincial platform would (an off-the-shelf Standard Webhooks verifier, not
the registry's own signing code). Shared by the functional, e2e and bench layers.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from svix.webhooks import Webhook


class Receiver:
    """``receiver.url`` to subscribe; ``requests`` as received; ``script`` of statuses."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes, float]] = []
        self.script: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append((headers, body, time.time()))
                    status = receiver.script.pop(0) if receiver.script else 200
                payload = b"gone" if status == 410 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/awards"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def verified(self, secret: str) -> list[tuple[str, dict[str, Any]]]:
        """Every request checked with svix: (webhook-id, parsed body); raises on a bad one."""
        checked = []
        with self._lock:
            received = list(self.requests)
        for headers, body, _ in received:
            Webhook(secret).verify(body, headers)  # raises unless a signature matches
            checked.append((headers["webhook-id"], json.loads(body)))
        return checked

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        """Until ``count`` requests arrived (polling to a deadline, never a fixed sleep)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.requests)} of {count} deliveries arrived")
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
