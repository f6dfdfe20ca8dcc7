"""The registry's one clock: what "now" is, read in one place.

Every route stamps a request with ``api.http.received_at()``, which reads this
clock; services take that instant as ``now``, and the few places outside a
request (jobs, key bookkeeping, default "today" of validation) read
``clock.now()`` too. A test pins the time once (``clock.pin(instant)``, the
``clock`` fixture of the functional tests) and every route, present and future,
follows it, without a patch per module.

Production never pins it: nothing reads an environment variable here, so no
deployed stage can be made to travel in time.
"""

from __future__ import annotations

from datetime import UTC, datetime

_pinned: datetime | None = None


def now() -> datetime:
    """The current instant (UTC, aware), or the instant a test pinned."""
    return _pinned if _pinned is not None else datetime.now(UTC)


def pin(instant: datetime | None) -> None:
    """Make ``now()`` answer ``instant`` until unpinned (``None``): for tests only.

    A naive instant is refused: a time without a zone would be read as local
    time somewhere and as UTC elsewhere.
    """
    global _pinned
    if instant is not None and instant.tzinfo is None:
        raise ValueError("pin an aware instant (with a time zone)")
    _pinned = instant
