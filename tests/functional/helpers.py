"""Steps the functional tests share, written as a province would take them."""

from __future__ import annotations

from typing import Any

from tests.factories import program_body


def submitted_program(api: Any, key: str, **overrides: Any) -> str:
    """A programme created and submitted by the province holding ``key``."""
    created = api.call("POST", "/v1/programs", program_body(**overrides), key=key)
    assert created.status_code == 201, created.body
    submitted = api.call("POST", f"/v1/programs/{created.data['id']}/submit", key=key)
    assert submitted.status_code == 200, submitted.body
    return created.data["id"]
