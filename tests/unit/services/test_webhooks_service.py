"""The webhook subscriptions service over the in-memory webhooks and KMS stores (no moto).

Registering a URL (with its SSRF guard), listing, pausing, resuming and deleting
(``services/webhooks.py``), and the fan-out of a committed change to a subscription's
queue (``services/webhook_delivery.fan_out``), over the twins of ``store/webhooks.py``,
``store/kms.py`` and the change feed. No request leaves the process: the host names
resolve through the test's table, and nothing here sends a POST.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib import clock
from chalicelib.domain import schemas
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationError,
)
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.domain.queries import Page, SubscriptionFilter
from chalicelib.services import webhook_delivery
from chalicelib.services import webhooks as service
from chalicelib.store import kms

BEIJING = Province(role=PROVINCIAL, authority_id="110000", key_id="key_bj")
JIANGSU = Province(role=PROVINCIAL, authority_id="320000", key_id="key_js")
ADMINISTRATOR = Principal(role=ADMIN, authority_id=None, key_id="key_admin")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HOSTS = {
    "hooks.bj.example.cn": ["93.184.216.34"],
    "hooks.js.example.cn": ["93.184.216.35"],
    "intranet.example.cn": ["10.0.0.5"],
    "rebind.example.cn": ["93.184.216.36", "192.168.1.1"],
}


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host names resolve through ``HOSTS`` (an unknown one does not resolve)."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in HOSTS:
            raise OSError(f"unknown host {host}")
        return HOSTS[host]

    monkeypatch.setattr(webhook_delivery, "resolve", resolve)


def _body(url: str = "https://hooks.bj.example.cn/awards", **fields) -> schemas.SubscriptionIn:
    return schemas.SubscriptionIn.model_validate({"url": url, **fields})


def _patch(**fields) -> schemas.SubscriptionPatchIn:
    return schemas.SubscriptionPatchIn.model_validate(fields)


def _program_status(twins, authority_id: str, seq_at: str = "2026-11-20T02:30:00.000000Z"):
    """A programme's status change committed to the feed (as a review commits it)."""
    data = {"id": "prg_1", "authority_id": authority_id, "status": "approved", "version": 2}
    return twins.changes.append(
        authority_id,
        entity="program",
        entity_id="prg_1",
        op="status",
        version=2,
        committed_at=seq_at,
        data=data,
    )


def test_a_province_subscribes_its_platform_and_sees_the_secret_once(twins, store_twins):
    created = service.create(BEIJING, _body(description="北京市平台"), NOW)
    assert created["owner_authority_id"] == "110000" and created["state"] == "active"
    assert created["secret"].startswith("whsec_") and created["pending"] == 0
    stored = store_twins.webhooks.get(created["id"])
    assert created["secret"] not in str(stored.serialize())  # only its KMS ciphertext
    context = webhook_delivery.secret_context(created["id"])
    assert kms.decrypt_text(stored.secret, context) == created["secret"]
    assert "secret" not in service.read(BEIJING, created["id"])


def test_a_new_subscription_starts_at_the_end_of_the_feed(twins, store_twins):
    _program_status(twins, "110000")
    created = service.create(BEIJING, _body(), NOW)
    assert store_twins.webhooks.get(created["id"]).position == {"110000": 1}


def test_a_url_that_is_not_public_https_is_refused_naming_url(twins, store_twins):
    for url in (
        "https://intranet.example.cn/hook",
        "https://rebind.example.cn/hook",
        "https://nowhere.example.cn/hook",
        "ftp://hooks.bj.example.cn/hook",
        "https://user:pw@hooks.bj.example.cn/hook",
    ):
        with pytest.raises(ValidationError) as refused:
            service.create(BEIJING, _body(url), NOW)
        assert refused.value.field == "url", url
    assert store_twins.webhooks.items == {}


def test_who_owns_a_subscription(twins, store_twins):
    with pytest.raises(ForbiddenError):
        service.create(BEIJING, _body(owner_authority_id="320000"), NOW)
    with pytest.raises(ValidationError) as unnamed:
        service.create(ADMINISTRATOR, _body(), NOW)
    assert unnamed.value.field == "owner_authority_id"
    made = service.create(ADMINISTRATOR, _body(owner_authority_id="320000"), NOW)
    assert made["owner_authority_id"] == "320000"
    with pytest.raises(NotFoundError):
        service.read(BEIJING, made["id"])
    assert service.read(JIANGSU, made["id"])["id"] == made["id"]


