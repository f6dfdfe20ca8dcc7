"""Objections about a pushed award, over the awards, objections and change-feed twins.

Routing to the province that pushed the award, the filer's credit code checked against
its winners, and an answer ``corrected`` backed by a change of that award made after
filing (``services/objections.py``); the award is pushed and revoked by
``services/awards.py`` over ``award_twins``, the objection stored in ``store_twins``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import schemas
from chalicelib.domain.errors import BusinessRuleError
from chalicelib.domain.principal import PROVINCIAL, Province
from chalicelib.services import awards, programs
from chalicelib.services import objections as service
from tests.factories import award_body, credit_code, program_body

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
PUSHED = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
FILED = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
CORRECTED = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
SOURCE = "203.0.113.9"


@pytest.fixture
def award_id(twins, award_twins, store_twins) -> str:
    """An active award of Beijing; its winners are ``credit_code(1)`` and ``credit_code(2)``."""
    body = schemas.ProgramIn.model_validate(program_body())
    program_id = programs.create_program(BEIJING, body, PUSHED)["id"]
    program = twins.programs.get(program_id)
    program.status = "submitted"
    twins.programs.save_if_unchanged(program)
    record = schemas.parse_model(
        schemas.AwardIn,
        award_body(program_id, "BJ-2026-0001"),
        today=date(2026, 11, 16),
        earliest_award=date(2018, 1, 1),
    )
    return awards.push_award(BEIJING, record, PUSHED).award["id"]


def _objection(award_id: str, code: str, kind: str = "not_ours") -> schemas.ObjectionIn:
    return schemas.ObjectionIn.model_validate(
        {
            "kind": kind,
            "credit_code": code,
            "award_id": award_id,
            "description": "本企业并未参与该工程，获奖信息不属于本企业",
            "contact": {"name": "李经理", "email": "li@example.cn"},
        }
    )


def test_an_objection_to_an_award_goes_to_the_province_that_pushed_it(award_id, store_twins):
    filed = service.file_objection(_objection(award_id, credit_code(2)), FILED, SOURCE)
    assert filed["authority_id"] == "110000" and filed["award_id"] == award_id
    full = service.get_objection(BEIJING, filed["number"], None, FILED, SOURCE)
    assert full["changes_since_filing"] == []


def test_only_a_winner_objects_and_only_to_an_award_that_exists(award_id, store_twins):
    with pytest.raises(BusinessRuleError) as stranger:
        service.file_objection(_objection(award_id, credit_code(9)), FILED, SOURCE)
    assert (stranger.value.code, stranger.value.field) == ("not_a_winner", "credit_code")
    with pytest.raises(BusinessRuleError) as unknown:
        service.file_objection(_objection("awd_" + "0" * 26, credit_code(2)), FILED, SOURCE)
    assert (unknown.value.code, unknown.value.field) == ("unknown_award", "award_id")
    assert store_twins.objections.last_number(2026) == 0


def test_corrected_names_the_awards_change_made_after_filing(award_id, store_twins):
    filed = service.file_objection(_objection(award_id, credit_code(2)), FILED, SOURCE)
    revoke = schemas.RevokeIn(reason="获奖单位有误，撤销")
    awards.revoke_award(BEIJING, award_id, revoke, CORRECTED)
    full = service.get_objection(BEIJING, filed["number"], None, CORRECTED, SOURCE)
    (change,) = full["changes_since_filing"]
    assert change["op"] == "revoke" and change["entity_id"] == award_id
    push_seq = change["seq"] - 1  # the push itself, committed before the filing
    answer = {"outcome": "corrected", "reply": "已撤销该条获奖信息", "change_seq": push_seq}
    with pytest.raises(BusinessRuleError) as before_filing:
        service.answer(
            BEIJING, filed["number"], schemas.ObjectionAnswerIn.model_validate(answer), CORRECTED
        )
    assert before_filing.value.code == "invalid_change"
    answer = {"outcome": "corrected", "reply": "已撤销该条获奖信息", "change_seq": change["seq"]}
    view = service.answer(
        BEIJING, filed["number"], schemas.ObjectionAnswerIn.model_validate(answer), CORRECTED
    )
    assert view["state"] == "answered" and view["answer"]["change"]["seq"] == change["seq"]
    counters, _ = store_twins.objections.all_stats()
    assert int(counters["110000"].corrected) == 1
