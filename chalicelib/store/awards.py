"""The awards table as the award services use it: a few small reads and writes.

One table holds every item kind of an award (``store/models.py``), so a
record, its guard and its index items are read consistently and written in
one transaction (SPEC §6):

- the record, ``AWARD#<id>`` / ``RECORD``, and its earlier versions,
  ``AWARD#<id>`` / ``V#<version>`` (kept, never overwritten);
- the source-id guard, ``SRC#<authority>#<source_id>`` / ``GUARD``, which makes
  ``source_id`` unique per authority and carries the hash an idempotent retry
  is checked against;
- one credit-code item per winner (``CC#<code>``) and one enterprise-name item
  per folded name (``NAME#<first characters>``), written with the record and
  never deleted (readers check the record's current winners).

A push writes record, guard and index items, the change entry and the
authority's sequence counter in one transaction (``ledger.commit``): with 40
winners at most, 2 + 40 + 40 + 2 = 84 items, a correction 85, under
DynamoDB's 100. Every write here raises ``ledger.CommitConflict`` when a
concurrent writer won; the services retry through ``ledger.until_committed``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.ids import is_plausible_id
from chalicelib.domain.names import name_key, name_partition, winner_names
from chalicelib.domain.timeliness import Judgement
from chalicelib.store import ledger
from chalicelib.store.base import newest_first
from chalicelib.store.models import (
    GUARD_SK,
    RECORD_SK,
    AwardRecord,
    AwardVersion,
    CreditCodeEntry,
    EnterpriseNameEntry,
    SourceGuard,
)

VERSION_PREFIX = "V#"


def award_view(record: AwardRecord) -> dict[str, Any]:
    """The full representation of the current version (its owner's and admins' view).

    What a reader may see of it is ``disclosure.award_for(view, reader_of(...))``.
    """
    view: dict[str, Any] = {
        "id": record.id,
        "authority_id": record.authority_id,
        **record.content,
        "submitted_at": record.submitted_at,
        "deadline": record.deadline,
        "timeliness": record.timeliness,
        "status": record.status,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "version": record.version,
    }
    if record.status == "revoked":
        view["revoked_reason"] = record.revoked_reason
        view["revoked_at"] = record.revoked_at
        if record.revoked_document_number:
            view["revoked_document_number"] = record.revoked_document_number
    if record.redactions:
        view["redactions"] = record.redactions
    return view


def redacted_fields(record: AwardRecord) -> list[str]:
    """The fields an administrator erased from this award: they stay erased."""
    return list(dict.fromkeys(f for r in record.redactions or [] for f in r["fields"]))


def new_record(*, id: str, **fields: Any) -> AwardRecord:
    """The first version of an award, not stored yet (``create`` stores it)."""
    return AwardRecord(pk=AwardRecord.key(id), id=id, **fields)


def shard_of(award_id: str) -> str:
    """The ``by_shard`` partition of an award: spreads the newest-first list over shards."""
    digest = hashlib.sha256(award_id.encode()).digest()
    return str(int.from_bytes(digest[:4], "big") % settings().shards)


def judgement_of(record: AwardRecord) -> Judgement:
    """The judgement stored on ``record`` (to compare with a new one)."""
    return Judgement(
        deadline=record.deadline,
        official=record.deadline_official,
        timeliness=record.timeliness,
        provisional_year=record.provisional_year,
    )


def set_judgement(record: AwardRecord, judgement: Judgement) -> None:
    """Store ``judgement`` on ``record`` (saved with its next version)."""
    record.deadline = judgement.deadline
    record.deadline_official = judgement.official
    record.timeliness = judgement.timeliness
    record.provisional_year = judgement.provisional_year


# --- reads -------------------------------------------------------------------------


def load_record(award_id: str) -> AwardRecord:
    """The current version, read consistently; 404 for an unknown or implausible id."""
    if not is_plausible_id(award_id, "awd"):
        raise NotFoundError(f"no award {award_id[:64]}")
    try:
        return AwardRecord.get(AwardRecord.key(award_id), RECORD_SK, consistent_read=True)
    except AwardRecord.DoesNotExist:
        raise NotFoundError(f"no award {award_id}") from None


def by_source(authority_id: str, source_id: str) -> tuple[SourceGuard, AwardRecord] | None:
    """The guard of ``source_id`` and the record it points to; None if never pushed."""
    try:
        guard = SourceGuard.get(
            SourceGuard.key(authority_id, source_id), GUARD_SK, consistent_read=True
        )
    except SourceGuard.DoesNotExist:
        return None
    record = AwardRecord.get(AwardRecord.key(guard.award_id), RECORD_SK, consistent_read=True)
    return guard, record


def records_by_id(award_ids: list[str]) -> dict[str, AwardRecord]:
    """The current versions of these awards (one BatchGet), by id; unknown ids are absent."""
    keys = [(AwardRecord.key(award_id), RECORD_SK) for award_id in award_ids]
    return {record.id: record for record in AwardRecord.batch_get(keys, consistent_read=True)}


def versions(award_id: str) -> Iterator[AwardVersion]:
    """Earlier versions, oldest first (base-table Query on the record's partition)."""
    return AwardVersion.query(
        AwardRecord.key(award_id),
        AwardVersion.sk.startswith(VERSION_PREFIX),
        consistent_read=True,
    )


def replace_snapshot(earlier: AwardVersion, snapshot: dict[str, Any]) -> None:
    """Rewrite an earlier version's snapshot in place (a redaction's erasure only)."""
    earlier.update(actions=[AwardVersion.snapshot.set(snapshot)])


def award_history(award_id: str) -> list[dict[str, Any]]:
    """Earlier versions as the API shows them, oldest first."""
    return [{**v.snapshot, "superseded_at": v.superseded_at} for v in versions(award_id)]


def earlier_view(award_id: str, version: int) -> dict[str, Any] | None:
    """The award as it was at ``version`` (kept when it was superseded); None if absent."""
    try:
        item = AwardVersion.get(
            AwardRecord.key(award_id), AwardVersion.sort_key(version), consistent_read=True
        )
    except AwardVersion.DoesNotExist:
        return None
    return item.snapshot


def provisional_award_ids(year: int, limit: int) -> list[str]:
    """Up to ``limit`` ids of records judged on a provisional ``year`` (sparse index)."""
    keys = AwardRecord.by_provisional.query(str(year), limit=limit)
    return [item.pk.removeprefix(AwardRecord.key("")) for item in keys]


# --- writes ------------------------------------------------------------------------


def credit_code_page(
    code: str, before: str | None, *, size: int, start: dict[str, Any] | None = None
) -> tuple[list[CreditCodeEntry], dict[str, Any] | None]:
    """One Query of the awards naming ``code``, newest first, read consistently.

    ``before`` is the previous page's last sort key (exclusive); ``start`` where
    the last Query stopped. Returns the index items and the next ``start``.
    """
    condition = CreditCodeEntry.sk < before if before else None
    return newest_first(
        CreditCodeEntry,
        CreditCodeEntry.key(code),
        condition,
        size=size,
        start=start,
        consistent=True,
    )


def _credit_entries(record: AwardRecord, codes: list[str]) -> list[CreditCodeEntry]:
    return [
        CreditCodeEntry(
            pk=CreditCodeEntry.key(code),
            sk=record.feed_key,
            award_id=record.id,
            authority_id=record.authority_id,
            program_id=record.program_id,
        )
        for code in codes
    ]


def _name_entries(record: AwardRecord, names: list[str]) -> list[EnterpriseNameEntry]:
    # Keyed by item: two long names alike in their first KEY_CHARS share one item, and a
    # transaction may not write one item twice.
    entries = {
        (name_partition(name), name_key(name)): EnterpriseNameEntry(
            pk=EnterpriseNameEntry.key(name_partition(name)),
            sk=f"{name_key(name)}#{record.feed_key}",
            award_id=record.id,
            feed_key=record.feed_key,
            year=record.year,
        )
        for name in names
    }
    return list(entries.values())


def _save_index_items(
    tx: TransactWrite, record: AwardRecord, codes: list[str], names: list[str]
) -> None:
    for entry in _credit_entries(record, codes):
        tx.save(entry)
    for name_entry in _name_entries(record, names):
        tx.save(name_entry)


def create(record: AwardRecord) -> dict[str, Any]:
    """Store a new award (record, guard, index items) and publish it; its view.

    The guard is written only if it does not exist: a twin push of the same
    ``source_id`` loses with ``ledger.CommitConflict`` and re-reads the guard.
    """
    view = {**award_view(record), "version": 1}
    guard = SourceGuard(
        pk=SourceGuard.key(record.authority_id, record.source_id),
        award_id=record.id,
        content_hash=record.content_hash,
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(guard, condition=SourceGuard.pk.does_not_exist())
        tx.save(record)
        _save_index_items(tx, record, record.credit_codes, winner_names(record.content))

    ledger.commit(
        record.authority_id,
        ledger.Change("award", record.id, "create", 1, view),
        record.submitted_at,
        writes,
    )
    return view


def commit_version(
    record: AwardRecord,
    snapshot: dict[str, Any],
    op: str,
    at: str,
    more_writes: Callable[[TransactWrite], None] | None = None,
    *,
    note: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Save the changed ``record`` as its next version and publish it, atomically.

    ``snapshot`` is the view read before the change: it is kept as the earlier
    version (never overwritten), beside the record, the change entry and the
    sequence number. ``note`` adds fields to the change entry only (e.g. the
    redacted fields). ``ledger.CommitConflict`` means a concurrent writer won:
    re-read and decide again. Returns the new version's view.
    """
    previous = AwardVersion(
        pk=record.pk,
        sk=AwardVersion.sort_key(snapshot["version"]),
        snapshot=snapshot,
        superseded_at=at,
    )
    view = {**award_view(record), "version": record.version + 1}

    def writes(tx: TransactWrite) -> None:
        tx.save(previous, condition=AwardVersion.pk.does_not_exist())
        tx.save(record)
        if more_writes is not None:
            more_writes(tx)

    data = {**view, **note} if note else view
    ledger.commit(
        record.authority_id,
        ledger.Change("award", record.id, op, view["version"], data),
        at,
        writes,
    )
    return view


def commit_correction(
    record: AwardRecord,
    snapshot: dict[str, Any],
    at: str,
    *,
    new_codes: list[str],
    new_names: list[str],
) -> dict[str, Any]:
    """``commit_version`` of a correction: the guard takes the new content hash, and the
    winners' credit codes and names the record did not have get their index items."""

    def more_writes(tx: TransactWrite) -> None:
        tx.update(
            SourceGuard(pk=SourceGuard.key(record.authority_id, record.source_id)),
            actions=[SourceGuard.content_hash.set(record.content_hash)],
            condition=SourceGuard.award_id == record.id,
        )
        _save_index_items(tx, record, new_codes, new_names)

    return commit_version(record, snapshot, "update", at, more_writes)
