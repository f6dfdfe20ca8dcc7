"""Data-quality rules (数据质量): duplicates, drift and contradictions in what provinces push.

An evaluator of the pilot needs to know whether what a province pushes is right, not
only whether it is on time. These rules are pure: each takes the facts of a *group*
of awards (the awards sharing one index key, found by ``services/quality.py`` through
the ``quality`` table's indexes) and says which findings hold for that group now.
The service compares that with the findings stored for the group: a finding is opened
once, updated when its records change and closed when they no longer match.

Groups (the index keys) and the rules judged on each:

- ``DU#<programme>#<year>#<project key>``: ``duplicate_award`` (a shared winner credit
  code under different ``source_id``);
- ``XP#<year>#<credit code>#<project key>``: ``cross_province_duplicate`` (two authorities);
- ``CN#<credit code>``: ``name_drift`` (two or more names beyond normalisation; a
  typo and a renamed company are told apart by their similarity, and both reported);
- ``AN#<announcement key>``: ``announcement_reused`` (two programmes);
- ``PP#<programme>#<year>``: ``cycle_mismatch`` (a biennial programme with awards in
  ``year`` and ``year + 1``, read from the ``PY#<programme>#<year>`` keys);
- ``AW#<award id>``: ``before_approval`` and ``cycle_mismatch`` against a zero report;
- ``RE#<authority>``: ``registration_elsewhere``, counted per authority, not listed.

No finding carries personal data: the facts hold no project manager
(``domain/disclosure.py``), only what the public sees of an award.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.domain.authorities import division_prefix
from chalicelib.domain.names import fold_name

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

DUPLICATE_AWARD = "duplicate_award"
CROSS_PROVINCE_DUPLICATE = "cross_province_duplicate"
NAME_DRIFT = "name_drift"
BEFORE_APPROVAL = "before_approval"
CYCLE_MISMATCH = "cycle_mismatch"
ANNOUNCEMENT_REUSED = "announcement_reused"
REGISTRATION_ELSEWHERE = "registration_elsewhere"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    zh: str
    en: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            DUPLICATE_AWARD,
            ERROR,
            "同一奖项、同一年度、同一获奖企业的同名工程以不同记录编号重复报送",
            "The same project of the same winner was pushed twice for one programme "
            "and year under different source_ids",
        ),
        Rule(
            CROSS_PROVINCE_DUPLICATE,
            WARNING,
            "同一工程、同一获奖企业在同一年度由两个以上省级主管部门报送",
            "The same project and winner in the same year was pushed by two authorities",
        ),
        Rule(
            NAME_DRIFT,
            WARNING,
            "同一统一社会信用代码对应两个以上不同的企业名称（录入错误或企业更名）",
            "One credit code appears under two or more enterprise names (a typo or a "
            "renamed company)",
        ),
        Rule(
            BEFORE_APPROVAL,
            ERROR,
            "获奖日期早于该奖项获批设立的日期",
            "The award is dated before its programme was approved",
        ),
        Rule(
            CYCLE_MISMATCH,
            WARNING,
            "获奖年度与评选周期或零报告不符",
            "Award years contradict the programme's cycle or a zero report",
        ),
        Rule(
            ANNOUNCEMENT_REUSED,
            WARNING,
            "同一公告文号用于两个不同奖项的获奖信息",
            "The same announcement number is used on awards of two programmes",
        ),
        Rule(
            REGISTRATION_ELSEWHERE,
            INFO,
            "获奖企业在其他省份登记注册（仅统计数量）",
            "Winners registered in another province than the project's (counted only)",
        ),
    )
}

TYPO_SIMILARITY = 85.0
"""A name at least this similar (rapidfuzz ratio, 0-100) to another of its credit code is
called a typo; below it a renamed company (or another company under a wrong code)."""

RECORDS_MAX = 20
"""Records a finding lists at most: a group is read up to a bound, never whole, so the
checks cost the same however large the history (``detail.records_read`` says how many)."""

_TRAILING = "。.，,、;；:：!！?？·-—_~ "


# --- normalisation ---------------------------------------------------------------------


def project_key(name: str) -> str:
    """The project name as duplicates are compared: one spelling for what a clerk typed.

    ``domain/names.fold_name`` (NFKC, so full-width letters, digits and （）become
    half-width; every space dropped; upper case), then trailing punctuation stripped.
    Words are left as they are: 有限公司 and 有限责任公司 stay different.

    Examples
    --------
    >>> project_key(" 北京城市副中心 综合交通枢纽（一期）。")
    '北京城市副中心综合交通枢纽(一期)'
    """
    return fold_name(name).rstrip(_TRAILING)


def enterprise_key(name: str) -> str:
    """An enterprise name as drift is compared (the same folding as project names)."""
    return project_key(name)


def announcement_key(number: str) -> str:
    """An announcement number folded (NFKC, no spaces, upper case): 浙建〔2012〕45号."""
    return fold_name(number)


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def finding_id(rule: str, group: str, authority_id: str) -> str:
    """The stable id of the finding of ``rule`` on ``group`` for one authority."""
    return "qf_" + hashlib.sha256(f"{rule}|{group}|{authority_id}".encode()).hexdigest()[:24]


# --- the facts of one award --------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the rules know of one award: public fields only, no project manager."""

    award_id: str
    authority_id: str
    source_id: str
    program_id: str
    year: int
    awarded_on: str
    project_name: str
    winners: tuple[tuple[str, str], ...]  # (credit code, name as pushed)
    announcement_number: str | None = None
    location_code: str | None = None
    active: bool = True

    @property
    def project(self) -> str:
        return project_key(self.project_name)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.winners)

    def to_dict(self) -> dict[str, Any]:
        return {
            "award_id": self.award_id,
            "authority_id": self.authority_id,
            "source_id": self.source_id,
            "program_id": self.program_id,
            "year": self.year,
            "awarded_on": self.awarded_on,
            "project_name": self.project_name,
            "winners": [list(w) for w in self.winners],
            "announcement_number": self.announcement_number,
            "location_code": self.location_code,
            "active": self.active,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Facts:
        return cls(
            award_id=data["award_id"],
            authority_id=data["authority_id"],
            source_id=data["source_id"],
            program_id=data["program_id"],
            year=int(data["year"]),
            awarded_on=data["awarded_on"],
            project_name=data["project_name"],
            winners=tuple((str(c), str(n)) for c, n in data["winners"]),
            announcement_number=data.get("announcement_number"),
            location_code=data.get("location_code"),
            active=bool(data.get("active", True)),
        )


def facts_of(view: Mapping[str, Any]) -> Facts:
    """The facts of an award view (a change entry's ``data`` or a stored record's view)."""
    project = view.get("project") or {}
    return Facts(
        award_id=view["id"],
        authority_id=view["authority_id"],
        source_id=view.get("source_id", ""),
        program_id=view.get("program_id", ""),
        year=int(view["year"]),
        awarded_on=view["awarded_on"],
        project_name=project.get("name", ""),
        winners=tuple(
            (w["credit_code"], w["name"]) for w in view.get("winners", []) if w.get("credit_code")
        ),
        announcement_number=view.get("announcement_number") or None,
        location_code=project.get("location_code") or None,
        active=view.get("status", "active") == "active",
    )


SORT_SEP = "\x1f"
"""Between a name and an award id in an index sort key: below every printable character,
so ``<name> + NEXT_NAME`` sorts after every key of that name and before any longer name."""
NEXT_NAME = "\x20"


def index_keys(facts: Facts) -> list[tuple[str, str]]:
    """The ``(key, sort)`` pairs an active award is indexed under (none once revoked).

    The sort orders a group so the checks read a bounded part of it whatever its size:
    by authority (``XP``: both ends differ when two authorities pushed it), by
    programme (``AN``: both ends differ when two programmes used the number), by name
    (``CN``: one item per distinct name, hopping from name to name).
    """
    if not facts.active:
        return []
    award = facts.award_id
    keys = [
        (f"DU#{facts.program_id}#{facts.year}#{facts.project}", award),
        (f"PY#{facts.program_id}#{facts.year}", award),
    ]
    for code, name in sorted(set(facts.winners)):
        keys.append((f"CN#{code}", f"{enterprise_key(name)}{SORT_SEP}{award}"))
    for code in sorted(facts.codes):
        keys.append(
            (f"XP#{facts.year}#{code}#{facts.project}", f"{facts.authority_id}{SORT_SEP}{award}")
        )
    if facts.announcement_number:
        number = announcement_key(facts.announcement_number)
        keys.append((f"AN#{number}", f"{facts.program_id}{SORT_SEP}{award}"))
    return list(dict.fromkeys(keys))


def holds_key(facts: Facts, key: str) -> bool:
    return any(k == key for k, _ in index_keys(facts))


def groups_of(facts: Facts) -> list[str]:
    """The groups a change to this award may change the findings of (revoked ones too)."""
    groups = [f"AW#{facts.award_id}", f"RE#{facts.authority_id}"]
    for key, _ in index_keys(facts):
        if key.startswith("PY#"):
            _, program_id, year = key.split("#")
            groups += [f"PP#{program_id}#{int(year) - 1}", f"PP#{program_id}#{year}"]
        else:
            groups.append(key)
    return list(dict.fromkeys(groups))


def registered_elsewhere(facts: Facts) -> list[str]:
    """Winner credit codes registered in another province than the project's.

    Digits 3-8 of a unified social credit code are the registering authority's
    division code (GB 32100-2015); its first two digits name the province. The
    project's province is its ``location_code`` when given, else the pushing
    authority's. A code whose division digits are not a province (e.g. ``100000``,
    registered nationally) is not counted.
    """
    if not facts.active:
        return []
    province = (facts.location_code or "")[:2] or division_prefix(facts.authority_id)
    elsewhere = []
    for code in sorted(facts.codes):
        registered = code[2:4]
        if registered.isdigit() and registered not in ("00", "10") and registered != province:
            elsewhere.append(code)
    return elsewhere


# --- findings ------------------------------------------------------------------------------


@dataclass
class Found:
    """A finding that holds now for one authority (what the store keeps, minus its state)."""

    rule: str
    group: str
    authority_id: str
    records: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return finding_id(self.rule, self.group, self.authority_id)

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity


def record_of(facts: Facts, *, fields: Sequence[str] = ()) -> dict[str, Any]:
    """One award as a finding lists it: public fields, and which of them differ."""
    return {
        "award_id": facts.award_id,
        "authority_id": facts.authority_id,
        "source_id": facts.source_id,
        "program_id": facts.program_id,
        "year": facts.year,
        "awarded_on": facts.awarded_on,
        "project_name": facts.project_name,
        "announcement_number": facts.announcement_number,
        "winners": [{"credit_code": c, "name": n} for c, n in facts.winners],
        "differing": list(fields),
    }


def _records(awards: Iterable[Facts], fields: Sequence[str] = ()) -> list[dict[str, Any]]:
    ordered = sorted(awards, key=lambda f: (f.authority_id, f.source_id, f.award_id))
    return [record_of(f, fields=fields) for f in ordered[:RECORDS_MAX]]


def _per_authority(
    rule: str, group: str, members: Sequence[Facts], detail: dict[str, Any], fields: Sequence[str]
) -> list[Found]:
    """One finding per authority involved, each listing every member (public records)."""
    detail = {**detail, "records_read": len(members)}
    return [
        Found(rule, group, authority_id, _records(members, fields), detail)
        for authority_id in sorted({m.authority_id for m in members})
    ]


def _linked(members: Sequence[Facts], same: Any) -> list[Facts]:
    """Members sharing a winner credit code with another member for which ``same`` holds."""
    linked = []
    for a in members:
        if any(b.award_id != a.award_id and same(a, b) and a.codes & b.codes for b in members):
            linked.append(a)
    return linked


def duplicate_group(group: str, members: Sequence[Facts]) -> list[Found]:
    """``duplicate_award`` on a ``DU#<programme>#<year>#<project>`` group: awards that
    share a winner credit code under different ``source_id``s."""
    dupes = _linked([m for m in members if m.active], lambda a, b: a.source_id != b.source_id)
    if not dupes:
        return []
    return [
        Found(
            DUPLICATE_AWARD,
            group,
            dupes[0].authority_id,  # one programme, one authority
            _records(dupes, ["source_id"]),
            {"project_key": dupes[0].project, "year": dupes[0].year, "records_read": len(dupes)},
        )
    ]


def cross_group(group: str, members: Sequence[Facts]) -> list[Found]:
    """``cross_province_duplicate`` on an ``XP#<year>#<code>#<project>`` group: the same
    project and winner in one year pushed by two or more authorities."""
    active = [m for m in members if m.active]
    if len({m.authority_id for m in active}) < 2:
        return []
    _, year, code, project = group.split("#", 3)
    detail = {"project_key": project, "year": int(year), "credit_code": code}
    return _per_authority(CROSS_PROVINCE_DUPLICATE, group, active, detail, ["authority_id"])


def name_similarity(a: str, b: str) -> float:
    """How alike two enterprise names are, 0-100 (rapidfuzz's normalised Indel ratio)."""
    # Imported here: only the audit pays for the C extension, never an API cold start.
    from rapidfuzz import fuzz

    return round(float(fuzz.ratio(enterprise_key(a), enterprise_key(b))), 1)


def drift_group(group: str, code: str, variants: Sequence[Facts]) -> list[Found]:
    """``name_drift`` on a ``CN#<code>`` group: names that differ beyond normalisation.

    ``variants`` holds one award (or a few) per distinct name of the code. Every pair
    of names is reported with its similarity: at least ``TYPO_SIMILARITY`` is a
    ``typo``, below it a ``renamed`` company (or another company under a wrong code).
    """
    names: dict[str, dict[str, Any]] = {}
    for m in variants:
        if not m.active:
            continue
        for winner_code, name in m.winners:
            if winner_code == code:
                entry = names.setdefault(enterprise_key(name), {"name": name, "awards": []})
                entry["awards"].append(m)
    if len(names) < 2:
        return []
    ordered = sorted(names.values(), key=lambda v: v["name"])
    pairs = []
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            similarity = name_similarity(first["name"], second["name"])
            pairs.append(
                {
                    "names": [first["name"], second["name"]],
                    "similarity": similarity,
                    "kind": "typo" if similarity >= TYPO_SIMILARITY else "renamed",
                }
            )
    detail = {
        "credit_code": code,
        "names": [
            {"name": v["name"], "award_ids": sorted(a.award_id for a in v["awards"])}
            for v in ordered
        ],
        "pairs": pairs,
        "kind": "typo" if all(p["kind"] == "typo" for p in pairs) else "renamed",
    }
    involved = [a for v in ordered for a in v["awards"]]
    return _per_authority(NAME_DRIFT, group, involved, detail, ["winners.name"])


def announcement_group(group: str, members: Sequence[Facts]) -> list[Found]:
    """``announcement_reused``: one announcement number on awards of two programmes."""
    active = [m for m in members if m.active]
    if len({m.program_id for m in active}) < 2:
        return []
    number = active[0].announcement_number
    return _per_authority(
        ANNOUNCEMENT_REUSED,
        group,
        active,
        {"announcement_number": number, "programs": sorted({m.program_id for m in active})},
        ["program_id"],
    )


def biennial_pair(
    group: str,
    program: Mapping[str, Any] | None,
    year: int,
    first: Sequence[Facts],
    second: Sequence[Facts],
) -> list[Found]:
    """``cycle_mismatch``: a biennial programme with awards in ``year`` and ``year + 1``."""
    if not program or program.get("cycle") != "biennial":
        return []
    first = [m for m in first if m.active]
    second = [m for m in second if m.active]
    if not first or not second:
        return []
    examples = [*first[:1], *second[:1]]
    return [
        Found(
            CYCLE_MISMATCH,
            group,
            program["authority_id"],
            _records(examples, ["year"]),
            {
                "kind": "biennial_consecutive",
                "program_id": examples[0].program_id,
                "years": [year, year + 1],
            },
        )
    ]


def award_group(
    group: str,
    facts: Facts | None,
    *,
    approved_on: str | None,
    zero_reports: Sequence[Mapping[str, Any]] = (),
) -> list[Found]:
    """``before_approval`` and a zero report's contradiction, for one award (``AW#<id>``).

    An award dated on the approval date itself is not before it. A zero report
    (``period_from``..``period_to``, both included) contradicts an award of the same
    authority announced inside that period.
    """
    if facts is None or not facts.active:
        return []
    found = []
    if approved_on and facts.awarded_on < approved_on:
        found.append(
            Found(
                BEFORE_APPROVAL,
                group,
                facts.authority_id,
                _records([facts], ["awarded_on"]),
                {"awarded_on": facts.awarded_on, "approved_on": approved_on},
            )
        )
    covering = [
        {"id": z["id"], "period_from": z["period_from"], "period_to": z["period_to"]}
        for z in zero_reports
        if z["period_from"] <= facts.awarded_on <= z["period_to"]
    ]
    if covering:
        found.append(
            Found(
                CYCLE_MISMATCH,
                group,
                facts.authority_id,
                _records([facts], ["awarded_on"]),
                {"kind": "zero_report", "zero_reports": covering},
            )
        )
    return found


def elsewhere_count(group: str, authority_id: str, count: int) -> list[Found]:
    """``registration_elsewhere``: one counted finding per authority, no records listed."""
    if count <= 0:
        return []
    return [Found(REGISTRATION_ELSEWHERE, group, authority_id, [], {"count": count})]


# --- answering a finding -------------------------------------------------------------------

OPEN, CORRECTED, EXPLAINED = "open", "corrected", "explained"
ACCEPTED, CLOSED = "accepted", "closed"
STATES = (OPEN, CORRECTED, EXPLAINED, ACCEPTED, CLOSED)
EXPLANATION_MIN_CHARS = 10
PROVINCE_ACTIONS = ("corrected", "explained")
ADMIN_ACTIONS = ("accept", "reopen")


def after_action(state: str, action: str) -> str | None:
    """The state a finding moves to on ``action``; None when the action does not apply.

    A province answers an open finding (``corrected``: checked on the next run;
    ``explained``: waits for an administrator), or changes its answer; an
    administrator accepts an explanation or reopens any answered finding.
    """
    if action == "corrected" and state in (OPEN, CORRECTED, EXPLAINED):
        return CORRECTED
    if action == "explained" and state in (OPEN, CORRECTED, EXPLAINED):
        return EXPLAINED
    if action == "accept" and state == EXPLAINED:
        return ACCEPTED
    if action == "reopen" and state in (CORRECTED, EXPLAINED, ACCEPTED):
        return OPEN
    return None


def explanation_ok(reason: str | None) -> bool:
    """An explanation says something: at least ``EXPLANATION_MIN_CHARS`` characters."""
    text = unicodedata.normalize("NFKC", reason or "").strip()
    return len(text) >= EXPLANATION_MIN_CHARS


def days_between(opened_on: str, closed_on: str) -> int:
    """Whole days from opening to resolution (never negative: an audit may run "as of" a
    China date after the day a province answers)."""
    return max(0, (date.fromisoformat(closed_on) - date.fromisoformat(opened_on)).days)


def quality_row(*, open_errors: int, awards: int, resolved_days: Sequence[int]) -> dict[str, Any]:
    """A province's quality row of the pilot statistics: open error findings per 100 active
    awards (None without awards) and the median days a finding took to close or be accepted.

    Examples
    --------
    >>> quality_row(open_errors=3, awards=150, resolved_days=[1, 4, 10])
    {'open_errors': 3, 'awards': 150, 'open_errors_per_100_awards': 2.0, \
'findings_resolved': 3, 'median_days_to_resolve': 4}
    """
    open_errors = max(0, open_errors)
    ordered = sorted(resolved_days)
    median: float | None = None
    if ordered:
        middle = len(ordered) // 2
        median = (
            ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        )
    return {
        "open_errors": open_errors,
        "awards": awards,
        "open_errors_per_100_awards": round(open_errors * 100 / awards, 2) if awards else None,
        "findings_resolved": len(ordered),
        "median_days_to_resolve": median,
    }
