"""SQS message from the imports queue → read a sheet ("split") or push one chunk.

Declared in ``app.py`` with ``@app.on_sqs_message(batch_size=1)``; the FIFO
queue is in the merge template (``ImportsQueue``). Locally ``chalice local``
polls nothing: ``devtools/import_worker.py`` receives from the emulator's
queue and calls ``handle_message`` the same way. Both kinds of message are
idempotent; an exception makes SQS deliver the message again.

A message is tried at most ``IMPORT_MAX_RECEIVES`` times (issue 19: one bad
item was retried 135 times and held the province's queue group for hours). A
failed try is made visible again after ``IMPORT_RETRY_SECONDS`` (not the
queue's whole visibility timeout); the last one fails the import
(``worker_failed``) and the message is consumed. A worker that dies (timeout,
memory) cannot do that: the queue's redrive policy moves the message to the
dead-letter queue, whose handler (``handle_dead_letter``, the
``import_dead_letter`` function; locally the same worker) fails the import.

The worker's modules (openpyxl above all) are imported here only, so the API
function's cold start does not load them (``app.py`` imports this module
lazily for the same reason).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.services import import_work
from chalicelib.services.imports import CHUNK, SPLIT
from chalicelib.store import queue


def handle_body(body: str) -> dict[str, Any]:
    """Do what one message asks; the outcome is returned for logs and tests."""
    message = json.loads(body)
    now = clock.now()
    if message.get("kind") == SPLIT:
        return import_work.split(str(message["import_id"]), now)
    if message.get("kind") == CHUNK:
        return import_work.push_chunk(str(message["import_id"]), int(message["chunk"]), now)
    raise ValueError(f"unknown import message kind {message.get('kind')!r}")


def handle_message(body: str, receive_count: int, receipt_handle: str | None) -> dict[str, Any]:
    """``handle_body`` with the retry policy: retry soon, give up on the last try."""
    try:
        return handle_body(body)
    except Exception as error:
        import_id = _import_id(body)
        if receive_count >= settings().import_max_receives and import_id:
            return import_work.give_up(import_id, error, clock.now())
        if receipt_handle:
            queue.retry_after(receipt_handle, settings().import_retry_seconds)
        raise


def handle_dead_letter(body: str) -> dict[str, Any]:
    """A message the worker never finished (it died each time): fail its import."""
    import_id = _import_id(body)
    if not import_id:
        return {"outcome": "ignored"}
    return import_work.give_up(import_id, RuntimeError("the worker stopped"), clock.now())


def _import_id(body: str) -> str:
    try:
        message = json.loads(body)
    except ValueError:
        return ""
    return str(message.get("import_id", "")) if isinstance(message, dict) else ""


def receive_count(record: dict[str, Any]) -> int:
    """How many times SQS has handed this record out (its ``ApproximateReceiveCount``)."""
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
