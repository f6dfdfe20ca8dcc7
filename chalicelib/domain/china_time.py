"""China time: the zone of every date the registry judges (pushes, deadlines, months).

Its own small module, apart from the deadline rules (``domain/timeliness.py``), so
the routes that only need today's China date (API keys, reads) do not load the
working-day calendar on a cold start.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991, before any date the
# registry holds: a fixed offset is exact and, unlike ``ZoneInfo``, reads no zone file
# (zoneinfo, sysconfig, tzdata) on a cold start (measured). The name is the IANA key the
# pages' scripts use too.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_date(instant: datetime) -> date:
    """Return the date in China at ``instant``, which must be timezone-aware.

    A naive datetime is refused: guessing its zone would shift pushes made
    around midnight to the wrong day.

    Examples
    --------
    >>> from datetime import UTC
    >>> china_date(datetime(2026, 11, 24, 16, 30, tzinfo=UTC))
    datetime.date(2026, 11, 25)
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(CHINA_TZ).date()


def date_zh(day: date | str | None) -> str:
    """A date as people read it on every page and printout: ``2026年12月6日``.

    Examples
    --------
    >>> date_zh("2026-01-05"), date_zh(date(2026, 12, 6)), date_zh(None)
    ('2026年1月5日', '2026年12月6日', '')
    """
    if not day:
        return ""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.year}年{value.month}月{value.day}日"


def time_zh(instant: datetime | str | None) -> str:
    """An instant in China time, to the minute: ``2026年12月6日 23:41``.

    Examples
    --------
    >>> from datetime import UTC
    >>> time_zh(datetime(2026, 12, 6, 15, 41, 30, tzinfo=UTC))
    '2026年12月6日 23:41'
    >>> time_zh("2026-12-06T15:41:30Z")
    '2026年12月6日 23:41'
    """
    if not instant:
        return ""
    value = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    local = value.astimezone(CHINA_TZ)
    return f"{date_zh(local.date())} {local:%H:%M}"
