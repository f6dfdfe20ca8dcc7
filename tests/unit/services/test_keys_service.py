"""API keys over the in-memory keys repository (no moto): issued once, stored as an HMAC,
checked on every request, revoked for good (SPEC §4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.domain.errors import UnauthenticatedError
from chalicelib.services import keys


@pytest.fixture
def pinned():
    clock.pin(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    yield
    clock.pin(None)


def test_a_key_is_stored_only_as_its_hmac_and_authenticates(twins, pinned):
    issued = keys.issue_key(role=keys.PROVINCIAL, authority_id="110000")
    assert issued["api_key"].startswith("ark_") and len(issued["api_key"]) >= 4 + 43
    (stored_hash,) = twins.keys.items
    assert stored_hash == keys.key_hash(issued["api_key"]) != issued["api_key"]
    assert issued["api_key"] not in str(twins.keys.items)
    principal = keys.authenticate(f"Bearer {issued['api_key']}")
    assert principal == keys.Principal("provincial", "110000", issued["key_id"])


def test_unknown_malformed_and_revoked_keys_are_401(twins, pinned):
    issued = keys.issue_key(role=keys.ADMIN)
    for header in ("Bearer ark_unknown", "Basic abc", "Bearer ", "Bearer notakey"):
        with pytest.raises(UnauthenticatedError):
            keys.authenticate(header)
    assert keys.authenticate(None) is None
    assert keys.revoke_key_id(issued["key_id"], by="key_other") is True
    again = keys.find_key(issued["key_id"])
    assert keys.revoke_record(again, by="key_late") is False  # the first revocation is kept
    assert twins.keys.by_hash(keys.key_hash(issued["api_key"])).revoked_by == "key_other"
    with pytest.raises(UnauthenticatedError):
        keys.authenticate(f"Bearer {issued['api_key']}")


def test_the_last_used_day_is_written_once_a_day(twins, pinned):
    api_key = keys.issue_key(role=keys.PROVINCIAL, authority_id="320000")["api_key"]
    for _ in range(3):
        keys.authenticate(f"Bearer {api_key}")
    assert twins.keys.writes == 1
    assert twins.keys.by_hash(keys.key_hash(api_key)).last_used_on == "2026-11-20"
    clock.pin(datetime(2026, 11, 20, 16, 30, tzinfo=UTC))  # 00:30 on the 21st in China
    keys.authenticate(f"Bearer {api_key}")
    assert twins.keys.writes == 2


def test_a_failed_last_used_write_does_not_refuse_a_working_key(twins, pinned, monkeypatch):
    api_key = keys.issue_key(role=keys.PROVINCIAL, authority_id="320000")["api_key"]

    def broken(record, day):
        raise twins.keys.BookkeepingFailed("UpdateError")

    monkeypatch.setattr(twins.keys, "note_used", broken)
    monkeypatch.setattr("chalicelib.store.keys.note_used", broken)
    assert keys.authenticate(f"Bearer {api_key}").authority_id == "320000"
