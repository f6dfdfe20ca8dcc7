"""The objections service over the in-memory objections store (no moto).

Filing a missing-award objection, looking it up with its number and token, the routed
province's answer, an administrator's transfer and the statistics they move
(``services/objections.py``); storage is the twin of ``store/objections.py`` and the
rate limits' twin. The calendar table holds no loaded year: the library's calendar
counts the working days (2026 is in it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chalicelib.domain import schemas
from chalicelib.domain.errors import (
    BusinessRuleError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationError,
)
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.domain.queries import ObjectionFilter
from chalicelib.services import calendars
from chalicelib.services import objections as service
from chalicelib.store import calendar as calendar_store
from tests.factories import credit_code

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
ADMINISTRATOR = Principal(role=ADMIN, authority_id=None, key_id="key_admin")
# Monday 2026-11-16, 10:00 China time; its 10th working day after is Monday 2026-11-30.
FILED = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
SOURCE = "203.0.113.9"


@pytest.fixture(autouse=True)
def no_loaded_year(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No year loaded by an administrator, and no calendar cached from another test."""
    calendars.invalidate()
    monkeypatch.setattr(calendar_store, "load_arrangements", dict)
    yield
    calendars.invalidate()


def _missing(authority_id: str | None = "110000", n: int = 7, **overrides) -> schemas.ObjectionIn:
    body = {
        "kind": "missing_award",
        "credit_code": credit_code(n),
        "authority_id": authority_id,
        "description": "本企业2025年获得的长城杯金奖没有在平台上显示",
        "contact": {"name": "王经理", "phone": "13800138000"},
        **overrides,
    }
    return schemas.ObjectionIn.model_validate(body)


def _answer(outcome: str, reply: str = "经核实，原信息无误，不予更正。", **fields):
    return schemas.ObjectionAnswerIn.model_validate({"outcome": outcome, "reply": reply, **fields})


def test_a_filed_objection_gets_the_first_number_of_its_year_and_a_token_shown_once(
    twins, store_twins
):
    filed = service.file_objection(_missing(), FILED, SOURCE)
    assert filed["number"] == "YY-2026-000001" and filed["state"] == "open"
    assert filed["authority_id"] == "110000" and filed["deadline"] == "2026-11-30"
    assert len(filed["token"]) >= 16 and "contact" not in filed
    stored = store_twins.objections.get("YY-2026-000001")
    assert stored.version == 1 and stored.contact == {"name": "王经理", "phone": "13800138000"}
    assert filed["token"] not in str(stored.serialize())  # only its HMAC is kept
    second = service.file_objection(_missing(n=8), FILED, SOURCE)
    assert second["number"] == "YY-2026-000002"
    assert store_twins.objections.last_number(2026) == 2


def test_the_token_holder_reads_state_and_answer_and_a_wrong_token_is_an_unknown_number(
    twins, store_twins
):
    filed = service.file_objection(_missing(), FILED, SOURCE)
    seen = service.lookup(filed["number"], filed["token"], FILED, SOURCE)
    assert seen["state"] == "open" and seen["answer"] is None
    assert "contact" not in seen and "credit_code" not in seen
    for number, token in ((filed["number"], "x" * 32), ("YY-2026-000099", filed["token"])):
        with pytest.raises(NotFoundError) as refused:
            service.lookup(number, token, FILED, SOURCE)
        assert refused.value.message_zh == service.NOT_FOUND_ZH


def test_a_missing_award_needs_its_province_and_a_way_to_call_back(twins, store_twins):
    with pytest.raises(ValidationError) as no_province:
        service.file_objection(_missing(authority_id=None), FILED, SOURCE)
    assert no_province.value.field == "authority_id"
    with pytest.raises(ValidationError) as no_contact:
        service.file_objection(_missing(contact={"name": "王经理"}), FILED, SOURCE)
    assert no_contact.value.field == "contact.phone"
    with pytest.raises(ValidationError) as no_award:  # a disputed award must be named
        service.file_objection(_missing(kind="wrong_facts", authority_id=None), FILED, SOURCE)
    assert no_award.value.field == "award_id"
    assert store_twins.objections.last_number(2026) == 0


def test_one_credit_code_files_at_most_the_days_limit_then_429(twins, store_twins):
    from chalicelib.config import settings

    limit = settings().objections.filings_per_credit_code_per_day
    for _ in range(limit):
        service.file_objection(_missing(n=9), FILED, SOURCE)
    with pytest.raises(ThrottledError) as refused:
        service.file_objection(_missing(n=9), FILED, "198.51.100.1")
    assert refused.value.field == "credit_code" and refused.value.retry_after > 0
    assert store_twins.objections.last_number(2026) == limit  # nothing stored for it


def test_the_routed_province_sees_everything_another_province_nothing(twins, store_twins):
    number = service.file_objection(_missing(), FILED, SOURCE)["number"]
    full = service.get_objection(BEIJING, number, None, FILED, SOURCE)
    assert full["contact"]["phone"] == "13800138000" and full["working_days_left"] == 10
    assert full["changes_since_filing"] == [] and full["overdue"] is False
    with pytest.raises(NotFoundError):
        service.get_objection(JIANGSU, number, None, FILED, SOURCE)
    assert service.get_objection(ADMINISTRATOR, number, None, FILED, SOURCE)["version"] == 1


