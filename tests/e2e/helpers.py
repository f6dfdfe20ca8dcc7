"""Steps the end-to-end tests share, over HTTP as a province's staff take them."""

from __future__ import annotations

from typing import Any

import requests

from tests.factories import program_body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submitted_program(stack: Any, key: str, **overrides: Any) -> str:
    """A programme created and submitted by the province holding ``key``: one that takes awards.

    The one place to change when submitting starts to need a verified document.
    """
    created = requests.post(
        stack.url("/v1/programs"), json=program_body(**overrides), headers=bearer(key), timeout=30
    )
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    submitted = requests.post(
        stack.url(f"/v1/programs/{program_id}/submit"), headers=bearer(key), timeout=30
    )
    assert submitted.status_code == 200, submitted.text
    return program_id
