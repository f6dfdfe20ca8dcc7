"""Spreadsheet imports, the worker side: read the file once, push it chunk by chunk.

``split`` reads the uploaded sheet with the backfill tool's own reader and
mapping (``chalicelib/imports``), checks every award locally as the tool does,
writes chunks of at most ``IMPORT_CHUNK_RECORDS`` awards (one
``POST /v1/awards/batch`` worth) under ``imports/<id>/chunks/`` and queues one
message per chunk. ``push_chunk`` sends a chunk through ``awards.push_batch``,
the service behind ``POST /v1/awards/batch``: a push is idempotent on
``source_id``, so a chunk delivered twice creates nothing twice.

Counting is exactly once per chunk: the chunk's rejected rows are written
first (a retry rewrites the same item), then one conditional ``UpdateItem``
adds its counts and its number to ``done_chunks``. A chunk that failed half
way and is retried reports the awards its first attempt created as
``unchanged`` (the registry answers them 200, like any repeated push).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import program_status
from chalicelib.domain.errors import RegistryError, UnavailableError
from chalicelib.domain.principal import PROVINCIAL, Province
from chalicelib.imports.problems import Problem
from chalicelib.imports.readers import ReadError, read_bytes
from chalicelib.imports.records import Checked, Draft, check, group_rows, program_for
from chalicelib.observability import logger
from chalicelib.services import awards
from chalicelib.services.imports import CHUNK, chunk_key, upload_key
from chalicelib.store import objects, queue
from chalicelib.store.base import iso_utc
from chalicelib.store.imports import (
    ImportJob,
    count_chunk,
    get_job,
    save_chunk_problems,
    set_status,
)
from chalicelib.store.models import Program


def _program_names(authority_id: str) -> dict[str, list[str]]:
    """Name → ids of this authority's programmes awards may be pushed to (as the tool asks)."""
    names: dict[str, list[str]] = {}
    for program in Program.by_authority.query(authority_id):
        if program.status in program_status.PUSHABLE:
            name = str((program.content or {}).get("name", "")).strip()
            names.setdefault(name, []).append(program.id)
    return names


def _fail(job: ImportJob, code: str, message: str, message_zh: str, now: datetime) -> None:
    error = {"code": code, "message": message, "message_zh": message_zh}
    set_status(job, "failed", job.status, error=error, finished_at=iso_utc(now))
    logger.info("import failed", extra={"import_id": job.id, "code": code})


def _draft_locator(draft: Draft) -> dict[str, Any]:
    """What ``Draft.problem_at`` needs to point an API error at a sheet row."""
    return {
        "source_id": draft.source_id,
        "rows": draft.rows,
        "value_rows": draft.value_rows,
        "winner_rows": draft.winner_rows,
    }


def _chunks(checked: list[Checked], problems: list[Problem], size: int) -> list[dict[str, Any]]:
    """Cut the records into chunks of ``size``; the local problems travel with the first."""
    chunks = [
        {
            "records": [
                {"record": c.record, "draft": _draft_locator(c.draft)}
                for c in checked[start : start + size]
            ],
            "problems": [],
        }
        for start in range(0, len(checked), size)
    ]
    if not chunks and problems:
        chunks.append({"records": [], "problems": []})
    if chunks:
        chunks[0]["problems"] = [asdict(p) for p in problems]
    return chunks


