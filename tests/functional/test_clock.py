"""One clock for every route: pinned once, every stamp of every route follows it."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock as registry_clock
from tests.factories import award_body, credit_code
from tests.steps import approve, push, submitted_program

PINNED = "2026-11-20T02:00:00.000000Z"


def test_a_pinned_clock_stamps_programmes_reviews_pushes_and_verifications(api, keys, clock):
    clock.set("2026-11-20T02:00:00+00:00")
    program_id = submitted_program(api, keys["110000"])
    reviewed = approve(api, keys["admin"], program_id)
    award = push(api, keys["110000"], award_body(program_id))
    verified = api.call("GET", f"/v1/verify?credit_code={credit_code(1)}").data

    assert {entry["at"] for entry in reviewed["status_history"]} == {PINNED}
    assert award["submitted_at"] == PINNED
    assert verified["as_of"] == PINNED


def test_unpinned_the_clock_is_the_real_time_and_a_naive_instant_is_refused():
    before = datetime.now().astimezone()
    assert before <= registry_clock.now() <= datetime.now().astimezone()
    with pytest.raises(ValueError, match="aware"):
        registry_clock.pin(datetime(2026, 11, 20, 2, 0))