def test_an_owner_holds_at_most_the_configured_number(twins, store_twins, monkeypatch):
    monkeypatch.setenv("WEBHOOK_MAX_PER_OWNER", "2")
    from chalicelib.config import settings

    settings.cache_clear()
    first = service.create(BEIJING, _body(), NOW)
    service.create(BEIJING, _body(), NOW)
    with pytest.raises(ConflictError):
        service.create(BEIJING, _body(), NOW)
    service.delete(BEIJING, first["id"], LATER)  # a deleted one no longer counts
    assert service.create(BEIJING, _body(), LATER)["state"] == "active"


def test_lists_are_newest_first_a_page_at_a_time_without_deleted_ones(twins, store_twins):
    # ids order by time, and at random within one millisecond: newest first is by id
    ids = sorted((service.create(BEIJING, _body(), NOW)["id"] for _ in range(3)), reverse=True)
    other = service.create(JIANGSU, _body("https://hooks.js.example.cn/x"), NOW)["id"]
    service.delete(BEIJING, ids[1], LATER)
    first = service.list_subscriptions(BEIJING, SubscriptionFilter(limit=1))
    assert [i["id"] for i in first["items"]] == [ids[0]] and first["next_cursor"]
    rest = service.list_subscriptions(
        BEIJING, SubscriptionFilter(limit=1, cursor=first["next_cursor"])
    )
    assert [i["id"] for i in rest["items"]] == [ids[2]]  # the deleted one is skipped
    everyone = service.list_subscriptions(ADMINISTRATOR, SubscriptionFilter(limit=10))
    expected = sorted([other, ids[0], ids[2]], reverse=True)
    assert [i["id"] for i in everyone["items"]] == expected
    with pytest.raises(ForbiddenError):
        service.list_subscriptions(BEIJING, SubscriptionFilter(limit=10, authority_id="320000"))


def test_pause_resume_and_delete(twins, store_twins):
    made = service.create(BEIJING, _body(), NOW)
    paused = service.update(BEIJING, made["id"], _patch(state="paused"), LATER)
    assert paused["state"] == "paused" and paused["paused_reason"] == "owner"
    assert paused["paused_at"] == "2026-11-20T03:00:00.000000Z"
    resumed = service.update(BEIJING, made["id"], _patch(state="active"), LATER)
    assert resumed["state"] == "active" and resumed["paused_reason"] is None
    moved = service.update(
        BEIJING, made["id"], _patch(url="https://hooks.js.example.cn/new", events=None), LATER
    )
    assert moved["url"] == "https://hooks.js.example.cn/new"
    with pytest.raises(ValidationError):
        service.update(BEIJING, made["id"], _patch(url="https://intranet.example.cn/"), LATER)
    gone = service.delete(BEIJING, made["id"], LATER)
    assert gone["state"] == "deleted"
    assert store_twins.webhooks.get(made["id"]) is not None  # kept, never hard-deleted
    with pytest.raises(NotFoundError):
        service.read(BEIJING, made["id"])


def test_fan_out_queues_a_change_once_for_each_subscription_that_wants_it(twins, store_twins):
    every = service.create(BEIJING, _body(), NOW)["id"]
    jiangsu_only = service.create(BEIJING, _body(authority_ids=["320000"]), NOW)["id"]
    awards_only = service.create(BEIJING, _body(events=["award.created"]), NOW)["id"]
    entry = _program_status(twins, "110000")
    subscriptions = list(store_twins.webhooks.every_subscription())
    deadline = time.monotonic() + 30
    assert webhook_delivery.fan_out(subscriptions, LATER, deadline) == 1
    assert webhook_delivery.fan_out(subscriptions, LATER, deadline) == 0  # nothing new

    log = service.deliveries(BEIJING, every, Page(limit=10))["items"]
    assert [(d["event_id"], d["type"], d["state"]) for d in log] == [
        (f"evt_110000_{entry.seq}", "program.status_changed", "pending")
    ]
    assert service.read(BEIJING, every)["pending"] == 1
    for quiet in (jiangsu_only, awards_only):
        assert service.deliveries(BEIJING, quiet, Page(limit=10))["items"] == []
        assert store_twins.webhooks.get(quiet).position == {"110000": 1}  # read past it


