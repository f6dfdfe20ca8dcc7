"""Spreadsheet imports in the ``submissions`` table (what provinces send besides single pushes).

- ``ImportJob`` (``pk = IMPORT#<id>``, ``sk = JOB``): the declared upload, the
  status and the counters. Each chunk adds its counts and its number to
  ``done_chunks`` in ONE conditional ``UpdateItem`` (``ADD``), so a chunk
  delivered twice is counted once and the import is done exactly when
  ``len(done_chunks) == chunks``.
- ``ImportProblemPage`` (``pk = IMPORT#<id>``, ``sk = PROBLEMS#<part>#<page>``):
  the rejected rows, in pages of at most ``PAGE_BYTES`` of JSON, whatever their
  number (issue 19: 3,000 problems in one item went over DynamoDB's 400 KB and
  the chunk was never counted). ``part`` is ``READ`` for what reading the sheet
  found, ``C<chunk>`` for what the registry refused in a chunk; a part's pages
  are written before its chunk is counted (a retry rewrites the same pages).
  ``problems(import_id)`` streams every problem of an import: the content of
  its errors file (``services.imports.error_rows``).
- ``ImportRowPage`` (``pk = IMPORT#<id>``, ``sk = ROWS#<part>#<page>``, issue 24):
  the original cells of the rows that were not pushed, paged and written like the
  problems (same parts, same bound, written before the chunk is counted), and
  ``ImportColumns`` (``sk = COLUMNS``): the sheet's header row as written. The
  errors file gives each refused row back from them (``imports/original_rows.py``
  says why they are kept here, not read again from the deleted upload).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.store.base import StoreModel
from chalicelib.store.submissions import SUBMISSIONS_META, ImportsByAuthorityIndex

JOB_SK = "JOB"
PROBLEMS_SK_PREFIX = "PROBLEMS#"
ROWS_SK_PREFIX = "ROWS#"
COLUMNS_SK = "COLUMNS"
READ_PART = "READ"
# JSON bytes one page holds (as stored: JSONAttribute escapes non-ASCII, ~6 bytes a
# Chinese character), far below DynamoDB's 400 KB item limit.
PAGE_BYTES = 96 * 1024
OPEN = ("awaiting_upload", "queued", "running")
FINAL = ("done", "failed", "cancelled", "expired")


def import_pk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def chunk_part(number: int) -> str:
    return f"C{number:06d}"


def _page_sk(part: str, page: int, prefix: str = PROBLEMS_SK_PREFIX) -> str:
    return f"{prefix}{part}#{page:05d}"


class ImportJob(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=JOB_SK)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    # The key of the ``imports_by_authority`` index (= authority_id; absent on jobs
    # made before the index existed).
    import_authority = UnicodeAttribute(null=True)
    key_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    program_id = UnicodeAttribute(null=True)
    # awaiting_upload → queued (start) → running (split) → done | failed | cancelled;
    # awaiting_upload → expired (never started within IMPORT_UPLOAD_HOURS)
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
    # Past this instant (UTC, ISO) an import still open has overrun its time budget.
    deadline_at = UnicodeAttribute(null=True)
    # Set once its upload and chunk objects are deleted (a final import keeps only this item).
    objects_deleted_at = UnicodeAttribute(null=True)
    # Data quality (issue 22): leave out the sheet's repeated awards; how many warnings
    # (duplicate_award, before_approval) reading the sheet found, and records left out.
    skip_duplicates = BooleanAttribute(null=True)
    warnings = NumberAttribute(null=True)
    duplicates_skipped = NumberAttribute(null=True)

    imports_by_authority = ImportsByAuthorityIndex()


class ImportProblemPage(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    problems = JSONAttribute(default=list)


class ImportRowPage(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    rows = JSONAttribute(default=list)


class ImportColumns(StoreModel):
    Meta = SUBMISSIONS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=COLUMNS_SK)
    columns = JSONAttribute(default=list)


def add_job(import_id: str, **fields: Any) -> ImportJob:
    """Store a new import job (never over an existing one) and return it."""
    job = ImportJob(pk=import_pk(import_id), id=import_id, **fields)
    job.save(condition=ImportJob.pk.does_not_exist())
    return job


def get_job(import_id: str) -> ImportJob | None:
    try:
        return ImportJob.get(import_pk(import_id), JOB_SK, consistent_read=True)
    except ImportJob.DoesNotExist:
        return None


def reload(job: ImportJob) -> None:
    """Read ``job`` again, consistently, in place: what a concurrent writer made of it."""
    job.refresh(consistent_read=True)


def set_status(job: ImportJob, status: str, expected: str | tuple[str, ...], **values: Any) -> bool:
    """Move ``job`` from ``expected`` (one status or several) to ``status`` (and set
    ``values``); False if it was in none of them."""
    actions: list[Action] = [ImportJob.status.set(status)]
    actions += [getattr(ImportJob, name).set(value) for name, value in values.items()]
    allowed = (expected,) if isinstance(expected, str) else expected
    try:
        job.update(actions=actions, condition=ImportJob.status.is_in(*allowed))
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def extend_deadline(job: ImportJob, deadline_at: str) -> bool:
    """Move a queued import's deadline later; False if it is no longer queued."""
    try:
        job.update(
            actions=[ImportJob.deadline_at.set(deadline_at)],
            condition=ImportJob.status == "queued",
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def count_chunk(job: ImportJob, number: int, pushed: int, unchanged: int, rejected: int) -> bool:
    """Add one chunk's counts, once: False when that chunk had been counted already."""
    actions: list[Action] = [
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


def recent_jobs(
    authority_id: str, *, since: str, statuses: tuple[str, ...] | None = None
) -> Iterator[ImportJob]:
    """The authority's imports created at or after ``since`` (UTC ISO), newest first;
    only those in ``statuses`` when given. Reads the index (eventually consistent)."""
    condition = ImportJob.status.is_in(*statuses) if statuses else None
    yield from ImportJob.imports_by_authority.query(
        authority_id,
        ImportJob.created_at >= since,
        filter_condition=condition,
        scan_index_forward=False,
    )


def mark_objects_deleted(job: ImportJob, at: str) -> None:
    job.update(actions=[ImportJob.objects_deleted_at.set(at)])


def _pages(problems: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    size = 0
    for problem in problems:
        length = len(json.dumps(problem)) + 2
        if page and size + length > PAGE_BYTES:
            yield page
            page, size = [], 0
        page.append(problem)
        size += length
    if page:
        yield page


def _save_pages(
    model: type[ImportProblemPage] | type[ImportRowPage],
    prefix: str,
    import_id: str,
    part: str,
    entries: Iterable[dict[str, Any]],
) -> int:
    """Store ``part``'s entries in bounded pages of ``model`` (replacing any earlier
    write); pages written."""
    pk = import_pk(import_id)

    def page_item(sk: str, page: list[dict[str, Any]]) -> ImportProblemPage | ImportRowPage:
        if model is ImportProblemPage:
            return ImportProblemPage(pk=pk, sk=sk, problems=page)
        return ImportRowPage(pk=pk, sk=sk, rows=page)

    written = 0
    with model.batch_write() as batch:
        for number, page in enumerate(_pages(entries)):
            batch.save(page_item(_page_sk(part, number, prefix), page))
            written = number + 1
    # A retry that found fewer entries must not leave the first attempt's extra pages:
    # they are emptied (a PutItem; the worker deletes no item).
    stale = model.query(
        pk,
        model.sk.between(_page_sk(part, written, prefix), _page_sk(part, 99_999, prefix)),
        consistent_read=True,
    )
    for item in stale:
        if getattr(item, "problems", None) or getattr(item, "rows", None):
            page_item(item.sk, []).save()
    return written


def save_problems(import_id: str, part: str, problems: Iterable[dict[str, Any]]) -> int:
    """Store ``part``'s problems in bounded pages (replacing any earlier write); pages written."""
    return _save_pages(ImportProblemPage, PROBLEMS_SK_PREFIX, import_id, part, problems)


def save_rows(import_id: str, part: str, rows: Iterable[dict[str, Any]]) -> int:
    """Store ``part``'s refused rows (``original_rows.stored_row``) in bounded pages."""
    return _save_pages(ImportRowPage, ROWS_SK_PREFIX, import_id, part, rows)


def save_columns(import_id: str, columns: list[str]) -> None:
    """The sheet's header labels (bounded by the reader's cells-per-row limit)."""
    ImportColumns(pk=import_pk(import_id), columns=columns).save()


def columns(import_id: str) -> list[str]:
    """The sheet's header labels; empty for an import never read (or read before issue 24)."""
    try:
        item = ImportColumns.get(import_pk(import_id), COLUMNS_SK, consistent_read=True)
        return list(item.columns or [])
    except ImportColumns.DoesNotExist:
        return []


def rewrite_rows(import_id: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
    """Put back every page of the import's refused rows in which ``change`` replaced a row
    (it returns None to leave a row as it is); pages rewritten. For redaction."""
    pk = import_pk(import_id)
    rewritten = 0
    condition = ImportRowPage.sk.startswith(ROWS_SK_PREFIX)
    for page in ImportRowPage.query(pk, condition, consistent_read=True):
        kept = list(page.rows or [])
        changed = [change(row) for row in kept]
        if any(row is not None for row in changed):
            rows = [new if new is not None else old for old, new in zip(kept, changed, strict=True)]
            ImportRowPage(pk=pk, sk=page.sk, rows=rows).save()
            rewritten += 1
    return rewritten


def rows(import_id: str) -> Iterator[dict[str, Any]]:
    """Every refused row's original cells, page by page (read first, then by chunk)."""
    condition = ImportRowPage.sk.startswith(ROWS_SK_PREFIX)
    for page in ImportRowPage.query(import_pk(import_id), condition, consistent_read=True):
        yield from page.rows or []


def problems(import_id: str) -> Iterator[dict[str, Any]]:
    """Every rejected row of an import, page by page (read first, then chunk by chunk)."""
    condition = ImportProblemPage.sk.startswith(PROBLEMS_SK_PREFIX)
    for page in ImportProblemPage.query(import_pk(import_id), condition, consistent_read=True):
        yield from page.problems or []
