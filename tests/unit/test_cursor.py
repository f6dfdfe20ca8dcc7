"""Signed cursors: what a client sends back is either ours, unchanged, or a 400."""

import pytest

from chalicelib.domain.cursor import decode_cursor, encode_cursor
from chalicelib.domain.errors import InvalidCursorError


def test_a_cursor_round_trips_under_its_scope():
    token = encode_cursor({"before": "x"}, secret="s", scope="awards?{}")
    assert decode_cursor(token, secret="s", scope="awards?{}") == {"before": "x"}


@pytest.mark.parametrize(
    "token",
    [
        "÷¥H+.yl\x03´\U000f0f28\x11",  # found by schemathesis: non-ASCII used to raise TypeError
        "abc.签名",
        "",
        "no-dot",
        "a.b.c",
    ],
)
def test_malformed_or_non_ascii_cursors_are_invalid_cursor(token):
    with pytest.raises(InvalidCursorError):
        decode_cursor(token, secret="s", scope="awards?{}")


def test_a_cursor_from_other_filters_is_refused():
    token = encode_cursor({"before": "x"}, secret="s", scope="awards?{}")
    with pytest.raises(InvalidCursorError):
        decode_cursor(token, secret="s", scope='awards?{"year":2024}')
