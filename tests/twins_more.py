"""In-memory twins of the objections, data-quality, webhooks, rate-limit and KMS stores.

As in ``tests/twins.py``: each twin implements every public function of its store
module with the same meaning (``install`` refuses one that misses a function), items go
in and out through the models' own ``serialize`` / ``from_raw_data``, and
``tests/functional/test_repository_twins_more.py`` runs the same checks against the
real module on moto and against its twin.

- ``InMemoryObjections`` (``store/objections.py``): objections, the yearly counter and
  the per-province stats in one dict keyed as the table is; change entries are read
  from the changes twin (``InMemoryChanges``).
- ``InMemoryQuality`` (``store/quality.py``): index entries, facts, findings (with the
  order and the ``LastEvaluatedKey`` of their indexes), counters and rescan jobs.
- ``InMemoryWebhooks`` (``store/webhooks.py``): subscriptions and their deliveries;
  ``update`` refreshes the object as pynamodb's ``update`` (``ALL_NEW``) does.
- ``InMemoryRateLimits`` (``store/rate_limits.py``): hits per window key.
- ``InMemoryKms`` (``store/kms.py``): aliases, P-256 signing keys (``cryptography``)
  and sealed texts bound to their encryption context.

A few services save an objection or a rescan job through the generic
``ledger.save_if_unchanged``; ``StoreTwins`` points it at the twin that holds the item.

    def test_something(twins, store_twins):
        store_twins.objections.get("YY-2026-000001")
"""

from __future__ import annotations

import base64
import secrets as random_tokens
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.objections import format_number, parse_number
from chalicelib.store import kms, ledger, objections, quality, rate_limits, webhooks
from chalicelib.store.models import ChangeEntry
from chalicelib.store.objections import Objection, ObjectionCounter, ObjectionStats
from chalicelib.store.quality import (
    QualityCounter,
    QualityEntry,
    QualityFacts,
    QualityFinding,
    RescanJob,
)
from chalicelib.store.webhooks import Delivery, Subscription
from tests.twins import InMemoryChanges, InMemoryPrograms, Twins, install

Key = tuple[str, str]  # (pk, sk)


def _raw_key(**names: str) -> dict[str, Any]:
    """A ``LastEvaluatedKey`` as DynamoDB sends it (string attributes)."""
    return {name: {"S": value} for name, value in names.items()}


def _page(rows: list[Any], size: int, position: Callable[[Any], dict[str, Any]]) -> tuple:
    """One Query page of ``rows`` (already ordered and past the start): at most ``size``
    items, and where the next starts. As DynamoDB: a full page always carries a
    ``LastEvaluatedKey``, even when nothing is left (the next page is then empty; moto
    peeks and leaves it out in that case, so the twins' checks avoid exactly full pages).
    """
    if len(rows) >= size:
        return rows[:size], position(rows[size - 1])
    return rows, None


def _add(raw: dict[str, Any], name: str, amount: int) -> None:
    """``ADD name amount`` on a stored item (a missing number counts from 0)."""
    raw[name] = {"N": str(int(raw.get(name, {"N": "0"})["N"]) + amount)}


def _saved_versioned(store: dict[Key, dict[str, Any]], key: Key, item: Any, model: Any) -> None:
    """``Model.save()`` of an item with a ``VersionAttribute``: the condition pynamodb adds
    (absent at version None, else the version read), then the next version, locally too."""
    raw = store.get(key)
    stored_version = None if raw is None else model.from_raw_data(raw).version
    if stored_version != item.version:
        raise ledger.CommitConflict("the item changed since it was read")
    item.version = (item.version or 0) + 1
    store[key] = item.serialize()


# --- store/objections.py -------------------------------------------------------------------


