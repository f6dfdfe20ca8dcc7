"""Spreadsheet imports, the API side: declare, upload, start, follow, read the rejected rows.

A province declares the file (as for an approval document: name, type, size,
SHA-256) and gets a presigned POST under ``imports/``; the bytes never pass
through the API. ``start`` checks the stored object with the documents'
check (size, type, SHA-256) and puts ONE "split" message on the imports
queue: reading a 20 MB workbook may take longer than API Gateway's 29 s, so
a worker reads it (``services/import_work.py``), cuts it into chunks and
queues them. This module imports openpyxl only to write a people's errors file
(``errors_xlsx``), never on a cold start. The errors file (XLSX and CSV) gives
the refused rows back with their original cells and the reason in Chinese
(``errors_file``, issue 24).

Status: ``awaiting_upload`` → ``queued`` (started) → ``running`` (read and cut
into chunks) → ``done`` (every chunk counted) or ``failed`` (the file could not
be used at all, the key was revoked, the worker failed or overran; rejected rows
do not fail an import) or ``cancelled`` (``POST .../cancel``); an import never
started within ``IMPORT_UPLOAD_HOURS`` is ``expired``.

Nothing can keep an import open for ever (issue 19): it has a deadline (its
time budget, ``deadline_for``), and whoever looks at an open import past it
(``GET``, ``cancel``, the worker's next message) fails it ``timed_out``. When
an import reaches a final state, ``finish`` deletes every version of its
upload and chunk objects; the record keeps the file's SHA-256 and the counts,
and its rejected rows stay in the table (``error_rows``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.csv_safety import safe_cell, safe_row
from chalicelib.domain.disclosure import erase, holds_any
from chalicelib.domain.documents import Expected
from chalicelib.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.messages_zh import message_zh_for
from chalicelib.domain.principal import Principal, Province
from chalicelib.imports.original_rows import erase_cells, people_lines, redacted_positions
from chalicelib.imports.problems import Problem, sort_key
from chalicelib.observability import logger
from chalicelib.services.documents import inspect_upload
from chalicelib.store import imports as store
from chalicelib.store import objects, queue
from chalicelib.store.base import iso_utc, parse_iso_utc
from chalicelib.store.imports import FINAL, OPEN, ImportJob

UPLOAD_PREFIX = "imports/"
BUSY = ("queued", "running")
# How far back the sweep and the open-import limit look: longer than any import's time
# budget plus IMPORT_UPLOAD_HOURS, so every open import is seen on several days.
SWEEP_DAYS = 7
SPLIT = "split"
CHUNK = "chunk"


def upload_key(import_id: str) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/upload"


def chunk_key(import_id: str, number: int) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/chunks/{number:06d}.json"


def objects_prefix(import_id: str) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/"


def deadline_for(now: datetime, chunks: int = 0) -> str:
    """The time budget of an import: reading its sheet, then so much per chunk."""
    config = settings()
    seconds = config.import_read_budget_seconds + chunks * config.import_chunk_budget_seconds
    return iso_utc(now + timedelta(seconds=seconds))


def error_of(code: str, message: str, message_zh: str) -> dict[str, str]:
    return {"code": code, "message": message, "message_zh": message_zh}


TIMED_OUT = error_of(
    "timed_out",
    "the import did not finish within its time budget",
    "导入未在规定时间内完成，已终止；请重新导入（已导入的记录不会重复）",
)
EXPIRED = error_of(
    "import_expired",
    "the import was not started in time; declare the file again",
    "导入创建后未及时开始，已过期；请重新上传文件",
)


def finish(job: ImportJob, status: str, now: datetime, error: dict | None = None) -> bool:
    """Move an open import to the final ``status`` and delete its objects; False if it was
    already final (then only the objects are deleted again, should any remain)."""
    values: dict[str, Any] = {"finished_at": iso_utc(now)}
    if error is not None:
        values["error"] = error
    moved = store.set_status(job, status, OPEN, **values)
    if moved:
        logger.info(
            "import finished",
            extra={"import_id": job.id, "status": status, "code": (error or {}).get("code")},
        )
    delete_objects(job, now)
    return moved


def delete_objects(job: ImportJob, now: datetime) -> None:
    """Every version of the import's upload and chunks, for good (personal data, issue 19)."""
    objects.purge(objects_prefix(job.id))
    store.mark_objects_deleted(job, iso_utc(now))


