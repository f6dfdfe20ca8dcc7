"""Steps the functional tests share, written as a province would take them."""

from __future__ import annotations

from typing import Any

import requests

from tests.factories import document_body, pdf_bytes, program_body


def upload(api: Any, key: str, program_id: str, declared: dict, content: bytes) -> dict:
    """Declare a document, then POST ``content`` to the presigned form (moto answers in-process)."""
    created = api.call("POST", f"/v1/programs/{program_id}/documents", declared, key=key)
    assert created.status_code == 201, created.body
    form = created.data["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (declared["filename"], content, declared["content_type"])},
        timeout=30,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return created.data


def verified_document(api: Any, key: str, program_id: str) -> str:
    """Upload a tiny valid PDF through the real flow and have it checked: its id."""
    content = pdf_bytes()
    document_id = upload(api, key, program_id, document_body(content), content)["document_id"]
    checked = api.call("POST", f"/v1/programs/{program_id}/documents/{document_id}/check", key=key)
    assert checked.status_code == 200 and checked.data["status"] == "verified", checked.body
    return document_id


def draft_program(api: Any, key: str, **overrides: Any) -> str:
    created = api.call("POST", "/v1/programs", program_body(**overrides), key=key)
    assert created.status_code == 201, created.body
    return created.data["id"]


def submitted_program(api: Any, key: str, **overrides: Any) -> str:
    """A programme created, given a verified approval document and submitted."""
    program_id = draft_program(api, key, **overrides)
    verified_document(api, key, program_id)
    submitted = api.call("POST", f"/v1/programs/{program_id}/submit", key=key)
    assert submitted.status_code == 200, submitted.body
    return program_id
