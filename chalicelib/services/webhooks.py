"""Webhook subscriptions (issue 21): register, list, change, pause, replay, ping, rotate.

A provincial platform subscribes a URL and receives every change it filters
for as a signed Standard Webhooks POST (``services/webhook_delivery.py`` sends
them). A province manages its own subscriptions; an administrator those of any
province (``owner_authority_id``). The signing secret is shown twice at most:
when the subscription is created and when it is rotated; it is stored only as
KMS ciphertext and is never in a GET nor in a log line.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.config import settings
from chalicelib.domain import webhooks as rules
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidCursorError,
    NotFoundError,
    ThrottledError,
    ValidationError,
)
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import Principal
from chalicelib.domain.queries import Page, SubscriptionFilter
from chalicelib.observability import logger
from chalicelib.services import changes
from chalicelib.services import webhook_delivery as delivery
from chalicelib.store import secrets
from chalicelib.store import webhooks as store
from chalicelib.store.base import iso_utc

if TYPE_CHECKING:  # request models: pydantic loads with the first body (chalicelib/lazy.py)
    from chalicelib.domain.schemas import ReplayIn, SubscriptionIn, SubscriptionPatchIn

ROTATION_OVERLAP = timedelta(hours=24)


def subscription_view(item: store.Subscription) -> dict[str, Any]:
    """A subscription as its owner and administrators see it: never its secret."""
    return {
        "id": item.id,
        "owner_authority_id": item.owner_authority_id,
        "url": item.url,
        "description": item.description,
        "authority_ids": item.authority_ids,
        "events": item.events,
        "state": item.state,
        "paused_reason": item.paused_reason,
        "paused_at": item.paused_at,
        "failing_since": item.failing_since,
        "pending": max(0, int(item.next_ordinal) - int(item.head)),
        "next_attempt_at": item.due_at if int(item.next_ordinal) > int(item.head) else None,
        "last_delivery": item.last_delivery,
        "delivered": int(item.delivered or 0),
        "position": changes.encode_position(item.position or {}),
        "previous_secret_expires_at": item.previous_until,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def delivery_view(item: store.Delivery) -> dict[str, Any]:
    return {
        "event_id": item.event_id,
        "type": item.type,
        "position": item.position,
        "authority_id": item.authority_id,
        "entity_id": item.entity_id,
        "committed_at": item.committed_at,
        "state": item.state,
        "attempts": int(item.attempts or 0),
        "last_status_code": None if item.last_status is None else int(item.last_status),
        "last_error": item.last_error,
        "next_attempt_at": item.next_attempt_at if item.state == rules.PENDING else None,
        "last_attempt_at": item.last_attempt_at,
        "delivered_at": item.delivered_at,
        "created_at": item.created_at,
        "replay": bool(item.replay),
    }


def _owned(caller: Principal, subscription_id: str) -> store.Subscription:
    """The subscription if this caller may manage it; another province's → 404."""
    item = store.get(subscription_id) if is_plausible_id(subscription_id, "sub") else None
    if item is None or item.state == rules.DELETED:
        raise NotFoundError(f"no subscription {subscription_id[:64]}")
    if not caller.is_admin and not caller.owns(item.owner_authority_id):
        raise NotFoundError(f"no subscription {subscription_id[:64]}")
    return item


def _owner_for(caller: Principal, requested: str | None) -> str:
    if caller.is_admin:
        if requested is None:
            raise ValidationError(
                "owner_authority_id is required: the authority whose platform receives",
                field="owner_authority_id",
            )
        if requested not in AUTHORITY_IDS:
            raise ValidationError(
                "owner_authority_id must be one of the 33 authority ids",
                field="owner_authority_id",
            )
        return requested
    if requested is not None and requested != caller.authority_id:
        raise ForbiddenError("a province subscribes for its own platform only")
    return caller.authority_id or ""


def create(caller: Principal, body: SubscriptionIn, now: datetime) -> dict[str, Any]:
    """``POST /v1/subscriptions``: 201 with the secret, shown this once."""
    owner = _owner_for(caller, body.owner_authority_id)
    delivery.target_of(body.url)  # 400 naming url when refused (SSRF guard)
    live = store.live_count(owner)
    if live >= settings().webhook_max_per_owner:
        raise ConflictError(
            "invalid_state", f"{owner} already has {live} subscriptions; delete one first"
        )
    subscription_id = new_id("sub")
    secret = rules.new_secret()
    at = iso_utc(now)
    item = store.Subscription(
        pk=store.sub_pk(subscription_id),
        id=subscription_id,
        owner_authority_id=owner,
        url=body.url,
        description=body.description,
        authority_ids=body.authority_ids,
        events=body.events,
        state=rules.ACTIVE,
        secret=delivery.seal(subscription_id, secret),
        secret_version=1,
        # New subscribers start at the end of the feed; replay sends history.
        position=changes.current_position(),
        next_ordinal=1,
        head=1,
        created_at=at,
        updated_at=at,
        created_by=caller.key_id,
    )
    store.add(item)
    logger.info(
        "webhook subscription created",
        extra={"subscription_id": subscription_id, "owner_authority_id": owner},
    )
    return {**subscription_view(item), "secret": secret}


