"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of award winners.

A credit code is the key a local verifying authority searches by, so the registry
must store exactly one spelling of each code and refuse mistyped ones: provinces
paste codes from spreadsheets and PDFs, which brings full-width characters,
lowercase letters and stray spaces. The check character catches most typos.

Winners are organisations, never people. A resident identity number (GB 11643)
has the same length and alphabet and is sometimes typed into the same field; it
must never be published, so a value that *is* a valid identity number is refused
even when it happens to pass the credit-code check as well.

Error messages never repeat the submitted value, so a refused personal ID number
does not end up in responses or logs.
"""

from __future__ import annotations

import unicodedata
from datetime import date

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters GB 32100-2015 allows (no I, O, Z, S, V), in value order."""

CODE_LENGTH = 18

_VALUE = {char: index for index, char in enumerate(CHARSET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(CODE_LENGTH - 1))

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)


class InvalidCreditCodeError(ValueError):
    """A credit code that cannot be stored; the message says what is wrong.

    Parameters
    ----------
    message
        Human-readable English explanation, safe to show to the submitter.
    reason
        Machine-readable cause: ``"type"``, ``"length"``, ``"character"``,
        ``"check_character"`` or ``"personal_id"``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def normalize_credit_code(raw: str) -> str:
    """Return the one canonical spelling of a credit code, without judging it.

    NFKC folds full-width digits and letters (``９１３５…``) to ASCII, surrounding
    whitespace (including the ideographic space U+3000) is dropped and letters
    are upper-cased, so duplicates are found and lookups match whatever the
    province pasted.

    Examples
    --------
    >>> normalize_credit_code(" ９１３５０１００m000100y43 ")
    '91350100M000100Y43'
    """
    return unicodedata.normalize("NFKC", raw.strip()).strip().upper()


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters.

    Public so tests and test-data generators can build valid codes instead of
    copying real organisations' codes.

    Raises
    ------
    InvalidCreditCodeError
        If ``first17`` is not 17 characters of :data:`CHARSET`.

    Examples
    --------
    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != CODE_LENGTH - 1:
        raise InvalidCreditCodeError(
            f"need the first 17 characters of a credit code, got {len(first17)}",
            reason="length",
        )
    total = 0
    for position, (char, weight) in enumerate(zip(first17, _WEIGHTS, strict=True), start=1):
        value = _VALUE.get(char)
        if value is None:
            raise _bad_character(char, position)
        total += value * weight
    return CHARSET[(31 - total % 31) % 31]


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character for 17 digits.

    Public so tests can build a syntactically valid identity number to prove
    that it is refused.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 ASCII digits.

    Examples
    --------
    >>> resident_id_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("a resident identity number starts with 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_resident_id_number(value: str, *, today: date) -> bool:
    """Tell whether ``value`` is a valid 18-character resident identity number.

    Only a value whose check digit holds *and* whose birth date (positions 7-14,
    ``YYYYMMDD``) is a real date from 1900-01-01 to ``today`` counts; otherwise
    a credit code that merely consists of digits would be refused by accident.
    ``today`` is passed in (China date) so the rule is testable and pure.

    Examples
    --------
    >>> is_resident_id_number("11010519491231002X", today=date(2026, 11, 25))
    True
    """
    if len(value) != 18:
        return False
    first17, check = value[:17], value[17]
    if not (first17.isascii() and first17.isdigit()):
        return False
    if resident_id_check_char(first17) != check:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= today


def validate_credit_code(raw: str, *, today: date) -> str:
    """Normalise and check a winner's credit code; return the canonical code.

    Checks, in order: 18 characters, only characters of :data:`CHARSET`, not a
    valid resident identity number, and the GB 32100-2015 check character. The
    identity-number test runs before the check character so that someone who
    typed a personal ID number is told so, whichever check would fail first.

    Parameters
    ----------
    raw
        The value as submitted.
    today
        Today's date in China, the latest plausible birth date of an ID holder.

    Raises
    ------
    InvalidCreditCodeError
        With a message naming the problem (never the value itself).

    Examples
    --------
    >>> validate_credit_code("９１１１００００８０２１００４３３b", today=date(2026, 11, 25))
    '91110000802100433B'
    """
    if not isinstance(raw, str):
        raise InvalidCreditCodeError("a credit code must be a string", reason="type")
    code = normalize_credit_code(raw)
    if len(code) != CODE_LENGTH:
        raise InvalidCreditCodeError(
            f"a credit code has 18 characters, this one has {len(code)}", reason="length"
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            raise _bad_character(char, position)
    if is_resident_id_number(code, today=today):
        raise InvalidCreditCodeError(
            "this is a personal ID number; personal ID numbers are not accepted, "
            "give the organisation's unified social credit code",
            reason="personal_id",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidCreditCodeError(
            "the check character (the 18th) does not match the first 17 characters; "
            "the credit code is probably mistyped",
            reason="check_character",
        )
    return code


def _bad_character(char: str, position: int) -> InvalidCreditCodeError:
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    return InvalidCreditCodeError(
        f"character {position} ({shown!r}) is not allowed in a credit code; "
        "only digits and the capital letters A-Z except I, O, S, V and Z are used",
        reason="character",
    )
