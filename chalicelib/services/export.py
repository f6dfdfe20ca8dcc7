"""The nightly open-data export: every public award, consistent with one feed position.

What it writes, under ``exports/<China date>/``:

- ``awards.jsonl.gz``: one award per line (active and revoked), as the API
  shows it plus ``program_status``, ``validity`` and place names, without project managers' names;
- ``awards.csv``: UTF-8 with a BOM (Excel then reads the Chinese right), one
  row per award-winner;
- ``programs.jsonl.gz``: the programmes the public may see;
- ``manifest.json`` last: counts, sizes, SHA-256 of each file and the
  change-feed position; then ``exports/latest.json`` points to it.

**Consistency.** The run first reads every authority's ``seq`` (the position
``P``) and exports the state as of ``P``, while pushes go on. Entries up to
``P`` never change (the feed is gapless and append-only), and each carries the
full view of its entity at that version, so the export reads only the feed:

- pass 1 per authority: the last programme entry ``<= P`` of each programme,
  and the ``seq`` of the last award entry ``<= P`` of each award that was
  corrected or revoked (the minority);
- pass 2: each award's ``create`` entry ``<= P`` in order; an award that
  changed before ``P`` takes the view from its last entry (BatchGet).

**Memory** stays flat as the data grows: the feed is read in pages of
``export_page_items`` entries (DynamoDB's own page is up to 1 MB, several MiB
once parsed, and a big province fills it), each file streams to S3 in
multipart parts gathered on disk (``MultipartWriter``), and only one
authority's programme views and changed-award positions are held at a time.
No Scan: Query and BatchGet on the change-feed table.

**Double delivery.** EventBridge may deliver the schedule twice: a run first
claims the date (``run.json`` written only if absent); a second run skips.
A claim whose run failed or went stale may be taken over; ``force`` re-exports
a day already exported, but never takes over a run still going (a double
click on ``POST /v1/exports/run`` gets 409 ``invalid_state``).

**Re-exports never touch what ``latest`` names.** The day's first export is
written under ``exports/<date>/``; a re-export of the same day writes its files
and manifest under ``exports/<date>/<run_id>/`` (then copies the manifest to
``exports/<date>/manifest.json``), so ``latest.json`` always points at complete
files whose SHA-256 match, during and after a re-run, and if it fails.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import places, program_status, validity
from chalicelib.domain.china_time import china_date
from chalicelib.domain.csv_safety import safe_writer
from chalicelib.domain.disclosure import PUBLIC, award_for, program_for
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.ids import new_id
from chalicelib.domain.places import location_name
from chalicelib.observability import logger
from chalicelib.store import changes as change_store
from chalicelib.store import objects
from chalicelib.store.base import iso_utc, parse_iso_utc

EXPORT_PREFIX = "exports/"
LATEST_KEY = f"{EXPORT_PREFIX}latest.json"
BATCH_GET_MAX = 100
CSV_COLUMNS = (
    "award_id",
    "authority_id",
    "source_id",
    "program_id",
    "program_name",
    "program_status",
    "validity",
    "validity_reason",
    "validity_effective_on",
    "year",
    "honor",
    "awarded_on",
    "announcement_number",
    "announcement_url",
    "project_name",
    "project_category",
    "project_location_code",
    "project_location_name",
    "project_code",
    "winner_no",
    "winner_name",
    "winner_credit_code",
    "winner_role",
    "status",
    "revoked_at",
    "revoked_reason",
    "submitted_at",
    "deadline",
    "timeliness_status",
    "working_days_late",
    "timeliness_calendar",
    "version",
    "updated_at",
)


def day_prefix(day: str) -> str:
    return f"{EXPORT_PREFIX}{day}/"


# --- the position and the state at it ----------------------------------------------


def read_position() -> dict[str, int]:
    """Each authority's last ``seq`` now: what the export will be consistent with."""
    return change_store.heads()


