"""Webhook deliveries (issue 21): fan-out from the committed change feed, then signed POSTs.

**Why from the change feed, after the commit.** A push's transaction already
writes the change entry with its authority's gapless ``seq`` (``store/ledger.py``);
the feed is the one committed, ordered record of what happened. Fanning out from
it (never inside the push transaction) keeps a push's transaction at its ≤ 100
items whatever the number of subscribers, keeps a slow or broken receiver from
slowing a push, and gives each event a stable identity (authority + seq: the
``webhook-id``) and a position a platform can reconcile with ``GET /v1/changes``.

**Fan-out** (``fan_out``): each subscription keeps its own position in the feed
and its queue of deliveries; one step reads the feed after that position
(``changes.read_changes``: never skips an entry, even while writes go on) and
appends the matching events and the new position in one transaction
(``store/webhooks.append_deliveries``), so an event is queued exactly once per
subscription even when two workers run the step at once. Subscriptions at the
same position share one read.

**Dispatch** (``dispatch``): per subscription, under a lease, the queue is sent
strictly in order (head-of-line: a delivery being retried holds the ones behind
it, so a platform never sees an update before its create). A 2xx within the
timeout is success; anything else is retried on ``domain.webhooks.RETRY_DELAYS``
with jitter (≥ 3 days); ``410 Gone`` pauses the subscription at once; after the
last attempt the delivery is ``failed`` (kept, replayable) and the queue moves
on; three days without a success pause the subscription and alert the
administrators (SNS, with ``authority_id``).

In the cloud the changes table's stream wakes ``webhook_fanout`` (fan-out, then
dispatch of what it queued) and a schedule runs ``webhook_dispatch`` every
minute for retries (``app.py``); ``make run`` runs ``devtools/webhook_worker.py``,
which calls the same ``run_once``. The URL is checked again before every
delivery and the POST goes to the address that was checked.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from standardwebhooks.webhooks import Webhook

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import webhooks as rules
from chalicelib.domain.errors import RegistryError
from chalicelib.domain.webhook_urls import Target, UrlPolicy, check_url
from chalicelib.observability import logger
from chalicelib.services import changes
from chalicelib.services.award_reads import award_answer
from chalicelib.store import alerts as alerts_store
from chalicelib.store import kms
from chalicelib.store import webhooks as store
from chalicelib.store.awards import award_history
from chalicelib.store.base import iso_utc, parse_iso_utc

if TYPE_CHECKING:  # a change-feed entry, as services/changes.py reads them
    from chalicelib.store.changes import ChangeEntry

LAGS_KEPT = 50
USER_AGENT = "AwardRegistry-Webhooks/1.0"
SECRET_CACHE_SECONDS = 300


# --- addresses -------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to now (the production resolver of the URL check)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def url_policy() -> UrlPolicy:
    return UrlPolicy(allow_loopback=settings().webhook_allow_loopback)


def target_of(url: str) -> Target:
    """The checked delivery target of ``url`` (400 naming ``url`` when refused)."""
    return check_url(url, url_policy(), resolve)


# --- secrets ---------------------------------------------------------------------------


def secret_context(subscription_id: str) -> dict[str, str]:
    return {"subscription_id": subscription_id}


def seal(subscription_id: str, secret: str) -> str:
    """The secret encrypted with the webhook KMS key, bound to its subscription."""
    return kms.encrypt_text(settings().webhook_key_id, secret, secret_context(subscription_id))


_secret_cache: dict[tuple[str, int], tuple[float, str, str | None]] = {}
_secret_lock = threading.Lock()


def signing_secrets(subscription: store.Subscription, now: datetime) -> tuple[str, ...]:
    """The secrets to sign with now: the current one, and the previous one for a day
    after a rotation. Decrypted once per container and secret version (a few minutes)."""
    cache_key = (subscription.id, int(subscription.secret_version or 1))
    with _secret_lock:
        cached = _secret_cache.get(cache_key)
    if cached is None or cached[0] < time.monotonic():
        context = secret_context(subscription.id)
        current = kms.decrypt_text(subscription.secret, context)
        previous = (
            kms.decrypt_text(subscription.previous_secret, context)
            if subscription.previous_secret
            else None
        )
        cached = (time.monotonic() + SECRET_CACHE_SECONDS, current, previous)
        with _secret_lock:
            _secret_cache[cache_key] = cached
    _, current, previous = cached
    until = subscription.previous_until
    if previous and until and iso_utc(now) < until:
        return (current, previous)
    return (current,)


# --- one HTTP POST ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What one attempt got: the status code, or the error that prevented one."""

    status: int | None
    error: str | None = None


