"""In-memory twins of the awards repository and of what a push reads beside it.

``store/awards.py`` (records, earlier versions, source-id guards, credit-code and name
index items: the items of the one awards table), ``store/batch_reads.py`` (a push's one
consistent BatchGetItem, verify's records and programme facts) and ``store/calendar.py``
(the loaded working-day years a push is judged with). As in ``tests/twins.py``: every
public function of the module, the same meaning, items in and out through the models'
own ``serialize``/``from_raw_data``, and the same conditions the transactions carry
(a guard written only once, a record saved only over the version it was read at, an
earlier version never overwritten, the authority's ``seq`` moved only from the value
read), each refused as ``ledger.CommitConflict``. A commit publishes its change entry
through the changes twin, so a test reads the feed as a consumer would.

The pure helpers of ``store/awards.py`` (views, judgements, shards) are the real ones,
kept here before ``install`` points the module's names at the twin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.domain.errors import NotFoundError, UnavailableError
from chalicelib.domain.ids import is_plausible_id
from chalicelib.domain.names import winner_names
from chalicelib.domain.workdays import YearArrangement
from chalicelib.store import awards, batch_reads, calendar, ledger
from chalicelib.store.batch_reads import PushReads
from chalicelib.store.calendar import CURRENT, CalendarYear
from chalicelib.store.models import (
    GUARD_SK,
    RECORD_SK,
    AuthorityRecord,
    AwardRecord,
    AwardVersion,
    CreditCodeEntry,
    SourceGuard,
)
from tests.twins import (
    InMemoryAuthorities,
    InMemoryChanges,
    InMemoryPrograms,
    Twins,
    install,
)

Key = tuple[str, str]  # (pk, sk) of an item of the awards table


def _raw(item: Any) -> dict[str, Any]:
    return item.serialize()


class InMemoryAwards:
    """``store/awards.py`` over one dict of the awards table's items by ``(pk, sk)``.

    ``changes`` and ``authorities`` are the twins a commit publishes through (the change
    entry and the authority's ``seq``, as ``ledger.commit`` writes them in the same
    transaction); ``commits`` lists ``(op, award_id, version)`` in commit order.
    """

    # The real pure helpers (captured before any install replaces the module's names).
    award_view = staticmethod(awards.award_view)
    redacted_fields = staticmethod(awards.redacted_fields)
    new_record = staticmethod(awards.new_record)
    shard_of = staticmethod(awards.shard_of)
    judgement_of = staticmethod(awards.judgement_of)
    set_judgement = staticmethod(awards.set_judgement)

    def __init__(self, changes: InMemoryChanges, authorities: InMemoryAuthorities) -> None:
        self.items: dict[Key, dict[str, Any]] = {}
        self.changes = changes
        self.authorities = authorities
        self.commits: list[tuple[str, str, int]] = []

    # --- reads ---------------------------------------------------------------------

    def _get(self, model: Any, pk: str, sk: str) -> Any | None:
        raw = self.items.get((pk, sk))
        return None if raw is None else model.from_raw_data(raw)

    def _record(self, award_id: str) -> AwardRecord | None:
        return self._get(AwardRecord, AwardRecord.key(award_id), RECORD_SK)

    def load_record(self, award_id: str) -> AwardRecord:
        if not is_plausible_id(award_id, "awd"):
            raise NotFoundError(f"no award {award_id[:64]}")
        record = self._record(award_id)
        if record is None:
            raise NotFoundError(f"no award {award_id}")
        return record

    def guard(self, authority_id: str, source_id: str) -> SourceGuard | None:
        """The source id's guard as stored (what ``push_reads`` reads)."""
        return self._get(SourceGuard, SourceGuard.key(authority_id, source_id), GUARD_SK)

    def guarded(self, guard: SourceGuard | None) -> tuple[SourceGuard, AwardRecord] | None:
        if guard is None:
            return None
        record = self._record(guard.award_id)
        if record is None:  # AwardRecord.get raises DoesNotExist: a guard without its record
            raise AwardRecord.DoesNotExist()
        return guard, record

    def by_source(
        self, authority_id: str, source_id: str
    ) -> tuple[SourceGuard, AwardRecord] | None:
        return self.guarded(self.guard(authority_id, source_id))

    def records_by_id(self, award_ids: list[str]) -> dict[str, AwardRecord]:
        found = (self._record(award_id) for award_id in award_ids)
        return {record.id: record for record in found if record is not None}

    def versions(self, award_id: str) -> Iterator[AwardVersion]:
        pk = AwardRecord.key(award_id)
        rows = sorted(
            (sk, raw)
            for (item_pk, sk), raw in self.items.items()
            if item_pk == pk and sk.startswith(awards.VERSION_PREFIX)
        )
        return iter([AwardVersion.from_raw_data(raw) for _, raw in rows])

    def replace_snapshot(self, earlier: AwardVersion, snapshot: dict[str, Any]) -> None:
        stored = self._get(AwardVersion, earlier.pk, earlier.sk)
        assert stored is not None, "UpdateItem of a version that was read"
        stored.snapshot = snapshot
        self.items[(stored.pk, stored.sk)] = _raw(stored)
        earlier.snapshot = snapshot

    def award_history(self, award_id: str) -> list[dict[str, Any]]:
        return [{**v.snapshot, "superseded_at": v.superseded_at} for v in self.versions(award_id)]

    def earlier_view(self, award_id: str, version: int) -> dict[str, Any] | None:
        item = self._get(AwardVersion, AwardRecord.key(award_id), AwardVersion.sort_key(version))
        return None if item is None else item.snapshot

    def provisional_award_ids(self, year: int, limit: int) -> list[str]:
        rows = [
            AwardRecord.from_raw_data(raw)
            for (_, sk), raw in self.items.items()
            if sk == RECORD_SK and raw.get("provisional_year", {}).get("S") == str(year)
        ]
        return [record.id for record in rows][:limit]

    def credit_code_page(
        self, code: str, before: str | None, *, size: int, start: dict[str, Any] | None = None
    ) -> tuple[list[CreditCodeEntry], dict[str, Any] | None]:
        pk = CreditCodeEntry.key(code)
        rows = sorted(
            (
                CreditCodeEntry.from_raw_data(raw)
                for (item_pk, _), raw in self.items.items()
                if item_pk == pk
            ),
            key=lambda entry: entry.sk,
            reverse=True,
        )
        after = start["sk"]["S"] if start else before
        rows = [entry for entry in rows if after is None or entry.sk < after]
        page = rows[:size]
        more = len(rows) > size
        return page, ({"pk": {"S": pk}, "sk": {"S": page[-1].sk}} if more else None)

    # --- writes --------------------------------------------------------------------

    def _commit(
        self,
        authority_id: str,
        change: ledger.Change,
        at: str,
        checks: list[Callable[[], None]],
        puts: list[Any],
        authority: AuthorityRecord | None = None,
    ) -> None:
        """``ledger.commit`` of ``puts``: every check first (all or nothing), then the
        change entry as the authority's next ``seq``."""
        if authority is None:
            if authority_id not in self.authorities.items:
                raise UnavailableError(f"authority {authority_id} is not loaded")
        elif int(authority.seq or 0) != self.changes.seq[authority_id]:
            raise ledger.CommitConflict("the authority's seq moved")
        for check in checks:
            check()
        for item in puts:
            self.items[(item.pk, item.sk)] = _raw(item)
        self.changes.append(
            authority_id,
            entity=change.entity,
            entity_id=change.entity_id,
            op=change.op,
            version=change.version,
            committed_at=at,
            data=change.data,
        )
        self.commits.append((change.op, change.entity_id, change.version))

    def _absent(self, pk: str, sk: str) -> Callable[[], None]:
        def check() -> None:
            if (pk, sk) in self.items:
                raise ledger.CommitConflict(f"{pk} {sk} exists")

        return check

    def _index_items(self, record: AwardRecord, codes: list[str], names: list[str]) -> list[Any]:
        return [*awards._credit_entries(record, codes), *awards._name_entries(record, names)]

    def create(
        self, record: AwardRecord, authority: AuthorityRecord | None = None
    ) -> dict[str, Any]:
        view = {**awards.award_view(record), "version": 1}
        guard = SourceGuard(
            pk=SourceGuard.key(record.authority_id, record.source_id),
            award_id=record.id,
            content_hash=record.content_hash,
        )
        record.version = 1  # stored at version 1 (a push makes a new record each attempt)
        self._commit(
            record.authority_id,
            ledger.Change("award", record.id, "create", 1, view),
            record.submitted_at,
            [self._absent(guard.pk, GUARD_SK), self._absent(record.pk, RECORD_SK)],
            [
                guard,
                record,
                *self._index_items(record, record.credit_codes, winner_names(record.content)),
            ],
            authority,
        )
        return view

    def commit_version(
        self,
        record: AwardRecord,
        snapshot: dict[str, Any],
        op: str,
        at: str,
        more_writes: Callable[[Any], None] | None = None,
        *,
        note: dict[str, Any] | None = None,
        _more: tuple[list[Callable[[], None]], list[Any]] = ([], []),
    ) -> dict[str, Any]:
        assert more_writes is None, "the twin takes its extra writes as items (_more)"
        previous = AwardVersion(
            pk=record.pk,
            sk=AwardVersion.sort_key(snapshot["version"]),
            snapshot=snapshot,
            superseded_at=at,
        )
        view = {**awards.award_view(record), "version": record.version + 1}
        data = {**view, **note} if note else view
        checks, puts = _more
        read_at = record.version
        record.version = read_at + 1
        try:
            self._commit(
                record.authority_id,
                ledger.Change("award", record.id, op, view["version"], data),
                at,
                [
                    self._absent(previous.pk, previous.sk),
                    self._at_version_of(record.id, read_at),
                    *checks,
                ],
                [previous, record, *puts],
            )
        except BaseException:
            record.version = read_at  # a cancelled transaction leaves the object as read
            raise
        return view

    def _at_version_of(self, award_id: str, version: int) -> Callable[[], None]:
        def check() -> None:
            stored = self._record(award_id)
            if stored is None or stored.version != version:
                raise ledger.CommitConflict("the award changed since it was read")

        return check

    def commit_correction(
        self,
        record: AwardRecord,
        snapshot: dict[str, Any],
        at: str,
        *,
        new_codes: list[str],
        new_names: list[str],
    ) -> dict[str, Any]:
        guard = self.guard(record.authority_id, record.source_id)

        def guard_points_here() -> None:
            if guard is None or guard.award_id != record.id:
                raise ledger.CommitConflict("the guard names another award")

        puts: list[Any] = self._index_items(record, new_codes, new_names)
        if guard is not None:
            guard.content_hash = record.content_hash
            puts.append(guard)
        return self.commit_version(
            record, snapshot, "update", at, _more=([guard_points_here], puts)
        )


