"""Public reads of awards: lists, one award, and verification by credit code.

Every read is a DynamoDB Query, GetItem or BatchGet, never a Scan. The
newest-first list of all awards merges the ``by_shard`` index partitions; the
other filters pick the narrowest index and check the rest in Python. An
enterprise-name search reads the name index items of its prefix (small
items, one Query on one partition), orders them newest first and fetches the
records a page at a time. A page
position is the ``feed_key`` (``submitted_at#id``) of the last item served,
kept in a signed cursor bound to the filters.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.credit_code import InvalidCreditCodeError, validate_credit_code
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import award_for, reader_of
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.names import PARTITION_CHARS, fold_name, name_key, name_partition
from chalicelib.domain.timeliness import china_date
from chalicelib.services.awards import (
    award_history,
    award_view,
    load_record,
    winner_names,
)
from chalicelib.services.keys import Principal
from chalicelib.store.base import iso_utc
from chalicelib.store.models import (
    AwardRecord,
    CreditCodeEntry,
    EnterpriseNameEntry,
    Program,
    SourceGuard,
)

BATCH_GET_MAX = 100
NAME_QUERY_MAX_CHARS = 200


def _credit_code(raw: str | None, *, field: str = "credit_code") -> str:
    if raw is None or not raw.strip():
        raise ValidationError("credit_code is required", field=field)
    try:
        return validate_credit_code(raw, today=china_date(datetime.now(UTC)))
    except InvalidCreditCodeError as exc:
        raise ValidationError(f"credit_code: {exc}", field=field) from None


def with_program_status(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark awards whose programme is not approved, so a verifier sees it."""
    program_ids = list({view["program_id"] for view in views})
    statuses = {}
    for start in range(0, len(program_ids), BATCH_GET_MAX):
        for program in Program.batch_get(program_ids[start : start + BATCH_GET_MAX]):
            statuses[program.id] = program.status
    for view in views:
        status = statuses.get(view["program_id"])
        if status and status != "approved":
            view["program_status"] = status
    return views


def for_reader(views: list[dict[str, Any]], principal: Principal | None) -> list[dict[str, Any]]:
    """Each award as this caller may see it (its owner and admins see everything)."""
    return [award_for(view, reader_of(principal, view["authority_id"])) for view in views]


def get_award(award_id: str, principal: Principal | None = None) -> dict[str, Any]:
    record = load_record(award_id)
    view = with_program_status([award_view(record)])[0]
    view["history"] = award_history(award_id)
    return for_reader([view], principal)[0]


def _records_by_id(award_ids: list[str]) -> dict[str, AwardRecord]:
    keys = [(AwardRecord.key(award_id), "RECORD") for award_id in award_ids]
    return {record.id: record for record in AwardRecord.batch_get(keys, consistent_read=True)}


def _credit_code_stream(code: str, before: str | None, page: int) -> Iterator[AwardRecord]:
    """Awards naming ``code`` now, newest first, read consistently from the base table."""
    condition = CreditCodeEntry.sk < before if before else None
    entries = CreditCodeEntry.query(
        CreditCodeEntry.key(code),
        condition,
        scan_index_forward=False,
        consistent_read=True,
        page_size=page,
    )
    while True:
        chunk = list(itertools.islice(entries, page))
        if not chunk:
            return
        records = _records_by_id([entry.award_id for entry in chunk])
        for entry in chunk:
            record = records.get(entry.award_id)
            # A correction may have removed the winner: its index item stays (never deleted).
            if record is not None and code in record.credit_codes:
                yield record


def _enterprise_name(raw: str) -> str:
    folded = fold_name(raw)
    if len(folded) < PARTITION_CHARS:
        raise ValidationError(
            f"enterprise_name needs at least {PARTITION_CHARS} characters", field="enterprise_name"
        )
    if len(folded) > NAME_QUERY_MAX_CHARS:
        raise ValidationError(
            f"enterprise_name is over {NAME_QUERY_MAX_CHARS} characters", field="enterprise_name"
        )
    return folded


def _name_stream(folded: str, before: str | None, page: int) -> Iterator[AwardRecord]:
    """Awards with a winner whose name ever started with ``folded``, newest first.

    The index orders by name, not time, so the matching items (small, one
    partition) are read first and sorted; a prefix matching more than
    ``name_search_max`` of them is refused rather than read on every request.
    Callers check the record's current winners (a renamed winner's item stays).
    """
    limit = settings().name_search_max
    entries = EnterpriseNameEntry.query(
        EnterpriseNameEntry.key(name_partition(folded)),
        EnterpriseNameEntry.sk.startswith(name_key(folded)),
    )
    newest: dict[str, str] = {}
    for count, entry in enumerate(entries, start=1):
        if count > limit:
            raise ValidationError(
                f"more than {limit} awards match this enterprise name; type more of it",
                field="enterprise_name",
            )
        if before is None or entry.feed_key < before:
            newest[entry.award_id] = entry.feed_key
    ordered = sorted(newest, key=newest.__getitem__, reverse=True)
    for start in range(0, len(ordered), page):
        chunk = ordered[start : start + page]
        records = _records_by_id(chunk)
        yield from (records[award_id] for award_id in chunk if award_id in records)


def _index_stream(
    index: Any, hash_key: str, before: str | None, page: int
) -> Iterator[AwardRecord]:
    condition = AwardRecord.feed_key < before if before else None
    return index.query(hash_key, condition, scan_index_forward=False, page_size=page)


