"""Feedback's pure rules: the China days a list covers, and what a reply does to an item.

A province's feedback is stored under the UTC instant it arrived; people ask for
it by China date (``from``/``to`` of ``GET /v1/feedback``), so a day is the 24
hours from midnight in Asia/Shanghai (16:00 UTC the day before).

Handling keeps every reply: an administrator who replies again (a correction,
a follow-up) adds a reply, the item shows the latest, and the earlier ones stay
in ``replies`` for the province and for the record. Sending the latest reply
again changes nothing, so a retried request is harmless.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.errors import ConflictError, ValidationError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The days a list may name: a China day's UTC bounds (the day before, the day after)
# must stay inside what ``datetime`` can hold, so 0001-01-01 and 9999-12-31 are 400s.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


def parse_day(text: str | None, field: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter (``None`` when absent); 400 naming ``field`` otherwise.

    Examples
    --------
    >>> parse_day("2026-11-20", "from")
    datetime.date(2026, 11, 20)
    """
    if text is None:
        return None
    if not _ISO_DATE.match(text):
        raise ValidationError(f"{field} must be a date written YYYY-MM-DD", field=field)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{field} is not a real date", field=field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            f"{field} must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}",
            field=field,
        )
    return day


def china_day_bounds(
    first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants where China day ``first`` starts and the day after ``last`` starts.

    The first bound is inclusive, the second exclusive; ``None`` leaves that side open.
    ``last`` before ``first`` is a 400 naming ``to``.

    Examples
    --------
    >>> start, end = china_day_bounds(date(2026, 11, 20), date(2026, 11, 20))
    >>> start.isoformat(), end.isoformat()
    ('2026-11-19T16:00:00+00:00', '2026-11-20T16:00:00+00:00')
    """
    if first is not None and last is not None and last < first:
        raise ValidationError("to must not be before from", field="to")

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=CHINA_TZ).astimezone(UTC)

    start = midnight(first) if first is not None else None
    end = midnight(last + timedelta(days=1)) if last is not None else None
    return start, end


def with_reply(
    replies: list[dict[str, Any]], reply: str, *, at: str, by: str, max_replies: int
) -> list[dict[str, Any]] | None:
    """The replies after handling with ``reply``, oldest first; ``None`` when nothing changes.

    ``None`` when ``reply`` is already the latest reply (a retry); a 409
    ``invalid_state`` when the item already holds ``max_replies`` replies.

    Examples
    --------
    >>> with_reply([], "已收到", at="2026-11-20T02:00:00.000000Z", by="key_1", max_replies=20)
    [{'reply': '已收到', 'handled_at': '2026-11-20T02:00:00.000000Z', 'handled_by': 'key_1'}]
    """
    if replies and replies[-1].get("reply") == reply:
        return None
    if len(replies) >= max_replies:
        raise ConflictError(
            "invalid_state",
            f"this feedback already has {max_replies} replies; it takes no more",
            message_zh=f"该反馈已有 {max_replies} 条回复，不能再回复",
        )
    return [*replies, {"reply": reply, "handled_at": at, "handled_by": by}]
