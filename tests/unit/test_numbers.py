"""The one ASCII-digit parser: length first, then 0-9 only, then ``int``."""

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.numbers import ascii_int_or_none, parse_ascii_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("0042", 42), ("9999", 9999)],
)
def test_ascii_digits_within_the_length_are_numbers(text, expected):
    assert parse_ascii_int(text, field="n", max_digits=4) == expected
    assert ascii_int_or_none(text, max_digits=4) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",  # one digit too many
        "9" * 5000,  # int() itself would raise ValueError past 4,300 digits
        "²",  # str.isdigit() says yes, int() says no
        "٢٠٢٤",  # int() says 2024; no client means it
        "１２",  # full-width digits
        "1_000",
        " 12",
        "+1",
        "-1",
        "1.0",
    ],
)
def test_anything_else_is_a_400_naming_the_field(text):
    with pytest.raises(ValidationError) as raised:
        parse_ascii_int(text, field="limit", max_digits=4)
    assert raised.value.field == "limit"
    assert ascii_int_or_none(text, max_digits=4) is None


def test_bounds_are_inclusive_and_the_message_can_be_the_callers():
    assert parse_ascii_int("1", field="limit", max_digits=3, minimum=1, maximum=100) == 1
    assert parse_ascii_int("100", field="limit", max_digits=3, minimum=1, maximum=100) == 100
    for text in ("0", "101"):
        with pytest.raises(ValidationError, match=r"^limit must be 1\.\.100$"):
            parse_ascii_int(
                text,
                field="limit",
                max_digits=3,
                minimum=1,
                maximum=100,
                message="limit must be 1..100",
            )


def test_the_default_message_says_what_is_accepted():
    with pytest.raises(ValidationError, match=r"year must be a whole number of at most 4 digits"):
        parse_ascii_int("x", field="year", max_digits=4, minimum=2000, maximum=2100)
