"""How large a receipt can be: the bound the signer stays under and the checkers accept.

A receipt lists at most ``receipt_max_awards`` awards (1,000 by default). Its
size follows from the longest text each listed field may hold (the request
schemas' limits), not from a guess: the office tool (``receipt_check.py``,
joserfc, whose default payload limit is 128,000 bytes — about 210 ordinary
awards) raises its limit to exactly this, so every receipt the registry can
issue is checked, and anything larger is reported as "too large", apart from
"signature invalid" (issue 19, M3).

The bound, per listed award, at every text at its schema maximum and every
character at 4 bytes of UTF-8 (the widest; the payload is UTF-8 JSON, not
``\\u`` escapes): honour 100, announcement number 100, project name 300,
programme name 200, approval document number 100, revocation reason 500 and
document number 100, a withdrawn programme's reason 500 — 1,900 characters,
7,600 bytes — plus keys, ids, dates and punctuation (under 1,000 bytes):
``AWARD_JSON_BYTES``. Each award may add one enterprise name (200
characters): ``NAME_JSON_BYTES``. The envelope (issuer, ids, times, the
change-feed position of 33 authorities and its signed cursor) stays under
``ENVELOPE_JSON_BYTES``. A compact JWS carries the JSON base64url-encoded
(4 characters per 3 bytes). ``tests/unit/test_receipt_size.py`` builds the
worst award from the schemas and checks it fits.
"""

from __future__ import annotations

import math

AWARD_JSON_BYTES = 9_000
NAME_JSON_BYTES = 4 * 200 + 3  # the name, its quotes and a comma
ENVELOPE_JSON_BYTES = 8_000


def max_payload_json_bytes(max_awards: int) -> int:
    """The most bytes a receipt's payload (UTF-8 JSON) can have with ``max_awards`` awards."""
    return ENVELOPE_JSON_BYTES + max_awards * (AWARD_JSON_BYTES + NAME_JSON_BYTES)


def max_payload_segment(max_awards: int) -> int:
    """The longest base64url payload segment of a receipt (what JOSE libraries limit).

    Examples
    --------
    >>> max_payload_segment(1000) > 128_000  # joserfc's default would refuse it
    True
    """
    return math.ceil(max_payload_json_bytes(max_awards) / 3) * 4
