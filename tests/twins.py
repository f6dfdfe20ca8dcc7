"""In-memory twins of the store's repositories, for service unit tests without moto.

As the chalice todo-app pairs ``DynamoDBTodo`` with ``InMemoryTodoDB`` and cosmicpython
tests handlers over a ``FakeRepository``: each twin implements every public function of
its repository module (``install`` refuses a twin that misses one) with the same
meaning, over dicts. Items go in and out through the models' own ``serialize`` /
``from_raw_data``, as they would through DynamoDB, so a service cannot keep a stored
object and see it change behind its back. ``tests/functional/test_repository_twins.py``
runs the same checks against the real repository (on moto) and its twin.

    def test_something(twins):
        programs = twins.programs          # the store.programs twin, installed
        programs.add(programs.new(...))
"""

from __future__ import annotations

import inspect
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from chalicelib.store import (
    audit_records,
    authorities,
    changes,
    keys,
    ledger,
    programs,
    search,
    stats,
)
from chalicelib.store.audit import (
    AuditFinding,
    AuditLease,
    AuditRun,
    AuditState,
    ProgramTracker,
    TimelinessStats,
)
from chalicelib.store.models import ApiKey, AuthorityRecord, ChangeEntry, Program
from chalicelib.store.search import BigramEntry


def public_functions(module: ModuleType) -> set[str]:
    """The repository's contract: the functions it defines (not the names it imports)."""
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__
        if not name.startswith("_")
    }


def install(monkeypatch: pytest.MonkeyPatch, module: ModuleType, twin: object) -> None:
    """Point every public function of ``module`` at ``twin``'s method of the same name."""
    missing = sorted(name for name in public_functions(module) if not hasattr(twin, name))
    assert not missing, f"{type(twin).__name__} lacks {missing} of {module.__name__}"
    for name in public_functions(module):
        monkeypatch.setattr(module, name, getattr(twin, name))


def _stored(item: Any) -> dict[str, Any]:
    return item.serialize()


class InMemoryPrograms:
    """``store/programs.py`` over a dict; versions move as pynamodb's ``VersionAttribute``."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.commits: list[tuple[str, str, int]] = []  # (op, id, version) published

    def new(self, **fields: Any) -> Program:
        return Program(**fields)

    def get(self, program_id: str) -> Program | None:
        raw = self.items.get(program_id)
        return None if raw is None else Program.from_raw_data(raw)

    def get_many(self, program_ids: Iterable[str]) -> dict[str, Program]:
        found = {pid: self.get(pid) for pid in set(program_ids)}
        return {pid: program for pid, program in found.items() if program is not None}

    def of_authority(self, authority_id: str) -> Iterator[Program]:
        mine = [p for p in self._all() if p.authority_id == authority_id]
        return iter(sorted(mine, key=lambda p: p.listing_key))

    def page(self, authority_id: str | None, before: str | None, size: int) -> Iterator[Program]:
        rows = [p for p in self._all() if authority_id is None or p.authority_id == authority_id]
        rows = [p for p in rows if before is None or p.listing_key < before]
        return iter(sorted(rows, key=lambda p: p.listing_key, reverse=True))

    def add(self, program: Program) -> None:
        assert program.id not in self.items
        program.version = 1
        self.items[program.id] = _stored(program)

    def commit(self, program: Program, change: ledger.Change, at: str) -> None:
        """As the ledger commits it: the programme's next version (its change entry is
        ``InMemoryChanges``' business when a test needs the feed too)."""
        self.commits.append((change.op, program.id, change.version))
        self.save_if_unchanged(program)

    def save_if_unchanged(self, program: Program) -> None:
        stored = self.items.get(program.id)
        if stored is not None and Program.from_raw_data(stored).version != program.version:
            raise ledger.CommitConflict("the item changed since it was read")
        program.version = (program.version or 0) + 1
        self.items[program.id] = _stored(program)

    def _all(self) -> list[Program]:
        return [Program.from_raw_data(raw) for raw in self.items.values()]


