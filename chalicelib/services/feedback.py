"""Feedback: provinces report ideas and problems to MOHURD (SPEC §1.6).

Kept in one partition in arrival order; administrators list it, and the next
daily audit summarises what arrived since the previous summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.bodies import parse_body
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.ids import new_id
from chalicelib.services.keys import ADMIN, PROVINCIAL, Principal, require
from chalicelib.store.base import iso_utc
from chalicelib.store.submissions import FEEDBACK_PK, Feedback


def feedback_view(item: Feedback) -> dict[str, Any]:
    return {
        "id": item.id,
        "authority_id": item.authority_id,
        "subject": item.subject,
        "body": item.body,
        "created_at": item.created_at,
    }


def submit_feedback(principal: Principal | None, data: Any, now: datetime) -> dict[str, Any]:
    principal = require(principal, PROVINCIAL)
    body = parse_body("FeedbackIn", data)
    at = iso_utc(now)
    feedback_id = new_id("fbk")
    item = Feedback(
        pk=FEEDBACK_PK,
        sk=f"{at}#{feedback_id}",
        id=feedback_id,
        authority_id=principal.authority_id,
        subject=body.subject,
        body=body.body,
        created_at=at,
        created_by=principal.key_id,
    )
    item.save(condition=Feedback.sk.does_not_exist())
    return feedback_view(item)


def list_feedback(principal: Principal | None, params: dict[str, str], limit: int) -> dict:
    """Newest first, for administrators."""
    require(principal, ADMIN)
    scope = scope_of("feedback", {})
    secret = settings().server_secret
    condition = None
    if params.get("cursor"):
        before = decode_cursor(params["cursor"], secret=secret, scope=scope)["before"]
        condition = Feedback.sk < before
    rows = Feedback.query(FEEDBACK_PK, condition, scan_index_forward=False, limit=limit + 1)
    items = list(rows)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"before": items[-1].sk}, secret=secret, scope=scope)
    return {"items": [feedback_view(item) for item in items], "next_cursor": next_cursor}


def feedback_since(after: str | None, *, limit: int = 200) -> list[Feedback]:
    """Feedback that arrived after position ``after`` (a sort key), oldest first."""
    condition = Feedback.sk > after if after else None
    return list(Feedback.query(FEEDBACK_PK, condition, consistent_read=True, limit=limit))