class InMemoryBatchReads:
    """``store/batch_reads.py`` over the awards, programmes, authorities and changes twins."""

    def __init__(
        self,
        awards_twin: InMemoryAwards,
        programs: InMemoryPrograms,
        authorities: InMemoryAuthorities,
        changes: InMemoryChanges,
    ) -> None:
        self.awards = awards_twin
        self.programs = programs
        self.authorities = authorities
        self.changes = changes
        self.reads = 0  # requests made (one per call here: the keys always fit)

    def _authority(self, authority_id: str) -> AuthorityRecord | None:
        stored = self.authorities.items.get(authority_id)
        if stored is None:
            return None
        fields = {k: stored[k] for k in ("id", "division_code", "name_zh", "name_en")}
        return AuthorityRecord(**fields, seq=self.changes.seq[authority_id])

    def push_reads(self, authority_id: str, source_id: str, program_id: str | None) -> PushReads:
        self.reads += 1
        return PushReads(
            guard=self.awards.guard(authority_id, source_id),
            program=None if program_id is None else self.programs.get(program_id),
            authority=self._authority(authority_id),
        )

    def records_and_statuses(
        self, award_ids: list[str], program_ids: list[str]
    ) -> tuple[dict[str, AwardRecord], dict[str, dict[str, Any]]]:
        self.reads += 1
        award_ids = list(dict.fromkeys(award_ids))
        program_ids = list(dict.fromkeys(program_ids))
        program_ids = program_ids[: max(0, batch_reads.BATCH_GET_MAX - len(award_ids))]
        statuses = {
            pid: {"status": p.status, "status_history": p.status_history or []}
            for pid, p in self.programs.get_many(program_ids).items()
        }
        return self.awards.records_by_id(award_ids), statuses


