"""Identifiers: time-ordered and random, readable in logs and URLs."""

from __future__ import annotations

import os
import re
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    """A ULID-like id (48-bit ms time + 80 random bits, Crockford base32) with a kind prefix.

    Time first keeps ids of one kind roughly creation-ordered for people reading
    them; the random part keeps them unguessable and collision-free without
    coordination between Lambdas.
    """
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


_ID_BODY = re.compile(r"^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$")


def is_plausible_id(value: str, prefix: str) -> bool:
    """Whether ``value`` could be an id ``new_id(prefix)`` made.

    A cheap guard before a key lookup: an id that cannot exist is simply not
    found, while DynamoDB would refuse an oversized key with an error (a 5xx
    for what is only a client's typo).
    """
    return value.startswith(prefix + "_") and bool(_ID_BODY.match(value))
