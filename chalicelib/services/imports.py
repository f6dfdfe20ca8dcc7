"""Spreadsheet imports, the API side: declare, upload, start, follow, read the rejected rows.

A province declares the file (as for an approval document: name, type, size,
SHA-256) and gets a presigned POST under ``imports/``; the bytes never pass
through the API. ``start`` checks the stored object with the documents'
check (size, type, SHA-256) and puts ONE "split" message on the imports
queue: reading a 20 MB workbook may take longer than API Gateway's 29 s, so
a worker reads it (``services/import_work.py``), cuts it into chunks and
queues them. This module never imports openpyxl.

Status: ``awaiting_upload`` → ``queued`` (started) → ``running`` (read and cut
into chunks) → ``done`` (every chunk counted) or ``failed`` (the file could not
be used at all; rejected rows do not fail an import).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.csv_safety import safe_cell
from chalicelib.domain.documents import Expected
from chalicelib.domain.errors import BusinessRuleError, NotFoundError
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.messages_zh import message_zh_for
from chalicelib.domain.principal import Principal, Province
from chalicelib.imports.problems import ERROR_COLUMNS, Problem, error_row, sort_key
from chalicelib.observability import logger
from chalicelib.services.documents import inspect_upload
from chalicelib.store import objects, queue
from chalicelib.store.base import iso_utc
from chalicelib.store.imports import ImportJob, all_problems, get_job, import_pk, set_status

UPLOAD_PREFIX = "imports/"
SPLIT = "split"
CHUNK = "chunk"


def upload_key(import_id: str) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/upload"


def chunk_key(import_id: str, number: int) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/chunks/{number:06d}.json"


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
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
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
    import_id = new_id("imp")
    job = ImportJob(
        pk=import_pk(import_id),
        id=import_id,
        authority_id=principal.authority_id,
        key_id=principal.key_id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        sha256=body.sha256,
        program_id=body.program_id,
        status="awaiting_upload",
        created_at=iso_utc(now),
    )
    job.save(condition=ImportJob.pk.does_not_exist())
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


def _visible(principal: Principal, import_id: str) -> ImportJob:
    """The import if this caller may see it: its province or an administrator; else 404."""
    job = get_job(import_id) if is_plausible_id(import_id, "imp") else None
    if job is None or not (principal.is_admin or principal.owns(job.authority_id)):
        raise NotFoundError(f"no import {import_id[:64]}")
    return job


def get_import(principal: Principal, import_id: str) -> dict[str, Any]:
    return import_view(_visible(principal, import_id))


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
    job = _visible(principal, import_id)
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
            if set_status(job, "failed", "awaiting_upload", error=error, finished_at=at):
                logger.info("import upload rejected", extra={"import_id": import_id})
            job.refresh(consistent_read=True)
            if job.status == "failed":
                raise _refusal(job)
            return import_view(job)
        # The split message is sent after the status change: a crash in between
        # leaves a queued import that a repeated ``start`` re-sends (below).
        set_status(job, "queued", "awaiting_upload", started_at=at)
        job.refresh(consistent_read=True)  # ours or a concurrent start's outcome
    if job.status == "queued":
        send_split(job)
    return import_view(job)


def send_split(job: ImportJob) -> None:
    """Queue the reading of ``job``'s file (deduplicated by the queue for five minutes;
    the worker ignores a split of an import that is already past ``queued``)."""
    body = {"kind": SPLIT, "import_id": job.id}
    queue.send([(body, job.authority_id, f"{job.id}-split")])


def errors_csv(principal: Principal, import_id: str) -> str:
    """The rejected rows as CSV (UTF-8 with BOM for Excel), columns as the backfill tool's."""
    job = _visible(principal, import_id)
    problems = sorted((Problem(**p) for p in all_problems(import_id)), key=sort_key)
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
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ERROR_COLUMNS)
    for problem in problems:
        writer.writerow([safe_cell(cell) for cell in error_row(problem, job.sheet)])
    return "\ufeff" + out.getvalue()


def problem_dict(problem: Problem) -> dict[str, Any]:
    return asdict(problem)
