"""Feedback's pure rules: China days as UTC bounds, and what a reply does (domain/feedback.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.feedback import china_day_bounds, parse_day, with_reply

AT = "2026-11-21T03:00:00.000000Z"


def test_a_china_day_runs_from_16_00_utc_the_day_before():
    start, end = china_day_bounds(date(2026, 11, 20), date(2026, 11, 20))
    assert start == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def test_a_window_of_several_days_ends_after_its_last_day_and_may_stay_open():
    start, end = china_day_bounds(date(2026, 2, 27), date(2026, 3, 1))
    assert (start, end) == (
        datetime(2026, 2, 26, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
    )
    assert china_day_bounds(None, date(2026, 1, 1)) == (None, datetime(2026, 1, 1, 16, tzinfo=UTC))
    assert china_day_bounds(None, None) == (None, None)


def test_a_window_that_ends_before_it_starts_names_to():
    with pytest.raises(ValidationError) as raised:
        china_day_bounds(date(2026, 11, 20), date(2026, 11, 19))
    assert raised.value.field == "to"
    assert raised.value.message_zh == "字段 to：截止日期不得早于起始日期"


@pytest.mark.parametrize("text", ["2026-2-01", "20260201", "2026-02-30", "２０２６-02-01", ""])
def test_a_day_is_written_yyyy_mm_dd(text):
    with pytest.raises(ValidationError) as raised:
        parse_day(text, "from")
    assert raised.value.field == "from"


def test_an_absent_day_is_none():
    assert parse_day(None, "to") is None
    assert parse_day("2024-02-29", "to") == date(2024, 2, 29)


def test_a_new_reply_is_added_after_the_earlier_ones():
    first = with_reply([], "已收到", at=AT, by="key_a", max_replies=3)
    second = with_reply(
        first, "已处理", at="2026-11-22T01:00:00.000000Z", by="key_b", max_replies=3
    )
    assert [(r["reply"], r["handled_by"]) for r in second] == [
        ("已收到", "key_a"),
        ("已处理", "key_b"),
    ]


def test_the_latest_reply_again_changes_nothing_even_at_the_limit():
    replies = [{"reply": "一", "handled_at": AT, "handled_by": "k"}]
    assert with_reply(replies, "一", at=AT, by="k", max_replies=1) is None


def test_past_the_limit_a_new_reply_is_a_conflict():
    replies = [{"reply": "一", "handled_at": AT, "handled_by": "k"}]
    with pytest.raises(ConflictError) as raised:
        with_reply(replies, "二", at=AT, by="k", max_replies=1)
    assert raised.value.code == "invalid_state"
