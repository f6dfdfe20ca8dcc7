"""SQS message from the imports queue → read a sheet ("split") or push one chunk.

Declared in ``app.py`` with ``@app.on_sqs_message(batch_size=1)``; the FIFO
queue is in the merge template (``ImportsQueue``). Locally ``chalice local``
polls nothing: ``devtools/import_worker.py`` receives from the emulator's
queue and calls ``handle_body`` the same way. Both kinds of message are
idempotent; an exception makes SQS deliver the message again.

The worker's modules (openpyxl above all) are imported here only, so the API
function's cold start does not load them (``app.py`` imports this module
lazily for the same reason).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import clock
from chalicelib.services import import_work
from chalicelib.services.imports import CHUNK, SPLIT


def handle_body(body: str) -> dict[str, Any]:
    """Do what one message asks; the outcome is returned for logs and tests."""
    message = json.loads(body)
    now = clock.now()
    if message.get("kind") == SPLIT:
        return import_work.split(str(message["import_id"]), now)
    if message.get("kind") == CHUNK:
        return import_work.push_chunk(str(message["import_id"]), int(message["chunk"]), now)
    if message.get("kind") == "quality_rescan":
        # An administrator's data-quality rescan rides the same queue (issue 22).
        from chalicelib.services import quality_rescan  # only a rescan message loads it

        return quality_rescan.work(str(message["job_id"]), int(message["chunk"]), now)
    raise ValueError(f"unknown import message kind {message.get('kind')!r}")
