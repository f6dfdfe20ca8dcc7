"""Spreadsheet imports, the worker side: read the file once, push it chunk by chunk.

``split`` reads the uploaded sheet with the backfill tool's own reader and
mapping (``chalicelib/imports``), checks every award locally as the tool does,
writes chunks of at most ``IMPORT_CHUNK_RECORDS`` awards (one
``POST /v1/awards/batch`` worth) under ``imports/<id>/chunks/`` and queues one
message per chunk. ``push_chunk`` sends a chunk through ``awards.push_batch``,
the service behind ``POST /v1/awards/batch``: a push is idempotent on
``source_id``, so a chunk delivered twice creates nothing twice.

Counting is exactly once per chunk: the chunk's rejected rows are written
first, in bounded pages (a retry rewrites the same pages), then one conditional
``UpdateItem`` adds its counts and its number to ``done_chunks``. A chunk that
failed half way and is retried reports the awards its first attempt created as
``unchanged`` (the registry answers them 200, like any repeated push). What
reading the sheet found is stored by ``split`` itself, so no chunk carries an
unbounded list.

Issue 24: the errors file gives each refused row back as the province wrote it.
``split`` keeps the sheet's header row (``save_columns``) and the original cells
of every row not pushed (``save_rows``, beside the problems, same bounds); each
chunk carries its awards' original rows, so the rows the registry refuses are
kept by ``push_chunk`` the same way. Why in the table and not re-read from the
upload: ``imports/original_rows.py``.

Issue 19: the sheet is read within ``Limits`` (rows, unpacked size, cells per
row); the key that declared the import is read again (consistently) before
the sheet is read and before each chunk, and a revoked key fails the import
(``key_revoked``) before anything more is pushed; a message that keeps failing
fails its import on its last try (``give_up``) rather than blocking the
province's queue group.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import program_status
from chalicelib.domain.errors import RegistryError, UnavailableError
from chalicelib.domain.principal import PROVINCIAL, Province
from chalicelib.imports.original_rows import header_labels, stored_row
from chalicelib.imports.problems import Problem
from chalicelib.imports.quality import check_sheet
from chalicelib.imports.readers import LimitError, Limits, ReadError, SheetRow, read_bytes
from chalicelib.imports.records import Checked, Draft, check, group_rows, program_for
from chalicelib.observability import logger
from chalicelib.services import awards, keys
from chalicelib.services.imports import (
    CHUNK,
    chunk_key,
    deadline_for,
    delete_objects,
    error_of,
    finish,
    notice_overrun,
    upload_key,
)
from chalicelib.store import objects, queue
from chalicelib.store import programs as program_store
from chalicelib.store.imports import (
    FINAL,
    READ_PART,
    ImportJob,
    chunk_part,
    count_chunk,
    get_job,
    reload,
    save_columns,
    save_problems,
    save_rows,
    set_status,
)


def _program_names(authority_id: str) -> dict[str, list[str]]:
    """Name → ids of this authority's programmes awards may be pushed to (as the tool asks)."""
    names: dict[str, list[str]] = {}
    for program in program_store.of_authority(authority_id):
        if program.status in program_status.PUSHABLE:
            name = str((program.content or {}).get("name", "")).strip()
            names.setdefault(name, []).append(program.id)
    return names


def _program_approvals(authority_id: str) -> dict[str, str | None]:
    """Each of this authority's programmes' approval date (a few items, one Query)."""
    return {
        program.id: ((program.content or {}).get("approval") or {}).get("approved_on")
        for program in program_store.of_authority(authority_id)
    }


KEY_REVOKED = error_of(
    "key_revoked",
    "the API key that declared the import was revoked; nothing more is pushed",
    "导入所用的 API 密钥已被吊销，导入已停止，不再推送",
)


def _fail(job: ImportJob, code: str, message: str, message_zh: str, now: datetime) -> None:
    finish(job, "failed", now, error_of(code, message, message_zh))


def _key_revoked(job: ImportJob) -> bool:
    """Whether the key that declared ``job`` is revoked now (read consistently)."""
    record = keys.find_key(job.key_id)
    return record is None or bool(record.revoked_at)


