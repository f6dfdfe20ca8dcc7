"""``POST /v1/quality/rescan``: the data-quality checks over every award, once (issue 22).

The daily audit checks only what changed since its last run; the first backfill
(and any change to the rules) needs every award indexed and judged once. An
administrator starts a rescan; it runs in the background on the imports queue
(``jobs/import_chunk.py`` hands its messages here), one chunk of
``QUALITY_RESCAN_CHUNK`` awards per message, shard by shard of the awards'
``by_shard`` index, and records its progress on the job item, which
``GET /v1/quality/rescans/{id}`` answers. Each message is idempotent: a
redelivered chunk that the job has already passed is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.china_time import china_date
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import Principal
from chalicelib.observability import logger
from chalicelib.services import quality
from chalicelib.store import quality as store
from chalicelib.store import queue
from chalicelib.store.base import iso_utc
from chalicelib.store.quality import RescanJob

RESCAN = "quality_rescan"
QUEUE_GROUP = "quality-rescan"


def job_view(job: RescanJob) -> dict[str, Any]:
    shards = settings().shards
    position = job.position or {}
    shards_done = shards if job.state == "done" else int(position.get("shard", 0))
    return {
        "id": job.id,
        "state": job.state,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
        "awards_done": int(job.awards_done or 0),
        "findings_opened": int(job.findings_open or 0),
        "progress": round(shards_done / shards, 3) if shards else 1.0,
        "error": job.error,
    }


def _send(job_id: str, chunk: int) -> None:
    body = {"kind": RESCAN, "job_id": job_id, "chunk": chunk}
    queue.send([(body, QUEUE_GROUP, f"{job_id}-{chunk}")])


def start(principal: Principal, now: datetime) -> dict[str, Any]:
    """Queue a rescan of every award (an administrator, checked by the route); the job."""
    logger.info("quality rescan asked", extra={"key_id": principal.key_id})
    return queue_rescan(now, reason="admin")


def queue_rescan(now: datetime, *, reason: str) -> dict[str, Any]:
    """Create a rescan job and queue its first chunk: the job's view."""
    at = iso_utc(now)
    job_id = new_id("rsc")
    job = RescanJob(
        sk=job_id,
        id=job_id,
        state="queued",
        created_at=at,
        updated_at=at,
        position={"shard": 0, "start": None, "chunk": 0},
    )
    store.save_job(job)
    _send(job_id, 0)
    logger.info("quality rescan queued", extra={"job_id": job_id, "reason": reason})
    return job_view(job)


def status(principal: Principal, job_id: str) -> dict[str, Any]:
    del principal  # an administrator (the route checks): every job is theirs to read
    job = store.get_job(job_id) if is_plausible_id(job_id, "rsc") else None
    if job is None:
        raise NotFoundError(f"no rescan {job_id[:64]}")
    return job_view(job)


def work(job_id: str, chunk: int, now: datetime) -> dict[str, Any]:
    """Index and judge the job's next chunk of awards, then queue the one after it."""
    job = store.get_job(job_id)
    if job is None or job.state in ("done", "failed"):
        return {"outcome": "skipped", "job_id": job_id}
    position = dict(job.position or {"shard": 0, "start": None, "chunk": 0})
    if int(position.get("chunk", 0)) != chunk:
        return {"outcome": "skipped", "job_id": job_id}  # a redelivered, finished chunk
    config = settings()
    shard = int(position["shard"])
    views, start = store.award_views_page(
        str(shard), position.get("start"), size=config.quality_rescan_chunk
    )
    day = china_date(now).isoformat()
    outcome = quality.check_awards(
        {v["id"]: v for v in views}, store.program_facts(), day=day, run_id=job_id
    )
    if start is None:
        shard, start = shard + 1, None
    job.position = {"shard": shard, "start": start, "chunk": chunk + 1}
    job.awards_done = int(job.awards_done or 0) + len(views)
    job.findings_open = int(job.findings_open or 0) + len(outcome.opened)
    job.updated_at = iso_utc(now)
    job.state = "running"
    if shard >= config.shards:
        job.state, job.finished_at = "done", iso_utc(now)
    store.save_job(job)
    if job.state != "done":
        _send(job_id, chunk + 1)
    return {"outcome": job.state, "job_id": job_id, **outcome.summary()}


def give_up(job_id: str, error: Exception, now: datetime) -> dict[str, Any]:
    """A chunk failed on its last try (or reached the dead-letter queue): the job is
    ``failed`` with the fault's name, so an administrator sees it and starts another."""
    job = store.get_job(job_id)
    if job is not None and job.state not in ("done", "failed"):
        job.state, job.finished_at = "failed", iso_utc(now)
        job.error = f"a chunk could not be checked ({type(error).__name__}); start a new rescan"
        job.updated_at = iso_utc(now)
        store.save_job(job)
    logger.warning("quality rescan given up", extra={"job_id": job_id})
    return {"job_id": job_id, "outcome": "failed"}


def audit_checks(
    views: Mapping[str, Mapping[str, Any]],
    programs: Mapping[str, Mapping[str, Any]],
    *,
    day: str,
    run_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The daily audit's checks: the batch's awards, or a rescan when there are too many.

    One run checks at most ``QUALITY_AUDIT_MAX_AWARDS`` awards itself (each costs a
    transaction and a few small reads; the audit has 15 minutes). A larger batch, the
    day a backfill lands, queues a rescan of every award instead, which the imports
    worker runs in chunks; the report names it.
    """
    if len(views) > settings().quality_audit_max_awards:
        job = queue_rescan(now, reason="large_batch")
        logger.info(
            "quality checks deferred to a rescan", extra={"awards": len(views), "job": job["id"]}
        )
        return {**quality.Outcome().summary(), "deferred_to_rescan": job["id"]}
    return quality.check_awards(views, programs, day=day, run_id=run_id).summary()