def notice_overrun(job: ImportJob, now: datetime) -> ImportJob:
    """Fail an open import past its deadline, expire one never started in time; ``job``
    as it is now."""
    if job.status not in OPEN:
        return job
    at = iso_utc(now)
    if job.status == "awaiting_upload":
        limit = now - timedelta(hours=settings().import_upload_hours)
        if job.created_at < iso_utc(limit):
            store.set_status(job, "expired", "awaiting_upload", error=EXPIRED, finished_at=at)
            delete_objects(job, now)
            store.reload(job)
        return job
    if job.deadline_at and job.deadline_at < at:
        if job.status == "queued":
            # The import ahead of it may have been given a longer budget once read.
            later = _queued_deadline(job, now)
            if later > deadline_for(now) and store.extend_deadline(job, later):
                return job
        finish(job, "failed", now, TIMED_OUT)
        store.reload(job)
    return job


def import_view(job: ImportJob) -> dict[str, Any]:
    view: dict[str, Any] = {
        "import_id": job.id,
        "authority_id": job.authority_id,
        "status": job.status,
        "filename": job.filename,
        "content_type": job.content_type,
        "size": int(job.size),
        "sha256": job.sha256,
        "program_id": job.program_id,
        "sheet": job.sheet,
        "rows": None if job.rows is None else int(job.rows),
        "awards": None if job.awards is None else int(job.awards),
        "chunks": None if job.chunks is None else int(job.chunks),
        "chunks_done": len(job.done_chunks or ()),
        "pushed": int(job.pushed or 0),
        "unchanged": int(job.unchanged or 0),
        "rejected": int(job.rejected or 0),
        "skip_duplicates": bool(job.skip_duplicates),
        "warnings": None if job.warnings is None else int(job.warnings),
        "duplicates_skipped": None
        if job.duplicates_skipped is None
        else int(job.duplicates_skipped),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "deadline_at": job.deadline_at if job.status in OPEN else None,
        "max_rows": settings().import_max_rows,
        "error": job.error,
        "key_id": job.key_id,  # who imported it (the 导入记录 list says so)
    }
    return {k: v for k, v in view.items() if v is not None}


def request_upload(principal: Province, body: schemas.ImportIn, now: datetime) -> dict[str, Any]:
    """Declare a spreadsheet and hand out the presigned POST for its bytes."""
    config = settings()
    if body.size > config.max_import_bytes:
        raise BusinessRuleError(
            "file_too_large",
            f"an import file may be at most {config.max_import_bytes} bytes",
            field="size",
        )
    _limit_open(principal.authority_id, now)
    import_id = new_id("imp")
    job = store.add_job(
        import_id,
        authority_id=principal.authority_id,
        import_authority=principal.authority_id,
        key_id=principal.key_id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        sha256=body.sha256,
        program_id=body.program_id,
        skip_duplicates=body.skip_duplicates or None,
        status="awaiting_upload",
        created_at=iso_utc(now),
    )
    post = objects.presigned_post(
        upload_key(import_id),
        content_type=body.content_type,
        size=body.size,
        seconds=config.upload_url_seconds,
    )
    return {
        "import_id": import_id,
        "import": import_view(job),
        "upload": {
            "url": post["url"],
            "fields": post["fields"],
            "expires_in": config.upload_url_seconds,
        },
    }