def signed_headers(msg_id: str, body: bytes, secrets: Iterable[str]) -> dict[str, str]:
    """Standard Webhooks headers, signed by the ``standardwebhooks`` library.

    ``webhook-timestamp`` is the wall-clock second of sending (``time.time``), not the
    registry's pinnable clock: receivers compare it with their own clock (svix allows
    five minutes) to refuse replayed messages.
    """
    sent_at = datetime.fromtimestamp(int(time.time()), UTC)
    signature = " ".join(Webhook(secret).sign(msg_id, sent_at, body) for secret in secrets)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }


class Connections:
    """Keep-alive connections of one dispatcher turn, one per checked address.

    A turn sends one subscription's queue in order, so keeping its connection (and TLS
    session) saves a handshake per delivery. The key includes the resolved address:
    each delivery still resolves and checks the host, and a new answer means a new
    connection to the address just checked, never the old one.
    """

    def __init__(self) -> None:
        self._pools: dict[tuple[str, str, int, str], Any] = {}

    def pool(self, target: Target, timeout: float) -> Any:
        import urllib3  # on first use: only the webhook functions send HTTP

        key = (target.scheme, target.address, target.port, target.host)
        if key not in self._pools:
            options: dict[str, Any] = {
                "timeout": urllib3.Timeout(total=timeout),
                "retries": False,
                "maxsize": 1,
            }
            if target.scheme == "https":
                self._pools[key] = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    cert_reqs="CERT_REQUIRED",
                    **options,
                )
            else:
                self._pools[key] = urllib3.HTTPConnectionPool(
                    target.address, target.port, **options
                )
        return self._pools[key]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


def post(
    target: Target,
    headers: dict[str, str],
    body: bytes,
    timeout: float,
    connections: Connections | None = None,
) -> Outcome:
    """POST ``body`` to the checked ``target``: to its resolved address, never following a
    redirect, at most ``timeout`` seconds in all; keep ≤ 200 characters of a failure."""
    import urllib3  # on first use: only the webhook functions send HTTP

    own = connections is None
    connections = connections or Connections()
    try:
        response = connections.pool(target, timeout).urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "host": target.host_header},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            start = response.read(400, decode_content=False) or b""
            response.drain_conn()  # the rest is not kept; the connection can be reused
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(None, rules.short_error(f"{type(exc).__name__}: {exc}"))
    finally:
        if own:
            connections.close()
    if rules.is_success(response.status):
        return Outcome(response.status)
    text = start.decode("utf-8", "replace")
    return Outcome(response.status, rules.short_error(f"HTTP {response.status}: {text}"))


def send_signed(
    subscription: store.Subscription,
    msg_id: str,
    body: bytes,
    now: datetime,
    connections: Connections | None = None,
) -> Outcome:
    """Check the URL again (it may resolve elsewhere now), sign, and POST."""
    try:
        target = target_of(subscription.url)
    except RegistryError as refused:
        return Outcome(None, rules.short_error(f"url refused: {refused.message}"))
    except OSError as exc:
        return Outcome(None, rules.short_error(f"cannot resolve: {exc}"))
    headers = signed_headers(msg_id, body, signing_secrets(subscription, now))
    return post(target, headers, body, settings().webhook_timeout_seconds, connections)


# --- what an event carries ---------------------------------------------------------------


def event_data(entry: ChangeEntry) -> dict[str, Any]:
    """The ``data`` of an event: the object as an anonymous GET showed it at that version.

    An award: ``GET /v1/awards/{id}``'s answer (``award_reads.award_answer``) for the
    version the entry committed, with the versions before it as ``history``. A
    programme: the public view the entry carries (``changes.public_data``, what an
    anonymous ``GET /v1/programs/{id}`` shows; a draft only as id and status).
    """
    if entry.entity != "award":
        return changes.public_data(entry.entity, entry.data)
    version = int(entry.version)
    history = [
        earlier
        for earlier in award_history(entry.entity_id)
        if int(earlier.get("version", 0)) < version
    ]
    data = award_answer(entry.data, history)
    if entry.op == "redact" and entry.data.get("redacted_fields"):
        data["redacted_fields"] = entry.data["redacted_fields"]
    return data