def test_an_upheld_answer_closes_the_objection_counts_on_time_and_schedules_erasure(
    twins, store_twins
):
    filed = service.file_objection(_missing(), FILED, SOURCE)
    answered_at = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # Wednesday: 2 working days on
    view = service.answer(BEIJING, filed["number"], _answer("upheld"), answered_at)
    assert view["state"] == "answered" and view["answer"]["outcome"] == "upheld"
    assert view["overdue"] is False
    stored = store_twins.objections.get(filed["number"])
    assert stored.open_pk is None and stored.erase_on == "2029-11-18"
    assert [h["action"] for h in stored.history] == ["filed", "answered"]
    public = service.lookup(filed["number"], filed["token"], answered_at, SOURCE)
    assert public["answer"]["reply"] == "经核实，原信息无误，不予更正。"
    row = service.authority_stats(answered_at.date())["110000"]
    assert (row["received"], row["answered"], row["answered_on_time"], row["open"]) == (1, 1, 1, 0)
    assert row["median_working_days_to_answer"] == 2.0
    with pytest.raises(ConflictError):
        service.answer(BEIJING, filed["number"], _answer("upheld"), answered_at)


def test_who_may_answer_and_how(twins, store_twins):
    number = service.file_objection(_missing(), FILED, SOURCE)["number"]
    with pytest.raises(ForbiddenError):
        service.answer(ADMINISTRATOR, number, _answer("upheld"), FILED)
    with pytest.raises(ForbiddenError):
        service.answer(BEIJING, number, _answer("transferred", authority_id="320000"), FILED)
    with pytest.raises(NotFoundError):
        service.answer(JIANGSU, number, _answer("upheld"), FILED)
    with pytest.raises(ValidationError) as short:
        service.answer(BEIJING, number, _answer("upheld", reply="无误"), FILED)
    assert short.value.field == "reply"
    with pytest.raises(ValidationError) as unnamed:
        service.answer(BEIJING, number, _answer("corrected", reply="已更正"), FILED)
    assert unnamed.value.field == "change_seq"
    with pytest.raises(BusinessRuleError) as unknown:
        service.answer(BEIJING, number, _answer("corrected", change_seq=5), FILED)
    assert unknown.value.code == "invalid_change"
    assert store_twins.objections.get(number).state == "open"


def test_a_transfer_routes_the_objection_anew_with_a_fresh_deadline(twins, store_twins):
    number = service.file_objection(_missing(), FILED, SOURCE)["number"]
    moved_at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday
    transfer = _answer("transferred", reply="该奖项由江苏省授予", authority_id="320000")
    view = service.answer(ADMINISTRATOR, number, transfer, moved_at)
    assert view["authority_id"] == "320000" and view["state"] == "open"
    assert view["deadline"] == "2026-12-04"
    with pytest.raises(NotFoundError):
        service.get_objection(BEIJING, number, None, moved_at, SOURCE)
    assert service.get_objection(JIANGSU, number, None, moved_at, SOURCE)["number"] == number
    with pytest.raises(ConflictError):
        service.answer(ADMINISTRATOR, number, transfer, moved_at)
    counters, _ = store_twins.objections.all_stats()
    assert int(counters["110000"].transferred_away) == 1 and int(counters["320000"].received) == 1


def test_a_province_lists_its_own_newest_number_first_a_page_at_a_time(twins, store_twins):
    numbers = [
        service.file_objection(_missing(n=n, authority_id=a), FILED, SOURCE)["number"]
        for n, a in ((1, "110000"), (2, "320000"), (3, "110000"), (4, "110000"))
    ]
    first = service.list_objections(BEIJING, ObjectionFilter(limit=2), FILED)
    assert [i["number"] for i in first["items"]] == [numbers[3], numbers[2]]
    assert all("url" not in e for i in first["items"] for e in i["evidence"])
    rest = service.list_objections(
        BEIJING, ObjectionFilter(limit=2, cursor=first["next_cursor"]), FILED
    )
    assert [i["number"] for i in rest["items"]] == [numbers[0]] and rest["next_cursor"] is None
    everyone = service.list_objections(ADMINISTRATOR, ObjectionFilter(limit=10), FILED)
    assert [i["number"] for i in everyone["items"]] == numbers[::-1]
    with pytest.raises(ForbiddenError):
        service.list_objections(BEIJING, ObjectionFilter(limit=2, authority_id="320000"), FILED)


def test_the_open_and_overdue_filters_judge_each_objection_read(twins, store_twins):
    late = service.file_objection(_missing(n=1), FILED, SOURCE)["number"]
    done = service.file_objection(_missing(n=2), FILED, SOURCE)["number"]
    service.answer(BEIJING, done, _answer("upheld"), FILED)
    december = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # past the 2026-11-30 deadline
    overdue = service.list_objections(BEIJING, ObjectionFilter(limit=5, overdue=True), december)
    assert [i["number"] for i in overdue["items"]] == [late]
    answered = service.list_objections(
        ADMINISTRATOR, ObjectionFilter(limit=5, state="answered"), december
    )
    assert [i["number"] for i in answered["items"]] == [done]
    assert service.authority_stats(december.date())["110000"]["overdue"] == 1