def _recent_open(authority_id: str, now: datetime) -> list[ImportJob]:
    """The authority's open imports of the last ``SWEEP_DAYS`` days, overrun ones ended."""
    since = iso_utc(now - timedelta(days=SWEEP_DAYS))
    found = store.recent_jobs(authority_id, since=since, statuses=OPEN)
    return [job for job in (notice_overrun(j, now) for j in found) if job.status in OPEN]


def _limit_open(authority_id: str, now: datetime) -> None:
    """At most ``IMPORT_MAX_OPEN`` open imports per province (issue 19: abandoned
    declarations, 20 MB each, were unlimited); stale ones end here first."""
    limit = settings().import_max_open
    if len(_recent_open(authority_id, now)) >= limit:
        raise ConflictError(
            "too_many_open_imports",
            f"{limit} imports of this authority are still open; wait for them, or cancel one",
            message_zh=f"本单位已有 {limit} 个导入尚未结束，请等待完成或取消其中一个后再试",
        )


def sweep(now: datetime) -> dict[str, int]:
    """End every overrun or stale import of the last days (the daily audit calls it):
    imports never started expire, open ones past their deadline fail, objects go."""
    ended = 0
    for authority_id in AUTHORITY_IDS:
        since = iso_utc(now - timedelta(days=SWEEP_DAYS))
        for job in store.recent_jobs(authority_id, since=since, statuses=OPEN):
            if notice_overrun(job, now).status not in OPEN:
                ended += 1
    if ended:
        logger.info("stale imports ended", extra={"ended": ended})
    return {"ended": ended}


def _visible(principal: Principal, import_id: str) -> ImportJob:
    """The import if this caller may see it: its province or an administrator; else 404."""
    job = store.get_job(import_id) if is_plausible_id(import_id, "imp") else None
    if job is None or not (principal.is_admin or principal.owns(job.authority_id)):
        raise NotFoundError(f"no import {import_id[:64]}")
    return job


def get_import(principal: Principal, import_id: str, now: datetime) -> dict[str, Any]:
    return import_view(notice_overrun(_visible(principal, import_id), now))


def cancel(principal: Principal, import_id: str, now: datetime) -> dict[str, Any]:
    """Stop an open import (its province or an administrator): nothing more is pushed, its
    objects are deleted. Idempotent; 409 ``invalid_state`` once it is done or failed."""
    job = notice_overrun(_visible(principal, import_id), now)
    if job.status in OPEN:
        finish(job, "cancelled", now)
        store.reload(job)
        if job.status == "cancelled":
            logger.info(
                "import cancelled", extra={"import_id": import_id, "key_id": principal.key_id}
            )
    if job.status != "cancelled":
        raise ConflictError(
            "invalid_state",
            f"the import is {job.status} and can no longer be cancelled",
            message_zh="导入已结束，无法取消",
        )
    return import_view(job)


def _refusal(job: ImportJob) -> BusinessRuleError:
    error = job.error or {}
    return BusinessRuleError(
        error.get("code", "upload_rejected"),
        error.get("message", "the upload was refused"),
        message_zh=error.get("message_zh"),
    )


