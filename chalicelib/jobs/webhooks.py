"""Webhook deliveries' entry points (issue 21): thin, both call ``webhook_delivery.run_once``.

- ``webhook_fanout``: the ``changes`` table's stream (a second consumer beside the
  search index). The records are only a wake-up: the step reads the committed feed
  from each subscription's own position, so stream batching, shards and replays
  cannot reorder or duplicate an event.
- ``webhook_dispatch``: every minute, for retries that came due and as the catch-up
  should a wake-up be missed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.observability import logger
from chalicelib.services.webhook_delivery import run_once


def handle(event: Any = None) -> dict[str, int]:
    counts = run_once()
    logger.info("webhook round", extra=counts)
    return counts