class InMemoryObjections:
    """``store/objections.py`` over the objections table's items keyed by (pk, sk)."""

    stats_actions = staticmethod(objections.stats_actions)

    def __init__(self, changes: InMemoryChanges) -> None:
        self.items: dict[Key, dict[str, Any]] = {}
        self.changes = changes

    def _objections(self) -> list[Objection]:
        return [
            Objection.from_raw_data(raw)
            for (pk, sk), raw in self.items.items()
            if pk.startswith("OBJ#") and sk != objections.COUNTER_SK
        ]

    def save(self, item: Objection) -> None:
        """``ledger.save_if_unchanged`` of an objection (version-checked)."""
        _saved_versioned(self.items, (item.pk, item.sk), item, Objection)

    # reads
    def get(self, number: str) -> Objection | None:
        parsed = parse_number(number)
        if parsed is None:
            return None
        raw = self.items.get((Objection.key(parsed[0]), number))
        return None if raw is None else Objection.from_raw_data(raw)

    def last_number(self, year: int) -> int:
        raw = self.items.get((Objection.key(year), objections.COUNTER_SK))
        return 0 if raw is None else int(ObjectionCounter.from_raw_data(raw).last)

    def of_authority(
        self, authority_id: str, *, before: str | None, size: int
    ) -> tuple[list[Objection], bool]:
        rows = [o for o in self._objections() if o.authority_id == authority_id]
        rows = sorted((o for o in rows if before is None or o.sk < before), key=lambda o: o.sk)
        page, more = _page(rows[::-1], size, lambda o: {})
        return page, more is not None

    def of_year(self, year: int, *, before: str | None, size: int) -> tuple[list[Objection], bool]:
        # The counter item (``#COUNTER``) sorts below every number: a ``sk < before`` Query
        # reads it too (and the caller drops it), a ``begins_with YY-`` one does not.
        pk = Objection.key(year)
        keys = sorted(sk for (p, sk) in self.items if p == pk)
        keys = [sk for sk in keys if (sk < before if before else sk.startswith("YY-"))]
        page, more = _page(keys[::-1], size, lambda sk: {})
        rows = [Objection.from_raw_data(self.items[(pk, sk)]) for sk in page]
        return [row for row in rows if row.sk != objections.COUNTER_SK], more is not None

    def open_objections(self) -> list[Objection]:
        rows = [o for o in self._objections() if o.open_pk == objections.OPEN_PK]
        return sorted(rows, key=lambda o: o.sk)

    def due_for_erasure(self, today: str) -> list[Objection]:
        rows = [o for o in self._objections() if o.erase_pk == objections.ERASE_PK]
        rows = [o for o in rows if o.erase_on is not None and o.erase_on <= today]
        return sorted(rows, key=lambda o: (o.erase_on or "", o.sk))

    def change_entry(self, authority_id: str, seq: int) -> dict[str, Any] | None:
        raw = self.changes.entries[authority_id].get(int(seq))
        return None if raw is None else _entry_dict(ChangeEntry.from_raw_data(raw))

    def award_changes_after(
        self, award_id: str, authority_id: str, after: str
    ) -> list[dict[str, Any]]:
        found = []
        for seq in sorted(self.changes.entries[authority_id]):
            entry = ChangeEntry.from_raw_data(self.changes.entries[authority_id][seq])
            if entry.entity_id == award_id and entry.committed_at > after:
                found.append(_entry_dict(entry))
        return found

    def all_stats(self) -> tuple[dict[str, ObjectionStats], dict[str, dict[int, int]]]:
        counters: dict[str, ObjectionStats] = {}
        days: dict[str, dict[int, int]] = {}
        for (pk, sk), raw in sorted(self.items.items()):
            if pk != objections.STATS_PK:
                continue
            item = ObjectionStats.from_raw_data(raw)
            authority, _, n = sk.partition("#days#")
            if n:
                days.setdefault(authority, {})[int(n)] = int(item.answers or 0)
            else:
                counters[authority] = item
        return counters, days

    # writes
    def _move(self, stats_key: str, counters: dict[str, int]) -> None:
        """The counters' ``ADD`` on the stats item (created with its key, as UpdateItem does)."""
        key = (objections.STATS_PK, stats_key)
        raw = self.items.setdefault(key, _raw_key(pk=key[0], sk=key[1]))
        for name, amount in counters.items():
            _add(raw, name, amount)

    def file_new(self, year: int, build: Callable[[str], Objection]) -> Objection:
        last = self.last_number(year)
        item = build(format_number(year, last + 1))
        if (item.pk, item.sk) in self.items:
            raise ledger.CommitConflict("the number is taken")
        counter = ObjectionCounter(pk=Objection.key(year), sk=objections.COUNTER_SK, last=last + 1)
        self.items[(counter.pk, counter.sk)] = counter.serialize()
        self.save(item)
        self._move(item.authority_id, {"received": 1})
        return item

    def save_with_stats(
        self, item: Objection, moves: Iterable[tuple[str, dict[str, int]]] = ()
    ) -> None:
        self.save(item)
        for stats_key, counters in moves:
            if any(counters.values()):
                self._move(stats_key, {k: v for k, v in counters.items() if v})