def split(import_id: str, now: datetime) -> dict[str, Any]:
    """Read a queued import's sheet, cut it into chunks and queue them; idempotent."""
    job = get_job(import_id)
    if job is None:
        logger.info("import split skipped: unknown", extra={"import_id": import_id})
        return {"import_id": import_id, "outcome": "unknown"}
    if job.status == "running":
        # A repeated split (a redelivery after the chunks were written): queue the
        # chunks not counted yet again; the queue and count_chunk drop duplicates.
        _send_chunks(job, range(int(job.chunks or 0)))
        return {"import_id": import_id, "outcome": "resent"}
    if job.status != "queued":
        return {"import_id": import_id, "outcome": job.status}
    data = b"".join(objects.stream(upload_key(import_id))[0])
    if hashlib.sha256(data).hexdigest() != job.sha256:
        _fail(
            job,
            "sha256_mismatch",
            "the file changed after it was checked; upload it again as a new import",
            "文件在核验后被替换，请重新创建导入",
            now,
        )
        return {"import_id": import_id, "outcome": "failed"}
    kind = "xlsx" if job.content_type.endswith("sheet") else "csv"
    try:
        table = read_bytes(data, job.filename, kind=kind)
    except ReadError as error:
        _fail(job, "unreadable", str(error), "文件无法读取或缺少必填列", now)
        return {"import_id": import_id, "outcome": "failed"}
    except Exception as error:  # a workbook openpyxl chokes on stays broken:
        # retrying would only park the message in the dead-letter queue, so fail it now.
        message = f"cannot read the workbook ({type(error).__name__})"
        _fail(job, "unreadable", message, "文件无法读取，请另存为 .xlsx 后重试", now)
        return {"import_id": import_id, "outcome": "failed"}
    del data
    grouped = group_rows(table)
    needs_names = any(
        "program_id" not in d.values and "program_name" in d.values for d in grouped.drafts
    )
    names = _program_names(job.authority_id) if needs_names else None
    checked: list[Checked] = []
    problems: list[Problem] = list(grouped.problems)
    rejected = len(grouped.problems)
    for draft in grouped.drafts:
        result = check(draft, program_for(draft, job.program_id, names))
        if isinstance(result, Checked):
            checked.append(result)
        else:
            problems.extend(result)
            rejected += 1
    chunks = _chunks(checked, problems, settings().import_chunk_records)
    for number, chunk in enumerate(chunks):
        chunk["local_rejected"] = rejected if number == 0 else 0
        body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode()
        objects.put_bytes(
            chunk_key(import_id, number), body, content_type="application/json; charset=utf-8"
        )
    moved = set_status(
        job,
        "running" if chunks else "done",
        "queued",
        sheet=table.sheet,
        rows=grouped.row_count,
        awards=len(grouped.drafts),
        chunks=len(chunks),
        **({} if chunks else {"finished_at": iso_utc(now)}),
    )
    if moved and chunks:
        _send_chunks(job, range(len(chunks)))
    logger.info(
        "import split",
        extra={"import_id": import_id, "rows": grouped.row_count, "chunks": len(chunks)},
    )
    return {"import_id": import_id, "outcome": "split", "chunks": len(chunks)}


def _send_chunks(job: ImportJob, numbers: range) -> None:
    done = set(job.done_chunks or ())
    queue.send(
        [
            ({"kind": CHUNK, "import_id": job.id, "chunk": n}, job.authority_id, f"{job.id}-{n}")
            for n in numbers
            if n not in done
        ]
    )


def push_chunk(import_id: str, number: int, now: datetime) -> dict[str, Any]:
    """Push one chunk through ``awards.push_batch`` and count it once; idempotent."""
    job = get_job(import_id)
    if job is None or job.status != "running" or number in (job.done_chunks or ()):
        return {"import_id": import_id, "chunk": number, "outcome": "skipped"}
    loaded = objects.get_json(chunk_key(import_id, number))
    if loaded is None:
        raise RuntimeError(f"chunk {number} of import {import_id} is missing")
    chunk = loaded[0]
    items = chunk["records"]
    problems = [Problem(**p) for p in chunk.get("problems", [])]
    pushed = unchanged = 0
    rejected = int(chunk.get("local_rejected", 0))
    if items:
        # The key that declared the import, with its authority: the same checks as
        # POST /v1/awards/batch (programme state and scope, source-id history).
        principal = Province(role=PROVINCIAL, authority_id=job.authority_id, key_id=job.key_id)
        outcomes = awards.push_batch(principal, [i["record"] for i in items], now)
        if any(isinstance(outcome, UnavailableError) for outcome in outcomes):
            # Storage was busy: fail the message so the queue delivers the whole chunk
            # again later; what this attempt created is found as unchanged then.
            raise RuntimeError(f"chunk {number} of import {import_id}: storage unavailable")
        details = settings().max_error_details
        for item, outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, RegistryError):
                answer = outcome.to_body(max_details=details)
                problems.extend(Draft(**item["draft"]).problems_of(answer))
                rejected += 1
            elif outcome.created:
                pushed += 1
            else:
                unchanged += 1
    save_chunk_problems(import_id, number, [asdict(p) for p in problems])
    counted = count_chunk(job, number, pushed, unchanged, rejected)
    if counted and len(job.done_chunks or ()) >= int(job.chunks or 0):
        set_status(job, "done", "running", finished_at=iso_utc(now))
    return {
        "import_id": import_id,
        "chunk": number,
        "outcome": "counted" if counted else "duplicate",
        "pushed": pushed,
        "unchanged": unchanged,
        "rejected": rejected,
    }
