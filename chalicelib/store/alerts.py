"""The audit's alert outbox (``AlertOutbox`` items of the ``audit`` table) and SNS.

An alert is written here before anything is published, at most once per
``alert_id`` (conditional put); while unsent it stays in the sparse ``by_open``
index, so the next run retries it with the same id (``services/alerts.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PutError

from chalicelib.config import settings
from chalicelib.store import aws
from chalicelib.store.audit import OPEN_ALERT, AlertOutbox, conditional_failed
from chalicelib.store.base import iso_utc, utc_now


class PublishFailed(Exception):
    """SNS refused or could not be reached; the alert stays pending."""


def add(
    *,
    alert_id: str,
    day: str,
    authority_id: str | None,
    subject: str,
    message: str,
    attributes: dict[str, str],
    finding_ids: Iterable[str],
    run_id: str,
) -> AlertOutbox | None:
    """Write the pending alert ``alert_id``; None when it was written before (a re-run)."""
    item = AlertOutbox(
        sk=alert_id,
        date=day,
        authority_id=authority_id,
        subject=subject,
        message=message,
        attributes=attributes,
        finding_ids=list(finding_ids),
        created_in=run_id,
        status="pending",
        attempts=0,
        open_pk=OPEN_ALERT,
    )
    try:
        item.save(condition=AlertOutbox.sk.does_not_exist())
    except PutError as exc:
        if conditional_failed(exc):
            return None
        raise
    return item


def pending() -> list[AlertOutbox]:
    """Every alert not yet published (the sparse index: eventually consistent)."""
    return list(AlertOutbox.by_open.query(OPEN_ALERT))


def publish(item: AlertOutbox) -> str:
    """Send ``item`` to the alerts topic, its attributes as message attributes; its id."""
    attributes = {
        name: {"DataType": "String", "StringValue": value}
        for name, value in sorted(item.attributes.items())
    }
    try:
        response = aws.client("sns").publish(
            TopicArn=settings().alerts_topic_arn,
            Subject=item.subject,
            Message=item.message,
            MessageAttributes=attributes,
        )
    except (ClientError, BotoCoreError) as exc:
        raise PublishFailed(type(exc).__name__ + ": " + str(exc)) from exc
    return str(response.get("MessageId", ""))


def mark_failed(item: AlertOutbox, *, attempts: int, error: str) -> None:
    item.update(
        actions=[AlertOutbox.attempts.set(attempts), AlertOutbox.last_error.set(error[:300])]
    )


def mark_sent(item: AlertOutbox, *, attempts: int, message_id: str) -> None:
    """Sent: out of the open index, so no run publishes it again."""
    item.update(
        actions=[
            AlertOutbox.status.set("sent"),
            AlertOutbox.attempts.set(attempts),
            AlertOutbox.sent_at.set(iso_utc(utc_now())),
            AlertOutbox.message_id.set(message_id),
            AlertOutbox.open_pk.remove(),
        ]
    )


def publish_message(subject: str, message: str, attributes: dict[str, str]) -> str:
    """Send one message straight to the alerts topic (no outbox: the caller records that it
    was sent, e.g. a paused webhook subscription's ``alerted_at``); its id."""
    try:
        response = aws.client("sns").publish(
            TopicArn=settings().alerts_topic_arn,
            Subject=subject,
            Message=message,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in sorted(attributes.items())
            },
        )
    except (ClientError, BotoCoreError) as exc:
        raise PublishFailed(type(exc).__name__ + ": " + str(exc)) from exc
    return str(response.get("MessageId", ""))
