"""The tool's HTTP side: batch pushes with retries and back-off, programme lookup.

Retries cover what passes on its own: 429 and 5xx answers, timeouts and
broken connections. They are safe for pushes because the API is idempotent
on ``source_id`` (the same content again is a 200, never a second record),
so a batch whose answer was lost can simply be sent again; that is why POST
is retried too. The retrying is urllib3's ``Retry`` on the session's adapter:
``Retry-After`` is honoured (capped at ``max_backoff``); otherwise the wait
doubles from ``backoff`` up to ``max_backoff`` with jitter, so 33 provinces
backfilling at once spread out.
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
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from chalicelib.domain import program_status

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "award-registry-backfill/1"
# What requests raises once urllib3's retries ran out on faults that may pass.
_GAVE_UP = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.RetryError,
)


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


class ReportingRetry(Retry):
    """urllib3's ``Retry`` that says why and how long it waits before each try.

    ``on_retry(reason, seconds)`` feeds the progress bar's note; ``sleeper`` is
    ``time.sleep`` except in tests. Both survive ``new()``, which urllib3 calls
    on every retry. A 413 is never retried as is (even with ``Retry-After``):
    the push halves its batches instead. ``Retry-After`` is capped at ``backoff_max``.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    on_retry: Callable[[str, float], None] = staticmethod(lambda reason, seconds: None)
    sleeper: Callable[[float], None] = staticmethod(time.sleep)

    def new(self, **kw: Any) -> ReportingRetry:
        retry = super().new(**kw)
        retry.on_retry, retry.sleeper = self.on_retry, self.sleeper
        return retry

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            try:
                wait = self.get_retry_after(response)
            # Neither seconds nor a date, or more digits than int() takes: back off as usual.
            except (InvalidHeader, ValueError):
                wait = None
        wait = self.get_backoff_time() if wait is None else min(wait, self.backoff_max)
        last = self.history[-1] if self.history else None
        if last is not None and last.status:
            reason = f"HTTP {last.status}"
        else:
            reason = type(last.error).__name__ if last is not None and last.error else "retry"
        self.on_retry(reason, wait)
        self.sleeper(wait)


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
    session_factory: Callable[[], requests.Session] | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")

    def retry_policy(self) -> ReportingRetry:
        """``attempts`` tries in all, any method (pushes are idempotent), the last answer kept."""
        retry = ReportingRetry(
            total=self.attempts - 1,
            allowed_methods=None,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff,
            backoff_max=self.max_backoff,
            backoff_jitter=self.backoff,
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        # Read at every retry (not copied now): the CLI sets on_retry after building us.
        retry.on_retry = lambda reason, wait: self.on_retry(reason, wait)
        retry.sleeper = lambda seconds: self.sleep(seconds)
        return retry

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=self.retry_policy())
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @property
    def session(self) -> requests.Session:
        """One session per thread: batches go out in parallel, and a Session is not thread-safe."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = (self.session_factory or self._new_session)()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self.api_key}",
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                }
            )
            self._local.session = session
        return session

    def delay(self, attempt: int) -> float:
        """The wait before re-sending records a batch answer refused with 429/5xx.

        The same doubling, cap and jitter as the adapter's ``Retry`` (those records
        came back inside a 200, so urllib3 never saw a fault).
        """
        wait = self.backoff * 2 ** (attempt - 1) + random.random() * self.backoff
        return min(self.max_backoff, wait)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send (urllib3 retries); a non-retryable error status comes back as ``PushError``."""
        try:
            response = self.session.request(
                method, self.api_url + path, timeout=self.timeout, **kwargs
            )
        except _GAVE_UP as exc:  # retries ran out on timeouts or broken connections
            raise TransientError(
                f"gave up after {self.attempts} tries: {type(exc).__name__}"
            ) from exc
        if response.status_code < 400:
            return response
        if response.status_code in RETRY_STATUSES:
            raise TransientError(
                f"gave up after {self.attempts} tries: "
                f"HTTP {response.status_code} {_error_text(response)}"
            )
        raise PushError(response.status_code, _error_text(response))

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

    def program_approvals(self, program_ids: list[str]) -> dict[str, str | None]:
        """Each programme's approval date (``approval.approved_on``), for the sheet's
        ``before_approval`` warning; one GET per programme of the sheet (a handful)."""
        approvals: dict[str, str | None] = {}
        for program_id in sorted(set(program_ids)):
            try:
                program = self.request("GET", f"/v1/programs/{program_id}").json()
            except PushError:
                continue  # not found or not ours: the push itself will say why per record
            approvals[program_id] = (program.get("approval") or {}).get("approved_on")
        return approvals
