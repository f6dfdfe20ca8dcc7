"""Award records: push, idempotent retry, correction, revocation (SPEC §3–4, §6).

A push stores the record with its source-id guard and index items, all in
one transaction with its change entry (``store/awards.py``). A retry with
the same content finds the guard and answers 200 with the same id; different
content under the same ``source_id`` is a 409. Records are never deleted: a
correction or revocation keeps the earlier version. Each write re-reads,
decides and commits until it lands (``ledger.until_committed``) and answers
the award as its owner sees it (``award_reads.finished``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import places, program_status, schemas
from chalicelib.domain.authorities import division_prefix
from chalicelib.domain.china_time import china_date
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
from chalicelib.domain.ids import new_id
from chalicelib.domain.names import winner_names
from chalicelib.domain.principal import Province
from chalicelib.observability import count
from chalicelib.services.award_reads import finished
from chalicelib.services.calendars import judge
from chalicelib.services.programs import facts_of
from chalicelib.store import awards as store
from chalicelib.store import batch_reads, ledger
from chalicelib.store import programs as program_store
from chalicelib.store.awards import AwardRecord
from chalicelib.store.base import iso_utc
from chalicelib.store.programs import Program


@dataclass(frozen=True)
class PushResult:
    """A push that landed: the award, and whether it is new (else an idempotent retry)."""

    award: dict[str, Any]
    created: bool


def _parse(data: Any, now: datetime) -> schemas.AwardIn:
    """A batch's record (raw JSON) as the model a single push gets from the edge."""
    return schemas.parse_model(
        schemas.AwardIn, data, today=china_date(now), earliest_award=settings().backfill_from
    )


def _check_record(principal: Province, award: schemas.AwardIn) -> None:
    """The record's own rules, after its schema; all their problems reported at once."""
    problems = [
        ErrorDetail(
            "duplicate_winner",
            f"credit code {code} already appears as winners[{first}]",
            f"字段 winners[{index}].credit_code：同一奖项中统一社会信用代码重复"
            f"（与 winners[{first}] 相同）",
            f"winners[{index}].credit_code",
        )
        for index, first, code in award.duplicate_winners()
    ]
    location = award.project.location_code
    if location and not places.location(location)["province"]:
        problems.append(  # 999999 is no place at all, not a place in another province
            ValidationError(
                "project.location_code is not a GB/T 2260 division code",
                field="project.location_code",
            ).detail()
        )
    elif location and not location.startswith(division_prefix(principal.authority_id)):
        problems.append(
            ValidationError(
                "project.location_code is not in this authority's province",
                field="project.location_code",
            ).detail()
        )
    if problems:
        first = problems[0]
        if first.code == "duplicate_winner":
            raise BusinessRuleError(
                first.code,
                first.message,
                field=first.field,
                message_zh=first.message_zh,
                details=problems,
            )
        raise ValidationError(
            first.message, field=first.field, message_zh=first.message_zh, details=problems
        )


def _check_program(
    principal: Province, award: schemas.AwardIn, program: Program | None
) -> dict[str, Any]:
    """The record's programme (``program``, as read: None when there is none) must be this
    province's, pushable, and cover its category.

    Returns its facts (``programs.facts_of``), which the answer shows: read once.
    """
    if program is None:
        raise NotFoundError(f"no programme {award.program_id}", field="program_id")
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
    return facts_of(program)


def _new_record(
    authority_id: str, award: schemas.AwardIn, content_hash: str, now: datetime
) -> AwardRecord:
    """The first version of a pushed award, judged with the calendar in force."""
    at = iso_utc(now)
    award_id = new_id("awd")
    record = store.new_record(
        id=award_id,
        authority_id=authority_id,
        source_id=award.source_id,
        program_id=award.program_id,
        year=award.year,
        awarded_on=award.awarded_on.isoformat(),
        content=award.model_dump(mode="json", exclude_none=True),
        content_hash=content_hash,
        credit_codes=[w.credit_code for w in award.winners],
        submitted_at=at,
        awarded_on_changes=[],
        status="active",
        created_at=at,
        updated_at=at,
        shard=store.shard_of(award_id),
        feed_key=f"{at}#{award_id}",
    )
    store.set_judgement(record, judge(award.awarded_on, at))
    return record


