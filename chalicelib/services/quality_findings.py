"""Data-quality findings as provinces and administrators read and answer them (issue 22).

Nothing here is public: a province lists and answers its own findings, an
administrator everyone's. A province answers a finding ``corrected`` (it fixed
the records: the next audit run checks, and closes the finding or reopens it) or
``explained`` (a reason of at least 10 characters, which an administrator may
``accept`` or ``reopen``). A finding holds public award fields only.

A list page reads one index partition at a time (an authority's findings by rule,
or a rule's findings by authority) and checks ``severity`` and ``state`` on the
items read, with the short-page rule of the public lists (README "Short pages").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import quality_rules as rules
from chalicelib.domain import schemas
from chalicelib.domain.china_time import china_date
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from chalicelib.domain.principal import Principal
from chalicelib.domain.queries import QualityFilter
from chalicelib.store import quality as store
from chalicelib.store import secrets
from chalicelib.store.base import iso_utc
from chalicelib.store.ledger import until_committed
from chalicelib.store.quality import CHECK, QualityFinding

RULE_ORDER = tuple(rules.RULES)
FILTERED_CHUNK = 50


def finding_view(item: QualityFinding) -> dict[str, Any]:
    rule = rules.RULES[item.rule]
    return {
        "id": item.id,
        "rule": item.rule,
        "severity": item.severity,
        "explanation": {"zh": rule.zh, "en": rule.en},
        "authority_id": item.authority_id,
        "state": item.state,
        "records": item.records,
        "detail": item.detail,
        "opened_on": item.opened_on,
        "updated_on": item.updated_on,
        "closed_on": item.closed_on,
        "close_reason": item.close_reason,
        "resolution": item.resolution,
        "history": item.history,
    }


def list_findings(principal: Principal, query: QualityFilter) -> dict:
    """``GET /v1/quality/findings``: a province its own, an administrator all (filters,
    read at the edge)."""
    rule, severity, state, limit = query.rule, query.severity, query.state, query.limit
    authority = query.authority_id
    if not principal.is_admin:
        if authority is not None and authority != principal.authority_id:
            raise ForbiddenError("a province lists only its own findings")
        authority = principal.authority_id
    # The partitions to read, in order: (index, hash key, rule prefix).
    if authority is not None:
        partitions = [("authority", authority, rule)]
    elif rule is not None:
        partitions = [("rule", rule, None)]
    else:
        partitions = [("rule", r, None) for r in RULE_ORDER]
    config = settings()
    scope = scope_of(
        "quality_findings",
        {"rule": rule, "severity": severity, "state": state, "authority_id": authority},
    )
    part, start = 0, None
    if query.cursor:
        position = decode_cursor(query.cursor, secret=secrets.server_secret(), scope=scope)
        if not isinstance(position, dict) or not isinstance(position.get("p"), int):
            raise ValidationError("the cursor is malformed", field="cursor")
        part, start = position["p"], position.get("k")
    budget = config.read_bound(limit)
    found: list[QualityFinding] = []
    next_position: dict[str, Any] | None = None
    while part < len(partitions) and len(found) < limit:
        size = min(budget, max(limit - len(found), FILTERED_CHUNK))
        if size < 1:
            next_position = {"p": part, "k": start}
            break
        index, hash_key, prefix = partitions[part]
        items, start = store.findings_page(index, hash_key, prefix, size=size, start=start)
        budget -= size
        for item in items:
            if (severity is None or item.severity == severity) and (
                state is None or item.state == state
            ):
                found.append(item)
                if len(found) == limit:
                    last = item is items[-1] and start is None
                    start = None if last else store.position_after(item, index)
                    break
        if start is None:
            part, start = part + 1, None
        if len(found) >= limit and part < len(partitions):
            next_position = {"p": part, "k": start}
    next_cursor = (
        encode_cursor(next_position, secret=secrets.server_secret(), scope=scope)
        if next_position
        else None
    )
    return {"items": [finding_view(i) for i in found], "next_cursor": next_cursor}


def _load(principal: Principal, finding_id: str) -> QualityFinding:
    if not finding_id.startswith("qf_") or len(finding_id) > 64:
        raise NotFoundError(f"no finding {finding_id[:64]}")
    item = store.find_finding(finding_id)
    if item is None or not (principal.is_admin or principal.owns(item.authority_id)):
        raise NotFoundError(f"no finding {finding_id[:64]}")
    return item


def get_finding(principal: Principal, finding_id: str) -> dict[str, Any]:
    return finding_view(_load(principal, finding_id))


def resolve(
    principal: Principal, finding_id: str, body: schemas.QualityResolveIn, now: datetime
) -> dict[str, Any]:
    """``POST /v1/quality/findings/{id}/resolve``: a province's answer, an admin's decision.

    A province: ``corrected`` (the next audit run checks the records) or ``explained``
    (``reason`` of at least 10 characters). An administrator: ``accept`` an explanation
    or ``reopen`` an answered finding. Any other move is 409 ``invalid_state``.
    """
    allowed = rules.ADMIN_ACTIONS if principal.is_admin else rules.PROVINCE_ACTIONS
    if body.action not in allowed:
        who = "an administrator" if principal.is_admin else "a province"
        raise ForbiddenError(f"{who} may answer a finding with {' or '.join(allowed)}")
    if body.action == "explained" and not rules.explanation_ok(body.reason):
        raise ValidationError(
            f"reason must be at least {rules.EXPLANATION_MIN_CHARS} characters",
            field="reason",
            message_zh=f"字段 reason：说明理由至少 {rules.EXPLANATION_MIN_CHARS} 个字",
        )
    day = china_date(now).isoformat()

    def attempt() -> dict[str, Any]:
        item = _load(principal, finding_id)
        after = rules.after_action(item.state, body.action)
        if after is None:
            raise ConflictError(
                "invalid_state", f"a finding that is {item.state} cannot be {body.action}"
            )
        is_error = item.severity == rules.ERROR
        was = item.state
        item.state = after
        item.check_pk = CHECK if after == rules.CORRECTED else None
        item.resolution = {
            "action": body.action,
            "reason": body.reason,
            "at": iso_utc(now),
            "by_role": principal.role,
        }
        entry = {"state": after, "on": day, "by_role": principal.role}
        if body.reason:
            entry["reason"] = body.reason
        item.history = [*item.history, entry]
        item.updated_on = day
        open_errors, days = 0, None
        if after == rules.ACCEPTED:
            open_errors = -1 if is_error else 0
            days = rules.days_between(item.opened_on, day)
        elif was == rules.ACCEPTED and after == rules.OPEN:
            open_errors = 1 if is_error else 0
        store.save_finding(item, open_errors=open_errors, resolved_days=days)
        return finding_view(item)

    return until_committed(attempt)
