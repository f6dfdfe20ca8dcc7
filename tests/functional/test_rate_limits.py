"""Per-client rate limits (issue 19, M4): receipts and printed pages are bounded per client.

``chalice local`` (and the test client on it) gives every caller the source address
127.0.0.1, so here one client makes every request; ``check_rate`` itself is then
driven directly for what one address cannot show (another client, another bucket,
the next window).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import settings
from chalicelib.domain.errors import ThrottledError
from chalicelib.services.rate_limits import check_rate, client_key
from tests.factories import credit_code

RECEIPT = f"/v1/verify/receipt?credit_code={credit_code(1)}"
PRINT = f"/v1/verify/print?credit_code={credit_code(1)}"


def test_the_200th_rapid_receipt_request_from_one_client_is_a_429_with_retry_after(client):
    limit = settings().receipt_rate_limit
    assert limit < 200  # the review's loop: 200 receipts in a row must not all be signed
    statuses = []
    for _ in range(200):
        answer = client.http.get(RECEIPT)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            break
    assert statuses == [200] * limit + [429]
    body = json.loads(answer.body)["error"]
    assert body["code"] == "throttled"
    assert "请求过于频繁" in body["message_zh"] and "秒后重试" in body["message_zh"]
    retry_after = int(answer.headers["Retry-After"])
    assert 1 <= retry_after <= settings().receipt_rate_window_seconds
    # The printed page counts against the same limit (it signs a receipt too) …
    page = client.http.get(PRINT, headers={"Accept": "text/html"})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "请求过于频繁" in page.body.decode("utf-8")
    assert json.loads(client.http.get(PRINT).body)["error"]["code"] == "throttled"
    # … and the plain verify answer (one bounded page, nothing signed) is not limited.
    assert client.http.get(f"/v1/verify?credit_code={credit_code(1)}").status_code == 200


def test_check_rate_counts_per_bucket_and_client_and_starts_again_next_window(aws):
    start = datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC)  # a multiple of 60 s
    me, other = client_key("203.0.113.9"), client_key("198.51.100.7")
    assert me != other and "203.0.113.9" not in me
    for n in range(1, 4):
        assert check_rate("objections", me, limit=3, window=60, now=start) == n
    with pytest.raises(ThrottledError) as refused:
        check_rate("objections", me, limit=3, window=60, now=start + timedelta(seconds=15))
    assert refused.value.retry_after == 45 and refused.value.status == 429
    # Another client, another bucket: counted apart.
    assert check_rate("objections", other, limit=3, window=60, now=start) == 1
    assert check_rate("receipts", me, limit=3, window=60, now=start) == 1
    # The next window starts from zero.
    assert check_rate("objections", me, limit=3, window=60, now=start + timedelta(seconds=60)) == 1
