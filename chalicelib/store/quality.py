"""The ``quality`` table: the data-quality checks' indexes, findings, counters and rescans.

The checks (``domain/quality_rules.py``) look each changed award's neighbours up
here, never in the awards table, so the audit reads what the day's changes touch,
not the history. Item kinds:

- ``QualityFacts`` (``AWARD#<id>`` / ``FACTS``): the facts of an award as last
  indexed (public fields only) and the keys it is indexed under, so a correction
  knows which groups it leaves.
- ``QualityEntry`` (``AWARD#<id>`` / ``<key>``): one per index key of an award
  (``PN#<year>#<project>``, ``PY#<programme>#<year>``, ``CC#<code>``, ``AN#<number>``)
  with the facts. While the award holds that key the entry carries ``live_key``,
  which puts it in the sparse ``by_key`` index: a group is one Query there. An
  award that leaves a key keeps its entry without ``live_key`` (nothing is deleted).
- ``QualityFinding`` (``<rule>|<group>`` / ``<authority>``): one finding of one rule
  on one group for one authority; the group's findings are one consistent Query.
  Found by id (``by_id``), listed by authority (``by_authority``) or rule
  (``by_rule``); while a province says it ``corrected`` one it carries ``check_pk``
  (sparse ``by_check``), so the next run re-judges it even if nothing changed.
- ``QualityCounter`` (``COUNT`` / ``<authority>``): awards with a winner registered
  in another province, open error findings, and the days each closed finding took
  (the pilot statistics' quality row reads these 33 items, no finding).
- ``RescanJob`` (``RESCAN`` / ``<job id>``): an administrator's rescan and its progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.store import ledger
from chalicelib.store.base import StoreModel, table_meta

QUALITY_META = table_meta("quality")
FACTS_SK = "FACTS"
COUNTER_PK = "COUNT"
RESCAN_PK = "RESCAN"
CHECK = "CHECK"


class LiveKeyIndex(GlobalSecondaryIndex):
    """Sparse: the awards currently holding an index key (``live_key``), in ``live_sort``
    order (by award, authority, programme or name: ``quality_rules.index_keys``)."""

    class Meta:
        index_name = "by_key"
        projection = AllProjection()

    live_key = UnicodeAttribute(hash_key=True)
    live_sort = UnicodeAttribute(range_key=True)


class QualityFacts(StoreModel):
    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True)  # AWARD#<id>
    sk = UnicodeAttribute(range_key=True, default=FACTS_SK)
    facts = JSONAttribute()
    keys = ListAttribute(of=UnicodeAttribute, default=list)
    elsewhere = NumberAttribute(default=0)  # 1 when a winner is registered elsewhere
    version_seen = NumberAttribute(default=0)  # the award version these facts are of

    @staticmethod
    def key(award_id: str) -> str:
        return f"AWARD#{award_id}"


class QualityEntry(StoreModel):
    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True)  # AWARD#<id>
    sk = UnicodeAttribute(range_key=True)  # the index key
    facts = JSONAttribute()
    live_key = UnicodeAttribute(null=True)
    live_sort = UnicodeAttribute(null=True)

    by_key = LiveKeyIndex()


class FindingIdIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_id"
        projection = AllProjection()

    id = UnicodeAttribute(hash_key=True)


class FindingAuthorityIndex(GlobalSecondaryIndex):
    """One authority's findings by rule (``rule_key = <rule>#<id>``)."""

    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    authority_id = UnicodeAttribute(hash_key=True)
    rule_key = UnicodeAttribute(range_key=True)


class FindingRuleIndex(GlobalSecondaryIndex):
    """One rule's findings by authority (``authority_key = <authority>#<id>``)."""

    class Meta:
        index_name = "by_rule"
        projection = AllProjection()

    rule = UnicodeAttribute(hash_key=True)
    authority_key = UnicodeAttribute(range_key=True)


