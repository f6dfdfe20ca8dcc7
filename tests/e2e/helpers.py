"""Steps the end-to-end tests share, over real HTTP as a province's platform takes them."""

from __future__ import annotations

from typing import Any

import requests

from tests.factories import document_body, pdf_bytes, program_body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submitted_program(stack: Any, key: str, **overrides: Any) -> str:
    """A programme created and submitted by the province holding ``key``: one that takes awards.

    Submitting needs a verified approval document: a tiny PDF through the real flow.
    """
    created = requests.post(
        stack.url("/v1/programs"), json=program_body(**overrides), headers=bearer(key), timeout=30
    )
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    verified_document(stack, key, program_id)
    submitted = requests.post(
        stack.url(f"/v1/programs/{program_id}/submit"), headers=bearer(key), timeout=30
    )
    assert submitted.status_code == 200, submitted.text
    return program_id


def upload_document(stack: Any, key: str, program_id: str, declared: dict, content: bytes) -> dict:
    """Declare a document, then POST the bytes to the presigned form on the emulator."""
    created = requests.post(
        stack.url(f"/v1/programs/{program_id}/documents"), json=declared, headers=bearer(key)
    )
    assert created.status_code == 201, created.text
    form = created.json()["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (declared["filename"], content, declared["content_type"])},
        timeout=60,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return created.json()


def check_document(stack: Any, key: str, program_id: str, document_id: str) -> requests.Response:
    return requests.post(
        stack.url(f"/v1/programs/{program_id}/documents/{document_id}/check"),
        headers=bearer(key),
        timeout=60,
    )


def verified_document(stack: Any, key: str, program_id: str) -> str:
    """The cheap way to a submittable programme: a tiny valid PDF through the real flow."""
    content = pdf_bytes()
    document_id = upload_document(stack, key, program_id, document_body(content), content)[
        "document_id"
    ]
    checked = check_document(stack, key, program_id, document_id)
    assert checked.status_code == 200 and checked.json()["status"] == "verified", checked.text
    return document_id


def import_sheet(
    stack: Any, key: str, content: bytes, content_type: str, filename: str, **extra: Any
) -> str:
    """Declare a spreadsheet import, upload it through the presigned form, start it: its id."""
    import hashlib

    declared = {
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **extra,
    }
    created = requests.post(stack.url("/v1/imports"), json=declared, headers=bearer(key))
    assert created.status_code == 201, created.text
    form = created.json()["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (filename, content, content_type)},
        timeout=60,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    import_id = created.json()["import_id"]
    started = requests.post(
        stack.url(f"/v1/imports/{import_id}/start"), headers=bearer(key), timeout=60
    )
    assert started.status_code == 202, started.text
    return import_id


def wait_for_import(stack: Any, key: str, import_id: str, timeout: float = 300) -> dict:
    """Poll ``GET /v1/imports/{id}`` until it is done or failed (the local worker runs it)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(
            stack.url(f"/v1/imports/{import_id}"), headers=bearer(key), timeout=30
        ).json()
        if status["status"] in ("done", "failed"):
            return status
        assert time.monotonic() < deadline, f"import still {status['status']}: {status}"
        time.sleep(0.5)