def _all_awards_stream(before: str | None, page: int) -> Iterator[AwardRecord]:
    shards = [
        _index_stream(AwardRecord.by_shard, str(shard), before, page)
        for shard in range(settings().shards)
    ]
    return heapq.merge(*shards, key=lambda record: record.feed_key, reverse=True)


def _page(
    stream: Iterable[AwardRecord],
    keep: Callable[[AwardRecord], bool],
    limit: int,
) -> tuple[list[AwardRecord], bool]:
    items: list[AwardRecord] = []
    for record in stream:
        if not keep(record):
            continue
        if len(items) == limit:
            return items, True
        items.append(record)
    return items, False


def list_awards(
    params: dict[str, str], limit: int, principal: Principal | None = None
) -> dict[str, Any]:
    authority_id = params.get("authority_id")
    program_id = params.get("program_id")
    source_id = params.get("source_id")
    year_text = params.get("year")
    name_text = params.get("enterprise_name")
    include_revoked_text = params.get("include_revoked", "false").lower()
    if authority_id is not None and authority_id not in AUTHORITY_IDS:
        raise ValidationError("unknown authority_id", field="authority_id")
    if year_text is not None and not (
        year_text.isascii() and year_text.isdigit() and len(year_text) == 4
    ):
        raise ValidationError("year must be a 4-digit year", field="year")
    if include_revoked_text not in ("true", "false"):
        raise ValidationError("include_revoked must be true or false", field="include_revoked")
    for name, longest in (("program_id", 64), ("source_id", 128)):
        value = params.get(name)
        if value is not None and not 1 <= len(value) <= longest:
            raise ValidationError(f"{name} must be 1..{longest} characters", field=name)
    if source_id is not None and authority_id is None:
        raise ValidationError("source_id needs authority_id", field="authority_id")
    code = _credit_code(params["credit_code"]) if "credit_code" in params else None
    name = _enterprise_name(name_text) if name_text is not None else None
    year = int(year_text) if year_text else None
    include_revoked = include_revoked_text == "true"
    filters = {
        "authority_id": authority_id,
        "program_id": program_id,
        "source_id": source_id,
        "year": year,
        "credit_code": code,
        "enterprise_name": name,
        "include_revoked": include_revoked,
    }
    secret = settings().server_secret
    scope = scope_of("awards", filters)
    before = None
    if params.get("cursor"):
        before = decode_cursor(params["cursor"], secret=secret, scope=scope)["before"]

    def keep(record: AwardRecord) -> bool:
        return (
            (include_revoked or record.status == "active")
            and (authority_id is None or record.authority_id == authority_id)
            and (program_id is None or record.program_id == program_id)
            and (year is None or record.year == year)
            and (code is None or code in record.credit_codes)
            and (name is None or any(n.startswith(name) for n in winner_names(record.content)))
        )

    page = min(limit + 1, 100)
    if source_id is not None:
        stream: Iterable[AwardRecord] = _by_source(authority_id, source_id, before)
    elif code is not None:
        stream = _credit_code_stream(code, before, page)
    elif name is not None:
        stream = _name_stream(name, before, page)
    elif program_id is not None:
        stream = _index_stream(AwardRecord.by_program, program_id, before, page)
    elif authority_id is not None:
        stream = _index_stream(AwardRecord.by_authority, authority_id, before, page)
    else:
        stream = _all_awards_stream(before, page)
    items, more = _page(stream, keep, limit)
    next_cursor = None
    if more:
        next_cursor = encode_cursor({"before": items[-1].feed_key}, secret=secret, scope=scope)
    views = with_program_status([award_view(record) for record in items])
    return {"items": for_reader(views, principal), "next_cursor": next_cursor}


def _by_source(authority_id: str, source_id: str, before: str | None) -> list[AwardRecord]:
    try:
        guard = SourceGuard.get(SourceGuard.key(authority_id, source_id), "GUARD")
    except SourceGuard.DoesNotExist:
        return []
    record = load_record(guard.award_id)
    return [record] if before is None or record.feed_key < before else []


def verify(
    params: dict[str, str], limit: int, principal: Principal | None = None
) -> dict[str, Any]:
    """What a local authority checks instead of asking for paper proof (SPEC §1.5)."""
    code = _credit_code(params.get("credit_code"))
    secret = settings().server_secret
    scope = scope_of("verify", {"credit_code": code})
    before = None
    if params.get("cursor"):
        before = decode_cursor(params["cursor"], secret=secret, scope=scope)["before"]
    as_of = iso_utc(datetime.now(UTC))
    records, more = _page(
        _credit_code_stream(code, before, min(limit + 1, 100)), lambda r: True, limit
    )
    views = for_reader(with_program_status([award_view(r) for r in records]), principal)
    for view in views:
        view["enterprise_role"] = next(
            w["role"] for w in view["winners"] if w["credit_code"] == code
        )
    next_cursor = None
    if more:
        next_cursor = encode_cursor({"before": records[-1].feed_key}, secret=secret, scope=scope)
    return {
        "credit_code": code,
        "as_of": as_of,
        "awards": [v for v in views if v["status"] == "active"],
        "revoked": [v for v in views if v["status"] == "revoked"],
        "next_cursor": next_cursor,
    }