class FindingCheckIndex(GlobalSecondaryIndex):
    """Sparse: findings a province said it corrected, to be checked on the next run."""

    class Meta:
        index_name = "by_check"
        projection = AllProjection()

    check_pk = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class QualityFinding(StoreModel):
    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True)  # <rule>|<group>
    sk = UnicodeAttribute(range_key=True)  # authority id
    id = UnicodeAttribute()
    rule = UnicodeAttribute()
    group = UnicodeAttribute()
    severity = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    state = UnicodeAttribute()
    records = JSONAttribute(default=list)
    detail = JSONAttribute(default=dict)
    opened_on = UnicodeAttribute()
    updated_on = UnicodeAttribute()
    closed_on = UnicodeAttribute(null=True)
    close_reason = UnicodeAttribute(null=True)
    resolution = JSONAttribute(null=True)  # {action, reason?, at, by_role}
    history = JSONAttribute(default=list)  # [{state, on, by_role?, reason?}]
    rule_key = UnicodeAttribute()
    authority_key = UnicodeAttribute()
    check_pk = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_id = FindingIdIndex()
    by_authority = FindingAuthorityIndex()
    by_rule = FindingRuleIndex()
    by_check = FindingCheckIndex()

    @staticmethod
    def key(rule: str, group: str) -> str:
        return f"{rule}|{group}"


class QualityCounter(StoreModel):
    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True, default=COUNTER_PK)
    sk = UnicodeAttribute(range_key=True)  # authority id
    elsewhere = NumberAttribute(default=0)
    open_errors = NumberAttribute(default=0)
    resolved_days = ListAttribute(of=NumberAttribute, default=list)


class RescanJob(StoreModel):
    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True, default=RESCAN_PK)
    sk = UnicodeAttribute(range_key=True)  # job id
    id = UnicodeAttribute()
    state = UnicodeAttribute()  # queued | running | done | failed
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    awards_done = NumberAttribute(default=0)
    awards_total = NumberAttribute(default=0)
    findings_open = NumberAttribute(default=0)
    position = JSONAttribute(null=True)  # where the next chunk starts
    error = UnicodeAttribute(null=True)
    version = VersionAttribute()


class QualityTable(StoreModel):
    """The table as setup and the infra check create it: every key and index of its kinds."""

    Meta = QUALITY_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    live_key = UnicodeAttribute(null=True)
    live_sort = UnicodeAttribute(null=True)
    id = UnicodeAttribute(null=True)
    authority_id = UnicodeAttribute(null=True)
    rule_key = UnicodeAttribute(null=True)
    rule = UnicodeAttribute(null=True)
    authority_key = UnicodeAttribute(null=True)
    check_pk = UnicodeAttribute(null=True)

    by_key = LiveKeyIndex()
    by_id = FindingIdIndex()
    by_authority = FindingAuthorityIndex()
    by_rule = FindingRuleIndex()
    by_check = FindingCheckIndex()


# --- the index -------------------------------------------------------------------------------


def facts_of_awards(award_ids: Iterable[str]) -> dict[str, QualityFacts]:
    """The stored facts of these awards (one consistent BatchGet per 100)."""
    keys = [(QualityFacts.key(a), FACTS_SK) for a in dict.fromkeys(award_ids)]
    return {
        item.pk.removeprefix("AWARD#"): item
        for item in QualityFacts.batch_get(keys, consistent_read=True)
    }


def index_items(
    award_id: str,
    facts: dict[str, Any],
    keys: list[tuple[str, str]],
    *,
    old_keys: Iterable[str] = (),
    elsewhere: int,
    version_seen: int,
) -> tuple[list[QualityEntry], QualityFacts]:
    """The items that index an award under ``keys``: its entries (live under each key,
    and no longer live under the ``old_keys`` it left) and its facts item.

    Defined once for :func:`write_index` and for benchmarks that store a large
    history of awards already indexed (``bench/_award_fill.py``), so both write the
    same items.
    """
    pk = QualityFacts.key(award_id)
    new_keys = [key for key, _ in keys]
    entries = [
        QualityEntry(pk=pk, sk=key, facts=facts, live_key=key, live_sort=sort) for key, sort in keys
    ] + [QualityEntry(pk=pk, sk=key, facts=facts) for key in old_keys if key not in new_keys]
    facts_item = QualityFacts(
        pk=pk, facts=facts, keys=new_keys, elsewhere=elsewhere, version_seen=version_seen
    )
    return entries, facts_item


