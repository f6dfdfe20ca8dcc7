"""Benchmark: webhook deliveries on the local stack (issue 21).

What ``make run`` runs: ``chalice local``, the moto launcher and
``devtools/webhook_worker.py`` (the stand-in for the cloud's stream-triggered fan-out
and per-minute dispatch), delivering to receivers this benchmark starts on
127.0.0.1 (``tests/receiver.py``; every delivery is checked with ``svix``).

- **Lag**: one subscriber; ``LAG_PUSHES`` awards pushed one at a time, each timed
  from the moment its push was answered (committed) to the receiver's receipt.
- **Throughput**: three subscribers; ``EVENTS`` awards pushed in batches of 100, then
  the time until all three received all of them: deliveries per second, and their
  ratio to the rate the awards were pushed (≥ 1: subscribers keep up with pushes).

    python -m bench.webhook_delivery
"""

from __future__ import annotations

import statistics
import time

import requests

from devtools.local_stack import local_stack

LAG_PUSHES = 40
EVENTS = 1_000
SUBSCRIBERS = 3
AUTHORITY = "610000"  # Shaanxi: no other benchmark pushes for it
WAIT_SECONDS = 900


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _subscribe(stack, key: str, url: str) -> str:
    answer = requests.post(
        stack.url("/v1/subscriptions"),
        json={"url": url, "authority_ids": [AUTHORITY], "events": ["award.created"]},
        headers=_bearer(key),
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()["secret"]


def _body(program_id: str, n: int) -> dict:
    from tests.factories import award_body, credit_code

    body = award_body(program_id, source_id=f"WH-BENCH-{n}")
    body["winners"] = [
        {
            "name": f"陕西订阅基准建工集团{n}有限公司",
            "credit_code": credit_code(6_100_000 + n, prefix="91610000"),
            "role": "general_contractor",
        }
    ]
    return body


def run() -> list[dict]:
    from tests.e2e.helpers import submitted_program
    from tests.receiver import Receiver

    rows: list[dict] = []
    with local_stack(export_env=True) as stack:
        from chalicelib.services.keys import PROVINCIAL, issue_key

        key = issue_key(role=PROVINCIAL, authority_id=AUTHORITY)["api_key"]
        program_id = submitted_program(stack, key)
        session = requests.Session()

        # --- lag: push → receipt, one subscriber, one award at a time
        receiver = Receiver()
        secret = _subscribe(stack, key, receiver.url)
        lags = []
        for n in range(LAG_PUSHES):
            answer = session.post(
                stack.url("/v1/awards"), json=_body(program_id, n), headers=_bearer(key), timeout=60
            )
            answer.raise_for_status()
            committed = time.time()
            receiver.wait_for(n + 1, timeout=WAIT_SECONDS)
            lags.append((receiver.requests[n][2] - committed) * 1000)
        receiver.verified(secret)
        receiver.close()
        rows.append(
            {
                "measure": "webhook delivery lag, push answered → receipt (local stack)",
                "value": round(statistics.median(lags)),
                "unit": "ms (p50)",
                "notes": f"p95 {_percentile(lags, 0.95):.0f} ms, max {max(lags):.0f} ms over "
                f"{LAG_PUSHES} pushes; the worker polls every 0.2 s when idle",
            }
        )

        # --- throughput: 1,000 events to 3 subscribers
        receivers = [Receiver() for _ in range(SUBSCRIBERS)]
        secrets = [_subscribe(stack, key, r.url) for r in receivers]
        started, started_wall = time.perf_counter(), time.time()
        for first in range(0, EVENTS, 100):
            records = [_body(program_id, 10_000 + n) for n in range(first, first + 100)]
            answer = session.post(
                stack.url("/v1/awards/batch"),
                json={"records": records},
                headers=_bearer(key),
                timeout=300,
            )
            answer.raise_for_status()
            assert all(r["status"] == 201 for r in answer.json()["results"]), answer.text[:300]
        pushed = time.perf_counter() - started
        for receiver in receivers:
            receiver.wait_for(EVENTS, timeout=WAIT_SECONDS)
        done = max(receiver.requests[-1][2] for receiver in receivers)
        delivered_seconds = done - started_wall
        for receiver, secret in zip(receivers, secrets, strict=True):
            ids = [wid for wid, _ in receiver.verified(secret)]
            assert len(set(ids)) == EVENTS, "a delivery was lost or duplicated"
            receiver.close()
        per_second = SUBSCRIBERS * EVENTS / delivered_seconds
        push_rate = EVENTS / pushed
        rows.append(
            {
                "measure": f"webhook deliveries/s, {EVENTS:,} events to {SUBSCRIBERS} subscribers",
                "value": round(per_second, 1),
                "unit": "deliveries/s",
                "notes": f"all {SUBSCRIBERS * EVENTS:,} received {delivered_seconds:.0f} s after "
                f"the first push; pushed at {push_rate:.1f} awards/s (batches of 100) in "
                f"{pushed:.0f} s; ratio to the push rate {per_second / push_rate:.2f}× "
                f"({per_second / SUBSCRIBERS / push_rate:.2f}× per subscriber); all verified "
                "with svix, none lost or twice",
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