def _entry_dict(entry: ChangeEntry) -> dict[str, Any]:
    return {
        "authority_id": entry.authority_id,
        "seq": int(entry.seq),
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "op": entry.op,
        "committed_at": entry.committed_at,
        "data": entry.data,
    }


# --- store/quality.py ----------------------------------------------------------------------


class InMemoryQuality:
    """``store/quality.py`` over the quality table's items keyed by (pk, sk).

    ``award_views`` holds, per shard of the awards' ``by_shard`` index, the award views a
    rescan pages through (newest first), standing in for the awards table.
    """

    resolved_days = staticmethod(quality.resolved_days)
    position_after = staticmethod(quality.position_after)

    def __init__(self, programs: InMemoryPrograms) -> None:
        self.items: dict[Key, dict[str, Any]] = {}
        self.programs = programs
        self.award_views: dict[str, list[dict[str, Any]]] = {}

    def _findings(self) -> list[QualityFinding]:
        return [
            QualityFinding.from_raw_data(raw)
            for (pk, _), raw in self.items.items()
            if "|" in pk and not pk.startswith("AWARD#")
        ]

    def _counter(self, authority_id: str) -> dict[str, Any]:
        """The authority's counter item, raw (created with its key, as UpdateItem does)."""
        key = (quality.COUNTER_PK, authority_id)
        return self.items.setdefault(key, _raw_key(pk=key[0], sk=key[1]))

    # the index
    def facts_of_awards(self, award_ids: Iterable[str]) -> dict[str, QualityFacts]:
        found = {}
        for award_id in dict.fromkeys(award_ids):
            raw = self.items.get((QualityFacts.key(award_id), quality.FACTS_SK))
            if raw is not None:
                found[award_id] = QualityFacts.from_raw_data(raw)
        return found

    def index_items(
        self,
        award_id: str,
        facts: dict[str, Any],
        keys: list[tuple[str, str]],
        *,
        old_keys: Iterable[str] = (),
        elsewhere: int,
        version_seen: int,
    ) -> tuple[list[QualityEntry], QualityFacts]:
        """The entries and facts item indexing an award (pure: as the store builds them)."""
        pk = QualityFacts.key(award_id)
        new_keys = [key for key, _ in keys]
        entries = [
            QualityEntry(pk=pk, sk=key, facts=facts, live_key=key, live_sort=sort)
            for key, sort in keys
        ] + [QualityEntry(pk=pk, sk=key, facts=facts) for key in old_keys if key not in new_keys]
        facts_item = QualityFacts(
            pk=pk, facts=facts, keys=new_keys, elsewhere=elsewhere, version_seen=version_seen
        )
        return entries, facts_item

    def write_index(
        self,
        award_id: str,
        facts: dict[str, Any],
        keys: list[tuple[str, str]],
        *,
        previous: QualityFacts | None,
        elsewhere: int,
        version_seen: int,
    ) -> None:
        old_keys = [str(key) for key in previous.keys] if previous else []
        old_elsewhere = int(previous.elsewhere or 0) if previous else 0
        entries, facts_item = self.index_items(
            award_id, facts, keys, old_keys=old_keys, elsewhere=elsewhere, version_seen=version_seen
        )
        for entry in entries:  # a put replaces the whole item (an old live_key goes)
            self.items[(entry.pk, entry.sk)] = entry.serialize()
        self.items[(facts_item.pk, facts_item.sk)] = facts_item.serialize()
        if elsewhere != old_elsewhere:
            _add(self._counter(facts["authority_id"]), "elsewhere", elsewhere - old_elsewhere)

    def live_members(
        self,
        key: str,
        *,
        limit: int,
        after: str | None = None,
        inclusive: bool = True,
        descending: bool = False,
    ) -> list[tuple[str, dict[str, Any]]]:
        rows = [
            QualityEntry.from_raw_data(raw)
            for (pk, _), raw in self.items.items()
            if pk.startswith("AWARD#") and raw.get("live_key", {}).get("S") == key
        ]
        if after is not None:
            rows = [
                e
                for e in rows
                if (e.live_sort or "") > after or (inclusive and e.live_sort == after)
            ]
        rows.sort(key=lambda e: (e.live_sort or "", e.pk, e.sk), reverse=descending)
        return [(e.live_sort or "", e.facts) for e in rows[:limit]]

    # findings
    def findings_of_group(self, rule: str, group: str) -> dict[str, QualityFinding]:
        pk = QualityFinding.key(rule, group)
        return {
            sk: QualityFinding.from_raw_data(raw)
            for (p, sk), raw in sorted(self.items.items())
            if p == pk
        }

    def findings_to_check(self, limit: int) -> list[QualityFinding]:
        rows = [f for f in self._findings() if f.check_pk == quality.CHECK]
        return sorted(rows, key=lambda f: f.id)[:limit]

    def find_finding(self, finding_id: str) -> QualityFinding | None:
        for item in self._findings():
            if item.id == finding_id:
                return item
        return None

    def save_finding(
        self,
        item: QualityFinding,
        *,
        open_errors: int = 0,
        resolved_days: int | None = None,
    ) -> None:
        _saved_versioned(self.items, (item.pk, item.sk), item, QualityFinding)
        if open_errors:
            _add(self._counter(item.authority_id), "open_errors", open_errors)
        if resolved_days is not None:
            raw = self._counter(item.authority_id)
            days = raw.get("resolved_days", {"L": []})["L"]
            raw["resolved_days"] = {"L": [*days, {"N": str(resolved_days)}]}

    def findings_page(
        self, index: str, hash_key: str, rule: str | None, *, size: int, start: dict | None
    ) -> tuple[list[QualityFinding], dict[str, Any] | None]:
        if index == "authority":
            rows = [f for f in self._findings() if f.authority_id == hash_key]
            rows = [f for f in rows if not rule or f.rule_key.startswith(rule + "#")]

            def order(f: QualityFinding) -> tuple[str, str, str]:
                return (f.rule_key, f.pk, f.sk)

            range_name = "rule_key"
        else:
            rows = [f for f in self._findings() if f.rule == hash_key]

            def order(f: QualityFinding) -> tuple[str, str, str]:
                return (f.authority_key, f.pk, f.sk)

            range_name = "authority_key"
        rows.sort(key=order)
        if start is not None:
            after = (start[range_name]["S"], start["pk"]["S"], start["sk"]["S"])
            rows = [f for f in rows if order(f) > after]
        return _page(rows, size, lambda f: quality.position_after(f, index))

    def counters(self) -> dict[str, QualityCounter]:
        return {
            sk: QualityCounter.from_raw_data(raw)
            for (pk, sk), raw in self.items.items()
            if pk == quality.COUNTER_PK and sk in AUTHORITY_IDS
        }

    def counter_of(self, authority_id: str) -> QualityCounter | None:
        raw = self.items.get((quality.COUNTER_PK, authority_id))
        return None if raw is None else QualityCounter.from_raw_data(raw)

    # rescans
    def get_job(self, job_id: str) -> RescanJob | None:
        raw = self.items.get((quality.RESCAN_PK, job_id))
        return None if raw is None else RescanJob.from_raw_data(raw)

    def save_job(self, job: RescanJob) -> None:
        _saved_versioned(self.items, (job.pk, job.sk), job, RescanJob)

    def award_views_page(
        self, shard: str, start: dict[str, Any] | None, *, size: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        views = self.award_views.get(shard, [])
        first = int(start["n"]["N"]) if start else 0
        page = views[first : first + size]
        more = first + size < len(views)
        return page, ({"n": {"N": str(first + size)}} if more else None)

    def program_facts(self) -> dict[str, dict[str, Any]]:
        facts = {}
        for program in self.programs._all():
            approval = program.content.get("approval") or {}
            facts[program.id] = {
                "authority_id": program.authority_id,
                "cycle": program.content.get("cycle", "irregular"),
                "approved_on": approval.get("approved_on"),
            }
        return facts


# --- store/webhooks.py ---------------------------------------------------------------------


class InMemoryWebhooks:
    """``store/webhooks.py`` over the webhooks table's items keyed by (pk, sk)."""

    sub_pk = staticmethod(webhooks.sub_pk)
    delivery_sk = staticmethod(webhooks.delivery_sk)

    def __init__(self) -> None:
        self.items: dict[Key, dict[str, Any]] = {}

    def _subscriptions(self) -> list[Subscription]:
        return [
            Subscription.from_raw_data(raw)
            for (_, sk), raw in self.items.items()
            if sk == webhooks.SUB_SK
        ]

    def _deliveries(self, pk: str) -> list[Delivery]:
        rows = [
            Delivery.from_raw_data(raw)
            for (p, sk), raw in self.items.items()
            if p == pk and sk.startswith("D#")
        ]
        return sorted(rows, key=lambda d: d.sk)

    def _set(self, subscription: Subscription, values: dict[str, Any]) -> None:
        """UpdateItem ``SET``/``REMOVE`` with ``ALL_NEW``: stored, and the object refreshed."""
        stored = self.get(subscription.id)
        assert stored is not None, "an update of a subscription that was never stored"
        for name, value in values.items():
            setattr(stored, name, value)
        raw = stored.serialize()
        self.items[(stored.pk, stored.sk)] = raw
        subscription.deserialize(raw)

    def get(self, subscription_id: str) -> Subscription | None:
        raw = self.items.get((webhooks.sub_pk(subscription_id), webhooks.SUB_SK))
        return None if raw is None else Subscription.from_raw_data(raw)

    def add(self, subscription: Subscription) -> None:
        key = (subscription.pk, subscription.sk)
        assert key not in self.items, "the condition pk does not exist failed"
        self.items[key] = subscription.serialize()

    def update(self, subscription: Subscription, condition: Any = None, **values: Any) -> bool:
        # Conditions are the store's own business (take_lease, pause_if_active,
        # mark_replayed below); a caller's own would need evaluating here.
        assert condition is None, "the webhooks twin evaluates the store's own conditions only"
        self._set(subscription, values)
        return True

    def page(
        self, owner: str | None, *, size: int, start: dict[str, Any] | None
    ) -> tuple[list[Subscription], dict[str, Any] | None]:
        rows = [s for s in self._subscriptions() if owner is None or s.owner_authority_id == owner]
        rows.sort(key=lambda s: s.id, reverse=True)
        if start is not None:
            rows = [s for s in rows if s.id < start["id"]["S"]]

        def position(s: Subscription) -> dict[str, Any]:
            if owner is None:
                return _raw_key(pk=s.pk, sk=s.sk, listing=s.listing, id=s.id)
            return _raw_key(pk=s.pk, sk=s.sk, owner_authority_id=s.owner_authority_id, id=s.id)

        return _page(rows, size, position)

    def every_subscription(self) -> Iterator[Subscription]:
        yield from sorted(self._subscriptions(), key=lambda s: s.id)

    def append_deliveries(
        self, subscription: Subscription, deliveries: list[Delivery], position: dict | None
    ) -> bool:
        expected = int(subscription.next_ordinal)
        new_next = expected + len(deliveries)
        if not deliveries and position is None:
            return True
        stored = self.get(subscription.id)
        if stored is None or int(stored.next_ordinal) != expected:
            return False
        if any((d.pk, d.sk) in self.items for d in deliveries):
            return False
        for delivery in deliveries:
            self.items[(delivery.pk, delivery.sk)] = delivery.serialize()
        stored.next_ordinal = new_next
        if position is not None:
            stored.position = position
        self.items[(stored.pk, stored.sk)] = stored.serialize()
        subscription.next_ordinal = new_next
        if position is not None:
            subscription.position = position
        return True

    def queued(self, subscription: Subscription, *, size: int) -> list[Delivery]:
        head, end = int(subscription.head), int(subscription.next_ordinal)
        if head >= end:
            return []
        low, high = webhooks.delivery_sk(head), webhooks.delivery_sk(end - 1)
        rows = [d for d in self._deliveries(subscription.pk) if low <= d.sk <= high]
        return rows[:size]

    def log_page(
        self, subscription_id: str, *, size: int, start: dict[str, Any] | None
    ) -> tuple[list[Delivery], dict[str, Any] | None]:
        rows = self._deliveries(webhooks.sub_pk(subscription_id))[::-1]
        if start is not None:
            rows = [d for d in rows if d.sk < start["sk"]["S"]]
        return _page(rows, size, lambda d: _raw_key(pk=d.pk, sk=d.sk))

    def save_attempt(self, delivery: Delivery, **values: Any) -> None:
        raw = self.items.get((delivery.pk, delivery.sk))
        stored = Delivery.from_raw_data(raw) if raw is not None else None
        if stored is None:  # UpdateItem creates the item from its key
            stored = Delivery.from_raw_data(_raw_key(pk=delivery.pk, sk=delivery.sk))
        for name, value in values.items():
            setattr(stored, name, value)
        raw = stored.serialize()
        self.items[(delivery.pk, delivery.sk)] = raw
        delivery.deserialize(raw)

    def take_lease(self, subscription: Subscription, now: str, until: str) -> bool:
        stored = self.get(subscription.id)
        assert stored is not None
        if stored.lease_until is not None and not stored.lease_until < now:
            return False
        self._set(subscription, {"lease_until": until})
        return True

    def reread(self, subscription: Subscription) -> None:
        subscription.deserialize(self.items[(subscription.pk, subscription.sk)])

    def live_count(self, owner: str) -> int:
        return sum(
            1
            for s in self._subscriptions()
            if s.owner_authority_id == owner and s.state != "deleted"
        )

    def pause_if_active(self, subscription: Subscription, **values: Any) -> bool:
        stored = self.get(subscription.id)
        if stored is None or stored.state != "active":
            return False
        self._set(subscription, values)
        return True

    def mark_replayed(self, subscription: Subscription, at: str, allowed_after: str) -> bool:
        stored = self.get(subscription.id)
        assert stored is not None
        if stored.replayed_at is not None and not stored.replayed_at <= allowed_after:
            return False
        self._set(subscription, {"replayed_at": at})
        return True

    def save_deliveries(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self.items[(delivery.pk, delivery.sk)] = delivery.serialize()


# --- store/rate_limits.py ------------------------------------------------------------------


class InMemoryRateLimits:
    """``store/rate_limits.py``: hits per ``<bucket>#<client>#<window start>``;
    ``failing = True`` makes the table unwritable (``add_hit`` answers None)."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.expires: dict[str, int] = {}
        self.failing = False

    def add_hit(
        self, bucket: str, client: str, window_start: int, window_seconds: int
    ) -> int | None:
        if self.failing:
            return None
        key = rate_limits.RateWindow.key_of(bucket, client, window_start)
        self.hits[key] += 1
        expires = window_start + window_seconds + rate_limits.EXPIRY_GRACE_SECONDS
        self.expires[key] = expires
        return self.hits[key]


# --- store/kms.py --------------------------------------------------------------------------


def _kms_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class InMemoryKms:
    """``store/kms.py``: keys by ARN, aliases, P-256 signing and sealed texts.

    A ciphertext is a random token (it reveals nothing of the text); decrypting it needs
    the encryption context it was sealed with, as KMS does
    (``InvalidCiphertextException`` otherwise).
    """

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}  # arn -> {usage, private?}
        self.aliases: dict[str, str] = {}  # alias -> arn
        self.sealed: dict[bytes, tuple[str, dict[str, str], str]] = {}

    def kms(self) -> Any:
        raise AssertionError("a service unit test asked for the KMS client: use the twin")

    def _new_key(self, usage: str, private: Any = None) -> str:
        region = settings().region
        partition = "aws-cn" if region.startswith("cn-") else "aws"
        key_id = "-".join(random_tokens.token_hex(n) for n in (4, 2, 2, 2, 6))
        arn = f"arn:{partition}:kms:{region}:123456789012:key/{key_id}"
        self.keys[arn] = {"usage": usage, "private": private}
        return arn

    def key_arn(self, key_or_alias: str) -> str | None:
        if key_or_alias in self.aliases:
            return self.aliases[key_or_alias]
        for arn in self.keys:
            if key_or_alias in (arn, arn.rsplit("/", 1)[1]):
                return arn
        return None

    def _key(self, key_id: str, operation: str) -> tuple[str, dict[str, Any]]:
        arn = self.key_arn(key_id)
        if arn is None:
            raise _kms_error("NotFoundException", f"no key {key_id}", operation)
        return arn, self.keys[arn]

    def create_signing_key(self, description: str) -> str:
        return self._new_key("SIGN_VERIFY", ec.generate_private_key(ec.SECP256R1()))

    def sign_digest(self, key_id: str, digest: bytes) -> tuple[bytes, str]:
        arn, key = self._key(key_id, "Sign")
        signature = key["private"].sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        return signature, arn

    def public_key(self, key_id: str) -> bytes:
        _, key = self._key(key_id, "GetPublicKey")
        return (
            key["private"]
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def point_alias(self, alias: str, target_arn: str) -> None:
        self.aliases[alias] = target_arn

    def ensure_symmetric_key(self, alias: str, description: str) -> str:
        arn = self.key_arn(alias)
        if arn is None:
            arn = self._new_key("ENCRYPT_DECRYPT")
            self.aliases[alias] = arn
        return arn

    def encrypt_text(self, key_id: str, text: str, context: dict[str, str]) -> str:
        arn, _ = self._key(key_id, "Encrypt")
        token = random_tokens.token_bytes(32)
        self.sealed[token] = (arn, dict(context), text)
        return base64.b64encode(token).decode("ascii")

    def decrypt_text(self, ciphertext: str, context: dict[str, str]) -> str:
        found = self.sealed.get(base64.b64decode(ciphertext))
        if found is None or found[1] != context:
            raise _kms_error("InvalidCiphertextException", "", "Decrypt")
        return found[2]


# --- all of them ---------------------------------------------------------------------------


class StoreTwins:
    """The twins of this file, installed over ``twins``' changes and programmes.

    The webhook key exists (as ``make run``'s bootstrap creates it); an objection or a
    rescan job saved through ``ledger.save_if_unchanged`` lands in its twin.
    """

    def __init__(self, twins: Twins, monkeypatch: pytest.MonkeyPatch) -> None:
        self.objections = InMemoryObjections(twins.changes)
        self.quality = InMemoryQuality(twins.programs)
        self.webhooks = InMemoryWebhooks()
        self.rate_limits = InMemoryRateLimits()
        self.kms = InMemoryKms()
        self.kms.ensure_symmetric_key(settings().webhook_key_id, "webhook secrets")
        for module, twin in (
            (objections, self.objections),
            (quality, self.quality),
            (webhooks, self.webhooks),
            (rate_limits, self.rate_limits),
            (kms, self.kms),
        ):
            install(monkeypatch, module, twin)
        real_save = ledger.save_if_unchanged

        def save_if_unchanged(item: Any) -> None:
            if isinstance(item, Objection):
                self.objections.save(item)
            elif isinstance(item, RescanJob):
                self.quality.save_job(item)
            else:
                real_save(item)

        monkeypatch.setattr(ledger, "save_if_unchanged", save_if_unchanged)


__all__ = [
    "InMemoryKms",
    "InMemoryObjections",
    "InMemoryQuality",
    "InMemoryRateLimits",
    "InMemoryWebhooks",
    "StoreTwins",
]
