"""The twins of the awards and imports repositories behave as the real ones on DynamoDB/S3.

The same checks run twice, against the store modules on moto and against their
in-memory twins (``tests/twins_awards.py``, ``tests/twins_imports.py``), so the service
unit tests over the twins test what production would do: the same items, the same
refusals (``ledger.CommitConflict``, a conditional update that does not apply, the
bucket's ``PreconditionFailed``/``NotFound``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.timeliness import Judgement
from chalicelib.store import awards, batch_reads, calendar, imports, ledger, objects, queue
from tests import twins as memory
from tests import twins_awards, twins_imports
from tests.factories import credit_code

AT = "2026-11-20T02:00:00.000000Z"
LATER = "2026-11-23T02:00:00.000000Z"


@pytest.fixture(params=["dynamodb", "memory"])
def repos(request: pytest.FixtureRequest) -> SimpleNamespace:
    """The repositories: the real modules (moto) or their twins."""
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        return SimpleNamespace(
            awards=awards, batch_reads=batch_reads, imports=imports, objects=objects
        )
    authorities, changes = memory.InMemoryAuthorities(), memory.InMemoryChanges()
    authorities.add_missing(authority.to_dict() for authority in AUTHORITIES)
    award_store = twins_awards.InMemoryAwards(changes, authorities)
    return SimpleNamespace(
        awards=award_store,
        batch_reads=twins_awards.InMemoryBatchReads(
            award_store, memory.InMemoryPrograms(), authorities, changes
        ),
        imports=twins_imports.InMemoryImports(),
        objects=twins_imports.InMemoryObjects(),
    )


def test_each_twin_implements_every_function_of_its_repository():
    for module, twin in (
        (awards, twins_awards.InMemoryAwards),
        (batch_reads, twins_awards.InMemoryBatchReads),
        (calendar, twins_awards.InMemoryCalendar),
        (imports, twins_imports.InMemoryImports),
        (objects, twins_imports.InMemoryObjects),
        (queue, twins_imports.InMemoryQueue),
    ):
        assert memory.public_functions(module) <= set(dir(twin)), module.__name__


# --- awards -----------------------------------------------------------------------------


def _record(n: int, source_id: str, codes: tuple[int, ...] = (1,), at: str = AT) -> Any:
    award_id = f"awd_{n:026d}"
    winners = [
        {"name": f"北京城建{c}公司", "credit_code": credit_code(c), "role": "other"} for c in codes
    ]
    record = awards.new_record(
        id=award_id,
        authority_id="110000",
        source_id=source_id,
        program_id="prg_1",
        year=2026,
        awarded_on="2026-11-02",
        content={"source_id": source_id, "honor": "金质奖", "winners": winners},
        content_hash=f"hash-{source_id}-{codes}",
        credit_codes=[credit_code(c) for c in codes],
        submitted_at=at,
        awarded_on_changes=[],
        status="active",
        created_at=at,
        updated_at=at,
        shard=awards.shard_of(award_id),
        feed_key=f"{at}#{award_id}",
    )
    judgement = Judgement(
        deadline="2026-11-16",
        official=True,
        timeliness={"status": "late", "working_days_late": 4, "calendar": "official"},
        provisional_year=None,
    )
    awards.set_judgement(record, judgement)
    return record


def test_a_guard_makes_a_source_id_one_award_and_a_stale_seq_loses(repos):
    store, reads = repos.awards, repos.batch_reads
    read = reads.push_reads("110000", "S-1", None)
    assert read.guard is None and read.program is None and int(read.authority.seq) == 0
    first = _record(1, "S-1")
    view = store.create(first, read.authority)
    assert view["version"] == 1 and store.load_record(first.id).version == 1
    again = reads.push_reads("110000", "S-1", None)
    guard, stored = store.guarded(again.guard)
    assert guard.award_id == first.id and stored.content_hash == first.content_hash
    assert int(again.authority.seq) == 1
    with pytest.raises(ledger.CommitConflict):  # a twin push of the same source id
        store.create(_record(2, "S-1"), again.authority)
    with pytest.raises(ledger.CommitConflict):  # the sequence moved since it was read
        store.create(_record(3, "S-2"), read.authority)
    assert store.by_source("110000", "S-1")[1].id == first.id
    assert store.by_source("110000", "S-2") is None and store.guarded(None) is None
    assert list(store.records_by_id([first.id, f"awd_{9:026d}"])) == [first.id]


def test_a_new_version_keeps_the_earlier_one_and_a_stale_writer_loses(repos):
    store = repos.awards
    record = _record(1, "S-1")
    store.create(record, repos.batch_reads.push_reads("110000", "S-1", None).authority)
    mine, theirs = store.load_record(record.id), store.load_record(record.id)
    snapshot = store.award_view(mine)
    mine.status, mine.revoked_reason, mine.revoked_at, mine.updated_at = (
        "revoked",
        "x",
        LATER,
        LATER,
    )
    view = store.commit_version(mine, snapshot, "revoke", LATER)
    assert view["version"] == 2 and view["status"] == "revoked"
    assert store.load_record(record.id).version == 2
    theirs.status, theirs.revoked_reason, theirs.revoked_at = "revoked", "y", LATER
    with pytest.raises(ledger.CommitConflict):
        store.commit_version(theirs, store.award_view(theirs), "revoke", LATER)
    assert store.load_record(record.id).revoked_reason == "x"
    assert [(v["version"], v["status"]) for v in store.award_history(record.id)] == [(1, "active")]
    assert store.earlier_view(record.id, 1)["status"] == "active"
    assert store.earlier_view(record.id, 5) is None


def test_a_correction_moves_the_guard_and_adds_index_items_newest_first(repos):
    store = repos.awards
    older = _record(1, "S-1", codes=(1,))
    store.create(older, repos.batch_reads.push_reads("110000", "S-1", None).authority)
    newer = _record(2, "S-2", codes=(2,), at=LATER)
    store.create(newer, repos.batch_reads.push_reads("110000", "S-2", None).authority)
    record = store.load_record(older.id)
    snapshot = store.award_view(record)
    record.content_hash, record.credit_codes = "hash-corrected", [credit_code(1), credit_code(2)]
    record.updated_at = LATER
    view = store.commit_correction(
        record, snapshot, LATER, new_codes=[credit_code(2)], new_names=["北京城建2公司"]
    )
    assert view["version"] == 2
    guard, _ = store.by_source("110000", "S-1")
    assert guard.content_hash == "hash-corrected"
    entries, _ = store.credit_code_page(credit_code(2), None, size=10)
    assert [e.award_id for e in entries] == [newer.id, older.id]  # feed key, newest first
    page, start = store.credit_code_page(credit_code(2), None, size=1)
    assert [e.award_id for e in page] == [newer.id] and start is not None
    rest, _ = store.credit_code_page(credit_code(2), None, size=1, start=start)
    assert [e.award_id for e in rest] == [older.id]
    assert [
        e.award_id for e in store.credit_code_page(credit_code(2), entries[0].sk, size=9)[0]
    ] == [older.id]


# --- imports ----------------------------------------------------------------------------


def _job(store: Any, n: int, created_at: str, authority_id: str = "110000") -> Any:
    return store.add_job(
        f"imp_{n:026d}",
        authority_id=authority_id,
        import_authority=authority_id,
        key_id="key_bj",
        filename="获奖信息.csv",
        content_type="text/csv",
        size=10,
        sha256="0" * 64,
        status="awaiting_upload",
        created_at=created_at,
    )


def test_an_import_moves_only_from_the_status_expected_and_is_refreshed_in_place(repos):
    store = repos.imports
    job = _job(store, 1, AT)
    assert store.get_job(job.id).status == "awaiting_upload" and store.get_job("imp_x") is None
    other = store.get_job(job.id)
    assert store.set_status(job, "queued", "awaiting_upload", started_at=LATER) is True
    assert job.status == "queued" and job.started_at == LATER
    assert store.set_status(other, "expired", "awaiting_upload") is False
    assert other.status == "awaiting_upload"  # unchanged until read again
    store.reload(other)
    assert other.status == "queued"
    assert store.extend_deadline(job, LATER) is True and job.deadline_at == LATER
    assert store.set_status(job, "running", ("queued", "running"), chunks=2) is True
    assert store.extend_deadline(job, AT) is False
    assert store.count_chunk(job, 0, 5, 1, 2) is True
    assert store.count_chunk(job, 0, 5, 1, 2) is False  # a chunk delivered twice counts once
    assert store.count_chunk(job, 1, 1, 0, 0) is True
    stored = store.get_job(job.id)
    assert (stored.pushed, stored.unchanged, stored.rejected) == (6, 1, 2)
    assert stored.done_chunks == {0, 1}
    store.mark_objects_deleted(job, LATER)
    assert store.get_job(job.id).objects_deleted_at == LATER


def test_recent_imports_are_the_authoritys_newest_first_by_status(repos):
    store = repos.imports
    for n, at in enumerate(("2026-11-18", "2026-11-20", "2026-11-19", "2026-11-10"), start=1):
        _job(store, n, f"{at}T00:00:00.000000Z")
    _job(store, 9, AT, authority_id="320000")
    store.set_status(store.get_job(f"imp_{3:026d}"), "cancelled", "awaiting_upload")
    since = "2026-11-15T00:00:00.000000Z"
    assert [j.id[-1] for j in store.recent_jobs("110000", since=since)] == ["2", "3", "1"]
    open_only = store.recent_jobs("110000", since=since, statuses=imports.OPEN)
    assert [j.id[-1] for j in open_only] == ["2", "1"]


def test_problems_are_paged_and_a_shorter_retry_leaves_no_stale_page(repos, monkeypatch):
    store = repos.imports
    monkeypatch.setattr(imports, "PAGE_BYTES", 200)
    many = [{"row": n, "code": "validation_error", "message": "x" * 60} for n in range(6)]
    assert store.save_problems("imp_1", imports.chunk_part(0), many) > 1
    store.save_problems("imp_1", imports.READ_PART, [{"row": 1, "code": "read"}])
    assert store.save_problems("imp_1", imports.chunk_part(0), many[:1]) == 1  # the retry
    assert [p["row"] for p in store.problems("imp_1")] == [0, 1]  # chunk 0's page, then READ
    assert list(store.problems("imp_2")) == []


# --- objects ----------------------------------------------------------------------------


def test_the_bucket_refuses_conditional_writes_and_keeps_versions_until_purged(repos):
    bucket = repos.objects
    etag = bucket.put_json("imports/imp_1/chunks/000000.json", {"n": 1}, if_none_match=True)
    with pytest.raises(objects.PreconditionFailed):
        bucket.put_json("imports/imp_1/chunks/000000.json", {"n": 2}, if_none_match=True)
    bucket.put_json("imports/imp_1/chunks/000000.json", {"n": 2}, if_match=etag)
    with pytest.raises(objects.PreconditionFailed):
        bucket.put_json("imports/imp_1/chunks/000000.json", {"n": 3}, if_match=etag)
    assert bucket.get_json("imports/imp_1/chunks/000000.json")[0] == {"n": 2}
    bucket.put_bytes("imports/imp_1/upload", b"a,b\n", content_type="text/csv")
    chunks, _ = bucket.stream("imports/imp_1/upload")
    assert b"".join(chunks) == b"a,b\n"
    assert bucket.head("imports/imp_1/upload")["ContentLength"] == 4
    with pytest.raises(objects.NotFound):
        bucket.stream("imports/imp_1/none")
    with pytest.raises(objects.NotFound):
        bucket.copy("imports/imp_1/none", "imports/imp_1/copy")
    bucket.delete("imports/imp_1/upload")
    assert bucket.head("imports/imp_1/upload") is None and bucket.get_bytes("x/none") is None
    assert list(bucket.keys_under("imports/imp_1/")) == ["imports/imp_1/chunks/000000.json"]
    # Two versions of the chunk, the upload and its delete marker: every one goes.
    assert bucket.purge("imports/imp_1/") == 4
    assert list(bucket.keys_under("imports/")) == []
    assert bucket.purge("imports/imp_1/") == 0


def test_refused_rows_and_columns_are_kept_and_rewritten_in_place(repos, monkeypatch):
    store = repos.imports
    monkeypatch.setattr(imports, "PAGE_BYTES", 120)
    assert store.columns("imp_1") == [] and list(store.rows("imp_1")) == []
    store.save_columns("imp_1", ["本省编号", "项目负责人"])
    rows = [{"row": n, "cells": [f"BJ-{n}", "张三"]} for n in range(4)]
    assert store.save_rows("imp_1", imports.chunk_part(0), rows) > 1
    store.save_problems("imp_1", imports.chunk_part(0), [{"row": 0, "code": "x"}])

    def erase_manager(row: dict[str, Any]) -> dict[str, Any] | None:
        return {**row, "cells": [row["cells"][0], ""]} if row["row"] in (1, 2) else None

    assert store.rewrite_rows("imp_1", erase_manager) >= 1
    assert store.columns("imp_1") == ["本省编号", "项目负责人"]
    assert [r["cells"][1] for r in store.rows("imp_1")] == ["张三", "", "", "张三"]
    assert [p["row"] for p in store.problems("imp_1")] == [0]  # rows are not problems
    assert store.save_rows("imp_1", imports.chunk_part(0), rows[:1]) == 1  # a shorter retry
    assert [r["row"] for r in store.rows("imp_1")] == [0]
