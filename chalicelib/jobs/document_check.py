"""S3 object-created events for uploaded approval documents (placeholder).

The document feature replaces this body with the real check (magic bytes,
size, SHA-256, quarantine). It exists now so ``chalice package`` emits the
``DocumentCheck`` function that ``infra/resources.json`` wires to the bucket.
"""

from __future__ import annotations

from typing import Any

from chalicelib.observability import logger


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """Log how many objects the event names (never their content) and return."""
    records = event.get("Records") or []
    logger.info("document check placeholder", extra={"objects": len(records)})
    return {"received": len(records), "checked": 0}
