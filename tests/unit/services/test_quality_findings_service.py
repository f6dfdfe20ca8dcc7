"""The data-quality findings service over the in-memory quality store (no moto).

What a province and an administrator list and answer (``services/quality_findings.py``);
the findings are stored as the daily audit opens them (``services/quality.py``), in
the twin of ``store/quality.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import quality_rules as rules
from chalicelib.domain import schemas
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidCursorError,
    NotFoundError,
    ValidationError,
)
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.domain.queries import QualityFilter
from chalicelib.services import quality_findings as service
from chalicelib.store.quality import QualityFinding

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
ADMINISTRATOR = Principal(role=ADMIN, authority_id=None, key_id="key_admin")
OPENED = "2026-11-20"
ANSWERED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 2026-11-23 in China
EXPLANATION = "两条记录是同一工程的两个标段，分别获奖。"


def _open(store_twins, rule: str, group: str, authority_id: str = "110000") -> str:
    """A finding as the audit opens it (its id, severity and counters as it sets them)."""
    found_id = rules.finding_id(rule, group, authority_id)
    severity = rules.RULES[rule].severity
    item = QualityFinding(
        pk=QualityFinding.key(rule, group),
        sk=authority_id,
        id=found_id,
        rule=rule,
        group=group,
        severity=severity,
        authority_id=authority_id,
        state=rules.OPEN,
        records=[{"id": f"awd_{group}", "authority_id": authority_id}],
        detail={},
        opened_on=OPENED,
        updated_on=OPENED,
        history=[{"state": rules.OPEN, "on": OPENED}],
        rule_key=f"{rule}#{found_id}",
        authority_key=f"{authority_id}#{found_id}",
    )
    store_twins.quality.save_finding(item, open_errors=1 if severity == rules.ERROR else 0)
    return found_id


def _resolve(action: str, reason: str | None = None) -> schemas.QualityResolveIn:
    return schemas.QualityResolveIn.model_validate({"action": action, "reason": reason})


def _open_errors(store_twins, authority_id: str = "110000") -> int:
    counter = store_twins.quality.counter_of(authority_id)
    return int(counter.open_errors or 0)


def _error_rule() -> str:
    return next(name for name, rule in rules.RULES.items() if rule.severity == rules.ERROR)


def _warning_rule() -> str:
    return next(name for name, rule in rules.RULES.items() if rule.severity != rules.ERROR)


def test_a_province_lists_its_own_findings_an_administrator_everyones(twins, store_twins):
    mine = [_open(store_twins, _error_rule(), f"g{n}") for n in range(3)]
    theirs = _open(store_twins, _error_rule(), "g9", "320000")
    listed = service.list_findings(BEIJING, QualityFilter(limit=10))
    assert sorted(i["id"] for i in listed["items"]) == sorted(mine)
    assert listed["next_cursor"] is None
    assert listed["items"][0]["explanation"]["zh"] == rules.RULES[_error_rule()].zh
    everyone = service.list_findings(ADMINISTRATOR, QualityFilter(limit=10))
    assert sorted(i["id"] for i in everyone["items"]) == sorted([*mine, theirs])
    with pytest.raises(ForbiddenError):
        service.list_findings(BEIJING, QualityFilter(limit=10, authority_id="320000"))


def test_findings_come_a_page_at_a_time_and_a_cursor_is_bound_to_its_filters(twins, store_twins):
    ids = {_open(store_twins, _error_rule(), f"g{n}") for n in range(5)}
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = service.list_findings(BEIJING, QualityFilter(limit=2, cursor=cursor))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)  # each once, none lost between pages
    first = service.list_findings(BEIJING, QualityFilter(limit=2))
    with pytest.raises(InvalidCursorError):
        service.list_findings(
            BEIJING, QualityFilter(limit=2, state="open", cursor=first["next_cursor"])
        )


def test_the_severity_and_state_filters_are_checked_on_the_findings_read(twins, store_twins):
    error = _open(store_twins, _error_rule(), "g1")
    warning = _open(store_twins, _warning_rule(), "g2")
    service.resolve(BEIJING, warning, _resolve("corrected"), ANSWERED)
    errors = service.list_findings(ADMINISTRATOR, QualityFilter(limit=10, severity="error"))
    assert [i["id"] for i in errors["items"]] == [error]
    corrected = service.list_findings(BEIJING, QualityFilter(limit=10, state="corrected"))
    assert [i["id"] for i in corrected["items"]] == [warning]
    by_rule = service.list_findings(ADMINISTRATOR, QualityFilter(limit=10, rule=_warning_rule()))
    assert [i["id"] for i in by_rule["items"]] == [warning]


def test_another_provinces_finding_or_an_unknown_id_is_404(twins, store_twins):
    theirs = _open(store_twins, _error_rule(), "g1", "320000")
    for principal, finding_id in ((BEIJING, theirs), (ADMINISTRATOR, "qf_missing"), (BEIJING, "x")):
        with pytest.raises(NotFoundError):
            service.get_finding(principal, finding_id)
    assert service.get_finding(JIANGSU, theirs)["authority_id"] == "320000"


def test_corrected_waits_for_the_next_run_to_check_it(twins, store_twins):
    finding = _open(store_twins, _error_rule(), "g1")
    view = service.resolve(BEIJING, finding, _resolve("corrected"), ANSWERED)
    assert view["state"] == "corrected" and view["resolution"]["by_role"] == "provincial"
    entry = {"state": "corrected", "on": "2026-11-23", "by_role": "provincial"}
    assert view["history"][-1] == entry
    assert [f.id for f in store_twins.quality.findings_to_check(10)] == [finding]
    assert _open_errors(store_twins) == 1  # still open until a run closes it


def test_an_explanation_needs_ten_characters_and_an_administrator_to_accept_it(twins, store_twins):
    finding = _open(store_twins, _error_rule(), "g1")
    with pytest.raises(ValidationError) as short:
        service.resolve(BEIJING, finding, _resolve("explained", "是标段"), ANSWERED)
    assert short.value.field == "reason"
    explained = service.resolve(BEIJING, finding, _resolve("explained", EXPLANATION), ANSWERED)
    assert explained["state"] == "explained" and explained["history"][-1]["reason"] == EXPLANATION
    with pytest.raises(ForbiddenError):
        service.resolve(BEIJING, finding, _resolve("accept"), ANSWERED)
    accepted = service.resolve(ADMINISTRATOR, finding, _resolve("accept"), ANSWERED)
    assert accepted["state"] == "accepted"
    counter = store_twins.quality.counter_of("110000")
    assert int(counter.open_errors) == 0 and store_twins.quality.resolved_days(counter) == [3]
    reopened = service.resolve(ADMINISTRATOR, finding, _resolve("reopen"), ANSWERED)
    assert reopened["state"] == "open" and _open_errors(store_twins) == 1


def test_a_move_the_state_does_not_allow_is_409_and_changes_nothing(twins, store_twins):
    finding = _open(store_twins, _error_rule(), "g1")
    with pytest.raises(ConflictError) as refused:
        service.resolve(ADMINISTRATOR, finding, _resolve("accept"), ANSWERED)
    assert refused.value.code == "invalid_state"
    with pytest.raises(ForbiddenError):
        service.resolve(ADMINISTRATOR, finding, _resolve("corrected"), ANSWERED)
    with pytest.raises(NotFoundError):
        service.resolve(JIANGSU, finding, _resolve("corrected"), ANSWERED)
    stored = store_twins.quality.find_finding(finding)
    assert stored.state == "open" and stored.version == 1