def body_of(delivery: store.Delivery) -> bytes:
    """The signed body: the same bytes on every attempt of the delivery."""
    data = {**delivery.data, "position": delivery.position}
    return rules.message_body(delivery.type, parse_iso_utc(delivery.committed_at), data)


def new_delivery(
    subscription: store.Subscription,
    ordinal: int,
    entry: ChangeEntry,
    position: str,
    data: dict[str, Any],
    now: datetime,
    *,
    replay: bool = False,
) -> store.Delivery:
    kind = rules.event_type(entry.entity, entry.op) or ""
    return store.Delivery(
        pk=subscription.pk,
        sk=store.delivery_sk(ordinal),
        ordinal=ordinal,
        event_id=rules.event_id(entry.authority_id, int(entry.seq)),
        type=kind,
        authority_id=entry.authority_id,
        entity_id=entry.entity_id,
        position=position,
        committed_at=entry.committed_at,
        data=data,
        state=rules.PENDING,
        attempts=0,
        next_attempt_at=iso_utc(now),
        created_at=iso_utc(now),
        replay=replay,
    )


def wants(subscription: store.Subscription, entry: ChangeEntry) -> bool:
    kind = rules.event_type(entry.entity, entry.op)
    return kind is not None and rules.matches(
        kind,
        entry.authority_id,
        events=subscription.events,
        authority_ids=subscription.authority_ids,
    )


@dataclass
class _DataCache:
    """Event data built once per entry, shared by every subscription that wants it."""

    built: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def of(self, entry: ChangeEntry) -> dict[str, Any]:
        key = (entry.authority_id, int(entry.seq))
        if key not in self.built:
            self.built[key] = event_data(entry)
        return self.built[key]


def queue_events(
    subscription: store.Subscription,
    entries: list[tuple[ChangeEntry, dict[str, int]]],
    position: dict[str, int] | None,
    cache: _DataCache,
    now: datetime,
    *,
    replay: bool = False,
) -> int | None:
    """Append the events of ``entries`` that ``subscription`` wants and move its feed
    ``position`` (fan-out; ``None``: a replay leaves it); None if it lost a race."""
    ordinal = int(subscription.next_ordinal)
    deliveries = []
    for entry, after in entries:
        if not wants(subscription, entry):
            continue
        cursor = changes.encode_position(after)
        deliveries.append(
            new_delivery(subscription, ordinal, entry, cursor, cache.of(entry), now, replay=replay)
        )
        ordinal += 1
    if not store.append_deliveries(subscription, deliveries, position):
        return None
    return len(deliveries)


# --- fan-out -----------------------------------------------------------------------------


def fan_out(subscriptions: list[store.Subscription], now: datetime, deadline: float) -> int:
    """Queue every new change for every live subscription; the number of deliveries queued.

    Paused subscriptions keep queueing (they receive everything once resumed);
    deleted ones stop.
    """
    live = [s for s in subscriptions if s.state != rules.DELETED]
    cache = _DataCache()
    queued = 0
    page_size = settings().webhook_fanout_page
    while live and time.monotonic() < deadline:
        groups: dict[tuple[tuple[str, int], ...], list[store.Subscription]] = {}
        for subscription in live:
            groups.setdefault(tuple(sorted((subscription.position or {}).items())), []).append(
                subscription
            )
        still: list[store.Subscription] = []
        for position_items, group in groups.items():
            page = changes.read_changes(dict(position_items), page_size)
            if not page.entries:
                continue
            for subscription in group:
                added = queue_events(subscription, page.entries, page.position, cache, now)
                if added is None:
                    continue  # another worker fanned it out: it moves on from there
                queued += added
                if page.has_more:
                    still.append(subscription)
        live = still
    return queued


# --- dispatch ----------------------------------------------------------------------------


@dataclass
class _Turn:
    """What one dispatcher turn changes on the subscription, written once at its end."""

    head: int
    due_at: str | None = None
    failing_since: str | None = None
    last_delivery: dict[str, Any] | None = None
    lags: list[float] = field(default_factory=list)
    delivered: int = 0
    pause: str | None = None
    connections: Connections = field(default_factory=Connections)
    # Delivered in this turn, not yet written: saved 25 to a request before the turn's
    # end is (a crash in between only sends them again: at least once, same webhook-id).
    done: list[store.Delivery] = field(default_factory=list)


