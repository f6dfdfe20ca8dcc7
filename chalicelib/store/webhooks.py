"""The ``webhooks`` table: subscriptions and their deliveries (issue 21).

Two item kinds in one table, partitioned by subscription:

- ``Subscription`` (``pk = SUB#<id>``, ``sk = SUB``): the URL, filters and
  state; the signing secret only as KMS ciphertext (``store/kms.py``), never in
  clear; the subscription's own change-feed ``position`` (how far fan-out has
  read for it) and its delivery queue as two ordinals: ``head`` (the first
  delivery not yet final) and ``next_ordinal`` (the next to be written). Every
  delivery below ``head`` is delivered or failed; ``due_at`` is when the head is
  next tried (absent: nothing waits).
- ``Delivery`` (``pk = SUB#<id>``, ``sk = D#<ordinal>``): one event for one
  subscription, with the event's ``data`` (what is signed and sent), its
  attempts and outcome. Ordinals follow the change feed's order, so a Query of
  the partition is the subscription's queue (ascending) and its log (descending).

Fan-out appends deliveries and moves ``position`` and ``next_ordinal`` in one
transaction, conditional on ``next_ordinal``: two fan-outs of one subscription
cannot both append, and a crash leaves nothing half-written. The dispatcher
only moves ``head``/``due_at`` and holds a lease (``lease_until``) so one
subscription's events are sent one at a time, in order.

Nothing is deleted: ``DELETE`` marks a subscription ``deleted``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import StoreModel, newest_first, table_meta
from chalicelib.store.ledger import CommitConflict, transact

WEBHOOKS_META = table_meta("webhooks")
SUB_SK = "SUB"
LISTING = "subscription"


def sub_pk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def delivery_sk(ordinal: int) -> str:
    return f"D#{int(ordinal):012d}"


class SubscriptionListingIndex(GlobalSecondaryIndex):
    """Every subscription by id (time-ordered ids): the administrators' list and the
    worker's round. One partition: subscriptions are a few per province."""

    class Meta:
        index_name = "by_listing"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class SubscriptionOwnerIndex(GlobalSecondaryIndex):
    """One province's subscriptions by id."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_authority_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class Subscription(StoreModel):
    Meta = WEBHOOKS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=SUB_SK)
    id = UnicodeAttribute()
    owner_authority_id = UnicodeAttribute()
    url = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    authority_ids = JSONAttribute(null=True)  # None: all 33
    events = JSONAttribute(null=True)  # None: every event type
    state = UnicodeAttribute()  # active | paused | deleted
    paused_reason = UnicodeAttribute(null=True)  # owner | gone | failing
    paused_at = UnicodeAttribute(null=True)
    # KMS ciphertexts (base64) of the signing secret, and of the previous one for a day
    # after a rotation (both signatures are sent until ``previous_until``).
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_until = UnicodeAttribute(null=True)
    secret_version = NumberAttribute(default=1)
    position = JSONAttribute(default=dict)
    next_ordinal = NumberAttribute(default=1)
    head = NumberAttribute(default=1)
    due_at = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)
    alerted_at = UnicodeAttribute(null=True)
    last_delivery = JSONAttribute(null=True)  # {at, state, status_code, event_id}
    lags = JSONAttribute(null=True)  # seconds from commit to receipt, the latest 50
    delivered = NumberAttribute(default=0)
    replayed_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)  # the key id
    listing = UnicodeAttribute(default=LISTING)

    by_listing = SubscriptionListingIndex()
    by_owner = SubscriptionOwnerIndex()


class Delivery(StoreModel):
    Meta = WEBHOOKS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ordinal = NumberAttribute()
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    position = UnicodeAttribute()  # the change-feed cursor right after the event
    committed_at = UnicodeAttribute()
    data = JSONAttribute()
    state = UnicodeAttribute()  # pending | delivered | failed
    attempts = NumberAttribute(default=0)
    last_status = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    last_attempt_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    replay = BooleanAttribute(default=False)


def get(subscription_id: str) -> Subscription | None:
    try:
        return Subscription.get(sub_pk(subscription_id), SUB_SK, consistent_read=True)
    except Subscription.DoesNotExist:
        return None


def add(subscription: Subscription) -> None:
    subscription.save(condition=Subscription.pk.does_not_exist())


def update(subscription: Subscription, condition: Any = None, **values: Any) -> bool:
    """Set ``values`` (``None`` removes the attribute); False when ``condition`` failed."""
    actions = [
        getattr(Subscription, name).remove()
        if value is None
        else getattr(Subscription, name).set(value)
        for name, value in values.items()
    ]
    try:
        subscription.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def page(
    owner: str | None, *, size: int, start: dict[str, Any] | None
) -> tuple[list[Subscription], dict[str, Any] | None]:
    """Subscriptions newest first: one owner's (``by_owner``) or everyone's (``by_listing``)."""
    if owner is None:
        return newest_first(Subscription.by_listing, LISTING, size=size, start=start)
    return newest_first(Subscription.by_owner, owner, size=size, start=start)


def every_subscription() -> Iterator[Subscription]:
    """Every subscription, deleted ones included (the worker's round; a few hundred)."""
    yield from Subscription.by_listing.query(LISTING)


def append_deliveries(
    subscription: Subscription, deliveries: list[Delivery], position: dict[str, int] | None
) -> bool:
    """Append ``deliveries`` (ordinals from ``next_ordinal`` on) and move ``position``
    (fan-out; a replay leaves it), in one transaction; False when another writer of this
    subscription's queue got there first."""
    expected = int(subscription.next_ordinal)
    new_next = expected + len(deliveries)
    if not deliveries and position is None:
        return True
    actions = [Subscription.next_ordinal.set(new_next)]
    if position is not None:
        actions.append(Subscription.position.set(position))

    def writes(transaction: Any) -> None:
        for delivery in deliveries:
            transaction.save(delivery, condition=Delivery.sk.does_not_exist())
        transaction.update(
            subscription, actions=actions, condition=Subscription.next_ordinal == expected
        )

    try:
        transact(writes)
    except CommitConflict:
        return False
    subscription.next_ordinal = new_next
    if position is not None:
        subscription.position = position
    return True


def queued(subscription: Subscription, *, size: int) -> list[Delivery]:
    """The next ``size`` deliveries from ``head`` on, oldest first (consistent)."""
    head, end = int(subscription.head), int(subscription.next_ordinal)
    if head >= end:
        return []
    condition = Delivery.sk.between(delivery_sk(head), delivery_sk(end - 1))
    return list(
        Delivery.query(subscription.pk, condition, consistent_read=True, limit=size, page_size=size)
    )


def log_page(
    subscription_id: str, *, size: int, start: dict[str, Any] | None
) -> tuple[list[Delivery], dict[str, Any] | None]:
    """A subscription's deliveries, newest first."""
    condition = Delivery.sk.startswith("D#")
    return newest_first(Delivery, sub_pk(subscription_id), condition, size=size, start=start)


def save_attempt(delivery: Delivery, **values: Any) -> None:
    actions = [
        getattr(Delivery, name).remove() if value is None else getattr(Delivery, name).set(value)
        for name, value in values.items()
    ]
    delivery.update(actions=actions)


def take_lease(subscription: Subscription, now: str, until: str) -> bool:
    """Hold the subscription's queue until ``until``; False when another dispatcher holds it."""
    condition = Subscription.lease_until.does_not_exist() | (Subscription.lease_until < now)
    return update(subscription, condition=condition, lease_until=until)


def reread(subscription: Subscription) -> None:
    """Bring ``subscription`` up to date (a consistent read of its item)."""
    subscription.refresh(consistent_read=True)


def live_count(owner: str) -> int:
    """How many subscriptions ``owner`` holds that are not deleted (a few: one Query)."""
    return sum(1 for s in Subscription.by_owner.query(owner) if s.state != "deleted")


def pause_if_active(subscription: Subscription, **values: Any) -> bool:
    """Set ``values`` (the pause) unless the subscription is no longer active."""
    return update(subscription, condition=Subscription.state == "active", **values)


def mark_replayed(subscription: Subscription, at: str, allowed_after: str) -> bool:
    """Record a replay at ``at``; False when the last one was after ``allowed_after``."""
    condition = Subscription.replayed_at.does_not_exist() | (
        Subscription.replayed_at <= allowed_after
    )
    return update(subscription, condition=condition, replayed_at=at)


def save_deliveries(deliveries: list[Delivery]) -> None:
    """Write whole delivery items (their outcome set), 25 to a BatchWriteItem."""
    if not deliveries:
        return
    with Delivery.batch_write() as batch:
        for delivery in deliveries:
            batch.save(delivery)
