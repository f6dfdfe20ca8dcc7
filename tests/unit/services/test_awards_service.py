"""Pushing, correcting and revoking awards over the in-memory awards repository (no moto).

``services/awards.py`` decides; storage is the twin of ``store/awards.py`` with a push's
one consistent read (``store/batch_reads.py``) and the change feed's twin, so each test
sees what was stored and published (``tests/twins_awards.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import schemas
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    IfMatchRequiredError,
    NotFoundError,
    VersionMismatchError,
)
from chalicelib.domain.principal import PROVINCIAL, Province
from chalicelib.services import awards, programs
from chalicelib.store import batch_reads
from chalicelib.store.models import CreditCodeEntry
from tests.factories import award_body, credit_code, program_body

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
NOV_20 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
NOV_23 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _program(twins, province: Province = BEIJING, status: str = "submitted") -> str:
    body = schemas.ProgramIn.model_validate(program_body())
    program_id = programs.create_program(province, body, NOV_20)["id"]
    program = twins.programs.get(program_id)
    program.status = status
    twins.programs.save_if_unchanged(program)
    return program_id


def _award(program_id: str, source_id: str = "BJ-2026-0001", **overrides) -> schemas.AwardIn:
    """A record as the route hands it over: validated (``AwardIn``)."""
    data = award_body(program_id, source_id, **overrides)
    return schemas.parse_model(
        schemas.AwardIn, data, today=date(2026, 11, 20), earliest_award=date(2018, 1, 1)
    )


def _index_items(award_twins, code: str) -> list[str]:
    entries, _ = award_twins.awards.credit_code_page(code, None, size=100)
    assert all(isinstance(entry, CreditCodeEntry) for entry in entries)
    return [entry.award_id for entry in entries]


def test_a_new_push_stores_record_guard_index_items_and_one_change(twins, award_twins):
    program_id = _program(twins)
    pushed = awards.push_award(BEIJING, _award(program_id, awarded_on="2026-11-02"), NOV_20)
    assert pushed.created is True
    award = pushed.award
    assert award["id"].startswith("awd_") and award["version"] == 1
    assert award["authority_id"] == "110000" and award["status"] == "active"
    assert award["submitted_at"] == "2026-11-20T02:00:00.000000Z"
    # 10 working days after Mon 2 Nov 2026 is Mon 16 Nov: a push on the 20th is 4 days late.
    assert award["deadline"] == "2026-11-16"
    assert award["timeliness"]["status"] == "late"
    assert award["timeliness"]["working_days_late"] == 4
    assert award["program_status"] == "submitted"  # not approved yet: a verifier sees it
    stored = award_twins.awards.load_record(award["id"])
    assert stored.source_id == "BJ-2026-0001" and stored.version == 1
    assert _index_items(award_twins, credit_code(1)) == [award["id"]]
    assert _index_items(award_twins, credit_code(2)) == [award["id"]]
    assert award_twins.awards.commits == [("create", award["id"], 1)]
    (entry,) = award_twins.changes.after("110000", 0, limit=10)
    assert (entry.seq, entry.entity, entry.op) == (1, "award", "create")
    assert entry.entity_id == award["id"]
    assert award_twins.batch_reads.reads == 1  # guard, programme and seq: one read


def test_the_same_record_again_is_the_same_award_and_no_new_change(twins, award_twins):
    program_id = _program(twins)
    first = awards.push_award(BEIJING, _award(program_id), NOV_20)
    again = awards.push_award(BEIJING, _award(program_id), NOV_23)
    assert again.created is False
    assert again.award["id"] == first.award["id"]
    assert again.award["submitted_at"] == first.award["submitted_at"]  # the first push's
    assert [c[0] for c in award_twins.awards.commits] == ["create"]
    assert award_twins.changes.heads()["110000"] == 1


def test_the_same_source_id_with_other_content_is_a_conflict_naming_the_field(twins, award_twins):
    program_id = _program(twins)
    first = awards.push_award(BEIJING, _award(program_id), NOV_20)
    with pytest.raises(ConflictError) as refused:
        awards.push_award(BEIJING, _award(program_id, honor="银质奖"), NOV_20)
    assert refused.value.code == "source_id_conflict" and refused.value.field == "source_id"
    assert first.award["id"] in refused.value.message
    assert award_twins.awards.load_record(first.award["id"]).content["honor"] == "金质奖"
    assert award_twins.changes.heads()["110000"] == 1


def test_a_source_id_is_unique_per_province_not_across_provinces(twins, award_twins):
    beijing = awards.push_award(BEIJING, _award(_program(twins)), NOV_20)
    jiangsu = awards.push_award(JIANGSU, _award(_program(twins, JIANGSU)), NOV_20)
    assert jiangsu.created is True and jiangsu.award["id"] != beijing.award["id"]
    heads = award_twins.changes.heads()
    assert heads["110000"] == 1 and heads["320000"] == 1  # each province's own sequence


def test_another_provinces_programme_is_403_when_public_and_404_when_not(twins, award_twins):
    public = _program(twins, JIANGSU, "approved")
    draft = _program(twins, JIANGSU, "draft")
    with pytest.raises(ForbiddenError) as forbidden:
        awards.push_award(BEIJING, _award(public), NOV_20)
    assert forbidden.value.field == "program_id"
    with pytest.raises(NotFoundError):
        awards.push_award(BEIJING, _award(draft), NOV_20)
    with pytest.raises(NotFoundError):
        awards.push_award(BEIJING, _award("prg_" + "0" * 26), NOV_20)
    assert award_twins.awards.items == {} and award_twins.changes.heads()["110000"] == 0


def test_a_push_to_a_draft_programme_is_invalid_state(twins, award_twins):
    with pytest.raises(ConflictError) as refused:
        awards.push_award(BEIJING, _award(_program(twins, status="draft")), NOV_20)
    assert refused.value.code == "invalid_state"


def test_a_correction_needs_the_version_read_and_keeps_the_first_version(twins, award_twins):
    program_id = _program(twins)
    award_id = awards.push_award(BEIJING, _award(program_id), NOV_20).award["id"]
    corrected = _award(
        program_id,
        winners=[{"name": "北京建工集团", "credit_code": credit_code(3), "role": "other"}],
    )
    with pytest.raises(IfMatchRequiredError):
        awards.correct_award(BEIJING, award_id, None, corrected, NOV_23)
    with pytest.raises(VersionMismatchError):
        awards.correct_award(BEIJING, award_id, 7, corrected, NOV_23)
    view = awards.correct_award(BEIJING, award_id, 1, corrected, NOV_23)
    assert view["version"] == 2 and view["submitted_at"] == "2026-11-20T02:00:00.000000Z"
    assert [w["credit_code"] for w in view["winners"]] == [credit_code(3)]
    (earlier,) = award_twins.awards.award_history(award_id)
    assert earlier["version"] == 1 and earlier["superseded_at"] == "2026-11-23T02:00:00.000000Z"
    assert _index_items(award_twins, credit_code(3)) == [award_id]  # the new winner's item
    assert _index_items(award_twins, credit_code(1)) == [award_id]  # never deleted
    assert award_twins.awards.commits == [("create", award_id, 1), ("update", award_id, 2)]
    # The guard took the new content: pushing it again is a retry, the old one a conflict.
    assert awards.push_award(BEIJING, corrected, NOV_23).created is False
    with pytest.raises(ConflictError):
        awards.push_award(BEIJING, _award(program_id), NOV_23)
    with pytest.raises(VersionMismatchError):  # the version read before the correction
        awards.correct_award(BEIJING, award_id, 1, _award(program_id), NOV_23)


def test_another_province_may_not_correct_or_revoke_an_award(twins, award_twins):
    program_id = _program(twins)
    award_id = awards.push_award(BEIJING, _award(program_id), NOV_20).award["id"]
    with pytest.raises(ForbiddenError):
        awards.correct_award(JIANGSU, award_id, 1, _award(program_id), NOV_23)
    with pytest.raises(ForbiddenError):
        awards.revoke_award(JIANGSU, award_id, schemas.RevokeIn(reason="误报"), NOV_23)
    with pytest.raises(NotFoundError):
        awards.revoke_award(BEIJING, "awd_" + "0" * 26, schemas.RevokeIn(reason="误报"), NOV_23)
    assert award_twins.awards.load_record(award_id).status == "active"


def test_a_revoked_award_stays_readable_and_cannot_be_revoked_or_corrected_again(
    twins, award_twins
):
    program_id = _program(twins)
    award_id = awards.push_award(BEIJING, _award(program_id), NOV_20).award["id"]
    body = schemas.RevokeIn(reason="获奖项目存在质量问题", document_number="京建发〔2026〕9号")
    revoked = awards.revoke_award(BEIJING, award_id, body, NOV_23)
    assert revoked["status"] == "revoked" and revoked["version"] == 2
    assert revoked["revoked_reason"] == "获奖项目存在质量问题"
    assert revoked["revoked_document_number"] == "京建发〔2026〕9号"
    assert revoked["revoked_at"] == "2026-11-23T02:00:00.000000Z"
    assert revoked["validity"] == "revoked"
    assert award_twins.awards.award_history(award_id)[0]["status"] == "active"
    (_, entry) = award_twins.changes.after("110000", 0, limit=10)
    assert (entry.op, entry.version) == ("revoke", 2)
    with pytest.raises(ConflictError) as again:
        awards.revoke_award(BEIJING, award_id, body, NOV_23)
    assert again.value.code == "award_revoked"
    with pytest.raises(ConflictError) as corrected:
        awards.correct_award(BEIJING, award_id, 2, _award(program_id, honor="银质奖"), NOV_23)
    assert corrected.value.code == "award_revoked"


def test_a_twin_push_that_loses_the_race_reads_the_guard_again(twins, award_twins, monkeypatch):
    """Another request pushed the same record between this push's read and its commit:
    the guard's condition cancels the commit and the retry finds the winner's award."""
    program_id = _program(twins)
    record = _award(program_id)
    real_reads = batch_reads.push_reads
    won: list[str] = []

    def read_then_lose(*args):
        read = real_reads(*args)
        if not won:
            won.append("racing")
            won.append(awards.push_award(BEIJING, record, NOV_20).award["id"])
        return read

    monkeypatch.setattr(batch_reads, "push_reads", read_then_lose)
    late = awards.push_award(BEIJING, record, NOV_20)
    assert late.created is False and late.award["id"] == won[1]
    assert award_twins.changes.heads()["110000"] == 1
    assert award_twins.batch_reads.reads == 3  # ours, the winner's, ours again