def is_due(subscription: store.Subscription, now: datetime) -> bool:
    if subscription.state != rules.ACTIVE:
        return False
    if int(subscription.head) >= int(subscription.next_ordinal):
        return False
    return not subscription.due_at or subscription.due_at <= iso_utc(now)


def _attempt(
    subscription: store.Subscription,
    delivery: store.Delivery,
    turn: _Turn,
    now: datetime,
    rand: Callable[[], float],
) -> bool:
    """Send one delivery and record it; True when the queue may go on to the next."""
    outcome = send_signed(subscription, delivery.event_id, body_of(delivery), now, turn.connections)
    attempts = int(delivery.attempts or 0) + 1
    at = iso_utc(clock.now())
    summary = {
        "at": at,
        "event_id": delivery.event_id,
        "status_code": outcome.status,
    }
    if rules.is_success(outcome.status):
        delivery.state, delivery.attempts = rules.DELIVERED, attempts
        delivery.last_status, delivery.last_error = outcome.status, None
        delivery.next_attempt_at, delivery.last_attempt_at, delivery.delivered_at = None, at, at
        turn.done.append(delivery)  # written with the others of the turn (BatchWriteItem)
        if not delivery.replay:  # a replay's age says nothing about how fast pushes arrive
            lag = (clock.now() - parse_iso_utc(delivery.committed_at)).total_seconds()
            turn.lags.append(round(max(lag, 0.0), 3))
        turn.delivered += 1
        turn.failing_since = None
        turn.head = int(delivery.ordinal) + 1
        turn.last_delivery = {**summary, "state": rules.DELIVERED}
        return True
    failing_since = turn.failing_since or at
    turn.failing_since = failing_since
    delay = rules.retry_delay(attempts, rand)
    if outcome.status == 410:
        # Gone: the receiver says the endpoint is no more. Pause now; the event waits.
        store.save_attempt(
            delivery,
            attempts=attempts,
            last_status=410,
            last_error=outcome.error,
            last_attempt_at=at,
            next_attempt_at=at,
        )
        turn.pause = rules.PAUSED_GONE
        turn.last_delivery = {**summary, "state": rules.PENDING}
        return False
    if delay is None:
        store.save_attempt(
            delivery,
            state=rules.FAILED,
            attempts=attempts,
            last_status=outcome.status,
            last_error=outcome.error,
            last_attempt_at=at,
            next_attempt_at=None,
        )
        turn.head = int(delivery.ordinal) + 1
        turn.last_delivery = {**summary, "state": rules.FAILED}
        go_on = True
    else:
        next_at = iso_utc(now + delay)
        store.save_attempt(
            delivery,
            attempts=attempts,
            last_status=outcome.status,
            last_error=outcome.error,
            last_attempt_at=at,
            next_attempt_at=next_at,
        )
        turn.due_at = next_at
        turn.last_delivery = {**summary, "state": rules.PENDING}
        go_on = False
    if rules.should_pause_for_failures(parse_iso_utc(failing_since), now):
        turn.pause = rules.PAUSED_FAILING
        return False
    return go_on


def serve(
    subscription: store.Subscription,
    deadline: float,
    rand: Callable[[], float] = random.random,
) -> int:
    """Send a subscription's due deliveries in order, under its lease; how many were sent."""
    config = settings()
    now = clock.now()
    if not store.take_lease(
        subscription, iso_utc(now), iso_utc(now + timedelta(seconds=config.webhook_lease_seconds))
    ):
        return 0
    store.reread(subscription)  # the round read it through an index
    if subscription.state != rules.ACTIVE:
        store.update(subscription, lease_until=None)
        return 0
    turn = _Turn(head=int(subscription.head), failing_since=subscription.failing_since)
    sent = 0
    try:
        stop = False
        while not stop and time.monotonic() < deadline:
            subscription.head = turn.head
            batch = store.queued(subscription, size=25)
            if not batch:
                break
            for delivery in batch:
                if delivery.state != rules.PENDING:
                    turn.head = int(delivery.ordinal) + 1  # final already (a crashed turn)
                    continue
                now = clock.now()
                if delivery.next_attempt_at and delivery.next_attempt_at > iso_utc(now):
                    turn.due_at = delivery.next_attempt_at
                    stop = True
                    break
                sent += 1
                if not _attempt(subscription, delivery, turn, now, rand) or (
                    time.monotonic() >= deadline
                ):
                    stop = True
                    break
            store.save_deliveries(turn.done)  # the log shows each batch as it is sent
            turn.done = []
    finally:
        turn.connections.close()
        store.save_deliveries(turn.done)
        _end_turn(subscription, turn)
    return sent


