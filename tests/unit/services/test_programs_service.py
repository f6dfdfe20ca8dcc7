"""The programmes service over the in-memory programmes repository (no moto).

What a province and the public see of programmes, decided by the service
(``services/programs.py``); storage is the twin of ``store/programs.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import schemas
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    IfMatchRequiredError,
    NotFoundError,
    VersionMismatchError,
)
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.domain.queries import ProgramFilter
from chalicelib.services import programs, reviews
from tests.factories import program_body

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
ADMINISTRATOR = Principal(role=ADMIN, authority_id=None, key_id="key_admin")
NOV_20 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _body(**overrides):
    """A programme body as the route hands it over: validated (``ProgramIn``)."""
    return schemas.ProgramIn.model_validate(program_body(**overrides))


def _set_status(twins, program_id: str, status: str) -> None:
    program = twins.programs.get(program_id)
    program.status = status
    twins.programs.save_if_unchanged(program)


def test_a_new_programme_is_a_draft_stored_once_at_version_1(twins):
    created = programs.create_program(BEIJING, _body(), NOV_20)
    assert created["status"] == "draft" and created["version"] == 1
    assert created["created_at"] == "2026-11-20T02:00:00.000000Z"
    stored = twins.programs.get(created["id"])
    assert stored.authority_id == "110000" and stored.content["name"] == "北京市建设工程长城杯"
    assert list(twins.programs.items) == [created["id"]]


def test_a_draft_is_hidden_from_the_public_and_other_provinces_not_from_its_owner(twins):
    draft = programs.create_program(BEIJING, _body(), NOV_20)["id"]
    for stranger in (None, JIANGSU):
        with pytest.raises(NotFoundError):
            programs.read_program(draft, stranger)
    assert programs.read_program(draft, BEIJING)["id"] == draft
    assert programs.read_program(draft, ADMINISTRATOR)["id"] == draft


def test_another_provinces_public_programme_is_403_to_change_not_404(twins):
    program_id = programs.create_program(BEIJING, _body(), NOV_20)["id"]
    _set_status(twins, program_id, "submitted")
    with pytest.raises(ForbiddenError):
        programs.owned_program(program_id, JIANGSU)


def test_an_implausible_or_unknown_id_is_404_without_reading(twins):
    with pytest.raises(NotFoundError):
        programs.read_program("../etc", None)
    with pytest.raises(NotFoundError):
        programs.read_program("prg_" + "0" * 26, ADMINISTRATOR)


def test_editing_a_draft_needs_the_version_read(twins):
    created = programs.create_program(BEIJING, _body(), NOV_20)
    renamed = _body(name="北京市建筑长城杯")
    with pytest.raises(IfMatchRequiredError):
        programs.update_program(BEIJING, created["id"], None, renamed, NOV_20)
    with pytest.raises(VersionMismatchError):
        programs.update_program(BEIJING, created["id"], 7, renamed, NOV_20)
    updated = programs.update_program(BEIJING, created["id"], 1, renamed, NOV_20)
    assert updated["name"] == "北京市建筑长城杯"
    assert twins.programs.get(created["id"]).version == 2


def test_the_public_list_shows_public_programmes_newest_first_in_signed_pages(twins):
    ids = []
    for day in range(1, 6):
        at = datetime(2026, 11, day, 2, 0, tzinfo=UTC)
        ids.append(programs.create_program(BEIJING, _body(name=f"奖{day}"), at)["id"])
    for program_id in ids[1:]:
        _set_status(twins, program_id, "approved")  # the first stays a draft
    first = programs.list_programs(ProgramFilter(limit=2), None)
    assert [p["id"] for p in first["items"]] == [ids[4], ids[3]]
    second = programs.list_programs(ProgramFilter(limit=2, cursor=first["next_cursor"]), None)
    assert [p["id"] for p in second["items"]] == [ids[2], ids[1]]
    assert second["next_cursor"] is None  # the draft is not the public's
    mine = programs.list_programs(ProgramFilter(limit=10), BEIJING)
    assert [p["id"] for p in mine["items"]] == ids[::-1]


def test_facts_and_public_names_of_many_programmes_read_those_that_exist(twins):
    ids = [
        programs.create_program(BEIJING, _body(name=f"奖{n}"), NOV_20)["id"]
        for n in range(150)  # more than one BatchGet's 100
    ]
    _set_status(twins, ids[0], "approved")
    facts = programs.program_facts([*ids, "prg_missing"])
    assert len(facts) == 150 and facts[ids[0]]["status"] == "approved"
    assert programs.public_names(ids) == {ids[0]: "奖0"}  # drafts were never public


def _with_verified_document(twins, program_id: str) -> None:
    program = twins.programs.get(program_id)
    program.documents = [{"id": "doc_1", "status": "verified"}]
    twins.programs.save_if_unchanged(program)


def test_submitting_needs_a_verified_document_and_publishes_the_change(twins):
    program_id = programs.create_program(BEIJING, _body(), NOV_20)["id"]
    with pytest.raises(ConflictError) as refused:
        programs.submit_program(BEIJING, program_id, NOV_20)
    assert refused.value.code == "document_required"
    _with_verified_document(twins, program_id)
    submitted = programs.submit_program(BEIJING, program_id, NOV_20)
    assert submitted["status"] == "submitted" and submitted["version"] == 3
    assert twins.programs.commits == [("status", program_id, 3)]
    stored = twins.programs.get(program_id)
    assert stored.submitted_at == "2026-11-20T02:00:00.000000Z"
    assert stored.public_name == "北京市建设工程长城杯"  # the public knows it by this name now


def test_an_administrator_approves_then_withdraws_and_nothing_else_moves(twins):
    program_id = programs.create_program(BEIJING, _body(), NOV_20)["id"]
    _with_verified_document(twins, program_id)
    programs.submit_program(BEIJING, program_id, NOV_20)
    approve = schemas.ReviewIn.model_validate({"decision": "approve"})
    approved = reviews.review_program(ADMINISTRATOR, program_id, approve, NOV_20)
    assert approved["status"] == "approved"
    with pytest.raises(ConflictError):  # approved, not submitted
        reject = schemas.ReviewIn.model_validate({"decision": "reject", "reason": "x"})
        reviews.review_program(ADMINISTRATOR, program_id, reject, NOV_20)
    withdraw = schemas.WithdrawIn.model_validate({"reason": "清理", "effective_on": "2026-12-01"})
    withdrawn = reviews.withdraw_program(ADMINISTRATOR, program_id, withdraw, NOV_20)
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["status_history"][-1]["effective_on"] == "2026-12-01"
    assert [op for op, _, _ in twins.programs.commits] == ["status", "status", "status"]