def test_a_paused_subscription_keeps_queueing_a_deleted_one_stops(twins, store_twins):
    paused = service.create(BEIJING, _body(), NOW)["id"]
    deleted = service.create(BEIJING, _body(), NOW)["id"]
    service.update(BEIJING, paused, _patch(state="paused"), NOW)
    service.delete(BEIJING, deleted, NOW)
    _program_status(twins, "110000")
    subscriptions = list(store_twins.webhooks.every_subscription())
    assert webhook_delivery.fan_out(subscriptions, LATER, time.monotonic() + 30) == 1
    assert store_twins.webhooks.get(paused).next_ordinal == 2
    assert store_twins.webhooks.get(deleted).next_ordinal == 1


def test_a_rotated_secret_is_shown_once_and_the_old_one_signs_for_a_day(twins, store_twins):
    made = service.create(BEIJING, _body(), NOW)
    rotated = service.rotate_secret(BEIJING, made["id"], LATER)
    assert rotated["secret"] != made["secret"]
    assert rotated["previous_secret_expires_at"] == "2026-11-21T03:00:00.000000Z"
    stored = store_twins.webhooks.get(made["id"])
    assert stored.secret_version == 2
    signing = webhook_delivery.signing_secrets(stored, LATER)
    assert signing == (rotated["secret"], made["secret"])
    day_after = datetime(2026, 11, 21, 3, 0, 1, tzinfo=UTC)
    assert webhook_delivery.signing_secrets(stored, day_after) == (rotated["secret"],)


def test_a_replay_requeues_what_was_fanned_out_once_a_minute(twins, store_twins):
    made = service.create(BEIJING, _body(), NOW)["id"]
    first = _program_status(twins, "110000")
    _program_status(twins, "110000", "2026-11-20T02:40:00.000000Z")
    subscriptions = list(store_twins.webhooks.every_subscription())
    assert webhook_delivery.fan_out(subscriptions, LATER, time.monotonic() + 30) == 2
    with pytest.raises(ValidationError):  # one of from_position and from_date
        service.replay(BEIJING, made, schemas.ReplayIn.model_validate({}), LATER)
    log = service.deliveries(BEIJING, made, Page(limit=10))["items"]
    position = next(d["position"] for d in log if d["event_id"] == f"evt_110000_{first.seq}")
    since_first = schemas.ReplayIn.model_validate({"from_position": position})
    answer = service.replay(BEIJING, made, since_first, LATER)
    assert answer == {"queued": 1, "next_position": None}  # the entry after that position
    log = service.deliveries(BEIJING, made, Page(limit=10))["items"]
    assert [(d["event_id"], d["replay"]) for d in log] == [
        (f"evt_110000_{first.seq + 1}", True),
        (f"evt_110000_{first.seq + 1}", False),
        (f"evt_110000_{first.seq}", False),
    ]
    with pytest.raises(ThrottledError):
        service.replay(BEIJING, made, since_first, LATER)


# --- dispatch: the POST is the one seam (``webhook_delivery.post``) -----------------------


class Receiver:
    """The receiving platform: what it answers, in order (200 once none are left), and
    the requests it got."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.got: list[dict] = []

    def post(self, target, headers, body, timeout, connections=None) -> webhook_delivery.Outcome:
        self.got.append({"address": target.address, "headers": headers, "body": body})
        status = self.answers.pop(0) if self.answers else 200
        return webhook_delivery.Outcome(status, None if status < 300 else f"HTTP {status}")


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """Stands in for the HTTP POST only: the URL check, the signing and the bookkeeping
    run as in production; the registry's clock is pinned to ``LATER``."""
    platform = Receiver()
    monkeypatch.setattr(webhook_delivery, "post", platform.post)
    clock.pin(LATER)
    yield platform
    clock.pin(None)


def _queued_two(twins, store_twins) -> dict:
    """A new subscription (as created: with its secret) and two events queued for it."""
    made = service.create(BEIJING, _body(), NOW)
    _program_status(twins, "110000")
    _program_status(twins, "110000", "2026-11-20T02:40:00.000000Z")
    subscriptions = list(store_twins.webhooks.every_subscription())
    assert webhook_delivery.fan_out(subscriptions, LATER, time.monotonic() + 30) == 2
    return made


