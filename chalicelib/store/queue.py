"""SQS: the FIFO queue that carries import work (one "split" message, then chunks).

The client is the process's one (``store/aws.py``), made on first use. In the cloud
the stack sets ``IMPORTS_QUEUE_URL``; locally the URL is looked up once by the queue's name
(the emulator's host and port are only known at run time).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.config import settings
from chalicelib.store import aws

_url: str | None = None
_dead_url: str | None = None
_BATCH = 10  # SendMessageBatch takes at most ten entries


def sqs() -> Any:
    """The process's SQS client (``store/aws.py``, made on first use)."""
    return aws.client("sqs")


def queue_url() -> str:
    global _url
    configured = settings().imports_queue_url
    if configured:
        return configured
    if _url is None:
        _url = sqs().get_queue_url(QueueName=settings().imports_queue_name)["QueueUrl"]
    return _url


def dead_letter_url() -> str:
    """The dead-letter queue's URL, looked up by name (only the local worker polls it)."""
    global _dead_url
    if _dead_url is None:
        name = settings().imports_dead_letter_queue_name
        _dead_url = sqs().get_queue_url(QueueName=name)["QueueUrl"]
    return _dead_url


def reset() -> None:
    """Forget the URLs (tests switch emulators between cases)."""
    global _url, _dead_url
    _url = None
    _dead_url = None


def retry_after(receipt_handle: str, seconds: int) -> None:
    """Make a message that failed visible again in ``seconds`` (not the queue's full
    visibility timeout, during which its province's queue group is held)."""
    sqs().change_message_visibility(
        QueueUrl=queue_url(), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


def send(messages: list[tuple[dict[str, Any], str, str]]) -> None:
    """Send ``(body, group_id, dedup_id)`` messages in order, ten per request.

    ``group_id`` is the authority: a FIFO queue hands out one message of a
    group at a time, so one province's chunks never run in parallel.
    ``dedup_id`` makes a resend within five minutes a no-op.
    """
    url = queue_url()
    for start in range(0, len(messages), _BATCH):
        entries = [
            {
                "Id": str(index),
                "MessageBody": json.dumps(body, separators=(",", ":")),
                "MessageGroupId": group,
                "MessageDeduplicationId": dedup,
            }
            for index, (body, group, dedup) in enumerate(messages[start : start + _BATCH])
        ]
        answer = sqs().send_message_batch(QueueUrl=url, Entries=entries)
        if answer.get("Failed"):
            codes = ", ".join(sorted({f.get("Code", "?") for f in answer["Failed"]}))
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} import messages: {codes}")