def _list_scope(owner: str | None) -> str:
    return scope_of("subscriptions", {"owner": owner})


def list_subscriptions(caller: Principal, query: SubscriptionFilter) -> dict[str, Any]:
    """``GET /v1/subscriptions``: a province's own, an administrator's all (or one owner's)."""
    requested, limit = query.authority_id, query.limit
    if caller.is_admin:
        owner = requested
    else:
        if requested is not None and requested != caller.authority_id:
            raise ForbiddenError("a province sees its own subscriptions only")
        owner = caller.authority_id
    scope, secret = _list_scope(owner), secrets.server_secret()
    start = None
    if query.cursor:
        start = decode_cursor(query.cursor, secret=secret, scope=scope)
        if not isinstance(start, dict):
            raise InvalidCursorError("the cursor is malformed", field="cursor")
    items: list[store.Subscription] = []
    while len(items) < limit:
        rows, start = store.page(owner, size=limit, start=start)
        items.extend(row for row in rows if row.state != rules.DELETED)
        if start is None:
            break
    next_cursor = encode_cursor(start, secret=secret, scope=scope) if start else None
    return {"items": [subscription_view(item) for item in items], "next_cursor": next_cursor}


def read(principal: Principal, subscription_id: str) -> dict[str, Any]:
    return subscription_view(_owned(principal, subscription_id))


def update(
    principal: Principal, subscription_id: str, body: SubscriptionPatchIn, now: datetime
) -> dict[str, Any]:
    """``PATCH``: url, description, filters, ``state`` (pause or resume)."""
    item = _owned(principal, subscription_id)
    given = body.model_fields_set
    values: dict[str, Any] = {}
    if "url" in given:
        if body.url is None:
            raise ValidationError("url cannot be removed", field="url")
        delivery.target_of(body.url)
        values["url"] = body.url
    for name in ("description", "authority_ids", "events"):
        if name in given:
            values[name] = getattr(body, name)
    resumed = False
    if "state" in given and body.state is not None and body.state != item.state:
        if body.state == rules.PAUSED:
            values.update(state=rules.PAUSED, paused_reason=rules.PAUSED_BY_OWNER)
            values["paused_at"] = iso_utc(now)
        else:
            values.update(state=rules.ACTIVE, paused_reason=None, paused_at=None)
            values.update(failing_since=None, due_at=None)
            resumed = True
    if values:
        values["updated_at"] = iso_utc(now)
        store.update(item, **values)
        store.reread(item)
    if resumed:
        _retry_head_now(item, now)
    return subscription_view(item)


def _retry_head_now(item: store.Subscription, now: datetime) -> None:
    """After a resume the event at the head of the queue goes at once, not at its back-off."""
    for waiting in store.queued(item, size=1):
        if waiting.state == rules.PENDING:
            store.save_attempt(waiting, next_attempt_at=iso_utc(now))


def delete(principal: Principal, subscription_id: str, now: datetime) -> dict[str, Any]:
    """``DELETE``: no more deliveries; the record and its log are kept (never hard-deleted)."""
    item = _owned(principal, subscription_id)
    store.update(item, state=rules.DELETED, updated_at=iso_utc(now))
    store.reread(item)
    return subscription_view(item)


def deliveries(principal: Principal, subscription_id: str, page: Page) -> dict[str, Any]:
    """``GET …/deliveries``: the delivery log, newest first, bounded pages."""
    item = _owned(principal, subscription_id)
    scope, secret = scope_of("deliveries", {"id": item.id}), secrets.server_secret()
    start = None
    if page.cursor:
        start = decode_cursor(page.cursor, secret=secret, scope=scope)
        if not isinstance(start, dict):
            raise InvalidCursorError("the cursor is malformed", field="cursor")
    rows, start = store.log_page(item.id, size=page.limit, start=start)
    next_cursor = encode_cursor(start, secret=secret, scope=scope) if start else None
    return {"items": [delivery_view(row) for row in rows], "next_cursor": next_cursor}


