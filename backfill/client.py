"""The tool's HTTP side: batch pushes with retries and back-off, programme lookup.

Retries cover what passes on its own: 429 and 5xx answers, timeouts and
broken connections. They are safe for pushes because the API is idempotent
on ``source_id`` (the same content again is a 200, never a second record),
so a batch whose answer was lost can simply be sent again. ``Retry-After``
is honoured; otherwise the wait doubles from ``backoff`` up to
``max_backoff`` with jitter, so 33 provinces backfilling at once spread out.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from chalicelib.domain import program_status
from chalicelib.domain.numbers import ascii_int_or_none

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "award-registry-backfill/1"


class PushError(Exception):
    """The API refused the request as a whole (bad key, wrong role, malformed batch)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class TransientError(Exception):
    """Retries ran out on a fault that may pass: re-run later to resume."""


def encode(value: Any) -> bytes:
    """JSON as the API reads it: UTF-8, Chinese as is (a third of ``\\uXXXX``'s size)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error_text(response: requests.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason or "no body"


@dataclass
class ApiClient:
    api_url: str
    api_key: str
    timeout: float = 60.0
    attempts: int = 8
    backoff: float = 0.5
    max_backoff: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    on_retry: Callable[[str, float], None] = lambda reason, delay: None
    session_factory: Callable[[], requests.Session] = requests.Session
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")

    @property
    def session(self) -> requests.Session:
        """One session per thread: batches go out in parallel, and a Session is not thread-safe."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self.session_factory()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self.api_key}",
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                }
            )
            self._local.session = session
        return session

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """How long to wait before try ``attempt + 1``."""
        wait = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        wait *= random.uniform(0.5, 1.0)
        seconds = ascii_int_or_none((retry_after or "").strip(), max_digits=9)
        if seconds is not None:
            wait = max(wait, min(float(seconds), self.max_backoff))
        return wait

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with retries; a non-retryable error status comes back as ``PushError``."""
        url = self.api_url + path
        reason = ""
        for attempt in range(1, self.attempts + 1):
            retry_after = None
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                reason = f"{type(exc).__name__}"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise PushError(response.status_code, _error_text(response))
                reason = f"HTTP {response.status_code} {_error_text(response)}"
                retry_after = response.headers.get("Retry-After")
            if attempt == self.attempts:
                break
            wait = self.delay(attempt, retry_after)
            self.on_retry(reason, wait)
            self.sleep(wait)
        raise TransientError(f"gave up after {self.attempts} tries: {reason}")

    def post_batch(self, body: bytes) -> list[dict[str, Any]]:
        """``POST /v1/awards/batch`` with an encoded ``{"records": [...]}``; its results."""
        response = self.request(
            "POST",
            "/v1/awards/batch",
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            results = response.json()["results"]
        except (ValueError, KeyError, TypeError):
            raise PushError(response.status_code, "the batch answer has no results") from None
        return results

    def program_names(self, authority_id: str | None = None) -> dict[str, list[str]]:
        """Name → ids of the programmes awards can be pushed to (of ``authority_id`` if given)."""
        names: dict[str, list[str]] = {}
        cursor = None
        scope = {"authority_id": authority_id} if authority_id else {}
        while True:
            params = {"limit": "100", **scope, **({"cursor": cursor} if cursor else {})}
            page = self.request("GET", "/v1/programs", params=params).json()
            for item in page.get("items", []):
                if item.get("status") in program_status.PUSHABLE:
                    names.setdefault(str(item.get("name", "")).strip(), []).append(item["id"])
            cursor = page.get("next_cursor")
            if not cursor:
                return names