ENTRIES_PER_TRANSACTION = 50  # DynamoDB takes 100 items per transaction; 40 winners
# can move up to 84 keys in and 84 out in one correction


def write_index(
    award_id: str,
    facts: dict[str, Any],
    keys: list[tuple[str, str]],
    *,
    previous: QualityFacts | None,
    elsewhere: int,
    version_seen: int,
) -> None:
    """Index an award under ``keys`` (live) and take it out of the keys it left.

    The entries go first, in transactions of at most ``ENTRIES_PER_TRANSACTION`` (each
    a put: idempotent); then the facts item and the authority's ``elsewhere`` counter
    move together in one transaction, so a run that dies half-way and runs again
    (from the old facts) rewrites the same entries and counts nothing twice. An entry
    an award left keeps its item without ``live_key`` (nothing is deleted).
    """
    old_keys: list[str] = [str(key) for key in previous.keys] if previous else []
    old_elsewhere = int(previous.elsewhere or 0) if previous else 0
    entries, facts_item = index_items(
        award_id, facts, keys, old_keys=old_keys, elsewhere=elsewhere, version_seen=version_seen
    )
    for start in range(0, len(entries), ENTRIES_PER_TRANSACTION):
        chunk = entries[start : start + ENTRIES_PER_TRANSACTION]

        def put_entries(transaction: TransactWrite, chunk: list[QualityEntry] = chunk) -> None:
            for entry in chunk:
                transaction.save(entry)

        ledger.transact(put_entries)

    def writes(transaction: TransactWrite) -> None:
        transaction.save(facts_item)
        if elsewhere != old_elsewhere:
            transaction.update(
                QualityCounter(sk=facts["authority_id"]),
                actions=[QualityCounter.elsewhere.add(elsewhere - old_elsewhere)],
            )

    ledger.transact(writes)


def live_members(
    key: str,
    *,
    limit: int,
    after: str | None = None,
    inclusive: bool = True,
    descending: bool = False,
) -> list[tuple[str, dict[str, Any]]]:
    """``(sort, facts)`` of up to ``limit`` awards holding ``key``, in sort order (or
    reversed), from ``after`` (``sort >= after``, or ``>`` when not ``inclusive``). The
    sparse index is eventually consistent: the caller merges the awards it has just
    indexed itself."""
    condition = None
    if after is not None:
        condition = QualityEntry.live_sort >= after if inclusive else QualityEntry.live_sort > after
    rows = QualityEntry.by_key.query(
        key, condition, limit=limit, page_size=limit, scan_index_forward=not descending
    )
    return [(entry.live_sort, entry.facts) for entry in rows]


# --- findings ----------------------------------------------------------------------------------


def findings_of_group(rule: str, group: str) -> dict[str, QualityFinding]:
    """The stored findings of ``rule`` on ``group``, by authority (one consistent Query)."""
    return {
        item.sk: item
        for item in QualityFinding.query(QualityFinding.key(rule, group), consistent_read=True)
    }


def findings_to_check(limit: int) -> list[QualityFinding]:
    """Findings a province said it corrected, not yet checked by a run."""
    return list(QualityFinding.by_check.query(CHECK, limit=limit))


def find_finding(finding_id: str) -> QualityFinding | None:
    """The finding with this id, read consistently; None when there is none."""
    for entry in QualityFinding.by_id.query(finding_id, limit=1):
        try:
            return QualityFinding.get(entry.pk, entry.sk, consistent_read=True)
        except QualityFinding.DoesNotExist:
            return None
    return None