class InMemoryKeys:
    """``store/keys.py`` over a dict keyed by the key's HMAC; ``writes`` counts updates."""

    BookkeepingFailed = keys.BookkeepingFailed

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.writes = 0

    def add(self, **fields: Any) -> ApiKey:
        item = ApiKey(**fields)
        self.items[item.key_hash] = _stored(item)
        return item

    def by_hash(self, key_hash: str) -> ApiKey | None:
        raw = self.items.get(key_hash)
        return None if raw is None else ApiKey.from_raw_data(raw)

    def by_id(self, key_id: str, roles: Iterable[str]) -> ApiKey | None:
        found = [k for k in self._all() if k.key_id == key_id and k.role in set(roles)]
        return found[0] if found else None

    def page(self, roles: Iterable[str], before: str | None, size: int) -> list[ApiKey]:
        rows: list[ApiKey] = []
        for role in roles:
            mine = [k for k in self._all() if k.role == role]
            mine = [k for k in mine if before is None or k.key_id < before]
            rows += sorted(mine, key=lambda k: k.key_id, reverse=True)[:size]
        return rows

    def mark_revoked(self, record: ApiKey, *, at: str, by: str, note: str | None) -> bool:
        stored = self.by_hash(record.key_hash)
        if stored is None or stored.revoked_at:
            if stored is not None:
                record.revoked_at, record.revoked_by = stored.revoked_at, stored.revoked_by
            return False
        stored.revoked_at, stored.revoked_by = at, by
        if note:
            stored.revoke_note = note
        self.items[record.key_hash] = _stored(stored)
        self.writes += 1
        record.revoked_at, record.revoked_by, record.revoke_note = at, by, stored.revoke_note
        return True

    def note_used(self, record: ApiKey, day: str) -> None:
        stored = self.by_hash(record.key_hash)
        if stored is None or stored.last_used_on == day:
            return
        stored.last_used_on = day
        self.items[record.key_hash] = _stored(stored)
        self.writes += 1

    def _all(self) -> list[ApiKey]:
        return [ApiKey.from_raw_data(raw) for raw in self.items.values()]


