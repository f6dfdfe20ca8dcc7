"""Award records: push, idempotent retry, correction, revocation (SPEC §3–4, §6).

A push writes the record, its source-id guard, one credit-code index item and
one enterprise-name index item per winner, its change entry and the
authority's sequence counter in one transaction (``ledger.commit``): with 40
winners at most, 2 + 40 + 40 + 2 = 84 items, a correction 85, under
DynamoDB's 100. A retry with the same content finds the guard
and answers 200 with the same id; different content under the same
``source_id`` is a 409. Records are never deleted: a correction or revocation
keeps the earlier version as an ``AwardVersion`` item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import program_status
from chalicelib.domain.authorities import division_prefix
from chalicelib.domain.disclosure import erase
from chalicelib.domain.errors import (
    BusinessRuleError,
    ConflictError,
    ErrorDetail,
    ForbiddenError,
    IfMatchRequiredError,
    NotFoundError,
    RegistryError,
    ValidationError,
    VersionMismatchError,
)
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.names import fold_name, name_key, name_partition
from chalicelib.domain.schemas import AwardIn, BatchIn, RevokeIn, duplicate_winners, parse_model
from chalicelib.domain.timeliness import china_date, deadline_for, judge_push, provisional_year
from chalicelib.observability import count
from chalicelib.services.calendars import workday_calendar
from chalicelib.services.keys import PROVINCIAL, Principal, require
from chalicelib.store import ledger
from chalicelib.store.base import iso_utc, parse_iso_utc
from chalicelib.store.models import (
    AwardRecord,
    AwardVersion,
    CreditCodeEntry,
    EnterpriseNameEntry,
    Program,
    SourceGuard,
)


@dataclass(frozen=True)
class PushResult:
    status: int  # 201 created, 200 the same record again
    award: dict[str, Any]


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


def shard_of(award_id: str) -> str:
    digest = hashlib.sha256(award_id.encode()).digest()
    return str(int.from_bytes(digest[:4], "big") % settings().shards)


@dataclass(frozen=True)
class Judgement:
    """The deadline and timeliness of a record, as stored on it."""

    deadline: str
    official: bool
    timeliness: dict[str, Any]
    provisional_year: str | None  # set only while it rests on a provisional year

    def apply(self, record: AwardRecord) -> None:
        record.deadline = self.deadline
        record.deadline_official = self.official
        record.timeliness = self.timeliness
        record.provisional_year = self.provisional_year


def judge_record(awarded_on: date, submitted_at: str) -> Judgement:
    """Judge a record with the calendar in force now (library plus loaded years)."""
    calendar = workday_calendar()
    deadline = deadline_for(awarded_on, calendar, settings().timeliness_policy)
    pushed_on = china_date(parse_iso_utc(submitted_at))
    timeliness = judge_push(pushed_on, deadline, calendar)
    year = None
    if timeliness.calendar == "provisional":
        year = provisional_year(awarded_on, deadline, pushed_on, calendar) or awarded_on.year
    return Judgement(
        deadline=deadline.due_on.isoformat(),
        official=deadline.official,
        timeliness=timeliness.to_dict(),
        provisional_year=str(year) if year is not None else None,
    )


def _validate(principal: Principal, data: Any, now: datetime) -> AwardIn:
    """The schema, then the record's own rules; each stage reports all its problems at once."""
    award = parse_model(
        AwardIn, data, today=china_date(now), earliest_award=settings().backfill_from
    )
    problems = [
        ErrorDetail(
            "duplicate_winner",
            f"credit code {code} already appears as winners[{first}]",
            f"字段 winners[{index}].credit_code：同一奖项中统一社会信用代码重复"
            f"（与 winners[{first}] 相同）",
            f"winners[{index}].credit_code",
        )
        for index, first, code in duplicate_winners(award)
    ]
    location = award.project.location_code
    if location and not location.startswith(division_prefix(principal.authority_id)):
        problems.append(
            ValidationError(
                "project.location_code is not in this authority's province",
                field="project.location_code",
            ).detail()
        )
    if problems:
        first = problems[0]
        said = {"field": first.field, "message_zh": first.message_zh, "details": problems}
        if first.code == "duplicate_winner":
            raise BusinessRuleError(first.code, first.message, **said)
        raise ValidationError(first.message, **said)
    return award


def _check_program(principal: Principal, award: AwardIn) -> None:
    """The record's programme must be this province's, pushable, and cover its category."""
    try:
        program = Program.get(award.program_id, consistent_read=True)
    except Program.DoesNotExist:
        raise NotFoundError(f"no programme {award.program_id}", field="program_id") from None
    if program.authority_id != principal.authority_id:
        if program.status in program_status.PUBLIC:
            raise ForbiddenError("the programme belongs to another authority", field="program_id")
        raise NotFoundError(f"no programme {award.program_id}", field="program_id")
    if program.status not in program_status.PUSHABLE:
        raise ConflictError(
            "invalid_state",
            "awards can be pushed only to a submitted or approved programme; "
            f"it is {program.status}",
            field="program_id",
        )
    if award.project.category not in program.content.get("categories", []):
        raise BusinessRuleError(
            "out_of_scope",
            f"the programme covers {', '.join(program.content.get('categories', []))}, "
            f"not {award.project.category}",
            field="project.category",
        )


