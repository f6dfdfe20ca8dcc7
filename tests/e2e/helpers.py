"""Steps the end-to-end tests share, over real HTTP as a province's platform takes them.

Thin names over ``tests/steps.py`` (the same steps the functional tests take),
with ``Http(stack)`` (``requests`` to the local stack) as the caller.
"""

from __future__ import annotations

from typing import Any

from tests import steps
from tests.steps import Http, HttpAnswer, bearer

__all__ = [
    "bearer",
    "check_document",
    "import_sheet",
    "submitted_program",
    "upload_document",
    "verified_document",
    "wait_for_import",
]


def submitted_program(stack: Any, key: str, **overrides: Any) -> str:
    """A programme created and submitted by the province holding ``key``: one that takes awards.

    Submitting needs a verified approval document: a tiny PDF through the real flow.
    """
    return steps.submitted_program(Http(stack), key, **overrides)


def upload_document(stack: Any, key: str, program_id: str, declared: dict, content: bytes) -> dict:
    """Declare a document, then POST the bytes to the presigned form on the emulator."""
    return steps.upload_document(Http(stack), key, program_id, declared, content)


def check_document(stack: Any, key: str, program_id: str, document_id: str) -> HttpAnswer:
    """The check's answer (``status_code``, ``json()``, ``text`` as ``requests`` names them)."""
    return steps.check_document(Http(stack), key, program_id, document_id)


def verified_document(stack: Any, key: str, program_id: str) -> str:
    """The cheap way to a submittable programme: a tiny valid PDF through the real flow."""
    return steps.verified_document(Http(stack), key, program_id)


def import_sheet(
    stack: Any, key: str, content: bytes, content_type: str, filename: str, **extra: Any
) -> str:
    """Declare a spreadsheet import, upload it through the presigned form, start it: its id."""
    return steps.import_sheet(Http(stack), key, content, content_type, filename, **extra)


def wait_for_import(stack: Any, key: str, import_id: str, timeout: float = 300) -> dict:
    """Poll ``GET /v1/imports/{id}`` until it is done or failed (the local worker runs it)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = steps.expect(
            Http(stack).call("GET", f"/v1/imports/{import_id}", key=key), 200
        ).data
        if status["status"] in ("done", "failed"):
            return status
        assert time.monotonic() < deadline, f"import still {status['status']}: {status}"
        time.sleep(0.5)
