"""Webhook rules (issue 21): event types, the retry schedule, secrets, the message.

Deliveries follow Standard Webhooks 1.0: headers ``webhook-id`` (the same on
every retry of one event), ``webhook-timestamp`` and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, several space-separated
during a secret rotation). Signing itself is the ``standardwebhooks`` library
(``services/webhook_delivery.py``); this module is pure.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

AWARD_CREATED = "award.created"
AWARD_UPDATED = "award.updated"
AWARD_REVOKED = "award.revoked"
AWARD_REDACTED = "award.redacted"
PROGRAM_STATUS_CHANGED = "program.status_changed"
EVENT_TYPES = (AWARD_CREATED, AWARD_UPDATED, AWARD_REVOKED, AWARD_REDACTED, PROGRAM_STATUS_CHANGED)
PING = "ping"

# change-feed (entity, op) → event type (SPEC §4's ops; ``store/ledger.py``)
_TYPES = {
    ("award", "create"): AWARD_CREATED,
    ("award", "update"): AWARD_UPDATED,
    ("award", "revoke"): AWARD_REVOKED,
    ("award", "redact"): AWARD_REDACTED,
    ("program", "status"): PROGRAM_STATUS_CHANGED,
}

ACTIVE, PAUSED, DELETED = "active", "paused", "deleted"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# Why a subscription was paused (shown in the console).
PAUSED_BY_OWNER, PAUSED_GONE, PAUSED_FAILING = "owner", "gone", "failing"

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the standard asks for 24..64 random bytes


def event_type(entity: str, op: str) -> str | None:
    """The event a change-feed entry is, or None for a change no event describes."""
    return _TYPES.get((entity, op))


def event_id(authority_id: str, seq: int) -> str:
    """The ``webhook-id`` of the change ``seq`` of ``authority_id``: the same on every
    retry and replay, and for every subscription (receivers deduplicate on it)."""
    return f"evt_{authority_id}_{int(seq)}"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_body(kind: str, timestamp: datetime, data: dict[str, Any]) -> bytes:
    """The body of a delivery: ``{"type", "timestamp", "data"}``, compact UTF-8 JSON."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp.microsecond // 1000:03d}Z"
    envelope = {"type": kind, "timestamp": stamp, "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Back-off between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h. With the jitter
# below (x0.8..1.2) the last attempt comes 78..117 hours after the first, never before
# three days: a platform down over a long weekend still receives everything.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *([timedelta(hours=10)] * 9),
)
JITTER = 0.2
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A subscription whose deliveries have failed this long without one success is paused.
FAILING_PAUSE_AFTER = timedelta(days=3)


def retry_delay(failed_attempts: int, random: Callable[[], float]) -> timedelta | None:
    """How long to wait after the ``failed_attempts``-th failed attempt; None: no more tries.

    ``random`` returns a float in [0, 1) (``random.random``; a constant in tests).
    The jitter spreads the retries of many events that failed together (a
    platform's outage) so they do not all arrive in the same second.
    """
    if failed_attempts < 1 or failed_attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return base * (1 - JITTER + 2 * JITTER * random())


def is_success(status: int | None) -> bool:
    """A 2xx answer (redirects are not followed: a 3xx is a failure to retry)."""
    return status is not None and 200 <= status < 300


def should_pause_for_failures(failing_since: datetime | None, now: datetime) -> bool:
    """Whether a subscription failing since ``failing_since`` has failed long enough."""
    return failing_since is not None and now - failing_since >= FAILING_PAUSE_AFTER


def short_error(text: str, limit: int = 200) -> str:
    """An error (or the start of a response body) kept in the log: one line, ≤ ``limit``."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def matches(
    kind: str, authority_id: str, *, events: list[str] | None, authority_ids: list[str] | None
) -> bool:
    """Whether a subscription with these filters receives this event."""
    if events and kind not in events:
        return False
    return not authority_ids or authority_id in authority_ids
