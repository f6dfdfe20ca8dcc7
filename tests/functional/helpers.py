"""Steps the functional tests share, written as a province would take them.

Thin names over ``tests/steps.py`` (the same steps the end-to-end tests take),
with the functional tests' ``api`` as the caller.
"""

from __future__ import annotations

from typing import Any

from tests import steps


def upload(api: Any, key: str, program_id: str, declared: dict, content: bytes) -> dict:
    """Declare a document, then POST ``content`` to the presigned form (moto answers in-process)."""
    return steps.upload_document(api, key, program_id, declared, content)


def verified_document(api: Any, key: str, program_id: str) -> str:
    """Upload a tiny valid PDF through the real flow and have it checked: its id."""
    return steps.verified_document(api, key, program_id)


def draft_program(api: Any, key: str, **overrides: Any) -> str:
    return steps.draft_program(api, key, **overrides)


def submitted_program(api: Any, key: str, **overrides: Any) -> str:
    """A programme created, given a verified approval document and submitted."""
    return steps.submitted_program(api, key, **overrides)