def _end_turn(subscription: store.Subscription, turn: _Turn) -> None:
    values: dict[str, Any] = {
        "head": turn.head,
        "due_at": turn.due_at,
        "failing_since": turn.failing_since,
        "lease_until": None,
    }
    if turn.last_delivery is not None:
        values["last_delivery"] = turn.last_delivery
    if turn.lags:
        values["lags"] = ((subscription.lags or []) + turn.lags)[-LAGS_KEPT:]
    if turn.delivered:
        values["delivered"] = int(subscription.delivered or 0) + turn.delivered
    store.update(subscription, **values)
    if turn.pause is not None:
        pause(subscription, turn.pause)


def pause(subscription: store.Subscription, reason: str) -> None:
    """Pause a subscription the dispatcher gave up on, and tell the administrators."""
    at = iso_utc(clock.now())
    if not store.pause_if_active(
        subscription,
        state=rules.PAUSED,
        paused_reason=reason,
        paused_at=at,
    ):
        return
    logger.warning(
        "webhook subscription paused",
        extra={
            "subscription_id": subscription.id,
            "authority_id": subscription.owner_authority_id,
            "reason": reason,
        },
    )
    if reason == rules.PAUSED_FAILING:
        _alert_paused(subscription, at)


def _alert_paused(subscription: store.Subscription, at: str) -> None:
    """One SNS message on the administrators' topic, with ``authority_id`` (subscribers filter)."""
    owner = subscription.owner_authority_id
    alert_id = f"webhook-{subscription.id}-{at[:10]}"
    message = "\n".join(
        [
            "建筑市场评比表彰奖项信息归集共享平台 数据订阅提醒",
            f"单位：{owner}",
            f"订阅：{subscription.id}（{subscription.description or ''}）",
            "该订阅连续 3 天投递失败，已自动暂停。请检查接收地址后在控制台“数据订阅”中恢复，"
            "并用“重新推送”补发。",
            "",
            f"Webhook subscription {subscription.id} of {owner} failed for 3 days and was "
            "paused. Fix the receiver, resume it in the console, and replay what was missed.",
            f"Alert id: {alert_id}",
        ]
    )
    try:
        alerts_store.publish_message(
            f"数据订阅已暂停 {owner} / Webhook subscription paused [{alert_id}]"[:99],
            message,
            {"alert_id": alert_id, "kind": "webhook_paused", "authority_id": owner},
        )
    except alerts_store.PublishFailed as exc:
        logger.warning("webhook alert not published", extra={"error": str(exc)[:200]})
        return
    store.update(subscription, alerted_at=at)


def dispatch(
    subscriptions: list[store.Subscription],
    deadline: float,
    rand: Callable[[], float] = random.random,
) -> int:
    """Serve every due subscription, several side by side (each one in order)."""
    now = clock.now()
    due = [s for s in subscriptions if is_due(s, now)]
    if not due:
        return 0
    threads = min(settings().webhook_dispatch_threads, len(due))
    if threads == 1:
        return sum(serve(s, deadline, rand) for s in due)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda s: serve(s, deadline, rand), due))


def run_once(
    *, budget_seconds: float | None = None, rand: Callable[[], float] = random.random
) -> dict[str, int]:
    """One round: fan out new changes, then send what is due. The functions' one step."""
    seconds = (
        settings().webhook_dispatch_budget_seconds if budget_seconds is None else budget_seconds
    )
    # Fan-out may use half the budget (a backlog continues next round); sending gets its own.
    subscriptions = list(store.every_subscription())
    queued = fan_out(subscriptions, clock.now(), time.monotonic() + seconds / 2)
    if queued:  # the index may lag: re-read the queues fan-out just moved
        subscriptions = [store.get(s.id) or s for s in subscriptions]
    sent = dispatch(subscriptions, time.monotonic() + seconds, rand)
    return {"subscriptions": len(subscriptions), "queued": queued, "sent": sent}
