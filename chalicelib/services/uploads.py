"""Where browsers upload to: the origin of the presigned upload forms.

The console posts approval documents and spreadsheets straight to the bucket
(S3, or the emulator locally), so its ``connect-src`` names that one origin
besides its own (``api/web.py``). Signing a form needs no network call.
"""

from __future__ import annotations

from chalicelib.observability import logger
from chalicelib.store import objects


def upload_origin() -> str | None:
    """``scheme://host[:port]`` of the bucket's upload forms; None when none can be signed."""
    try:
        return objects.upload_origin()
    except objects.StorageError as exc:
        logger.warning("no upload origin for the console", extra={"fault": str(exc)})
        return None
