"""Webhook deliveries on the local stack (issue 21): API, worker and a real receiver.

As ``make run`` runs it: ``chalice local`` serves the API and ``devtools/webhook_worker.py``
fans the committed change feed out and POSTs to a receiver this test starts on
127.0.0.1. Every delivery is checked with the ``svix`` library. Tibet (540000) is the
province here: no other end-to-end test pushes for it, and the subscription filters on it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.receiver import Receiver
from tests.steps import Http, push

TIBET = "540000"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


def test_pushes_corrections_and_revocations_reach_the_platform_signed_and_in_order(stack, receiver):
    key = stack.issue_key("--authority", TIBET)["api_key"]
    created = requests.post(
        stack.url("/v1/subscriptions"),
        json={"url": receiver.url, "description": "西藏自治区平台（端到端测试）",
              "authority_ids": [TIBET]},
        headers=bearer(key),
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    subscription = created.json()
    try:
        program_id = submitted_program(stack, key, name="西藏自治区优质工程奖（订阅测试）")
        winners = [
            {"name": "西藏订阅测试建工集团有限公司", "role": "general_contractor",
             "credit_code": credit_code(5401, prefix="91540000")},
        ]  # fmt: skip
        first = push(Http(stack), key, award_body(program_id, "XZ-WH-1", winners=winners))
        push(Http(stack), key, award_body(program_id, "XZ-WH-2", winners=winners))
        corrected = requests.put(
            stack.url(f"/v1/awards/{first['id']}"),
            json=award_body(program_id, "XZ-WH-1", winners=winners, honor="银质奖"),
            headers={**bearer(key), "If-Match": '"1"'},
            timeout=30,
        )
        assert corrected.status_code == 200, corrected.text
        revoked = requests.post(
            stack.url(f"/v1/awards/{first['id']}/revoke"),
            json={"reason": "端到端测试撤销"},
            headers=bearer(key),
            timeout=30,
        )
        assert revoked.status_code == 200, revoked.text

        receiver.wait_for(5, timeout=120)
        everything = receiver.verified(subscription["secret"])
        # the programme's submission came first (program.status_changed, its public view)
        assert everything[0][1]["type"] == "program.status_changed"
        assert everything[0][1]["data"]["id"] == program_id
        delivered = [(wid, body) for wid, body in everything if body["type"].startswith("award.")]
        assert [(body["type"], body["data"]["source_id"]) for _, body in delivered] == [
            ("award.created", "XZ-WH-1"),
            ("award.created", "XZ-WH-2"),
            ("award.updated", "XZ-WH-1"),
            ("award.revoked", "XZ-WH-1"),
        ]
        last = delivered[-1][1]["data"]
        position = last.pop("position")
        assert last == requests.get(stack.url(f"/v1/awards/{first['id']}"), timeout=30).json()
        # the position is where GET /v1/changes continues after that event
        after = requests.get(stack.url("/v1/changes"), params={"since": position}, timeout=30)
        assert all(item["authority_id"] != TIBET for item in after.json()["items"])
        log = requests.get(
            stack.url(f"/v1/subscriptions/{subscription['id']}/deliveries"),
            headers=bearer(key),
            timeout=30,
        ).json()["items"]
        assert [d["state"] for d in log] == ["delivered"] * len(everything)
        assert "secret" not in str(log) and subscription["secret"] not in str(log)
    finally:
        requests.delete(
            stack.url(f"/v1/subscriptions/{subscription['id']}"), headers=bearer(key), timeout=30
        )
