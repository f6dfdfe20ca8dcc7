"""Spreadsheet imports, the API side, over in-memory jobs, objects and queue (no moto).

``services/imports.py`` decides; its import jobs are the twin of ``store/imports.py``,
the bucket and the imports queue those of ``store/objects.py`` and ``store/queue.py``
(``tests/twins_imports.py``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.services import imports

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
ADMINISTRATOR = Principal(role=ADMIN, authority_id=None, key_id="key_admin")
NOV_20 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CSV = "text/csv"
CONTENT = "\ufeff本省编号,奖项名称\nBJ-1,北京市建设工程长城杯\n".encode()


def _declared(content: bytes = CONTENT, **overrides) -> schemas.ImportIn:
    """A declaration as the route hands it over: validated (``ImportIn``)."""
    data = {
        "filename": "获奖信息.csv",
        "content_type": CSV,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **overrides,
    }
    return schemas.ImportIn.model_validate(data)


def _declare(province: Province = BEIJING, at: datetime = NOV_20) -> str:
    return imports.request_upload(province, _declared(), at)["import_id"]


def test_a_declared_import_awaits_its_upload_through_a_form_pinned_to_its_key(import_twins):
    created = imports.request_upload(BEIJING, _declared(), NOV_20)
    import_id = created["import_id"]
    assert import_id.startswith("imp_")
    view = created["import"]
    assert view["status"] == "awaiting_upload" and view["authority_id"] == "110000"
    assert view["size"] == len(CONTENT) and view["key_id"] == "key_bj"
    assert view["created_at"] == "2026-11-20T02:00:00.000000Z"
    (form,) = import_twins.objects.forms
    assert form["fields"]["key"] == imports.upload_key(import_id)
    assert form["fields"]["Content-Type"] == CSV and form["size"] == len(CONTENT)
    assert created["upload"]["url"] == form["url"]
    assert import_twins.imports.get_job(import_id).status == "awaiting_upload"
    assert import_twins.queue.sent == []  # nothing is read before ``start``


def test_a_file_over_the_limit_is_refused_before_anything_is_stored(import_twins):
    too_big = settings().max_import_bytes + 1
    with pytest.raises(BusinessRuleError) as refused:
        imports.request_upload(BEIJING, _declared(size=too_big), NOV_20)
    assert refused.value.code == "file_too_large" and refused.value.field == "size"
    assert import_twins.imports.items == {}


def test_a_province_has_a_bounded_number_of_open_imports(import_twins, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_OPEN", "2")
    settings.cache_clear()
    first = _declare()
    _declare()
    with pytest.raises(ConflictError) as refused:
        _declare()
    assert refused.value.code == "too_many_open_imports"
    assert "2" in refused.value.message_zh
    _declare(JIANGSU)  # another province's own limit
    imports.cancel(BEIJING, first, NOV_20)  # a cancelled one no longer counts
    _declare()


def test_an_import_never_started_expires_and_stops_counting(import_twins, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_OPEN", "1")
    settings.cache_clear()
    stale = _declare()
    import_twins.objects.upload(imports.upload_key(stale), CONTENT, CSV)
    later = NOV_20 + timedelta(hours=settings().import_upload_hours, minutes=1)
    fresh = _declare(at=later)  # the stale one ended first, so the limit lets this one in
    expired = imports.get_import(BEIJING, stale, later)
    assert expired["status"] == "expired" and expired["error"]["code"] == "import_expired"
    assert import_twins.objects.head(imports.upload_key(stale)) is None  # its bytes went
    assert import_twins.imports.get_job(stale).objects_deleted_at is not None
    assert imports.get_import(BEIJING, fresh, later)["status"] == "awaiting_upload"


def test_start_checks_the_upload_and_queues_one_split_message(import_twins):
    import_id = _declare()
    with pytest.raises(ConflictError) as missing:
        imports.start(BEIJING, import_id, NOV_20)
    assert missing.value.code == "upload_missing"
    import_twins.objects.upload(imports.upload_key(import_id), CONTENT, CSV)
    started = imports.start(BEIJING, import_id, NOV_20)
    assert started["status"] == "queued"
    assert started["started_at"] == "2026-11-20T02:00:00.000000Z"
    assert started["deadline_at"] > started["started_at"]
    again = imports.start(BEIJING, import_id, NOV_20)  # idempotent: the same message again
    assert again["status"] == "queued"
    assert import_twins.queue.sent == [({"kind": "split", "import_id": import_id}, "110000")]


def test_bytes_other_than_declared_fail_the_import_and_are_deleted(import_twins):
    import_id = _declare()
    import_twins.objects.upload(imports.upload_key(import_id), CONTENT + b"x", CSV)
    with pytest.raises(BusinessRuleError) as refused:
        imports.start(BEIJING, import_id, NOV_20)
    assert refused.value.code == "size_mismatch"
    job = import_twins.imports.get_job(import_id)
    assert job.status == "failed" and job.error["code"] == "size_mismatch"
    assert list(import_twins.objects.keys_under(imports.objects_prefix(import_id))) == []
    assert import_twins.queue.sent == []


def test_an_import_is_seen_by_its_province_and_administrators_only(import_twins):
    import_id = _declare()
    assert imports.get_import(ADMINISTRATOR, import_id, NOV_20)["import_id"] == import_id
    with pytest.raises(NotFoundError):
        imports.get_import(JIANGSU, import_id, NOV_20)
    with pytest.raises(NotFoundError):
        imports.get_import(BEIJING, "../etc", NOV_20)


def test_the_history_lists_the_provinces_own_imports_newest_first(import_twins):
    ids = [_declare(at=NOV_20 + timedelta(minutes=n)) for n in range(3)]
    _declare(JIANGSU)
    imports.cancel(BEIJING, ids[1], NOV_20 + timedelta(minutes=5))
    listed = imports.list_imports(BEIJING, NOV_20 + timedelta(minutes=10))
    assert listed["next_cursor"] is None
    assert [item["import_id"] for item in listed["items"]] == ids[::-1]
    assert [item["status"] for item in listed["items"]] == [
        "awaiting_upload",
        "cancelled",
        "awaiting_upload",
    ]
    assert "deadline_at" not in listed["items"][1]  # a final import has no deadline left


def test_the_history_reaches_back_a_year_and_at_most_its_page(import_twins, monkeypatch):
    old = _declare(at=NOV_20 - timedelta(days=imports.HISTORY_DAYS + 1))
    monkeypatch.setattr(imports, "HISTORY_MAX", 2)
    monkeypatch.setenv("IMPORT_MAX_OPEN", "10")
    settings.cache_clear()
    recent = [_declare(at=NOV_20 + timedelta(minutes=n)) for n in range(3)]
    listed = imports.list_imports(BEIJING, NOV_20 + timedelta(minutes=10))
    assert [item["import_id"] for item in listed["items"]] == recent[:0:-1]
    assert old not in {item["import_id"] for item in listed["items"]}


def test_a_cancelled_import_is_final_and_its_objects_are_gone(import_twins):
    import_id = _declare()
    import_twins.objects.upload(imports.upload_key(import_id), CONTENT, CSV)
    cancelled = imports.cancel(BEIJING, import_id, NOV_20)
    assert cancelled["status"] == "cancelled" and "finished_at" in cancelled
    assert imports.cancel(BEIJING, import_id, NOV_20)["status"] == "cancelled"  # idempotent
    assert import_twins.objects.versions == {}  # every version, not just a delete marker
    with pytest.raises(ConflictError) as refused:
        imports.start(BEIJING, import_id, NOV_20)
    assert refused.value.code == "invalid_state"
