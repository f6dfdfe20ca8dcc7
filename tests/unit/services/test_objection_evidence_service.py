"""An objection's evidence and its erasure over the in-memory objections store and bucket.

Declaring a file (its presigned upload), judging the stored bytes once, and erasing
contact and evidence when they are due (``services/objections.py``); storage is the
twin of ``store/objections.py`` (``store_twins``) and of the versioned bucket
(``import_twins.objects``). The calendar table holds no loaded year.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import schemas
from chalicelib.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from chalicelib.services import calendars
from chalicelib.services import objections as service
from chalicelib.store import calendar as calendar_store
from tests.factories import credit_code, pdf_bytes, png_bytes

FILED = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
SOURCE = "203.0.113.9"
PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def no_loaded_year(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No year loaded by an administrator, and no calendar cached from another test."""
    calendars.invalidate()
    monkeypatch.setattr(calendar_store, "load_arrangements", dict)
    yield
    calendars.invalidate()


@pytest.fixture
def filed(twins, store_twins, import_twins) -> dict:
    body = {
        "kind": "missing_award",
        "credit_code": credit_code(7),
        "authority_id": "110000",
        "description": "本企业2025年获得的长城杯金奖没有在平台上显示",
        "contact": {"name": "王经理", "phone": "13800138000"},
    }
    return service.file_objection(schemas.ObjectionIn.model_validate(body), FILED, SOURCE)


def _declare(filed: dict, data: bytes = PDF, content_type: str = "application/pdf") -> dict:
    body = {
        "token": filed["token"],
        "filename": "获奖证书.pdf",
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return service.request_evidence(filed["number"], schemas.EvidenceIn.model_validate(body), FILED)


def _check(filed: dict, evidence_id: str) -> dict:
    token = schemas.ObjectionTokenIn.model_validate({"token": filed["token"]})
    return service.check_evidence(filed["number"], evidence_id, token, FILED)


def test_evidence_is_declared_uploaded_and_verified_once(filed, store_twins, import_twins):
    declared = _declare(filed)
    evidence_id = declared["evidence_id"]
    key = service.upload_key(filed["number"], evidence_id)
    assert declared["evidence"]["status"] == "pending" and declared["upload"]["url"]
    with pytest.raises(ConflictError) as missing:
        _check(filed, evidence_id)
    assert missing.value.code == "upload_missing"
    import_twins.objects.upload(key, PDF, "application/pdf")
    checked = _check(filed, evidence_id)
    assert checked["status"] == "verified"
    verified = service.verified_key(filed["number"], evidence_id)
    assert import_twins.objects.get_bytes(verified) == PDF
    assert _check(filed, evidence_id)["status"] == "verified"  # idempotent
    stored = store_twins.objections.get(filed["number"])
    assert [e["status"] for e in stored.evidence] == ["verified"]
    assert [h["action"] for h in stored.history] == ["filed", "evidence"]


def test_bytes_that_are_not_what_was_declared_are_quarantined(filed, import_twins):
    declared = _declare(filed)
    evidence_id = declared["evidence_id"]
    import_twins.objects.upload(
        service.upload_key(filed["number"], evidence_id), png_bytes(), "application/pdf"
    )
    checked = _check(filed, evidence_id)
    assert checked["status"] == "rejected" and checked["reason_zh"]
    quarantined = service.quarantine_key(filed["number"], evidence_id)
    assert import_twins.objects.head(quarantined) is not None
    assert import_twins.objects.head(service.upload_key(filed["number"], evidence_id)) is None


def test_a_wrong_token_or_an_unknown_file_is_404(filed):
    evidence_id = _declare(filed)["evidence_id"]
    with pytest.raises(NotFoundError):
        _check({**filed, "token": "x" * 32}, evidence_id)
    with pytest.raises(NotFoundError):
        _check(filed, "evd_" + "0" * 26)


def test_an_objection_holds_a_bounded_number_of_files_and_none_once_answered(filed, store_twins):
    from chalicelib.config import settings
    from chalicelib.domain.principal import PROVINCIAL, Province

    for _ in range(settings().objections.max_evidence):
        _declare(filed)
    with pytest.raises(BusinessRuleError) as full:
        _declare(filed)
    assert full.value.code == "too_many_evidence"
    most = settings().objections.max_evidence
    assert len(store_twins.objections.get(filed["number"]).evidence) == most
    beijing = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
    reply = {"outcome": "upheld", "reply": "经核实，原信息无误，不予更正。"}
    service.answer(beijing, filed["number"], schemas.ObjectionAnswerIn.model_validate(reply), FILED)
    with pytest.raises(ConflictError) as answered:
        _declare(filed)
    assert answered.value.code == "invalid_state"


def test_contact_and_evidence_are_erased_for_good_when_due(filed, store_twins, import_twins):
    from chalicelib.domain.principal import PROVINCIAL, Province

    evidence_id = _declare(filed)["evidence_id"]
    key = service.upload_key(filed["number"], evidence_id)
    import_twins.objects.upload(key, PDF, "application/pdf")
    _check(filed, evidence_id)
    beijing = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
    reply = {"outcome": "upheld", "reply": "经核实，原信息无误，不予更正。"}
    service.answer(beijing, filed["number"], schemas.ObjectionAnswerIn.model_validate(reply), FILED)
    assert service.erase_due(date(2029, 11, 15), FILED) == []  # not due yet
    assert service.erase_due(date(2029, 11, 16), FILED) == [filed["number"]]
    stored = store_twins.objections.get(filed["number"])
    assert stored.contact is None and stored.evidence == [{"id": evidence_id, "status": "erased"}]
    assert stored.erased_at and stored.history[-1]["action"] == "erased"
    prefix = f"{filed['number']}/"
    assert not [k for k in import_twins.objects.versions if prefix in k]  # every version gone
    assert service.erase_due(date(2030, 1, 1), FILED) == []  # once