def start(principal: Province, import_id: str, now: datetime) -> dict[str, Any]:
    """Check the uploaded file and queue its reading; idempotent.

    409 ``upload_missing`` before the upload; 422 with the check's code when
    the stored bytes are not what was declared (the import is then failed).
    """
    job = notice_overrun(_visible(principal, import_id), now)
    if job.status in ("cancelled", "expired"):
        raise ConflictError(
            "invalid_state",
            f"the import is {job.status}; declare the file again",
            message_zh="导入已取消或已过期，请重新上传文件",
        )
    if job.status == "failed" and job.started_at is None:
        raise _refusal(job)
    if job.status == "awaiting_upload":
        expected = Expected(job.content_type, int(job.size), job.sha256)
        verdict, _etag = inspect_upload(
            expected, upload_key(import_id), max_bytes=settings().max_import_bytes
        )
        at = iso_utc(now)
        if not verdict.ok:
            error = {
                "code": verdict.code,
                "message": verdict.reason,
                "message_zh": message_zh_for(str(verdict.code), str(verdict.reason)),
            }
            if store.set_status(job, "failed", "awaiting_upload", error=error, finished_at=at):
                logger.info("import upload rejected", extra={"import_id": import_id})
                delete_objects(job, now)
            store.reload(job)
            if job.status == "failed":
                raise _refusal(job)
            return import_view(job)
        # The split message is sent after the status change: a crash in between
        # leaves a queued import that a repeated ``start`` re-sends (below).
        deadline = _queued_deadline(job, now)
        store.set_status(job, "queued", "awaiting_upload", started_at=at, deadline_at=deadline)
        store.reload(job)  # ours or a concurrent start's outcome
    if job.status == "queued":
        send_split(job)
    return import_view(job)


def _queued_deadline(job: ImportJob, now: datetime) -> str:
    """A queued import waits for the province's imports ahead of it (one message group):
    its budget to be read starts when their deadlines end, at the latest."""
    at = iso_utc(now)
    since = iso_utc(now - timedelta(days=SWEEP_DAYS))
    ahead = [
        parse_iso_utc(other.deadline_at)
        for other in store.recent_jobs(job.authority_id, since=since, statuses=BUSY)
        if other.id != job.id
        and other.deadline_at
        and other.deadline_at > at
        and (job.started_at is None or (other.started_at or "") <= job.started_at)
    ]
    return deadline_for(max([now, *ahead]))


def send_split(job: ImportJob) -> None:
    """Queue the reading of ``job``'s file (deduplicated by the queue for five minutes;
    the worker ignores a split of an import that is already past ``queued``)."""
    body = {"kind": SPLIT, "import_id": job.id}
    queue.send([(body, job.authority_id, f"{job.id}-split")])


def error_rows(principal: Principal, import_id: str) -> tuple[ImportJob, list[Problem]]:
    """An import (if this caller may see it) and its problems, by sheet row.

    A failed import's reason comes first (row empty). ``problems.error_row(problem,
    job.sheet)`` gives a problem's cells in the order of ``problems.ERROR_COLUMNS``
    (the backfill tool's layout, with codes: for machines).
    """
    job = _visible(principal, import_id)
    problems = sorted((Problem(**p) for p in store.problems(import_id)), key=sort_key)
    if job.status == "failed" and job.error:
        error = job.error
        problems.insert(
            0,
            Problem(
                None,
                None,
                None,
                None,
                error.get("code", "failed"),
                error.get("message", ""),
                error.get("message_zh", "文件无法导入"),
            ),
        )
    return job, problems


def errors_file(principal: Principal, import_id: str) -> tuple[list[str], list[list[Any]]]:
    """The errors file for people (issue 24): header and lines, every cell made inert.

    One line per sheet row not imported (or warned about): 行号, 本省编号, 列, 错误原因
    in Chinese, then the row's own cells under the sheet's own headers, kept by the
    worker (``imports/original_rows.py``). Only for the import's province or an
    administrator (``_visible``: 404 for anyone else).
    """
    _job, problems = error_rows(principal, import_id)
    header, lines = people_lines(store.columns(import_id), store.rows(import_id), problems)
    return [safe_cell(cell) for cell in header], [safe_row(line) for line in lines]


# The 导入记录 list: a province's own imports of the last year, newest first.
HISTORY_DAYS = 366
HISTORY_MAX = 50


