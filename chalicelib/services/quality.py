"""The data-quality checks as the daily audit and a rescan run them (issue 22).

For each award that changed (the audit: the change-feed batch; a rescan: a page of
the awards table) the check

1. indexes the award's facts under its keys in the ``quality`` table and takes it
   out of the keys it left (``store/quality.write_index``);
2. collects the groups the change can affect: those of its new and of its previous
   keys (a corrected project name leaves its old group), plus the groups of findings
   a province said it corrected (re-judged even when nothing changed);
3. judges each group once, reading only that group through the sparse ``by_key``
   index (``domain/quality_rules.py`` decides), and reconciles the answer with the
   group's stored findings: open the new, update those whose records changed,
   close those that no longer hold.

So its reads grow with the changes and the size of the groups they touch, never
with the registry's history. The index is eventually consistent: the awards this
batch indexed are taken from memory, not from the index, so a group sees them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import quality_rules as rules
from chalicelib.domain.quality_rules import Facts, Found
from chalicelib.observability import logger
from chalicelib.store import quality as store
from chalicelib.store.ledger import until_committed
from chalicelib.store.quality import QualityFinding
from chalicelib.store.submissions import zero_reports_of

GROUP_RULES: dict[str, tuple[str, ...]] = {
    "DU": (rules.DUPLICATE_AWARD,),
    "XP": (rules.CROSS_PROVINCE_DUPLICATE,),
    "CN": (rules.NAME_DRIFT,),
    "AN": (rules.ANNOUNCEMENT_REUSED,),
    "PP": (rules.CYCLE_MISMATCH,),
    "AW": (rules.BEFORE_APPROVAL, rules.CYCLE_MISMATCH),
    "RE": (rules.REGISTRATION_ELSEWHERE,),
}
ZERO_REPORTS_READ = 50  # of one authority, latest period end first
GROUP_READ = rules.RECORDS_MAX + 1  # a group's members read at most (DU, PY)
END_READ = rules.RECORDS_MAX // 2  # members read from each end of a group (XP, AN)
NAME_HOPS = 10  # distinct names of one credit code read at most (CN)
OPEN_ISH = (rules.OPEN, rules.CORRECTED, rules.EXPLAINED)  # counted as open errors


@dataclass
class Outcome:
    """What one check did: the report's quality section."""

    awards_checked: int = 0
    groups_judged: int = 0
    opened: list[QualityFinding] = field(default_factory=list)
    updated: list[QualityFinding] = field(default_factory=list)
    closed: list[QualityFinding] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "awards_checked": self.awards_checked,
            "groups_judged": self.groups_judged,
            "opened": len(self.opened),
            "updated": len(self.updated),
            "closed": len(self.closed),
        }


