"""The per-client rate limit over the in-memory rate-limits store (no moto).

Fixed windows, the 429 with the seconds left in the window, refused requests counted
too, and a counter table that cannot be written letting requests through
(``services/rate_limits.py``); storage is the twin of ``store/rate_limits.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import ThrottledError
from chalicelib.services import rate_limits as service

# 02:01:40 UTC: 100 s into a 300-second window (windows start at multiples of 300 s).
IN_WINDOW = datetime(2026, 11, 20, 2, 1, 40, tzinfo=UTC)
NEXT_WINDOW = datetime(2026, 11, 20, 2, 5, 0, tzinfo=UTC)


def test_the_request_over_the_limit_is_refused_until_the_window_ends(twins, store_twins):
    client = service.client_key("203.0.113.9")
    counts = [service.check_rate("receipts", client, limit=2, window=300, now=IN_WINDOW)]
    counts.append(service.check_rate("receipts", client, limit=2, window=300, now=IN_WINDOW))
    assert counts == [1, 2]
    for _ in range(2):  # a refused request is counted too: retrying does not help
        with pytest.raises(ThrottledError) as refused:
            service.check_rate("receipts", client, limit=2, window=300, now=IN_WINDOW)
        assert refused.value.retry_after == 200
    assert service.check_rate("receipts", client, limit=2, window=300, now=NEXT_WINDOW) == 1
    assert sorted(store_twins.rate_limits.hits.values()) == [1, 4]


def test_clients_and_buckets_are_counted_apart_and_no_address_is_stored(twins, store_twins):
    one, other = service.client_key("203.0.113.9"), service.client_key("203.0.113.10")
    assert service.check_rate("receipts", one, limit=1, window=300, now=IN_WINDOW) == 1
    assert service.check_rate("receipts", other, limit=1, window=300, now=IN_WINDOW) == 1
    assert service.check_rate("print", one, limit=1, window=300, now=IN_WINDOW) == 1
    assert not any("203.0.113" in key for key in store_twins.rate_limits.hits)


def test_a_counter_that_cannot_be_written_lets_the_request_through(twins, store_twins):
    store_twins.rate_limits.failing = True
    client = service.client_key("203.0.113.9")
    for _ in range(3):
        assert service.check_rate("receipts", client, limit=1, window=300, now=IN_WINDOW) == 0