def _credit_entries(record: AwardRecord, codes: list[str]) -> list[CreditCodeEntry]:
    return [
        CreditCodeEntry(
            pk=CreditCodeEntry.key(code),
            sk=record.feed_key,
            award_id=record.id,
            authority_id=record.authority_id,
        )
        for code in codes
    ]


def winner_names(content: dict[str, Any]) -> list[str]:
    """The folded winner names of a record's content, each once (one index item per name)."""
    return list(dict.fromkeys(fold_name(w["name"]) for w in content["winners"]))


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


def push_award(principal: Principal | None, data: Any, now: datetime) -> PushResult:
    principal = require(principal, PROVINCIAL)
    award = _validate(principal, data, now)
    content = award.model_dump(mode="json", exclude_none=True)
    content_hash = award.canonical_hash()
    guard_key = SourceGuard.key(principal.authority_id, award.source_id)
    program_checked = False
    for _ in ledger.retrying():
        existing = _existing_by_guard(guard_key)
        if existing is not None:
            guard, record = existing
            if guard.content_hash == content_hash:
                count("PushRetries")
                return PushResult(200, award_view(record))
            raise ConflictError(
                "source_id_conflict",
                f"source_id {award.source_id} was pushed with other content (award {record.id}); "
                "correct it with PUT /v1/awards/{id}",
                field="source_id",
            )
        if not program_checked:
            _check_program(principal, award)
            program_checked = True
        at = iso_utc(now)
        award_id = new_id("awd")
        judgement = judge_record(award.awarded_on, at)
        record = AwardRecord(
            pk=AwardRecord.key(award_id),
            id=award_id,
            authority_id=principal.authority_id,
            source_id=award.source_id,
            program_id=award.program_id,
            year=award.year,
            awarded_on=award.awarded_on.isoformat(),
            content=content,
            content_hash=content_hash,
            credit_codes=[w.credit_code for w in award.winners],
            submitted_at=at,
            awarded_on_changes=[],
            status="active",
            created_at=at,
            updated_at=at,
            shard=shard_of(award_id),
            feed_key=f"{at}#{award_id}",
        )
        judgement.apply(record)
        view = {**award_view(record), "version": 1}
        guard = SourceGuard(pk=guard_key, award_id=award_id, content_hash=content_hash)

        def writes(tx: Any, record: AwardRecord = record, guard: SourceGuard = guard) -> None:
            tx.save(guard, condition=SourceGuard.pk.does_not_exist())
            tx.save(record)
            for entry in _credit_entries(record, record.credit_codes):
                tx.save(entry)
            for name_entry in _name_entries(record, winner_names(record.content)):
                tx.save(name_entry)

        try:
            ledger.commit(
                principal.authority_id,
                ledger.Change("award", award_id, "create", 1, view),
                at,
                writes,
            )
        except ledger.CommitConflict:
            continue  # a twin push or a concurrent change: re-read the guard and decide
        count("Pushes")
        if judgement.timeliness["status"] == "late":
            count("LatePushes")
        return PushResult(201, view)
    raise AssertionError("unreachable: retrying() raises when attempts run out")


def _existing_by_guard(guard_key: str) -> tuple[SourceGuard, AwardRecord] | None:
    try:
        guard = SourceGuard.get(guard_key, "GUARD", consistent_read=True)
    except SourceGuard.DoesNotExist:
        return None
    record = AwardRecord.get(AwardRecord.key(guard.award_id), "RECORD", consistent_read=True)
    return guard, record


def push_batch(principal: Principal | None, data: Any, now: datetime) -> dict[str, Any]:
    """Push up to 100 records; each stands or falls on its own."""
    principal = require(principal, PROVINCIAL)
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        limit = settings().max_batch_records
        if len(data["records"]) > limit:
            raise ValidationError(f"at most {limit} records per batch", field="records")
    batch = parse_model(BatchIn, data)
    results = []
    for index, record in enumerate(batch.records):
        try:
            result = push_award(principal, record, now)
        except RegistryError as error:
            body = error.to_body(max_details=settings().max_error_details)
            results.append({"index": index, "status": error.status, **body})
            continue
        results.append({"index": index, "status": result.status, "id": result.award["id"]})
    return {"results": results}


def load_record(award_id: str) -> AwardRecord:
    if not is_plausible_id(award_id, "awd"):
        raise NotFoundError(f"no award {award_id[:64]}")
    try:
        return AwardRecord.get(AwardRecord.key(award_id), "RECORD", consistent_read=True)
    except AwardRecord.DoesNotExist:
        raise NotFoundError(f"no award {award_id}") from None


def _owned_record(principal: Principal, award_id: str) -> AwardRecord:
    record = load_record(award_id)
    if record.authority_id != principal.authority_id:
        raise ForbiddenError("this award belongs to another authority")
    return record


