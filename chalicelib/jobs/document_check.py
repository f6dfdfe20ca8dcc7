"""S3 object-created event → check the uploaded approval document.

Declared in ``app.py`` with ``@app.lambda_function(name="document_check")``
because ``chalice package`` refuses ``@app.on_s3_event``; the bucket
notification (prefix ``documents/``) and the invoke permission are wired in
the merge template. S3 delivers at least once: the check is idempotent.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.services.documents import handle_s3_event


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Check each document the event names; the outcomes are returned for logs and tests."""
    return {"results": handle_s3_event(event, clock.now())}