def _replay_start(item: store.Subscription, body: ReplayIn) -> changes.Position:
    if (body.from_position is None) == (body.from_date is None):
        raise ValidationError("send one of from_position or from_date", field="from_position")
    if body.from_position is not None:
        try:
            return changes.decode_position(body.from_position)
        except InvalidCursorError as error:
            raise InvalidCursorError(error.message, field="from_position") from None
    assert body.from_date is not None  # one of the two, checked above
    # From a China date: the subscription's own log says where that day began for it.
    since = iso_utc(datetime.combine(body.from_date, time(0), CHINA_TZ).astimezone(UTC))
    earliest: store.Delivery | None = None
    start = None
    read = 0
    while read < settings().webhook_replay_max:
        rows, start = store.log_page(item.id, size=100, start=start)
        read += len(rows)
        older = False
        for row in rows:
            if row.committed_at >= since:
                earliest = row
            else:
                older = True
        if older or start is None:
            break
    if earliest is None:
        return dict(item.position or {})  # nothing of this subscription since that day
    position = changes.decode_position(earliest.position)
    position[earliest.authority_id] = position.get(earliest.authority_id, 1) - 1
    return position


def replay(
    principal: Principal, subscription_id: str, body: ReplayIn, now: datetime
) -> dict[str, Any]:
    """``POST …/replay``: re-send every matching event after a position, as new deliveries
    with the events' own ``webhook-id``s; at most ``WEBHOOK_REPLAY_MAX`` events read per
    request (``next_position`` says where to continue), once a minute per subscription."""
    item = _owned(principal, subscription_id)
    position = _replay_start(item, body)
    config = settings()
    allowed_after = iso_utc(now - timedelta(seconds=config.webhook_replay_interval_seconds))
    if not store.mark_replayed(item, iso_utc(now), allowed_after):
        raise ThrottledError(
            f"one replay per {config.webhook_replay_interval_seconds} s per subscription"
        )
    # Only what fan-out has already queued for it: later events come on their own.
    ceiling = dict(item.position or {})
    cache = delivery._DataCache()
    queued = read = 0
    more = False
    while read < config.webhook_replay_max:
        page = changes.read_changes(
            position, min(config.webhook_fanout_page, config.webhook_replay_max - read)
        )
        entries = [
            (entry, after)
            for entry, after in page.entries
            if int(entry.seq) <= ceiling.get(entry.authority_id, 0)
        ]
        read += len(page.entries)
        if not page.entries:  # an entry not visible yet (a hole): continue from here later
            more = page.has_more
            break
        if entries:
            for _ in range(5):
                added = delivery.queue_events(item, entries, None, cache, now, replay=True)
                if added is not None:
                    queued += added
                    break
                store.reread(item)  # fan-out appended meanwhile: go after it
            else:
                raise ConflictError("invalid_state", "the subscription is busy, try again")
        position = page.position
        reached = all(position.get(a, 0) >= seq for a, seq in ceiling.items())
        if reached or not page.has_more:
            more = not reached
            break
        more = True
    logger.info(
        "webhook replay queued",
        extra={"subscription_id": item.id, "queued": queued, "read": read},
    )
    return {
        "queued": queued,
        "next_position": changes.encode_position(position) if more else None,
    }


def ping(principal: Principal, subscription_id: str, now: datetime) -> dict[str, Any]:
    """``POST …/ping``: a signed ``ping`` event now; the receiver's status code."""
    item = _owned(principal, subscription_id)
    msg_id = new_id("png")
    body = rules.message_body(
        rules.PING, now, {"subscription_id": item.id, "owner_authority_id": item.owner_authority_id}
    )
    outcome = delivery.send_signed(item, msg_id, body, now)
    return {
        "webhook_id": msg_id,
        "status_code": outcome.status,
        "ok": rules.is_success(outcome.status),
        "error": outcome.error,
    }


def rotate_secret(principal: Principal, subscription_id: str, now: datetime) -> dict[str, Any]:
    """``POST …/rotate-secret``: a new secret (shown once); the old one still signs for 24 h."""
    item = _owned(principal, subscription_id)
    secret = rules.new_secret()
    until = iso_utc(now + ROTATION_OVERLAP)
    store.update(
        item,
        secret=delivery.seal(item.id, secret),
        previous_secret=item.secret,
        previous_until=until,
        secret_version=int(item.secret_version or 1) + 1,
        updated_at=iso_utc(now),
    )
    store.reread(item)
    logger.info("webhook secret rotated", extra={"subscription_id": item.id})
    return {**subscription_view(item), "secret": secret}