def commit_version(
    record: AwardRecord,
    snapshot: dict[str, Any],
    op: str,
    at: str,
    more_writes: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Save the changed ``record`` as its next version and publish it, atomically.

    ``snapshot`` is the view read before the change: it is kept as the earlier
    version (never overwritten), beside the record, the change entry and the
    sequence number. ``ledger.CommitConflict`` means a concurrent writer won:
    re-read and decide again.
    """
    previous = AwardVersion(
        pk=record.pk,
        sk=AwardVersion.sort_key(snapshot["version"]),
        snapshot=snapshot,
        superseded_at=at,
    )
    view = {**award_view(record), "version": record.version + 1}

    def writes(tx: Any) -> None:
        tx.save(previous, condition=AwardVersion.pk.does_not_exist())
        tx.save(record)
        if more_writes is not None:
            more_writes(tx)

    ledger.commit(
        record.authority_id,
        ledger.Change("award", record.id, op, view["version"], view),
        at,
        writes,
    )
    return view


def correct_award(
    principal: Principal | None,
    award_id: str,
    expected: int | None,
    data: Any,
    now: datetime,
) -> dict[str, Any]:
    """Replace a record's content under ``If-Match``; the first ``submitted_at`` stays."""
    principal = require(principal, PROVINCIAL)
    record = _owned_record(principal, award_id)
    if expected is None:
        raise IfMatchRequiredError("send If-Match with the version you read", field="If-Match")
    award = _validate(principal, data, now)
    if award.source_id != record.source_id:
        raise ValidationError("source_id cannot change in a correction", field="source_id")
    _check_program(principal, award)
    content_hash = award.canonical_hash()
    for attempt in ledger.retrying():
        if attempt:
            record = load_record(award_id)
        if record.status == "revoked":
            raise ConflictError("award_revoked", "a revoked award cannot be corrected")
        if expected != record.version:
            raise VersionMismatchError(
                f"the award is at version {record.version}, not {expected}", field="If-Match"
            )
        if content_hash == record.content_hash:
            return award_view(record)  # nothing changed: no new version
        at = iso_utc(now)
        snapshot = award_view(record)
        old_codes = set(record.credit_codes)
        old_names = set(winner_names(record.content))
        new_awarded_on = award.awarded_on.isoformat()
        if new_awarded_on != record.awarded_on:
            record.awarded_on_changes = [
                *record.awarded_on_changes,
                {
                    "from": record.awarded_on,
                    "to": new_awarded_on,
                    "at": at,
                    "version": record.version + 1,
                },
            ]
            judge_record(award.awarded_on, record.submitted_at).apply(record)
        record.awarded_on = new_awarded_on
        record.program_id = award.program_id
        year_changed = record.year != award.year
        record.year = award.year
        # A redacted field stays erased: a correction that sends it again does not restore it.
        record.content = erase(
            award.model_dump(mode="json", exclude_none=True), redacted_fields(record)
        )
        record.content_hash = content_hash
        record.credit_codes = [w.credit_code for w in award.winners]
        record.updated_at = at
        new_codes = [c for c in record.credit_codes if c not in old_codes]
        # Index items are never deleted: only names the record did not have get one, unless
        # the year changed (the name items carry it: rewrite them all, same keys).
        new_names = [n for n in winner_names(record.content) if n not in old_names or year_changed]

        def more_writes(
            tx: Any,
            record: AwardRecord = record,
            new_codes: list[str] = new_codes,
            new_names: list[str] = new_names,
        ) -> None:
            tx.update(
                SourceGuard(pk=SourceGuard.key(record.authority_id, record.source_id)),
                actions=[SourceGuard.content_hash.set(record.content_hash)],
                condition=SourceGuard.award_id == record.id,
            )
            for entry in _credit_entries(record, new_codes):
                tx.save(entry)
            for name_entry in _name_entries(record, new_names):
                tx.save(name_entry)

        try:
            return commit_version(record, snapshot, "update", at, more_writes)
        except ledger.CommitConflict:
            continue
    raise AssertionError("unreachable: retrying() raises when attempts run out")


def revoke_award(
    principal: Principal | None, award_id: str, data: Any, now: datetime
) -> dict[str, Any]:
    principal = require(principal, PROVINCIAL)
    _owned_record(principal, award_id)
    body = parse_model(RevokeIn, data)
    for _ in ledger.retrying():
        record = load_record(award_id)
        if record.status == "revoked":
            raise ConflictError("award_revoked", "the award is already revoked")
        at = iso_utc(now)
        snapshot = award_view(record)
        record.status = "revoked"
        record.revoked_reason = body.reason
        record.revoked_document_number = body.document_number
        record.revoked_at = at
        record.updated_at = at
        try:
            return commit_version(record, snapshot, "revoke", at)
        except ledger.CommitConflict:
            continue
    raise AssertionError("unreachable: retrying() raises when attempts run out")


def award_history(award_id: str) -> list[dict[str, Any]]:
    """Earlier versions, oldest first (base-table Query on the record's partition)."""
    versions = AwardVersion.query(
        AwardRecord.key(award_id), AwardVersion.sk.startswith("V#"), consistent_read=True
    )
    return [{**v.snapshot, "superseded_at": v.superseded_at} for v in versions]