def list_imports(principal: Province, now: datetime) -> dict[str, Any]:
    """The province's past imports (file, time, key, counts, state), newest first.

    Read from the authority index, so it survives signing out; at most
    ``HISTORY_MAX`` of the last ``HISTORY_DAYS`` days (one page, ``next_cursor`` null).
    """
    since = iso_utc(now - timedelta(days=HISTORY_DAYS))
    jobs: list[ImportJob] = []
    for job in store.recent_jobs(principal.authority_id, since=since):
        jobs.append(notice_overrun(job, now) if job.status in OPEN else job)
        if len(jobs) >= HISTORY_MAX:
            break
    return {"items": [import_view(job) for job in jobs], "next_cursor": None}


def errors_xlsx(principal: Principal, import_id: str) -> bytes:
    """The errors file (``errors_file``) as an XLSX workbook, sheet 错误明细."""
    # measured cold-start reason: openpyxl (~150 ms) loads only when a file is asked for
    from openpyxl import Workbook

    header, lines = errors_file(principal, import_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误明细")
    for column, width in zip("ABCD", (8, 20, 20, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def errors_csv(principal: Principal, import_id: str) -> str:
    """The errors file (``errors_file``) as CSV, UTF-8 with a BOM so Excel in China opens it."""
    header, lines = errors_file(principal, import_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(lines)
    return "\ufeff" + out.getvalue()


def problem_dict(problem: Problem) -> dict[str, Any]:
    return asdict(problem)


def _import_ids_with_objects() -> Iterator[str]:
    """Imports that still hold objects (open ones, or a final one whose deletion was cut)."""
    seen: set[str] = set()
    for key in objects.keys_under(UPLOAD_PREFIX):
        import_id = key[len(UPLOAD_PREFIX) :].split("/", 1)[0]
        if import_id not in seen:
            seen.add(import_id)
            yield import_id


def scrub_award(authority_id: str, source_id: str, fields: list[str], now: datetime) -> int:
    """Erase ``fields`` of the award ``source_id`` from the import objects that still hold it.

    For redaction (``services/redaction.py``). A final import's objects are deleted
    outright; an open one's chunks are rewritten without the values (their earlier
    versions deleted), and its upload deleted once read (a running import no longer
    needs it). The refused rows the errors files keep (issue 24) lose the cells of
    the redacted columns in every import of the authority (``_scrub_rows``). Returns how
    many objects and row pages were changed or deleted.
    """
    changed = 0
    for import_id in _import_ids_with_objects():
        job = store.get_job(import_id)
        if job is None or job.authority_id != authority_id:
            continue
        if job.status in FINAL:
            delete_objects(job, now)
            changed += 1
            continue
        if job.status != "running":
            continue  # not read yet: no award of the registry came from it
        for key in objects.keys_under(objects_prefix(import_id)):
            if key == upload_key(import_id):
                objects.purge(key)
                changed += 1
                continue
            loaded = objects.get_json(key)
            if loaded is None:
                continue
            chunk = loaded[0]
            hit = False
            for item in chunk.get("records", []):
                record = item.get("record", {})
                if record.get("source_id") == source_id and holds_any(record, fields):
                    item["record"] = erase(record, fields)
                    item["rows"] = []  # its original cells (for the errors file) hold it too
                    hit = True
            if hit:
                body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode()
                objects.put_bytes(key, body, content_type="application/json; charset=utf-8")
                objects.purge_noncurrent(key)
                changed += 1
    return changed + _scrub_rows(authority_id, source_id, fields)


def _scrub_rows(authority_id: str, source_id: str, fields: list[str]) -> int:
    """Blank the redacted columns of ``source_id``'s refused rows in every import of the
    authority (the index, all time: an errors file is offered as long as its import is
    listed); row pages rewritten. Rows exist only once a sheet was read."""
    rewritten = 0
    for job in store.recent_jobs(authority_id, since="0000"):  # every one (ISO dates)
        if job.started_at is None:
            continue  # never read: nothing kept
        positions = redacted_positions(store.columns(job.id), fields)
        if positions:
            blank = partial(erase_cells, source_id=source_id, positions=positions)
            rewritten += store.rewrite_rows(job.id, blank)
    return rewritten
