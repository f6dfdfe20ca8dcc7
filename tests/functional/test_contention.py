"""A write that keeps losing the race for its authority's sequence retries, then gives up.

Every write re-reads, decides and commits until it lands (``ledger.until_committed``);
here a concurrent writer is simulated by cancelling the first transactions.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.config import settings
from chalicelib.store import ledger
from chalicelib.store.models import ChangeEntry
from tests.factories import award_body
from tests.functional.helpers import submitted_program
from tests.steps import push


@pytest.fixture
def few_attempts(monkeypatch):
    """Three attempts without back-off (``COMMIT_ATTEMPTS``, ``COMMIT_BACKOFF_MS``)."""
    configured = replace(settings(), commit_attempts=3, commit_backoff_ms=0)
    monkeypatch.setattr(ledger, "settings", lambda: configured)


def lose_first(monkeypatch, losses: int) -> list[int]:
    """Cancel the next ``losses`` transactions as a concurrent writer would; count them all."""
    transact = ledger.transact
    calls: list[int] = []

    def racing(writes):
        calls.append(1)
        if len(calls) <= losses:
            raise ledger.CommitConflict("TransactionCanceledException")
        return transact(writes)

    monkeypatch.setattr(ledger, "transact", racing)
    return calls


def test_a_push_that_loses_two_races_lands_on_the_third_attempt(
    api, keys, few_attempts, monkeypatch
):
    program_id = submitted_program(api, keys["110000"])
    calls = lose_first(monkeypatch, 2)
    response = api.call("POST", "/v1/awards", award_body(program_id), key=keys["110000"])
    assert response.status_code == 201, response.body
    assert len(calls) == 3
    assert response.data["version"] == 1
    assert response.data["program_status"] == "submitted"
    entries = [e for e in ChangeEntry.query("110000") if e.entity == "award"]
    assert [e.entity_id for e in entries] == [response.data["id"]]


def test_a_push_that_loses_every_race_is_503_and_stores_nothing(
    api, keys, few_attempts, monkeypatch
):
    program_id = submitted_program(api, keys["110000"])
    calls = lose_first(monkeypatch, 99)
    response = api.call("POST", "/v1/awards", award_body(program_id), key=keys["110000"])
    assert response.status_code == 503
    assert response.data["error"]["code"] == "unavailable"
    assert len(calls) == 3
    monkeypatch.undo()
    listed = api.call("GET", f"/v1/awards?program_id={program_id}").data
    assert listed["items"] == []


def test_a_revocation_that_loses_every_race_is_503_and_changes_nothing(
    api, keys, few_attempts, monkeypatch
):
    program_id = submitted_program(api, keys["110000"])
    award = push(api, keys["110000"], award_body(program_id))
    lose_first(monkeypatch, 99)
    path = f"/v1/awards/{award['id']}/revoke"
    response = api.call("POST", path, {"reason": "撤销"}, key=keys["110000"])
    assert response.status_code == 503
    assert response.data["error"]["code"] == "unavailable"
    monkeypatch.undo()
    assert api.call("GET", f"/v1/awards/{award['id']}").data["status"] == "active"