def _push(
    principal: Province,
    award: schemas.AwardIn,
    now: datetime,
    known: dict[str, dict[str, Any]] | None = None,
) -> PushResult:
    """Push one record: the new award, or the one this retry created.

    ``known`` receives the facts of the programme it read (``programs.facts_of``), so
    the answer does not read it again.
    """
    _check_record(principal, award)
    content_hash = award.canonical_hash()
    program_checked = False

    def attempt() -> PushResult:
        nonlocal program_checked
        # The guard, the programme (until checked) and the authority's sequence counter
        # in one consistent BatchGetItem; a retried attempt reads them all again.
        read = batch_reads.push_reads(
            principal.authority_id, award.source_id, None if program_checked else award.program_id
        )
        existing = store.guarded(read.guard)
        if existing is not None:
            guard, record = existing
            if guard.content_hash == content_hash:
                count("PushRetries")
                return PushResult(store.award_view(record), created=False)
            raise ConflictError(
                "source_id_conflict",
                f"source_id {award.source_id} was pushed with other content (award {record.id}); "
                "correct it with PUT /v1/awards/{id}",
                field="source_id",
            )
        if not program_checked:
            facts = _check_program(principal, award, read.program)
            if known is not None:
                known[award.program_id] = facts
            program_checked = True
        record = _new_record(principal.authority_id, award, content_hash, now)
        # When a twin push or a concurrent change wins the race, the next attempt re-reads
        # the guard and decides again.
        view = store.create(record, read.authority)
        count("Pushes")
        if record.timeliness["status"] == "late":
            count("LatePushes")
        return PushResult(view, created=True)

    return ledger.until_committed(attempt)


def push_award(principal: Province, award: schemas.AwardIn, now: datetime) -> PushResult:
    """Push one record; the award as its owner sees it (new, or the same again)."""
    known: dict[str, dict[str, Any]] = {}  # the programme, read once by the push
    result = _push(principal, award, now, known)
    return PushResult(finished(result.award, known), result.created)


def push_batch(
    principal: Province, records: list[dict[str, Any]], now: datetime
) -> list[PushResult | RegistryError]:
    """Push up to ``max_batch_records`` records (raw JSON); each stands or falls on its own.

    One outcome per record, in order: what landed, or the error that refused it.
    """
    limit = settings().max_batch_records
    if len(records) > limit:
        raise ValidationError(f"at most {limit} records per batch", field="records")
    outcomes: list[PushResult | RegistryError] = []
    for record in records:
        try:
            outcomes.append(_push(principal, _parse(record, now), now))
        except RegistryError as error:
            outcomes.append(error)
    return outcomes


def _owned_record(principal: Province, award_id: str) -> AwardRecord:
    record = store.load_record(award_id)
    if record.authority_id != principal.authority_id:
        raise ForbiddenError("this award belongs to another authority")
    return record


def correct_award(
    principal: Province,
    award_id: str,
    expected: int | None,
    award: schemas.AwardIn,
    now: datetime,
) -> dict[str, Any]:
    """Replace a record's content under ``If-Match``; the first ``submitted_at`` stays."""
    record = _owned_record(principal, award_id)
    if expected is None:
        raise IfMatchRequiredError("send If-Match with the version you read", field="If-Match")
    _check_record(principal, award)
    if award.source_id != record.source_id:
        raise ValidationError("source_id cannot change in a correction", field="source_id")
    _check_program(principal, award, program_store.get(award.program_id))
    content_hash = award.canonical_hash()
    already_read = iter([record])  # the first attempt decides on the record read above

    def attempt() -> dict[str, Any]:
        record = next(already_read, None) or store.load_record(award_id)
        if record.status == "revoked":
            raise ConflictError("award_revoked", "a revoked award cannot be corrected")
        if expected != record.version:
            raise VersionMismatchError(
                f"the award is at version {record.version}, not {expected}", field="If-Match"
            )
        if content_hash == record.content_hash:
            return store.award_view(record)  # nothing changed: no new version
        at = iso_utc(now)
        snapshot = store.award_view(record)
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
            store.set_judgement(record, judge(award.awarded_on, record.submitted_at))
        record.awarded_on = new_awarded_on
        record.program_id = award.program_id
        year_changed = record.year != award.year
        record.year = award.year
        # A redacted field stays erased: a correction that sends it again does not restore it.
        record.content = erase(
            award.model_dump(mode="json", exclude_none=True), store.redacted_fields(record)
        )
        record.content_hash = content_hash
        record.credit_codes = [w.credit_code for w in award.winners]
        record.updated_at = at
        # Index items are never deleted: only codes and names the record did not have get
        # one, unless the year changed (the name items carry it: rewrite them all, same keys).
        return store.commit_correction(
            record,
            snapshot,
            at,
            new_codes=[c for c in record.credit_codes if c not in old_codes],
            new_names=[
                n for n in winner_names(record.content) if n not in old_names or year_changed
            ],
        )

    return finished(ledger.until_committed(attempt))


def revoke_award(
    principal: Province, award_id: str, body: schemas.RevokeIn, now: datetime
) -> dict[str, Any]:
    """Withdraw an award from the public lists; it stays readable, marked revoked."""
    _owned_record(principal, award_id)

    def attempt() -> dict[str, Any]:
        record = store.load_record(award_id)
        if record.status == "revoked":
            raise ConflictError("award_revoked", "the award is already revoked")
        at = iso_utc(now)
        snapshot = store.award_view(record)
        record.status = "revoked"
        record.revoked_reason = body.reason
        record.revoked_document_number = body.document_number
        record.revoked_at = at
        record.updated_at = at
        return store.commit_version(record, snapshot, "revoke", at)

    return finished(ledger.until_committed(attempt))