def save_finding(
    item: QualityFinding,
    *,
    open_errors: int = 0,
    resolved_days: int | None = None,
) -> None:
    """Save a finding (optimistic: ``ledger.CommitConflict`` when it changed since read)
    with its authority's counters moved in the same transaction."""

    def writes(transaction: TransactWrite) -> None:
        transaction.save(item)
        actions: list[Any] = []
        if open_errors:
            actions.append(QualityCounter.open_errors.add(open_errors))
        if resolved_days is not None:
            actions.append(
                QualityCounter.resolved_days.set(
                    (QualityCounter.resolved_days | []).append([resolved_days])
                )
            )
        if actions:
            transaction.update(QualityCounter(sk=item.authority_id), actions=actions)

    ledger.transact(writes)


def findings_page(
    index: str, hash_key: str, rule: str | None, *, size: int, start: dict[str, Any] | None
) -> tuple[list[QualityFinding], dict[str, Any] | None]:
    """One bounded Query (``size`` items, from ``start``) of one authority's findings
    (``index="authority"``, of one ``rule`` if given) or of one rule's (``"rule"``).
    Returns the items and where the next Query starts (None: the partition ended)."""
    if index == "authority":
        condition = QualityFinding.rule_key.startswith(rule + "#") if rule else None
        rows = QualityFinding.by_authority.query(
            hash_key, condition, limit=size, page_size=size, last_evaluated_key=start
        )
    else:
        rows = QualityFinding.by_rule.query(
            hash_key, limit=size, page_size=size, last_evaluated_key=start
        )
    items = list(rows)
    return items, rows.last_evaluated_key


def position_after(item: QualityFinding, index: str) -> dict[str, Any]:
    """The index position just after ``item`` (a Query's ``ExclusiveStartKey``)."""
    keys = {"pk": item.pk, "sk": item.sk}
    if index == "authority":
        keys |= {"authority_id": item.authority_id, "rule_key": item.rule_key}
    else:
        keys |= {"rule": item.rule, "authority_key": item.authority_key}
    return {name: {"S": value} for name, value in keys.items()}


def counters() -> dict[str, QualityCounter]:
    """The 33 authorities' quality counters (one BatchGet)."""
    keys = [(COUNTER_PK, a) for a in sorted(AUTHORITY_IDS)]
    return {c.sk: c for c in QualityCounter.batch_get(keys, consistent_read=True)}


def resolved_days(counter: QualityCounter) -> list[int]:
    """The days each closed or accepted finding took (pynamodb types the list's items as
    their attribute class; they are numbers once read)."""
    return [int(day) for day in cast("list[float]", counter.resolved_days or [])]


def counter_of(authority_id: str) -> QualityCounter | None:
    try:
        return QualityCounter.get(COUNTER_PK, authority_id, consistent_read=True)
    except QualityCounter.DoesNotExist:
        return None


# --- rescans ---------------------------------------------------------------------------------


def get_job(job_id: str) -> RescanJob | None:
    try:
        return RescanJob.get(RESCAN_PK, job_id, consistent_read=True)
    except RescanJob.DoesNotExist:
        return None


def save_job(job: RescanJob) -> None:
    """Save a rescan job (optimistic: ``ledger.CommitConflict`` when it moved since read)."""
    ledger.save_if_unchanged(job)


def award_views_page(
    shard: str, start: dict[str, Any] | None, *, size: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a shard of all awards (the ``by_shard`` index): a rescan's chunk.

    Only a rescan (an administrator's background job) reads the whole registry,
    one bounded page per queue message; no request path does.
    """
    # Imported here: the audit and the API's quality routes never read the awards table.
    from chalicelib.store.awards import award_view
    from chalicelib.store.models import AwardRecord

    rows = AwardRecord.by_shard.query(shard, limit=size, page_size=size, last_evaluated_key=start)
    views = [award_view(record) for record in rows]
    return views, rows.last_evaluated_key


def program_facts() -> dict[str, dict[str, Any]]:
    """Every programme's authority, cycle and approval date (a few hundred items)."""
    from chalicelib.store.models import Program

    facts = {}
    for program in Program.by_listing.query("program"):
        approval = program.content.get("approval") or {}
        facts[program.id] = {
            "authority_id": program.authority_id,
            "cycle": program.content.get("cycle", "irregular"),
            "approved_on": approval.get("approved_on"),
        }
    return facts
