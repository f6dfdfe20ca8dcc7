"""The audit report in S3: JSON for programs, CSV (UTF-8 with BOM) for a spreadsheet.

``audits/<date>/report.json`` and ``report.csv`` hold the latest run of that
China date (what people open); every run also keeps its own copy under
``audits/<date>/runs/<run id>/`` so ``GET /v1/audit/runs/{id}`` shows exactly
what that run found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from chalicelib.domain.csv_safety import safe_writer
from chalicelib.store import objects

CSV_COLUMNS = (
    "finding_id",
    "state",
    "kind",
    "authority_id",
    "subject_type",
    "subject_id",
    "detail",
    "action_zh",
    "action_en",
)


def latest_keys(day: str) -> dict[str, str]:
    return {"json": f"audits/{day}/report.json", "csv": f"audits/{day}/report.csv"}


def run_keys(day: str, run_id: str) -> dict[str, str]:
    return {
        "json": f"audits/{day}/runs/{run_id}/report.json",
        "csv": f"audits/{day}/runs/{run_id}/report.csv",
    }


def report_csv(report: dict[str, Any]) -> bytes:
    """One row per finding the run reports: new, still open, or closed by it."""
    out = io.StringIO()
    writer = safe_writer(csv.writer(out, lineterminator="\r\n"))
    writer.writerow(CSV_COLUMNS)
    for state, findings in (
        ("new", report["findings_new"]),
        ("open", report["findings_open"]),
        ("closed", report["findings_closed"]),
    ):
        for finding in findings:
            writer.writerow(
                (
                    finding["id"],
                    state,
                    finding["kind"],
                    finding["authority_id"] or "",
                    finding["subject"]["type"],
                    finding["subject"]["id"],
                    json.dumps(finding["detail"], ensure_ascii=False, sort_keys=True),
                    finding["action"]["zh"],
                    finding["action"]["en"],
                )
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_report(report: dict[str, Any]) -> dict[str, Any]:
    """Store the report (run copy, then the date's latest); return keys and SHA-256."""
    body_json = json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    body_csv = report_csv(report)
    own, latest = run_keys(report["date"], report["run_id"]), latest_keys(report["date"])
    for keys in (own, latest):
        objects.put_bytes(keys["json"], body_json, content_type="application/json; charset=utf-8")
        objects.put_bytes(keys["csv"], body_csv, content_type="text/csv; charset=utf-8")
    return {
        "json": latest["json"],
        "csv": latest["csv"],
        "run_json": own["json"],
        "run_csv": own["csv"],
        "json_sha256": hashlib.sha256(body_json).hexdigest(),
        "csv_sha256": hashlib.sha256(body_csv).hexdigest(),
    }


def read_report(key: str) -> dict[str, Any]:
    body = objects.get_bytes(key)
    if body is None:
        raise LookupError(f"no audit report at {key}")
    return json.loads(body)
