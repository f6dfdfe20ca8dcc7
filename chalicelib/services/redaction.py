"""An administrator erases personal data from an award: record, history, change feed (SPEC §6).

``POST /v1/awards/{id}/redact`` ``{"fields": ["project_manager"], "reason"}``:

1. One transaction (``ledger.commit``) erases the values from the record, adds
   ``{fields, at, reason}`` to its ``redactions``, bumps its version (the
   representation changed: ETags and ``If-Match`` must notice) and appends a
   change entry ``op: "redact"``, whose ``data`` is the award as it is now
   plus ``redacted_fields``: a provincial platform replaces its copy and
   erases those fields from any earlier copies it kept. Nothing else changes:
   not ``updated_at``, not the list order, not the content hash the province's
   idempotent retry is checked against (a re-push of the original content
   still answers 200, now without the erased values).
2. Then every stored earlier version (``AwardVersion``) and every change entry
   of the award (found through the ``by_entity`` index) that still holds a
   value is rewritten without it, and so is every import object that still
   holds it (``imports.scrub_award``: an open import's chunks are rewritten,
   a finished import's leftovers deleted; issue 19).

The operation is idempotent and resumable: a second identical request finds
the fields already in ``redactions`` and commits nothing, but runs step 2
again, which writes only what still holds a value (so a crash between the
steps is repaired by repeating the request). A redacted field stays erased:
a later correction that sends it again does not restore it
(``awards.correct_award``). The audit log line names the award, the fields and
the administrator's key id, never the values.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.disclosure import REDACTABLE_FIELDS, erase, holds_any
from chalicelib.domain.errors import BusinessRuleError, UnavailableError
from chalicelib.domain.principal import Principal
from chalicelib.observability import logger
from chalicelib.services import imports
from chalicelib.services.award_reads import finished
from chalicelib.store import changes as change_store
from chalicelib.store import ledger
from chalicelib.store.awards import (
    AwardRecord,
    award_history,
    award_view,
    commit_version,
    load_record,
    redacted_fields,
    replace_snapshot,
    versions,
)
from chalicelib.store.base import iso_utc

BATCH_GET_MAX = 100


def _fields(body: schemas.RedactIn) -> list[str]:
    for index, name in enumerate(body.fields):
        if name not in REDACTABLE_FIELDS:
            raise BusinessRuleError(
                "validation_error",
                f"{name} cannot be redacted; redactable: {', '.join(REDACTABLE_FIELDS)}",
                field=f"fields[{index}]",
            )
    return list(dict.fromkeys(body.fields))


def _commit(award_id: str, fields: list[str], reason: str, now: datetime) -> AwardRecord | None:
    """Erase ``fields`` from the record and publish it; None when they already were."""

    def attempt() -> AwardRecord | None:
        record = load_record(award_id)
        done = set(redacted_fields(record))
        if all(name in done for name in fields) and not holds_any(record.content, fields):
            return None
        at = iso_utc(now)
        # The version it supersedes stays in history like any other (without the values),
        # so every version but the first has its predecessor stored (the audit relies on it).
        snapshot = erase(award_view(record), fields)
        record.content = erase(record.content, fields)
        record.redactions = [
            *(record.redactions or []),
            {"fields": fields, "at": at, "reason": reason},
        ]
        commit_version(record, snapshot, "redact", at, note={"redacted_fields": fields})
        return load_record(award_id)

    return ledger.until_committed(attempt)


def _scrub_versions(award_id: str, fields: list[str]) -> int:
    scrubbed = 0
    for earlier in versions(award_id):
        if holds_any(earlier.snapshot, fields):
            replace_snapshot(earlier, erase(earlier.snapshot, fields))
            scrubbed += 1
    return scrubbed


def _entry_keys(record: AwardRecord) -> list[tuple[str, int]]:
    """Keys of every change entry of the award: one per version, so a short answer from
    the (eventually consistent) index is waited for, within a deadline, then a 503."""
    deadline = time.monotonic() + settings().redact_index_wait_seconds
    while True:
        seqs = change_store.seqs_of(record.id)
        if len(seqs) >= record.version:
            return [(record.authority_id, seq) for seq in seqs]
        if time.monotonic() > deadline:
            raise UnavailableError("the change index is catching up; repeat the redaction")
        time.sleep(0.2)


def _scrub_entries(record: AwardRecord, fields: list[str]) -> int:
    keys = _entry_keys(record)
    scrubbed = 0
    for start in range(0, len(keys), BATCH_GET_MAX):
        for entry in change_store.get_many(keys[start : start + BATCH_GET_MAX]):
            if holds_any(entry.data, fields):
                change_store.replace_data(entry, erase(entry.data, fields))
                scrubbed += 1
    return scrubbed


def redact_award(
    principal: Principal, award_id: str, body: schemas.RedactIn, now: datetime
) -> dict[str, Any]:
    """Erase ``fields`` from the award, its history and its change entries; the admin's view."""
    load_record(award_id)  # 404 before anything else
    fields = _fields(body)
    committed = _commit(award_id, fields, body.reason, now)
    record = committed or load_record(award_id)
    versions = _scrub_versions(award_id, fields)
    entries = _scrub_entries(record, fields)
    import_objects = imports.scrub_award(record.authority_id, record.source_id, fields, now)
    logger.info(
        "award redacted",
        extra={
            "award_id": award_id,
            "fields": fields,
            "key_id": principal.key_id,
            "new_redaction": committed is not None,
            "versions_scrubbed": versions,
            "change_entries_scrubbed": entries,
            "import_objects_scrubbed": import_objects,
        },
    )
    return finished({**award_view(record), "history": award_history(award_id)})