class InMemoryAuthorities:
    """``store/authorities.py`` over a dict."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def all_of(self) -> list[dict[str, Any]]:
        fields = ("id", "division_code", "name_zh", "name_en")
        return [{k: raw[k] for k in fields} for raw in self.items.values()]

    def add_missing(self, wanted: Iterable[dict[str, Any]]) -> int:
        added = 0
        for authority in wanted:
            if authority["id"] not in self.items:
                self.items[authority["id"]] = {**authority, "seq": 0}
                added += 1
        return added


class InMemoryChanges:
    """``store/changes.py``: entries per authority by ``seq``; ``append`` plays the ledger.

    ``hide(authority, seq)`` makes an entry invisible to reads while its head already
    counts it (a committed transaction a Query does not show yet).
    """

    def __init__(self) -> None:
        self.entries: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.seq: Counter[str] = Counter()
        self.hidden: set[tuple[str, int]] = set()

    def append(
        self,
        authority_id: str,
        *,
        entity: str,
        entity_id: str,
        op: str = "create",
        version: int = 1,
        committed_at: str,
        data: dict[str, Any] | None = None,
    ) -> ChangeEntry:
        self.seq[authority_id] += 1
        entry = ChangeEntry(
            authority_id=authority_id,
            seq=self.seq[authority_id],
            entity=entity,
            entity_id=entity_id,
            op=op,
            version=version,
            committed_at=committed_at,
            data=data or {"id": entity_id},
        )
        self.entries[authority_id][entry.seq] = _stored(entry)
        return entry

    def hide(self, authority_id: str, seq: int) -> None:
        self.hidden.add((authority_id, seq))

    def _read(self, authority_id: str) -> list[ChangeEntry]:
        rows = sorted(self.entries[authority_id].items())
        return [
            ChangeEntry.from_raw_data(raw)
            for seq, raw in rows
            if (authority_id, seq) not in self.hidden
        ]

    def heads(self) -> dict[str, int]:
        from chalicelib.domain.authorities import AUTHORITY_IDS

        return {authority_id: self.seq[authority_id] for authority_id in AUTHORITY_IDS}

    def after(
        self, authority_id: str, seq: int, *, limit: int, page_size: int | None = None
    ) -> Iterator[ChangeEntry]:
        return iter([e for e in self._read(authority_id) if e.seq > seq][:limit])

    def programs_and_changes(
        self, authority_id: str, seq: int, *, page_size: int
    ) -> Iterator[ChangeEntry]:
        rows = self._read(authority_id)
        return iter(
            [e for e in rows if e.seq <= seq and (e.entity == "program" or e.op != "create")]
        )

    def award_creations(
        self, authority_id: str, seq: int, *, page_size: int
    ) -> Iterator[ChangeEntry]:
        rows = self._read(authority_id)
        return iter([e for e in rows if e.seq <= seq and e.entity == "award" and e.op == "create"])

    def get_many(self, keys: Iterable[tuple[str, int]]) -> list[ChangeEntry]:
        return [
            ChangeEntry.from_raw_data(self.entries[a][s]) for a, s in keys if s in self.entries[a]
        ]

    def seqs_of(self, entity_id: str) -> list[int]:
        return [
            int(raw["seq"]["N"])
            for entries in self.entries.values()
            for raw in entries.values()
            if raw["entity_id"]["S"] == entity_id
        ]

    def replace_data(self, entry: ChangeEntry, data: dict[str, Any]) -> None:
        stored = ChangeEntry.from_raw_data(self.entries[entry.authority_id][int(entry.seq)])
        stored.data = data
        self.entries[entry.authority_id][int(entry.seq)] = _stored(stored)

    def from_image(self, image: dict[str, Any]) -> ChangeEntry:
        return ChangeEntry.from_raw_data(image)


class InMemorySearch:
    """The functions of ``store/search.py``: bigram items and what was indexed last."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}  # (pk, sk) -> item
        self.docs: dict[str, tuple[int, list[str]]] = {}

    def entries(
        self, pair: str, sort: str, after: str | None, size: int, *, page_size: int
    ) -> Iterator[BigramEntry]:
        rows = [
            BigramEntry.from_raw_data(raw)
            for (pk, _), raw in self.items.items()
            if pk == BigramEntry.key(pair)
        ]
        if sort == "date":
            rows = sorted((r for r in rows if after is None or r.sk < after), key=lambda r: r.sk)
            return iter(rows[::-1][:size])
        rows = [r for r in rows if after is None or r.name_key > after]
        return iter(sorted(rows, key=lambda r: r.name_key)[:size])

    def indexed(self, award_id: str) -> tuple[int, list[str]]:
        version, pairs = self.docs.get(award_id, (0, []))
        return version, list(pairs)

    def put_entries(self, pairs: Iterable[str], **fields: Any) -> None:
        for pair in pairs:
            item = BigramEntry(pk=BigramEntry.key(pair), **fields)
            self.items[(item.pk, item.sk)] = _stored(item)

    def mark_indexed(self, award_id: str, version: int, pairs: list[str]) -> bool:
        if self.docs.get(award_id, (0, []))[0] >= version:
            return False
        self.docs[award_id] = (version, list(pairs))
        return True

    def texts_under(self, pair: str) -> list[str]:
        """What a search for ``pair`` would check, per award (test helper)."""
        return [e.text for e in self.entries(pair, "date", None, 1000, page_size=100)]


