"""The one parser of whole numbers that come from outside (query, header, path, a cell).

Two traps sit in ``int(text)``: ``str.isdigit`` accepts ``²`` or ``፩``, which
``int`` refuses (a 500), and ``int`` accepts ``٢٠٢٤`` and ``1_000``, which no
client means; and since Python 3.11 ``int`` raises ``ValueError`` on more
than 4,300 digits (a 500 again, after the work of reading them). So the
length is checked first, then that every character is one of ``0-9``, and
only then is ``int`` called: any odd text ends as a 400 naming the field.

Examples
--------
>>> parse_ascii_int("0042", field="limit", max_digits=4)
42
>>> ascii_int_or_none("²", max_digits=4) is None
True
"""

from __future__ import annotations

from chalicelib.domain.errors import ValidationError


def ascii_int_or_none(text: str, *, max_digits: int) -> int | None:
    """``text`` as an int when it is 1..``max_digits`` ASCII digits 0-9; else ``None``.

    For callers that fall back to something else (a spreadsheet cell kept as
    text, a ``Retry-After`` date ignored) instead of refusing.
    """
    if not 0 < len(text) <= max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_ascii_int(
    text: str,
    *,
    field: str,
    max_digits: int,
    minimum: int | None = None,
    maximum: int | None = None,
    message: str | None = None,
) -> int:
    """``text`` as an int, or a ``ValidationError`` naming ``field``.

    Parameters
    ----------
    text
        What the client sent, e.g. the ``limit`` query parameter.
    field
        Named in the 400 answer (``limit``, ``If-Match``, ``year``).
    max_digits
        Longest text accepted (leading zeros count): the guard in front of ``int``.
    minimum, maximum
        Inclusive bounds of the value, when it has any.
    message
        The error's wording; by default it says what is accepted.
    """
    value = ascii_int_or_none(text, max_digits=max_digits)
    if (
        value is None
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        if message is None:
            bounds = f" in {minimum if minimum is not None else 0}..{maximum}" if maximum else ""
            message = f"{field} must be a whole number of at most {max_digits} digits 0-9{bounds}"
        raise ValidationError(message, field=field)
    return value