def latest_award_views(entries: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Each changed award's latest data in a batch of change entries (seq order)."""
    views: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.entity == "award":
            views[entry.entity_id] = entry.data
    return views


def programs_of(trackers: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """What the rules need of each programme, from the audit's trackers or programme items."""
    return {
        t.sk: {"authority_id": t.authority_id, "cycle": t.cycle, "approved_on": t.approved_on}
        for t in trackers
    }


def check_awards(
    views: Mapping[str, Mapping[str, Any]],
    programs: Mapping[str, Mapping[str, Any]],
    *,
    day: str,
    run_id: str,
) -> Outcome:
    """Index the changed awards and judge every group they touch (see the module doc).

    ``programs`` maps programme ids to ``{authority_id, cycle, approved_on}``.
    """
    outcome = Outcome()
    previous = store.facts_of_awards(views) if views else {}
    batch: dict[str, Facts] = {}
    groups: set[str] = set()
    for award_id, view in views.items():
        facts = rules.facts_of(view)
        before = previous.get(award_id)
        version = int(view.get("version") or 0)
        if (
            before is None
            or int(before.version_seen or 0) < version
            or before.facts != (facts.to_dict())
        ):
            store.write_index(
                award_id,
                facts.to_dict(),
                rules.index_keys(facts),
                previous=before,
                elsewhere=1 if rules.registered_elsewhere(facts) else 0,
                version_seen=version,
            )
        batch[award_id] = facts
        groups.update(rules.groups_of(facts))
        if before is not None:
            groups.update(rules.groups_of(Facts.from_dict(before.facts)))
    outcome.awards_checked = len(batch)
    for item in store.findings_to_check(limit=settings().read_bound(100)):
        groups.add(item.group)
    judge_groups(sorted(groups), batch, programs, day=day, run_id=run_id, outcome=outcome)
    return outcome


def judge_groups(
    groups: Iterable[str],
    batch: Mapping[str, Facts],
    programs: Mapping[str, Mapping[str, Any]],
    *,
    day: str,
    run_id: str,
    outcome: Outcome,
) -> None:
    judge = _Judge(batch, programs)
    for group in groups:
        kind = group.split("#", 1)[0]
        found = judge.findings(group)
        outcome.groups_judged += 1
        for rule in GROUP_RULES[kind]:
            holding = {f.authority_id: f for f in found if f.rule == rule}
            until_committed(partial(reconcile, rule, group, holding, day=day, outcome=outcome))
    del run_id  # findings are dated by the China day; the run is in the report


class _Judge:
    """Reads a bounded part of one group (index plus this batch) and applies its rules.

    No group is read whole: a finding needs two members that differ (two source ids,
    two authorities, two programmes, two names), and the index's sort order puts such
    members within the first items, at the two ends, or one name apart.
    """

    def __init__(self, batch: Mapping[str, Facts], programs: Mapping[str, Mapping[str, Any]]):
        self.batch = batch
        self.programs = programs
        self._zero: dict[str, list[dict[str, Any]]] = {}

    def _merge(self, key: str, read: Iterable[dict[str, Any]]) -> list[Facts]:
        """The index's members, with this batch's awards as they are now."""
        members = {
            data["award_id"]: Facts.from_dict(data)
            for data in read
            if data["award_id"] not in self.batch
        }
        for award_id, facts in self.batch.items():
            if rules.holds_key(facts, key):
                members[award_id] = facts
        return sorted(members.values(), key=lambda f: f.award_id)

    def first(self, key: str) -> list[Facts]:
        return self._merge(key, (data for _, data in store.live_members(key, limit=GROUP_READ)))

    def both_ends(self, key: str) -> list[Facts]:
        head = store.live_members(key, limit=END_READ)
        tail = store.live_members(key, limit=END_READ, descending=True) if head else []
        return self._merge(key, (data for _, data in [*head, *tail]))

    def name_variants(self, key: str) -> list[Facts]:
        """One award per distinct name of a credit code: hop from name to name."""
        read: list[dict[str, Any]] = []
        after, inclusive, names = None, True, 0
        for _ in range(NAME_HOPS + len(self.batch)):
            rows = store.live_members(key, limit=1, after=after, inclusive=inclusive)
            if not rows:
                break
            sort, data = rows[0]
            if data["award_id"] in self.batch:
                after, inclusive = sort, False  # its current name is in the batch: read on
                continue
            read.append(data)
            names += 1
            if names >= NAME_HOPS:
                logger.warning("quality name hops at their bound", extra={"group": key})
                break
            after, inclusive = sort.split(rules.SORT_SEP, 1)[0] + rules.NEXT_NAME, True
        return self._merge(key, read)

    def zero_reports(self, authority_id: str) -> list[dict[str, Any]]:
        if authority_id not in self._zero:
            self._zero[authority_id] = [
                {"id": z.id, "period_from": z.period_from, "period_to": z.period_to}
                for z in zero_reports_of(authority_id, before=None, limit=ZERO_REPORTS_READ)
            ]
        return self._zero[authority_id]

    def findings(self, group: str) -> list[Found]:
        kind, rest = group.split("#", 1)
        if kind == "DU":
            return rules.duplicate_group(group, self.first(group))
        if kind == "XP":
            return rules.cross_group(group, self.both_ends(group))
        if kind == "CN":
            return rules.drift_group(group, rest, self.name_variants(group))
        if kind == "AN":
            return rules.announcement_group(group, self.both_ends(group))
        if kind == "PP":
            program_id, year = rest.rsplit("#", 1)
            program = self.programs.get(program_id)
            if not program or program.get("cycle") != "biennial":
                return []  # only a biennial programme's years are judged: read nothing
            first = self.first(f"PY#{program_id}#{year}")
            second = self.first(f"PY#{program_id}#{int(year) + 1}")
            return rules.biennial_pair(group, program, int(year), first, second)
        if kind == "AW":
            facts = self.batch.get(rest)
            if facts is None:
                stored = store.facts_of_awards([rest]).get(rest)
                facts = Facts.from_dict(stored.facts) if stored else None
            if facts is None:
                return []
            program = self.programs.get(facts.program_id) or {}
            return rules.award_group(
                group,
                facts,
                approved_on=program.get("approved_on"),
                zero_reports=self.zero_reports(facts.authority_id),
            )
        if kind == "RE":
            counter = store.counter_of(rest)
            return rules.elsewhere_count(group, rest, int(counter.elsewhere or 0) if counter else 0)
        raise ValueError(f"unknown quality group {group!r}")


def reconcile(
    rule: str, group: str, holding: Mapping[str, Found], *, day: str, outcome: Outcome
) -> None:
    """Make the stored findings of ``rule`` on ``group`` say what holds now.

    Opened once; updated when its records change (an answered finding keeps its
    answer, except a ``corrected`` one, which the records still matching reopens);
    closed when it no longer holds; a closed one that holds again is reopened.
    Raises ``CommitConflict`` when a finding changed while this ran (a province
    answering it): the caller re-reads and reconciles again.
    """
    stored = store.findings_of_group(rule, group)
    is_error = rules.RULES[rule].severity == rules.ERROR
    for authority_id, found in sorted(holding.items()):
        item = stored.get(authority_id)
        if item is None:
            item = QualityFinding(
                pk=QualityFinding.key(rule, group),
                sk=authority_id,
                id=found.id,
                rule=rule,
                group=group,
                severity=found.severity,
                authority_id=authority_id,
                state=rules.OPEN,
                records=found.records,
                detail=found.detail,
                opened_on=day,
                updated_on=day,
                history=[{"state": rules.OPEN, "on": day}],
                rule_key=f"{rule}#{found.id}",
                authority_key=f"{authority_id}#{found.id}",
            )
            store.save_finding(item, open_errors=1 if is_error else 0)
            outcome.opened.append(item)
            continue
        changed = item.records != found.records or item.detail != found.detail
        was = item.state
        if was in (rules.CLOSED, rules.CORRECTED):
            item.state = rules.OPEN
            item.closed_on = item.close_reason = item.check_pk = None
            note = "reopened" if was == rules.CLOSED else "still_matches"
            item.history = [*item.history, {"state": rules.OPEN, "on": day, "note": note}]
        elif not changed:
            continue
        item.records, item.detail, item.updated_on = found.records, found.detail, day
        counted = 1 if is_error and was == rules.CLOSED else 0
        store.save_finding(item, open_errors=counted)
        (outcome.opened if was == rules.CLOSED else outcome.updated).append(item)
    for authority_id, item in sorted(stored.items()):
        if authority_id in holding or item.state == rules.CLOSED:
            continue
        was = item.state
        item.state, item.closed_on = rules.CLOSED, day
        item.close_reason = "corrected" if was == rules.CORRECTED else "no_longer_matches"
        item.check_pk, item.updated_on = None, day
        item.history = [*item.history, {"state": rules.CLOSED, "on": day}]
        counted = -1 if is_error and was in OPEN_ISH else 0
        days = rules.days_between(item.opened_on, day) if was in OPEN_ISH else None
        store.save_finding(item, open_errors=counted, resolved_days=days)
        outcome.closed.append(item)
