"""Store many awards fast, with the items a push writes (benchmarks only).

Record, source guard, credit-code items and the change entry, written with
BatchWriteItem 25 at a time instead of one transaction each, so 10,000 awards
take seconds. The record's index keys are derived by the model on serialize,
as on every write path of the app. Works against whatever endpoint boto3 is
pointed at (in-process moto or the local launcher).

With ``quality_index`` the awards are also stored as the data-quality checks have
indexed them (issue 22): the items ``store/quality.write_index`` writes for each,
built by the same ``index_items`` from the same rules (``quality_rules.index_keys``),
and the authority's ``elsewhere`` counter. That stands in for the rescan a backfill
gets, minus its judging: a benchmark that uses it must have a history the rules find
nothing in (``bench/audit_reads.py`` checks that on a small size).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def fill_awards(
    authority_id: str,
    program_id: str,
    start: int,
    count: int,
    *,
    year: int = 2024,
    on_time: bool = False,
    quality_index: bool = False,
    adjust: Callable[[int, dict[str, Any]], None] | None = None,
) -> None:
    """Store ``count`` awards of ``authority_id`` in ``program_id`` for ``year`` (judged
    late, or ``on_time``), indexed for the data-quality checks with ``quality_index``.

    Each award has its own two winners; ``adjust(n, body)`` may change the n-th body
    (e.g. its project name or a winner) before it is validated."""
    import boto3

    from chalicelib.config import settings
    from chalicelib.domain import quality_rules
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.schemas import AwardIn, parse_model
    from chalicelib.store.awards import award_view, shard_of
    from chalicelib.store.base import iso_utc
    from chalicelib.store.models import (
        AuthorityRecord,
        AwardRecord,
        ChangeEntry,
        CreditCodeEntry,
        SourceGuard,
    )
    from chalicelib.store.quality import QualityCounter, index_items
    from tests.factories import award_body, credit_code

    ddb = boto3.client("dynamodb")
    awards_table, changes_table = settings().table_name("awards"), settings().table_name("changes")
    quality_table = settings().table_name("quality")
    elsewhere_total = 0
    authority = AuthorityRecord.get(authority_id, consistent_read=True)
    seq = int(authority.seq or 0)
    pending: list[tuple[str, dict]] = []
    prefix = f"91{authority_id[:2]}0000"

    def flush(force: bool = False) -> None:
        while len(pending) >= 25 or (force and pending):
            chunk, pending[:] = pending[:25], pending[25:]
            by_table: dict[str, list] = {}
            for table, item in chunk:
                by_table.setdefault(table, []).append({"PutRequest": {"Item": item}})
            assert not ddb.batch_write_item(RequestItems=by_table)["UnprocessedItems"]

    for n in range(start, start + count):
        body = award_body(program_id, source_id=f"FILL-{n}", year=year, awarded_on=f"{year}-03-15")
        body["winners"][0]["credit_code"] = credit_code(2_000_000 + 2 * n, prefix=prefix)
        body["winners"][1]["credit_code"] = credit_code(2_000_001 + 2 * n, prefix=prefix)
        if adjust is not None:
            adjust(n, body)
        award = parse_model(AwardIn, body, today=datetime.now(UTC).date())
        at = iso_utc(datetime.now(UTC))
        award_id = new_id("awd")
        record = AwardRecord(
            pk=AwardRecord.key(award_id),
            id=award_id,
            authority_id=authority_id,
            source_id=award.source_id,
            program_id=program_id,
            year=award.year,
            awarded_on=award.awarded_on.isoformat(),
            content=award.model_dump(mode="json", exclude_none=True),
            content_hash=award.canonical_hash(),
            credit_codes=[w.credit_code for w in award.winners],
            submitted_at=at,
            deadline=f"{year}-03-29",
            deadline_official=True,
            timeliness=(
                {"status": "on_time", "working_days_late": 0, "calendar": "official"}
                if on_time
                else {"status": "late", "working_days_late": 100, "calendar": "official"}
            ),
            awarded_on_changes=[],
            status="active",
            created_at=at,
            updated_at=at,
            shard=shard_of(award_id),
            feed_key=f"{at}#{award_id}",
            version=1,
        )
        seq += 1
        items = [
            record,
            SourceGuard(
                pk=SourceGuard.key(authority_id, award.source_id),
                award_id=award_id,
                content_hash=record.content_hash,
            ),
            *(
                CreditCodeEntry(
                    pk=CreditCodeEntry.key(code),
                    sk=record.feed_key,
                    award_id=award_id,
                    authority_id=authority_id,
                )
                for code in record.credit_codes
            ),
        ]
        pending.extend((awards_table, item.serialize()) for item in items)
        change = ChangeEntry(
            authority_id=authority_id,
            seq=seq,
            entity="award",
            entity_id=award_id,
            op="create",
            version=1,
            committed_at=at,
            data=award_view(record),
        )
        pending.append((changes_table, change.serialize()))
        if quality_index:
            facts = quality_rules.facts_of(change.data)
            elsewhere = 1 if quality_rules.registered_elsewhere(facts) else 0
            elsewhere_total += elsewhere
            entries, facts_item = index_items(
                award_id,
                facts.to_dict(),
                quality_rules.index_keys(facts),
                elsewhere=elsewhere,
                version_seen=1,
            )
            pending.extend((quality_table, item.serialize()) for item in [*entries, facts_item])
        flush()
    flush(force=True)
    authority.update(actions=[AuthorityRecord.seq.set(seq)])
    if elsewhere_total:
        QualityCounter(sk=authority_id).update(
            actions=[QualityCounter.elsewhere.add(elsewhere_total)]
        )