class InMemoryStats:
    """``store/stats.py``: daily counters; ``failing = True`` makes every count fail."""

    CountFailed = stats.CountFailed

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.failing = False

    def add_one(self, counter: str, day: date, shard: int) -> None:
        if self.failing:
            raise stats.CountFailed("UpdateError")
        self.counts[(stats.DailyCounter.key(counter, shard), day.isoformat())] += 1

    def daily_counts(
        self, counter: str, shards: int, first: date | None, last: date | None
    ) -> Counter:
        totals: Counter = Counter()
        for (pk, day), n in self.counts.items():
            if pk.rsplit("#", 1)[0] != counter or int(pk.rsplit("#", 1)[1]) >= shards:
                continue
            when = date.fromisoformat(day)
            if (first is None or when >= first) and (last is None or when <= last):
                totals[when] += n
        return totals


class InMemoryAuditRecords:
    """``store/audit_records.py``: the audit's lease, findings, state and counters."""

    def __init__(self) -> None:
        self.leases: dict[str, dict[str, Any]] = {}
        self.findings: dict[str, dict[str, Any]] = {}
        self.state_item: dict[str, Any] | None = None
        self.tracker_items: dict[str, dict[str, Any]] = {}
        self.stats: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, dict[str, Any]] = {}

    # lease
    def start_lease(self, day: str, holder: str, expires_at: int) -> bool:
        if day in self.leases:
            return False
        lease = AuditLease(
            sk=day, state="running", holder=holder, expires_at=expires_at, runs=1, event_ids=[]
        )
        self.leases[day] = _stored(lease)
        return True

    def lease_of(self, day: str) -> AuditLease:
        return AuditLease.from_raw_data(self.leases[day])

    def take_over_lease(self, current: AuditLease, holder: str, expires_at: int) -> bool:
        stored = self.lease_of(current.sk)
        if stored.runs != current.runs or stored.holder != current.holder:
            return False
        stored.state, stored.holder, stored.expires_at = "running", holder, expires_at
        stored.runs = int(stored.runs) + 1
        self.leases[stored.sk] = _stored(stored)
        return True

    def end_lease(
        self, day: str, holder: str, *, ok: bool, run_id: str, event_id: str | None
    ) -> bool:
        stored = self.lease_of(day)
        if stored.holder != holder:
            return False
        stored.state, stored.expires_at, stored.last_run_id = (
            "done" if ok else "failed",
            0,
            run_id,
        )
        if ok and event_id is not None:
            stored.event_ids = [*(stored.event_ids or []), event_id]
        self.leases[day] = _stored(stored)
        return True

    # findings
    def new_finding(self, **fields: Any) -> AuditFinding:
        return AuditFinding(**fields)

    def open_finding(self, item: AuditFinding) -> tuple[AuditFinding, bool]:
        stored = self.findings.get(item.sk)
        if stored is None:
            self.findings[item.sk] = _stored(item)
            return item, True
        existing = AuditFinding.from_raw_data(stored)
        if existing.status == "closed" and existing.close_reason == "resolved":
            existing.status, existing.detail, existing.action = "open", item.detail, item.action
            existing.opened_on, existing.opened_in = item.opened_on, item.opened_in
            existing.open_pk = item.open_pk
            existing.closed_on = existing.closed_in = existing.close_reason = None
            existing.alerted_in = None
            self.findings[item.sk] = _stored(existing)
            return existing, True
        return existing, False

    def close_finding(
        self, finding_id: str, reason: str, *, day: str, run_id: str
    ) -> AuditFinding | None:
        stored = self.findings.get(finding_id)
        if stored is None or AuditFinding.from_raw_data(stored).status != "open":
            return None
        item = AuditFinding.from_raw_data(stored)
        item.status, item.closed_on, item.closed_in, item.close_reason = (
            "closed",
            day,
            run_id,
            reason,
        )
        item.open_pk = None
        self.findings[finding_id] = _stored(item)
        return item

    def mark_alerted(
        self,
        item: AuditFinding,
        alert_id: str,
        *,
        closed_as_reported: tuple[str, str] | None = None,
        open_pk: str | None = None,
    ) -> None:
        stored = AuditFinding.from_raw_data(self.findings[item.sk])
        stored.alerted_in = alert_id
        if closed_as_reported is not None:
            stored.status, stored.close_reason, stored.open_pk = "closed", "reported", None
            stored.closed_on, stored.closed_in = closed_as_reported
        elif open_pk is not None:
            stored.open_pk = open_pk
        self.findings[item.sk] = _stored(stored)

    def open_in(self, open_pk: str) -> list[AuditFinding]:
        rows = [AuditFinding.from_raw_data(raw) for raw in self.findings.values()]
        return sorted((r for r in rows if r.open_pk == open_pk), key=lambda r: r.sk)

    def open_of(self, authority_id: str, open_pks: Iterable[str], most: int) -> list[AuditFinding]:
        found = [
            item
            for open_pk in open_pks
            for item in self.open_in(open_pk)
            if item.authority_id == authority_id
        ]
        return found[:most]

    # runs
    def add_run(self, **fields: Any) -> None:
        self.runs[fields["sk"]] = _stored(AuditRun(**fields))

    def run_ids_of(self, day: str) -> set[str]:
        return {run_id for run_id in self.runs if run_id.startswith(f"{day}-")}

    def runs_before(self, before: str | None, limit: int) -> list[AuditRun]:
        ids = sorted((i for i in self.runs if before is None or i < before), reverse=True)
        return [AuditRun.from_raw_data(self.runs[i]) for i in ids[:limit]]

    def run(self, run_id: str) -> AuditRun | None:
        raw = self.runs.get(run_id)
        return None if raw is None else AuditRun.from_raw_data(raw)

    # state and counters
    def last_run_id(self) -> str | None:
        return None if self.state_item is None else self.state().last_run_id

    def stats_of(self, authority_id: str) -> TimelinessStats | None:
        raw = self.stats.get(authority_id)
        return None if raw is None else TimelinessStats.from_raw_data(raw)

    def state(self) -> AuditState:
        if self.state_item is None:
            return AuditState(positions={}, listed=[], revision=0)
        return AuditState.from_raw_data(self.state_item)

    def trackers(self) -> dict[str, ProgramTracker]:
        return {k: ProgramTracker.from_raw_data(v) for k, v in self.tracker_items.items()}

    def new_tracker(self, program_id: str) -> ProgramTracker:
        return ProgramTracker(sk=program_id)

    def save_trackers(self, changed: Iterable[ProgramTracker]) -> None:
        for tracker in changed:
            self.tracker_items[tracker.sk] = _stored(tracker)

    def stats_of_all(self) -> dict[str, TimelinessStats]:
        return {k: TimelinessStats.from_raw_data(v) for k, v in self.stats.items()}

    def new_stats(self, authority_id: str) -> TimelinessStats:
        return TimelinessStats(sk=authority_id, counts={})

    def save_state(
        self, previous: AuditState, stats: Iterable[TimelinessStats], **fields: Any
    ) -> None:
        if int(self.state().revision or 0) != int(previous.revision or 0):
            raise ledger.CommitConflict("the state moved")
        new_state = AuditState(revision=int(previous.revision or 0) + 1, **fields)
        self.state_item = _stored(new_state)
        for item in stats:
            self.stats[item.sk] = _stored(item)


class Twins:
    """Every twin, installed in place of its repository for one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.programs = InMemoryPrograms()
        self.authorities = InMemoryAuthorities()
        self.changes = InMemoryChanges()
        self.search = InMemorySearch()
        self.stats = InMemoryStats()
        self.audit = InMemoryAuditRecords()
        self.keys = InMemoryKeys()
        for module, twin in (
            (keys, self.keys),
            (programs, self.programs),
            (authorities, self.authorities),
            (changes, self.changes),
            (search, self.search),
            (stats, self.stats),
            (audit_records, self.audit),
        ):
            install(monkeypatch, module, twin)


__all__ = [
    "AuthorityRecord",
    "InMemoryAuditRecords",
    "InMemoryAuthorities",
    "InMemoryChanges",
    "InMemoryKeys",
    "InMemoryPrograms",
    "InMemorySearch",
    "InMemoryStats",
    "Twins",
    "install",
    "public_functions",
]