def _state_of(authority_id: str, seq: int) -> tuple[dict[str, dict], dict[str, int]]:
    """Pass 1: programme views at ``seq``, and where each changed award's last entry is."""
    programs: dict[str, dict[str, Any]] = {}
    changed: dict[str, int] = {}
    entries = change_store.programs_and_changes(
        authority_id, seq, page_size=settings().export_page_items
    )
    for entry in entries:  # seq order: the last one wins
        if entry.entity == "program":
            programs[entry.entity_id] = entry.data
        elif entry.entity == "award":
            changed[entry.entity_id] = int(entry.seq)
    return programs, changed


def _created(authority_id: str, seq: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(award id, view at version 1)`` of every award created up to ``seq``, in order."""
    entries = change_store.award_creations(
        authority_id, seq, page_size=settings().export_page_items
    )
    for entry in entries:
        yield entry.entity_id, entry.data


def _awards_of(authority_id: str, seq: int, changed: dict[str, int]) -> Iterator[dict]:
    """Pass 2: every award of the authority created up to ``seq``, as it was at ``seq``."""
    created = _created(authority_id, seq)
    while chunk := list(itertools.islice(created, BATCH_GET_MAX)):
        later = [(authority_id, changed[i]) for i, _ in chunk if i in changed]
        views = {}
        if later:
            for entry in change_store.get_many(later):
                views[entry.entity_id] = entry.data
        for award_id, first in chunk:
            yield views[award_id] if award_id in changed else first


def state_at(position: dict[str, int]) -> Iterator[tuple[str, dict, Iterator[dict]]]:
    """Per authority with changes: its programmes and its awards, as of ``position``."""
    for authority_id, seq in position.items():
        if not seq:
            continue
        programs, changed = _state_of(authority_id, seq)
        yield authority_id, programs, _awards_of(authority_id, seq, changed)


# --- shaping rows ---------------------------------------------------------------------


def public_award(view: dict[str, Any], programs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The bulk-export form of an award: no project managers' names, the programme's status,
    the award's ``validity`` (the same rule as every route) and its place's names."""
    public = award_for(view, PUBLIC)
    award = {
        k: v for k, v in public.items() if k not in ("history", "superseded_at", "redacted_fields")
    }
    program = programs.get(view.get("program_id") or "")
    award["program_status"] = (program or {}).get("status")
    return places.with_location(validity.with_validity(award, program))


def csv_rows(award: dict[str, Any], program_name: str | None) -> Iterator[list[Any]]:
    project = award.get("project", {})
    timeliness = award.get("timeliness") or {}
    detail = award.get("validity_detail") or {}
    common = {
        "award_id": award["id"],
        "authority_id": award["authority_id"],
        "source_id": award.get("source_id"),
        "program_id": award.get("program_id"),
        "program_name": program_name,
        "program_status": award.get("program_status"),
        "validity": award.get("validity"),
        "validity_reason": detail.get("reason"),
        "validity_effective_on": detail.get("effective_on"),
        "year": award.get("year"),
        "honor": award.get("honor"),
        "awarded_on": award.get("awarded_on"),
        "announcement_number": award.get("announcement_number"),
        "announcement_url": award.get("announcement_url"),
        "project_name": project.get("name"),
        "project_category": project.get("category"),
        "project_location_code": project.get("location_code"),
        "project_location_name": location_name(project["location_code"])
        if project.get("location_code")
        else None,
        "project_code": project.get("code"),
        "status": award.get("status"),
        "revoked_at": award.get("revoked_at"),
        "revoked_reason": award.get("revoked_reason"),
        "submitted_at": award.get("submitted_at"),
        "deadline": award.get("deadline"),
        "timeliness_status": timeliness.get("status"),
        "working_days_late": timeliness.get("working_days_late"),
        "timeliness_calendar": timeliness.get("calendar"),
        "version": award.get("version"),
        "updated_at": award.get("updated_at"),
    }
    for number, winner in enumerate(award.get("winners", []), start=1):
        row = {
            **common,
            "winner_no": number,
            "winner_name": winner.get("name"),
            "winner_credit_code": winner.get("credit_code"),
            "winner_role": winner.get("role"),
        }
        yield [row[column] for column in CSV_COLUMNS]


class _CsvOut:
    """Rows to UTF-8 bytes through one small reusable text buffer."""

    def __init__(self, sink: objects.MultipartWriter) -> None:
        self.sink = sink
        self.buffer = io.StringIO()
        self.writer = safe_writer(csv.writer(self.buffer))
        self.rows = 0
        sink.write("\ufeff".encode())  # BOM: Excel opens the file as UTF-8
        self.writer.writerow(CSV_COLUMNS)
        self._drain()

    def _drain(self) -> None:
        self.sink.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()

    def write(self, row: list[Any]) -> None:
        self.writer.writerow(row)
        self.rows += 1
        if self.buffer.tell() > 64 * 1024:
            self._drain()

    def close(self) -> None:
        self._drain()


def _json_line(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- the run ------------------------------------------------------------------------


def _claim(prefix: str, run_id: str, now: datetime, *, force: bool) -> str | None:
    """Take the date for this run; the reason to skip when another run holds it."""
    key = f"{prefix}run.json"
    claim = {"run_id": run_id, "started_at": iso_utc(now), "status": "running"}
    try:
        objects.put_json(key, claim, if_none_match=True)
        return None
    except objects.PreconditionFailed:
        pass  # held or held before: read who holds it
    found = objects.get_json(key)
    if found is not None:
        held, etag = found
        started = parse_iso_utc(held["started_at"])
        stale = now - started > timedelta(seconds=settings().export_claim_seconds)
        status = held.get("status")
        if not (stale or status == "failed" or (force and status != "running")):
            return f"run {held['run_id']} holds {prefix} ({status})"
        try:
            objects.put_json(key, claim, if_match=etag)
            return None
        except objects.PreconditionFailed:
            pass  # another run replaced it between our read and our write
    return "another run took the claim first"


def _release(prefix: str, run_id: str, now: datetime, status: str) -> None:
    objects.put_json(
        f"{prefix}run.json",
        {"run_id": run_id, "started_at": iso_utc(now), "status": status},
    )


def run_export(now: datetime, *, force: bool = False) -> dict[str, Any]:
    """Write today's export (China date) and point ``exports/latest.json`` at it."""
    day = china_date(now).isoformat()
    prefix = day_prefix(day)
    day_manifest_key = f"{prefix}manifest.json"
    exported = objects.head(day_manifest_key) is not None
    if exported and not force:
        return {"status": "skipped", "reason": f"{day} is already exported", "export_date": day}
    run_id = new_id("exp")
    reason = _claim(prefix, run_id, now, force=force)
    if reason is not None:
        logger.info("export skipped", extra={"reason": reason})
        return {"status": "skipped", "reason": reason, "export_date": day}
    # A re-export goes beside the files ``latest`` may name, never over them.
    files_prefix = f"{prefix}{run_id}/" if exported else prefix
    try:
        manifest = _write_files(files_prefix, day, run_id, now)
    except Exception:
        _release(prefix, run_id, now, "failed")  # a retry may take over at once
        raise
    manifest_key = f"{files_prefix}manifest.json"
    objects.put_json(manifest_key, manifest)  # last: the files it names are complete
    if manifest_key != day_manifest_key:
        objects.put_json(day_manifest_key, manifest)
    objects.put_json(LATEST_KEY, {"manifest_key": manifest_key, **manifest})
    _release(prefix, run_id, now, "done")
    logger.info("export written", extra={"export_date": day, "counts": manifest["counts"]})
    return {"status": "done", "manifest_key": manifest_key, **manifest}


def _abort_all(writers: tuple[objects.MultipartWriter, ...]) -> None:
    """Abort every writer, each on its own: one failing abort must not keep the others'
    uploads open, nor replace the error that stopped the export (the caller re-raises it).
    """
    for writer in writers:
        try:
            writer.abort()
        except Exception as exc:  # logged by type; the export's own error follows
            logger.warning(
                "export upload not aborted", extra={"key": writer.key, "fault": type(exc).__name__}
            )


def _write_files(prefix: str, day: str, run_id: str, now: datetime) -> dict[str, Any]:
    position = read_position()
    part = settings().export_part_bytes
    jsonl = objects.MultipartWriter(
        f"{prefix}awards.jsonl.gz", content_type="application/gzip", part_bytes=part
    )
    table = objects.MultipartWriter(
        f"{prefix}awards.csv", content_type="text/csv; charset=utf-8", part_bytes=part
    )
    program_file = objects.MultipartWriter(
        f"{prefix}programs.jsonl.gz", content_type="application/gzip", part_bytes=part
    )
    writers = (jsonl, table, program_file)
    counts = {"awards": 0, "active": 0, "revoked": 0, "csv_rows": 0, "programs": 0}
    try:
        rows = _CsvOut(table)
        with (
            gzip.GzipFile(fileobj=jsonl, mode="wb", mtime=0) as award_lines,
            gzip.GzipFile(fileobj=program_file, mode="wb", mtime=0) as program_lines,
        ):
            for _, programs, awards in state_at(position):
                for program_id in sorted(programs):
                    if programs[program_id].get("status") in program_status.PUBLIC:
                        program_lines.write(_json_line(program_for(programs[program_id], PUBLIC)))
                        counts["programs"] += 1
                for view in awards:
                    award = public_award(view, programs)
                    award_lines.write(_json_line(award))
                    counts["awards"] += 1
                    counts["revoked" if award.get("status") == "revoked" else "active"] += 1
                    name = programs.get(award.get("program_id"), {}).get("name")
                    for row in csv_rows(award, name):
                        rows.write(row)
        rows.close()
        counts["csv_rows"] = rows.rows
        for writer in writers:
            writer.close()
    except BaseException:
        _abort_all(writers)
        raise
    records = {
        jsonl.key: counts["awards"],
        table.key: counts["csv_rows"],
        program_file.key: counts["programs"],
    }
    return {
        "export_date": day,
        "run_id": run_id,
        "generated_at": iso_utc(now),
        "position": position,
        "counts": counts,
        "files": [
            {
                "name": writer.key.rsplit("/", 1)[-1],
                "key": writer.key,
                "content_type": writer.content_type,
                "size": writer.size,
                "sha256": writer.sha256,
                "records": records[writer.key],
            }
            for writer in writers
        ],
        "notes": [
            "Project managers' names are not part of bulk exports.",
            "awards.csv: UTF-8 with BOM, one row per award-winner; a text cell starting "
            "with = + - @ (or their full-width forms ＝ ＋ － ＠), a tab or a carriage return "
            "is prefixed with ' so spreadsheets do not run it as a formula.",
        ],
    }


def run_now(now: datetime) -> dict[str, Any]:
    """``POST /v1/exports/run``: an administrator re-runs today's export now; its links.

    Runs in the request (a local stack, a pilot's data); a run already going is
    a 409 ``invalid_state`` rather than a second writer.
    """
    result = run_export(now, force=True)
    if result["status"] != "done":
        raise ConflictError(
            "invalid_state",
            f"an export is already running ({result.get('reason')}); "
            "GET /v1/exports/latest shows it when it is done",
        )
    return latest_export()


def latest_export() -> dict[str, Any]:
    """Links to the latest export's files, with their counts and SHA-256 (404 before any)."""
    found = objects.get_json(LATEST_KEY)
    if found is None:
        raise NotFoundError("no export has been written yet")
    latest, _ = found
    seconds = settings().download_url_seconds
    return {
        "export_date": latest["export_date"],
        "generated_at": latest["generated_at"],
        "position": latest["position"],
        "counts": latest["counts"],
        "manifest_url": objects.presigned_get(latest["manifest_key"], seconds=seconds),
        "links_expire_in": seconds,
        "files": [
            {
                "name": file["name"],
                "url": objects.presigned_get(file["key"], seconds=seconds),
                "content_type": file["content_type"],
                "size": file["size"],
                "sha256": file["sha256"],
                "records": file["records"],
            }
            for file in latest["files"]
        ],
    }