class InMemoryCalendar:
    """``store/calendar.py``: the loaded years (none unless a test loads one), with history."""

    arrangement_of = staticmethod(calendar.arrangement_of)

    def __init__(self) -> None:
        self.items: dict[Key, dict[str, Any]] = {}

    def load_arrangements(self) -> dict[int, YearArrangement]:
        current = [
            CalendarYear.from_raw_data(raw) for (pk, _), raw in self.items.items() if pk == CURRENT
        ]
        return {int(item.year): calendar.arrangement_of(item) for item in current}

    def stored(self, year: int) -> CalendarYear | None:
        raw = self.items.get((CURRENT, str(year)))
        return None if raw is None else CalendarYear.from_raw_data(raw)

    def replace(self, current: CalendarYear | None, *, year: int, **fields: Any) -> None:
        revision = int(current.revision) if current is not None else 0
        now = self.stored(year)
        if (now.revision if now else None) != (current.revision if current else None):
            raise ledger.CommitConflict("the year's arrangement changed")
        if current is not None:
            history = CalendarYear(
                pk=CalendarYear.history_key(year),
                sk=f"{revision:06d}",
                year=current.year,
                holidays=current.holidays,
                workdays=current.workdays,
                loaded_at=current.loaded_at,
                loaded_by=current.loaded_by,
                revision=revision,
            )
            self.items[(history.pk, history.sk)] = _raw(history)
        item = CalendarYear(pk=CURRENT, sk=str(year), year=year, revision=revision + 1, **fields)
        self.items[(CURRENT, str(year))] = _raw(item)


class AwardTwins:
    """The awards twins, installed over ``twins``' programmes, authorities and changes."""

    def __init__(self, twins: Twins, monkeypatch: pytest.MonkeyPatch) -> None:
        self.programs, self.changes = twins.programs, twins.changes
        self.awards = InMemoryAwards(twins.changes, twins.authorities)
        self.batch_reads = InMemoryBatchReads(
            self.awards, twins.programs, twins.authorities, twins.changes
        )
        self.calendar = InMemoryCalendar()
        for module, twin in (
            (awards, self.awards),
            (batch_reads, self.batch_reads),
            (calendar, self.calendar),
        ):
            install(monkeypatch, module, twin)


__all__ = ["AwardTwins", "InMemoryAwards", "InMemoryBatchReads", "InMemoryCalendar"]
