"""Audit runs as stored items, and the administrators' routes that read them.

A run item (``RUN``/<run id>, e.g. ``2026-11-21-02``) is written last, once
the run's report is in S3 and its alerts are sent: so the day's run items are
exactly the runs that completed, which is how a later run of the same day
knows which findings have been reported already (``completed_on``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.queries import Page
from chalicelib.services import audit_reports
from chalicelib.store import audit_records as records
from chalicelib.store import secrets
from chalicelib.store.audit_records import AuditRun


def completed_on(day: str) -> set[str]:
    """Ids of the runs of China date ``day`` that completed."""
    return records.run_ids_of(day)


def record(report: dict[str, Any], keys: dict[str, Any]) -> None:
    """Store the item of a finished run (its summary and where its report is)."""
    records.add_run(
        sk=report["run_id"],
        date=report["date"],
        trigger=report["trigger"],
        started_at=report["started_at"],
        finished_at=report["finished_at"],
        summary=report["summary"],
        report_keys=keys,
        positions=report["positions"],
    )


def run_view(run: AuditRun) -> dict[str, Any]:
    return {
        "id": run.sk,
        "date": run.date,
        "trigger": run.trigger,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "report_keys": run.report_keys,
    }


def list_runs(page: Page) -> dict:
    """``GET /v1/audit/runs``: runs newest first."""
    scope = scope_of("audit-runs", {})
    secret = secrets.server_secret()
    before = None
    limit = page.limit
    if page.cursor:
        before = decode_cursor(page.cursor, secret=secret, scope=scope)["before"]
    items = records.runs_before(before, limit + 1)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"before": items[-1].sk}, secret=secret, scope=scope)
    return {"items": [run_view(run) for run in items], "next_cursor": next_cursor}


def get_run(run_id: str) -> dict[str, Any]:
    """``GET /v1/audit/runs/{id}``: one run with the report it wrote."""
    run = records.run(run_id)
    if run is None:
        raise NotFoundError(f"no audit run {run_id}")
    return {**run_view(run), "report": audit_reports.read_report(run.report_keys["run_json"])}