def _limits() -> Limits:
    config = settings()
    return Limits(
        max_rows=config.import_max_rows,
        max_unpacked_bytes=config.import_max_unpacked_bytes,
        max_cells_per_row=config.import_max_cells_per_row,
    )


def give_up(import_id: str, error: Exception, now: datetime) -> dict[str, Any]:
    """A message failed on its last try (or reached the dead-letter queue): fail its import,
    so the province's next import is not held behind it."""
    job = get_job(import_id)
    if job is not None:
        finish(
            job,
            "failed",
            now,
            error_of(
                "worker_failed",
                f"the import could not be processed ({type(error).__name__}); "
                "what was pushed stays, push the file again to finish",
                "导入处理多次失败，已终止；已推送的记录保留，请重新导入以完成其余记录",
            ),
        )
    logger.warning("import given up", extra={"import_id": import_id, "fault": type(error).__name__})
    return {"import_id": import_id, "outcome": "failed"}


def _draft_locator(draft: Draft) -> dict[str, Any]:
    """What ``Draft.problem_at`` needs to point an API error at a sheet row."""
    return {
        "source_id": draft.source_id,
        "rows": draft.rows,
        "value_rows": draft.value_rows,
        "winner_rows": draft.winner_rows,
    }


def _original(draft: Draft, sheet_rows: dict[int, SheetRow]) -> list[dict[str, Any]]:
    """The award's rows as the province wrote them (``original_rows.stored_row``)."""
    return [
        stored_row(n, sheet_rows[n].values, draft.source_id) for n in draft.rows if n in sheet_rows
    ]


def _chunks(
    checked: list[Checked], size: int, sheet_rows: dict[int, SheetRow]
) -> Iterator[dict[str, Any]]:
    """Cut the records into chunks of ``size`` (what reading found is stored apart), each
    record with its original rows, for the errors file should the registry refuse it.
    One chunk at a time: a 50,000-row sheet's chunks are never all in memory at once."""
    for start in range(0, len(checked), size):
        yield {
            "records": [
                {
                    "record": c.record,
                    "draft": _draft_locator(c.draft),
                    "rows": _original(c.draft, sheet_rows),
                }
                for c in checked[start : start + size]
            ]
        }


def _capped(problems: list[Problem], limit: int) -> list[Problem]:
    """At most ``limit`` problems, the last one saying how many more there were."""
    if len(problems) <= limit:
        return problems
    more = len(problems) - (limit - 1)
    note = Problem(
        None,
        None,
        None,
        None,
        "too_many_problems",
        f"{more} more problems are not listed; correct the rows above and import again",
        f"另有 {more} 个问题未列出；请先改正以上各行后重新导入",
    )
    return [*problems[: limit - 1], note]


