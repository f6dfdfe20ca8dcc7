"""Fixtures for the audit's functional tests: a clock for pushes, the schedule, an alert inbox.

Pushes take their time from the request (``received_at``); ``clock.set(...)``
(the functional tests' ``clock`` fixture) pins it so a test writes out when each
record was pushed. The audit's "today"
comes from the scheduled event's ``time`` or from ``POST /v1/audit/run``'s
``date``, never from the real clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from chalicelib.config import settings
from tests.steps import approved_program


@pytest.fixture(autouse=True)
def program_lists_not_yet_due(aws: None) -> Iterator[date]:
    """Move the programme-list deadline out of the way, unless a test asks for it.

    With the real deadline (2021-03-31) every first run of a fresh registry
    finds 32 authorities without a list and alerts each: right, but noise (and
    time) for tests about something else. Tests about the list deadline use
    the ``program_list_due`` fixture, which restores the configured date.
    """
    configured = settings().program_list_due
    _set_setting("program_list_due", date(2099, 12, 31))
    yield configured
    _set_setting("program_list_due", configured)


@pytest.fixture
def program_list_due(program_lists_not_yet_due: date) -> date:
    """The configured programme-list deadline (2021-03-31 by default)."""
    _set_setting("program_list_due", program_lists_not_yet_due)
    return program_lists_not_yet_due


def _set_setting(name: str, value: object) -> None:
    # Settings are one frozen, cached snapshot; re-reading the environment
    # mid-session could change other fields (table names were fixed at import),
    # so only this field of the snapshot is swapped, and swapped back.
    object.__setattr__(settings(), name, value)


def scheduled_event(client: Any, time: str, event_id: str = "evt-0001") -> dict:
    """The EventBridge event of the daily schedule, fired at ``time`` (UTC)."""
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    event.update({"time": time, "id": event_id})
    return event


def run_schedule(client: Any, time: str, event_id: str = "evt-0001") -> dict:
    return client.lambda_.invoke("daily_audit", scheduled_event(client, time, event_id)).payload


def run_audit(api: Any, admin_key: str, day: str) -> Any:
    response = api.call("POST", "/v1/audit/run", {"date": day}, key=admin_key)
    assert response.status_code == 200, response.body
    return response.data


class AlertInbox:
    """An SQS queue subscribed to the alerts topic: what a subscriber receives."""

    def __init__(self, filter_policy: dict | None = None) -> None:
        import boto3

        region = settings().region
        self.sqs = boto3.client("sqs", region_name=region)
        sns = boto3.client("sns", region_name=region)
        name = "alerts-" + ("all" if filter_policy is None else "filtered")
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        attributes = {}
        if filter_policy is not None:
            attributes["FilterPolicy"] = json.dumps(filter_policy)
        sns.subscribe(
            TopicArn=settings().alerts_topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes=attributes,
        )

    def messages(self) -> list[dict]:
        """Everything delivered since the last call, as subject, body and attributes."""
        received = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
            items = batch.get("Messages", [])
            if not items:
                return received
            for item in items:
                envelope = json.loads(item["Body"])
                received.append(
                    {
                        "subject": envelope.get("Subject"),
                        "body": envelope["Message"],
                        "attributes": {
                            name: value["Value"]
                            for name, value in envelope.get("MessageAttributes", {}).items()
                        },
                    }
                )
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=item["ReceiptHandle"])


@pytest.fixture
def inbox(aws: None) -> Iterator[AlertInbox]:
    yield AlertInbox()


@pytest.fixture
def beijing_program(api: Any, keys: dict[str, str]) -> str:
    """An approved annual programme of Beijing (110000)."""
    return approved_program(api, keys["110000"], keys["admin"])
