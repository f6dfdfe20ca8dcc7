"""In-memory twins of what a spreadsheet import is stored in: jobs, objects, the queue.

``store/imports.py`` (the job, its problem and refused-row pages and the sheet's
columns in the submissions table, each conditional update refused as DynamoDB would
and the job object refreshed in place as pynamodb's ``update`` does),
``store/objects.py`` (the stage's versioned bucket: a delete leaves a delete marker,
``purge`` removes every version, conditional writes and copies raise the store's
``PreconditionFailed``/``NotFound``) and ``store/queue.py`` (the FIFO imports queue:
what was sent, in order, a repeated deduplication id dropped). As in ``tests/twins.py``:
every public function of the module, the same meaning.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from chalicelib.store import imports, objects, queue
from chalicelib.store.imports import (
    JOB_SK,
    ImportColumns,
    ImportJob,
    ImportProblemPage,
    ImportRowPage,
)
from tests.twins import install

# --- store/imports.py -------------------------------------------------------------------


class InMemoryImports:
    """``store/imports.py`` over a dict of the submissions table's import items."""

    import_pk = staticmethod(imports.import_pk)
    chunk_part = staticmethod(imports.chunk_part)

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def _stored(self, job: ImportJob) -> ImportJob:
        raw = self.items.get((job.pk, JOB_SK))
        assert raw is not None, "an update of a job that was never stored"
        return ImportJob.from_raw_data(raw)

    def _update(self, job: ImportJob, **values: Any) -> None:
        """UpdateItem with ``ReturnValues=ALL_NEW``: stored, and ``job`` refreshed from it."""
        stored = self._stored(job)
        for name, value in values.items():
            setattr(stored, name, value)
        raw = stored.serialize()
        self.items[(job.pk, JOB_SK)] = raw
        job.deserialize(raw)

    def add_job(self, import_id: str, **fields: Any) -> ImportJob:
        job = ImportJob(pk=imports.import_pk(import_id), id=import_id, **fields)
        assert (job.pk, JOB_SK) not in self.items, "the condition pk does not exist failed"
        self.items[(job.pk, JOB_SK)] = job.serialize()
        return job

    def get_job(self, import_id: str) -> ImportJob | None:
        raw = self.items.get((imports.import_pk(import_id), JOB_SK))
        return None if raw is None else ImportJob.from_raw_data(raw)

    def reload(self, job: ImportJob) -> None:
        job.deserialize(self.items[(job.pk, JOB_SK)])

    def set_status(
        self, job: ImportJob, status: str, expected: str | tuple[str, ...], **values: Any
    ) -> bool:
        allowed = (expected,) if isinstance(expected, str) else expected
        if self._stored(job).status not in allowed:
            return False
        self._update(job, status=status, **values)
        return True

    def extend_deadline(self, job: ImportJob, deadline_at: str) -> bool:
        if self._stored(job).status != "queued":
            return False
        self._update(job, deadline_at=deadline_at)
        return True

    def count_chunk(
        self, job: ImportJob, number: int, pushed: int, unchanged: int, rejected: int
    ) -> bool:
        stored = self._stored(job)
        if number in (stored.done_chunks or set()):
            return False
        self._update(
            job,
            pushed=int(stored.pushed or 0) + pushed,
            unchanged=int(stored.unchanged or 0) + unchanged,
            rejected=int(stored.rejected or 0) + rejected,
            done_chunks={*(stored.done_chunks or set()), number},
        )
        return True

    def recent_jobs(
        self, authority_id: str, *, since: str, statuses: tuple[str, ...] | None = None
    ) -> Iterator[ImportJob]:
        jobs = [ImportJob.from_raw_data(raw) for (_, sk), raw in self.items.items() if sk == JOB_SK]
        found = [
            job
            for job in jobs
            if job.import_authority == authority_id  # the sparse index's key
            and job.created_at >= since
            and (not statuses or job.status in statuses)
        ]
        return iter(sorted(found, key=lambda job: job.created_at, reverse=True))

    def mark_objects_deleted(self, job: ImportJob, at: str) -> None:
        self._update(job, objects_deleted_at=at)

    def _save_pages(
        self, model: Any, prefix: str, import_id: str, part: str, entries: Iterable[dict[str, Any]]
    ) -> int:
        pk = imports.import_pk(import_id)
        field = "problems" if model is ImportProblemPage else "rows"
        written = 0
        for number, page in enumerate(imports._pages(entries)):
            sk = imports._page_sk(part, number, prefix)
            self.items[(pk, sk)] = model(pk=pk, sk=sk, **{field: page}).serialize()
            written = number + 1
        first_stale = imports._page_sk(part, written, prefix)
        last = imports._page_sk(part, 99_999, prefix)
        for item_pk, sk in list(self.items):
            if item_pk == pk and first_stale <= sk <= last:
                self.items[(pk, sk)] = model(pk=pk, sk=sk, **{field: []}).serialize()
        return written

    def _pages_of(self, model: Any, prefix: str, import_id: str) -> list[Any]:
        pk = imports.import_pk(import_id)
        found = sorted(
            (sk, raw)
            for (item_pk, sk), raw in self.items.items()
            if item_pk == pk and sk.startswith(prefix)
        )
        return [model.from_raw_data(raw) for _, raw in found]

    def save_problems(self, import_id: str, part: str, problems: Iterable[dict[str, Any]]) -> int:
        return self._save_pages(
            ImportProblemPage, imports.PROBLEMS_SK_PREFIX, import_id, part, problems
        )

    def save_rows(self, import_id: str, part: str, rows: Iterable[dict[str, Any]]) -> int:
        return self._save_pages(ImportRowPage, imports.ROWS_SK_PREFIX, import_id, part, rows)

    def save_columns(self, import_id: str, columns: list[str]) -> None:
        item = ImportColumns(pk=imports.import_pk(import_id), columns=columns)
        self.items[(item.pk, imports.COLUMNS_SK)] = item.serialize()

    def columns(self, import_id: str) -> list[str]:
        raw = self.items.get((imports.import_pk(import_id), imports.COLUMNS_SK))
        return [] if raw is None else list(ImportColumns.from_raw_data(raw).columns or [])

    def rewrite_rows(
        self, import_id: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> int:
        rewritten = 0
        for page in self._pages_of(ImportRowPage, imports.ROWS_SK_PREFIX, import_id):
            kept = list(page.rows or [])
            changed = [change(row) for row in kept]
            if any(row is not None for row in changed):
                page.rows = [
                    new if new is not None else old for old, new in zip(kept, changed, strict=True)
                ]
                self.items[(page.pk, page.sk)] = page.serialize()
                rewritten += 1
        return rewritten

    def rows(self, import_id: str) -> Iterator[dict[str, Any]]:
        for page in self._pages_of(ImportRowPage, imports.ROWS_SK_PREFIX, import_id):
            yield from page.rows or []

    def problems(self, import_id: str) -> Iterator[dict[str, Any]]:
        for page in self._pages_of(ImportProblemPage, imports.PROBLEMS_SK_PREFIX, import_id):
            yield from page.problems or []


# --- store/objects.py -------------------------------------------------------------------


class InMemoryObjects:
    """``store/objects.py`` over a versioned bucket: ``versions[key]`` oldest first, each
    ``{"body", "content_type", "etag", "tags"}`` or None for a delete marker."""

    NotFound = objects.NotFound
    PreconditionFailed = objects.PreconditionFailed
    URL = "http://127.0.0.1:4566/twin-bucket"

    def __init__(self) -> None:
        self.versions: dict[str, list[dict[str, Any] | None]] = defaultdict(list)
        self.forms: list[dict[str, Any]] = []  # the presigned POSTs handed out

    def s3(self) -> Any:
        raise AssertionError("a service unit test asked for the S3 client: use the twin")

    def _current(self, key: str) -> dict[str, Any] | None:
        found = self.versions.get(key) or [None]
        return found[-1]

    def upload(self, key: str, body: bytes, content_type: str) -> str:
        """What a browser's POST to the presigned form stores (test helper); its ETag."""
        return self.put_bytes(key, body, content_type=content_type)

    def head(self, key: str) -> dict[str, Any] | None:
        current = self._current(key)
        if current is None:
            return None
        return {
            "ContentLength": len(current["body"]),
            "ContentType": current["content_type"],
            "ETag": current["etag"],
        }

    def stream(self, key: str) -> tuple[Iterator[bytes], str]:
        current = self._current(key)
        if current is None:
            raise objects.NotFound(key)
        body = current["body"]
        chunks = [
            body[i : i + objects.STREAM_CHUNK] for i in range(0, len(body), objects.STREAM_CHUNK)
        ]
        return iter(chunks), current["etag"]

    def copy(
        self,
        source: str,
        target: str,
        *,
        if_match: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        current = self._current(source)
        if current is None:
            raise objects.NotFound(source)
        if if_match and current["etag"] != if_match:
            raise objects.PreconditionFailed(source)
        copied = {**current, "tags": dict(tags) if tags is not None else current["tags"]}
        self.versions[target].append(copied)

    def delete(self, key: str) -> None:
        self.versions[key].append(None)  # a delete marker

    def put_bytes(
        self,
        key: str,
        body: bytes,
        *,
        content_type: str,
        if_none_match: bool = False,
        if_match: str | None = None,
    ) -> str:
        current = self._current(key)
        if if_none_match and current is not None:
            raise objects.PreconditionFailed(key)
        if if_match and (current is None or current["etag"] != if_match):
            raise objects.PreconditionFailed(key)
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        self.versions[key].append(
            {"body": bytes(body), "content_type": content_type, "etag": etag, "tags": {}}
        )
        return etag

    def put_json(self, key: str, data: Any, **conditions: Any) -> str:
        body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        return self.put_bytes(
            key, body, content_type="application/json; charset=utf-8", **conditions
        )

    def get_json(self, key: str) -> tuple[Any, str] | None:
        current = self._current(key)
        return None if current is None else (json.loads(current["body"]), current["etag"])

    def get_bytes(self, key: str) -> bytes | None:
        current = self._current(key)
        return None if current is None else current["body"]

    def presigned_get(
        self,
        key: str,
        *,
        seconds: int,
        content_type: str | None = None,
        disposition: str | None = None,
    ) -> str:
        return f"{self.URL}/{key}?expires={seconds}"

    def presigned_post(
        self, key: str, *, content_type: str, size: int, seconds: int
    ) -> dict[str, Any]:
        form = {"url": self.URL, "fields": {"key": key, "Content-Type": content_type}}
        self.forms.append({**form, "size": size, "seconds": seconds})
        return form

    def upload_origin(self) -> str:
        return "http://127.0.0.1:4566"

    def purge(self, prefix: str) -> int:
        doomed = [key for key in self.versions if key.startswith(prefix)]
        return sum(len(self.versions.pop(key)) for key in doomed)

    def purge_noncurrent(self, key: str) -> int:
        kept = self.versions.get(key) or []
        if len(kept) <= 1:
            return 0
        self.versions[key] = kept[-1:]
        return len(kept) - 1

    def keys_under(self, prefix: str) -> Iterator[str]:
        return iter(sorted(k for k in self.versions if k.startswith(prefix) and self._current(k)))


# --- store/queue.py ---------------------------------------------------------------------


class InMemoryQueue:
    """``store/queue.py``: the FIFO imports queue; ``sent`` holds ``(body, group)`` in order.

    A deduplication id seen before is dropped (the real queue drops it within five
    minutes; a unit test runs well inside them).
    """

    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], str]] = []
        self.dedup_ids: set[str] = set()
        self.delayed: list[tuple[str, int]] = []

    def sqs(self) -> Any:
        raise AssertionError("a service unit test asked for the SQS client: use the twin")

    def queue_url(self) -> str:
        return "https://sqs.twin/imports.fifo"

    def dead_letter_url(self) -> str:
        return "https://sqs.twin/imports-dead.fifo"

    def reset(self) -> None:
        """Nothing cached to forget."""

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        self.delayed.append((receipt_handle, seconds))

    def send(self, messages: list[tuple[dict[str, Any], str, str]]) -> None:
        for body, group, dedup in messages:
            if dedup in self.dedup_ids:
                continue
            self.dedup_ids.add(dedup)
            self.sent.append((json.loads(json.dumps(body)), group))


class ImportTwins:
    """The imports twins, installed for one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.imports = InMemoryImports()
        self.objects = InMemoryObjects()
        self.queue = InMemoryQueue()
        for module, twin in (
            (imports, self.imports),
            (objects, self.objects),
            (queue, self.queue),
        ):
            install(monkeypatch, module, twin)


__all__ = ["ImportTwins", "InMemoryImports", "InMemoryObjects", "InMemoryQueue"]