def split(import_id: str, now: datetime) -> dict[str, Any]:
    """Read a queued import's sheet, cut it into chunks and queue them; idempotent."""
    job = get_job(import_id)
    if job is None:
        logger.info("import split skipped: unknown", extra={"import_id": import_id})
        return {"import_id": import_id, "outcome": "unknown"}
    job = notice_overrun(job, now)
    if job.status == "running":
        # A repeated split (a redelivery after the chunks were written): queue the
        # chunks not counted yet again; the queue and count_chunk drop duplicates.
        _send_chunks(job, range(int(job.chunks or 0)))
        return {"import_id": import_id, "outcome": "resent"}
    if job.status != "queued":
        return {"import_id": import_id, "outcome": job.status}
    if _key_revoked(job):
        finish(job, "failed", now, KEY_REVOKED)
        return {"import_id": import_id, "outcome": "key_revoked"}
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
        table = read_bytes(data, job.filename, kind=kind, limits=_limits())
    except LimitError as error:
        _fail(job, error.code, error.message, error.message_zh, now)
        return {"import_id": import_id, "outcome": "failed", "code": error.code}
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
    sheet = table.sheet
    save_columns(import_id, header_labels(table.columns))
    sheet_rows = {row.number: row for row in table.rows}
    del table
    needs_names = any(
        "program_id" not in d.values and "program_name" in d.values for d in grouped.drafts
    )
    names = _program_names(job.authority_id) if needs_names else None
    checked: list[Checked] = []
    problems: list[Problem] = list(grouped.problems)
    rejected = len(grouped.problems)
    refused_rows = [
        stored_row(p.row, sheet_rows[p.row].values, None)
        for p in grouped.problems
        if p.row in sheet_rows
    ]
    for draft in grouped.drafts:
        result = check(draft, program_for(draft, job.program_id, names))
        if isinstance(result, Checked):
            checked.append(result)
        else:
            problems.extend(result)
            refused_rows.extend(_original(draft, sheet_rows))
            rejected += 1
    # Data quality (issue 22): the sheet's own duplicates and awards dated before their
    # programme's approval, as warnings beside the rejected rows (pushed all the same,
    # unless the import was declared with skip_duplicates).
    skip = bool(job.skip_duplicates)
    sheet_check = check_sheet(checked, _program_approvals(job.authority_id), skip_duplicates=skip)
    checked = sheet_check.kept(checked, skip_duplicates=skip)
    problems.extend(sheet_check.warnings)
    capped = _capped(problems, settings().import_max_problems)
    save_problems(import_id, READ_PART, (asdict(p) for p in capped))
    save_rows(import_id, READ_PART, refused_rows[: settings().import_max_problems])
    del problems, capped, refused_rows
    size = settings().import_chunk_records
    chunk_count = -(-len(checked) // size)
    for number, chunk in enumerate(_chunks(checked, size, sheet_rows)):
        body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode()
        objects.put_bytes(
            chunk_key(import_id, number), body, content_type="application/json; charset=utf-8"
        )
    del checked, sheet_rows
    moved = set_status(
        job,
        "running",
        "queued",
        sheet=sheet,
        rows=grouped.row_count,
        awards=len(grouped.drafts),
        chunks=chunk_count,
        rejected=rejected,
        warnings=len(sheet_check.warnings),
        duplicates_skipped=len(sheet_check.duplicates) if skip else 0,
        deadline_at=deadline_for(now, chunk_count),
    )
    if moved:
        objects.purge(upload_key(import_id))  # read: the chunks hold what is still needed
        if chunk_count:
            _send_chunks(job, range(chunk_count))
        else:
            finish(job, "done", now)
    else:
        reload(job)
        if job.status in FINAL:  # cancelled (or overrun) while it was read: nothing stays
            delete_objects(job, now)
    logger.info(
        "import split",
        extra={"import_id": import_id, "rows": grouped.row_count, "chunks": chunk_count},
    )
    return {"import_id": import_id, "outcome": "split", "chunks": chunk_count}


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
    if job is not None:
        job = notice_overrun(job, now)
    if job is None or job.status != "running" or number in (job.done_chunks or ()):
        return {"import_id": import_id, "chunk": number, "outcome": "skipped"}
    if _key_revoked(job):
        finish(job, "failed", now, KEY_REVOKED)
        return {"import_id": import_id, "chunk": number, "outcome": "key_revoked"}
    loaded = objects.get_json(chunk_key(import_id, number))
    if loaded is None:
        raise RuntimeError(f"chunk {number} of import {import_id} is missing")
    chunk = loaded[0]
    items = chunk["records"]
    problems: list[Problem] = []
    refused_rows: list[dict[str, Any]] = []
    pushed = unchanged = rejected = 0
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
                refused_rows.extend(item.get("rows") or [])  # none in a chunk cut before
                rejected += 1
            elif outcome.created:
                pushed += 1
            else:
                unchanged += 1
    save_problems(import_id, chunk_part(number), (asdict(p) for p in problems))
    save_rows(import_id, chunk_part(number), refused_rows)
    counted = count_chunk(job, number, pushed, unchanged, rejected)
    if counted and len(job.done_chunks or ()) >= int(job.chunks or 0):
        finish(job, "done", now)
    return {
        "import_id": import_id,
        "chunk": number,
        "outcome": "counted" if counted else "duplicate",
        "pushed": pushed,
        "unchanged": unchanged,
        "rejected": rejected,
    }