def _serve(store_twins, subscription_id: str) -> int:
    subscription = store_twins.webhooks.get(subscription_id)
    return webhook_delivery.serve(subscription, time.monotonic() + 30, rand=lambda: 0.5)


def test_the_queue_is_sent_in_order_signed_with_the_subscriptions_secret(
    twins, store_twins, receiver
):
    made = _queued_two(twins, store_twins)
    secret = made["secret"]
    assert _serve(store_twins, made["id"]) == 2
    assert [r["headers"]["webhook-id"] for r in receiver.got] == ["evt_110000_1", "evt_110000_2"]
    assert {r["address"] for r in receiver.got} == {"93.184.216.34"}  # the address checked
    for request in receiver.got:
        Webhook(secret).verify(request["body"], request["headers"])  # raises if not signed
        assert json.loads(request["body"])["type"] == "program.status_changed"
    view = service.read(BEIJING, made["id"])
    assert view["pending"] == 0 and view["delivered"] == 2
    assert view["last_delivery"]["state"] == "delivered"
    log = service.deliveries(BEIJING, made["id"], Page(limit=10))["items"]
    assert [(d["state"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("delivered", 1, 200),
        ("delivered", 1, 200),
    ]


def test_a_failed_delivery_holds_the_queue_until_its_retry(twins, store_twins, receiver):
    subscription_id = _queued_two(twins, store_twins)["id"]
    receiver.answers = [503]
    assert _serve(store_twins, subscription_id) == 1  # the second waits behind the first
    first, second = store_twins.webhooks.queued(store_twins.webhooks.get(subscription_id), size=5)
    assert (first.state, first.attempts, first.last_status) == ("pending", 1, 503)
    assert first.next_attempt_at > "2026-11-20T03:00:00.000000Z"
    assert (second.state, second.attempts) == ("pending", 0)
    view = service.read(BEIJING, subscription_id)
    assert view["pending"] == 2 and view["next_attempt_at"] == first.next_attempt_at
    assert view["failing_since"] is not None and view["state"] == "active"
    assert _serve(store_twins, subscription_id) == 0  # not due yet: nothing is sent


def test_410_gone_pauses_the_subscription_at_once(twins, store_twins, receiver):
    subscription_id = _queued_two(twins, store_twins)["id"]
    receiver.answers = [410]
    assert _serve(store_twins, subscription_id) == 1
    view = service.read(BEIJING, subscription_id)
    assert (view["state"], view["paused_reason"], view["pending"]) == ("paused", "gone", 2)
    assert _serve(store_twins, subscription_id) == 0  # paused: nothing more is sent


def test_an_award_push_is_queued_as_the_anonymous_get_shows_it(twins, award_twins, store_twins):
    from datetime import date

    from chalicelib.services import awards, programs
    from tests.factories import award_body, credit_code, program_body

    made = service.create(BEIJING, _body(events=["award.created"]), NOW)["id"]
    program_id = programs.create_program(
        BEIJING, schemas.ProgramIn.model_validate(program_body()), NOW
    )["id"]
    program = twins.programs.get(program_id)
    program.status = "submitted"
    twins.programs.save_if_unchanged(program)
    record = schemas.parse_model(
        schemas.AwardIn,
        award_body(program_id, "BJ-2026-0001"),
        today=date(2026, 11, 20),
        earliest_award=date(2018, 1, 1),
    )
    award = awards.push_award(BEIJING, record, NOW).award
    subscriptions = list(store_twins.webhooks.every_subscription())
    assert webhook_delivery.fan_out(subscriptions, LATER, time.monotonic() + 30) == 1
    (queued,) = store_twins.webhooks.queued(store_twins.webhooks.get(made), size=5)
    assert queued.type == "award.created" and queued.entity_id == award["id"]
    assert queued.data["id"] == award["id"] and queued.data["validity"] == "valid"
    winners = queued.data["winners"]
    assert {w["credit_code"] for w in winners} == {credit_code(1), credit_code(2)}
    assert all("project_manager" not in w for w in winners)  # never in an anonymous answer
