"""Feedback: provinces report ideas and problems to MOHURD (SPEC §1.6), and read the replies.

Kept in one partition in arrival order (``store/submissions.py``); the daily
audit summarises what arrived since the previous summary. Administrators list
it by province and China date and mark an item handled with a reply; a province
lists its own, with the replies.

A list page reads the partition newest first (a date window is a range of the
sort key, so it costs nothing to skip). The province filter is checked on the
items read: like the public lists (README "Short pages"), a page reads at most
``Settings.read_bound(limit)`` items and, when it reaches that bound, answers
what it found with a ``next_cursor`` after the last item read. Feedback is a few
items a week nationally, so a page is normally full.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import (
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from chalicelib.domain.feedback import china_day_bounds, parse_day, with_reply
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import PROVINCIAL, Principal, Province
from chalicelib.domain.queries import FeedbackFilter
from chalicelib.store import secrets, submissions
from chalicelib.store.base import iso_utc
from chalicelib.store.ledger import save_if_unchanged, until_committed
from chalicelib.store.submissions import (
    Feedback,
    feedback_newest_first,
    find_feedback,
)

OPEN, HANDLED = "open", "handled"
# Items one Query asks for when a province filter may skip many (a page reads at most
# ``read_bound(limit)`` in all): fewer round trips than asking for what is still missing.
FILTERED_CHUNK = 50


def feedback_view(item: Feedback) -> dict[str, Any]:
    """What the province and the administrators see: the item, its state and every reply."""
    return {
        "id": item.id,
        "authority_id": item.authority_id,
        "subject": item.subject,
        "body": item.body,
        "created_at": item.created_at,
        "state": item.state or OPEN,
        "reply": item.reply,
        "handled_at": item.handled_at,
        "replies": [
            {"reply": entry["reply"], "handled_at": entry["handled_at"]}
            for entry in item.replies or []
        ],
    }


def submit_feedback(principal: Province, body: schemas.FeedbackIn, now: datetime) -> dict[str, Any]:
    at = iso_utc(now)
    feedback_id = new_id("fbk")
    item = submissions.add_feedback(
        sk=f"{at}#{feedback_id}",
        id=feedback_id,
        authority_id=principal.authority_id,
        subject=body.subject,
        body=body.body,
        created_at=at,
        created_by=principal.key_id,
        state=OPEN,
    )
    return feedback_view(item)


def _listed_authority(principal: Principal, wanted: str | None) -> str | None:
    """Whose feedback the caller lists: an administrator any (or all), a province its own."""
    if principal.is_admin:
        return wanted
    if principal.role == PROVINCIAL and principal.authority_id:
        if wanted is not None and wanted != principal.authority_id:
            raise ForbiddenError("a province lists only its own feedback")
        return principal.authority_id
    raise ForbiddenError("this route is for provinces and administrators")


def list_feedback(principal: Principal, query: FeedbackFilter) -> dict:
    """``GET /v1/feedback``: newest first, by province and China dates ``from``..``to``.

    An administrator lists everyone's (or one ``authority_id``'s), a province
    its own. The cursor is signed for the filters and the caller's authority.
    """
    authority = _listed_authority(principal, query.authority_id)
    first, last = parse_day(query.from_, "from"), parse_day(query.to, "to")
    limit = query.limit
    start, end = china_day_bounds(first, last)
    lower = iso_utc(start) if start else None
    upper = iso_utc(end) if end else None
    config = settings()
    scope = scope_of("feedback", {"authority_id": authority, "from": first, "to": last})
    if query.cursor:
        position = decode_cursor(query.cursor, secret=secrets.server_secret(), scope=scope)
        before = position.get("before") if isinstance(position, dict) else None
        if not isinstance(before, str):
            raise ValidationError("the cursor is malformed", field="cursor")
        upper = before
    budget = config.read_bound(limit)
    found: list[Feedback] = []
    last_read: str | None = None
    resume = None
    while len(found) <= limit:
        missing = limit + 1 - len(found)
        size = min(budget, missing if authority is None else max(missing, FILTERED_CHUNK))
        if size < 1:
            break  # the read bound: answer what was found, with a cursor after the last read
        items, resume = feedback_newest_first(upper=upper, lower=lower, size=size, start=resume)
        budget -= size
        for item in items:
            last_read = item.sk
            if authority is None or item.authority_id == authority:
                found.append(item)
                if len(found) > limit:
                    break
        if resume is None:
            break
    next_before = None
    if len(found) > limit:
        found = found[:limit]
        next_before = found[-1].sk
    elif resume is not None and last_read is not None:
        next_before = last_read
    next_cursor = (
        encode_cursor({"before": next_before}, secret=secrets.server_secret(), scope=scope)
        if next_before
        else None
    )
    return {"items": [feedback_view(item) for item in found], "next_cursor": next_cursor}


def handle_feedback(
    principal: Principal, feedback_id: str, body: schemas.FeedbackHandleIn, now: datetime
) -> dict[str, Any]:
    """``POST /v1/feedback/{id}/handle``: mark an item handled with a reply (administrators).

    Handling again with a new reply adds it (the earlier ones stay in ``replies``);
    the same reply as the latest changes nothing (a retry answers the item as it is).
    """
    if not is_plausible_id(feedback_id, "fbk"):
        raise NotFoundError(f"no feedback {feedback_id[:64]}")
    at = iso_utc(now)
    max_replies = settings().feedback_max_replies

    def attempt() -> dict[str, Any]:
        item = find_feedback(feedback_id)
        if item is None:
            raise NotFoundError(f"no feedback {feedback_id[:64]}")
        replies = with_reply(
            list(item.replies or []),
            body.reply,
            at=at,
            by=principal.key_id,
            max_replies=max_replies,
        )
        if replies is not None:
            item.state, item.reply, item.handled_at, item.replies = HANDLED, body.reply, at, replies
            save_if_unchanged(item)
        return feedback_view(item)

    return until_committed(attempt)


def feedback_since(after: str | None, *, limit: int = 200) -> list[Feedback]:
    """Feedback that arrived after position ``after`` (a sort key), oldest first."""
    return submissions.feedback_after(after, limit=limit)
