"""Spreadsheet imports in the ``submissions`` table (what provinces send besides single pushes).

- ``ImportJob`` (``pk = IMPORT#<id>``, ``sk = JOB``): the declared upload, the
  status and the counters. Each chunk adds its counts and its number to
  ``done_chunks`` in ONE conditional ``UpdateItem`` (``ADD``), so a chunk
  delivered twice is counted once and the import is done exactly when
  ``len(done_chunks) == chunks``.
- ``ImportChunkResult`` (``pk = IMPORT#<id>``, ``sk = CHUNK#<n>``): the rejected
  rows of one chunk, written before the chunk is counted (a retry rewrites the
  same item). ``errors.csv`` is one query of the partition.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import UpdateError

from chalicelib.store.base import StoreModel
from chalicelib.store.submissions import SUBMISSIONS_META

JOB_SK = "JOB"
CHUNK_SK_PREFIX = "CHUNK#"


def import_pk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def chunk_sk(number: int) -> str:
    return f"{CHUNK_SK_PREFIX}{number:06d}"


class ImportJob(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=JOB_SK)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    program_id = UnicodeAttribute(null=True)
    # awaiting_upload → queued (start) → running (split) → done | failed
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    sheet = UnicodeAttribute(null=True)
    rows = NumberAttribute(null=True)
    awards = NumberAttribute(null=True)
    chunks = NumberAttribute(null=True)
    pushed = NumberAttribute(default=0)
    unchanged = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    done_chunks = NumberSetAttribute(null=True)
    error = JSONAttribute(null=True)  # {"code", "message", "message_zh"} when failed


class ImportChunkResult(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    problems = JSONAttribute(default=list)


def get_job(import_id: str) -> ImportJob | None:
    try:
        return ImportJob.get(import_pk(import_id), JOB_SK, consistent_read=True)
    except ImportJob.DoesNotExist:
        return None


def set_status(job: ImportJob, status: str, expected: str, **values: Any) -> bool:
    """Move ``job`` from ``expected`` to ``status`` (and set ``values``); False if it had moved."""
    actions = [ImportJob.status.set(status)]
    actions += [getattr(ImportJob, name).set(value) for name, value in values.items()]
    try:
        job.update(actions=actions, condition=ImportJob.status == expected)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def count_chunk(job: ImportJob, number: int, pushed: int, unchanged: int, rejected: int) -> bool:
    """Add one chunk's counts, once: False when that chunk had been counted already."""
    actions = [
        ImportJob.pushed.add(pushed),
        ImportJob.unchanged.add(unchanged),
        ImportJob.rejected.add(rejected),
        ImportJob.done_chunks.add({number}),
    ]
    try:
        job.update(actions=actions, condition=~ImportJob.done_chunks.contains(number))
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def save_chunk_problems(import_id: str, number: int, problems: list[dict[str, Any]]) -> None:
    ImportChunkResult(pk=import_pk(import_id), sk=chunk_sk(number), problems=problems).save()


def all_problems(import_id: str) -> list[dict[str, Any]]:
    """Every rejected row of an import, chunk by chunk."""
    problems: list[dict[str, Any]] = []
    condition = ImportChunkResult.sk.startswith(CHUNK_SK_PREFIX)
    for item in ImportChunkResult.query(import_pk(import_id), condition, consistent_read=True):
        problems.extend(item.problems or [])
    return problems
