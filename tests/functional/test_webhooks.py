"""Webhook subscriptions (issue 21): signed deliveries to a real receiver on 127.0.0.1.

Each test starts an HTTP server in the test, subscribes it over the API, writes
awards, and runs the scheduled ``webhook_dispatch`` function (as EventBridge
would); every delivery is checked with the ``svix`` library, as a provincial
platform would check it. Retries are driven with the pinned clock, not waited for.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from svix.webhooks import Webhook

from tests.factories import award_body
from tests.receiver import Receiver
from tests.steps import approved_program, push


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


@pytest.fixture
def cloud_urls(monkeypatch):
    """URLs judged as on a cloud stage (no loopback, https only) for this test only."""
    from chalicelib.config import settings

    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "false")
    settings.cache_clear()
    settings()  # read now, not inside a request (the test client patches the stage's env in)
    yield
    monkeypatch.undo()
    settings.cache_clear()
    settings()


def run_dispatch(client) -> dict:
    """One run of the scheduled function, as EventBridge invokes it every minute."""
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return client.lambda_.invoke("webhook_dispatch", event).payload


def subscribe(api, key: str, url: str, **fields) -> dict:
    created = api.call("POST", "/v1/subscriptions", {"url": url, **fields}, key=key)
    assert created.status_code == 201, created.body
    return created.data


def now_pinned(clock) -> datetime:
    instant = datetime.now(UTC).replace(microsecond=0)
    clock.set(instant)
    return instant


def test_push_update_and_revoke_arrive_signed_in_order_as_the_public_sees_the_award(
    api, keys, client, receiver, clock
):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url, description="北京市平台")
    assert subscription["state"] == "active"
    secret = subscription["secret"]
    assert secret.startswith("whsec_") and len(secret) >= len("whsec_") + 32

    award = push(api, keys["110000"], award_body(program_id))
    corrected = api.call(
        "PUT",
        f"/v1/awards/{award['id']}",
        award_body(program_id, honor="银质奖"),
        key=keys["110000"],
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.body
    revoked = api.call(
        "POST",
        f"/v1/awards/{award['id']}/revoke",
        {"reason": "获奖工程存在质量问题"},
        key=keys["110000"],
    )
    assert revoked.status_code == 200, revoked.body

    assert run_dispatch(client)["sent"] == 3
    deliveries = receiver.verified(secret)
    assert [body["type"] for _, body in deliveries] == [
        "award.created",
        "award.updated",
        "award.revoked",
    ]
    assert len({webhook_id for webhook_id, _ in deliveries}) == 3
    for headers, _, _ in receiver.requests:
        assert headers["content-type"] == "application/json"
    # data: the award exactly as an anonymous GET shows it, plus its feed position
    public = api.call("GET", f"/v1/awards/{award['id']}").data
    last = deliveries[-1][1]["data"]
    position = last.pop("position")
    assert last == public
    assert "project_manager" not in json.dumps(last, ensure_ascii=False)
    assert deliveries[0][1]["data"]["version"] == 1 and deliveries[0][1]["data"]["history"] == []
    assert deliveries[1][1]["data"]["honor"] == "银质奖"
    # the position is a since cursor of GET /v1/changes, right after the event
    after = api.call("GET", f"/v1/changes?since={position}").data
    assert after["items"] == []
    log = api.call(
        "GET", f"/v1/subscriptions/{subscription['id']}/deliveries", key=keys["110000"]
    ).data["items"]
    assert [d["type"] for d in log] == ["award.revoked", "award.updated", "award.created"]
    assert {d["state"] for d in log} == {"delivered"} and {d["attempts"] for d in log} == {1}
    # nothing is sent twice
    assert run_dispatch(client)["sent"] == 0 and len(receiver.requests) == 3


def test_a_failing_receiver_gets_the_same_event_again_with_the_same_id(
    api, keys, client, receiver, clock
):
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    receiver.script = [500, 500]  # then 200
    push(api, keys["110000"], award_body(program_id))

    run_dispatch(client)
    log_path = f"/v1/subscriptions/{subscription['id']}/deliveries"
    first = api.call("GET", log_path, key=keys["110000"]).data["items"][0]
    assert first["state"] == "pending" and first["attempts"] == 1
    assert first["last_status_code"] == 500 and first["last_error"].startswith("HTTP 500")
    assert len(first["last_error"]) <= 200
    retry_at = datetime.fromisoformat(first["next_attempt_at"].replace("Z", "+00:00"))
    assert timedelta(seconds=4) <= retry_at - start <= timedelta(seconds=6)  # 5 s ± jitter

    clock.set(start + timedelta(seconds=1))  # not due yet: nothing is sent
    run_dispatch(client)
    assert len(receiver.requests) == 1
    clock.set(start + timedelta(seconds=7))
    run_dispatch(client)  # 500 again; next in 5 min ± 20 %
    clock.set(start + timedelta(minutes=7))
    run_dispatch(client)  # 200

    ids = [webhook_id for webhook_id, _ in receiver.verified(subscription["secret"])]
    assert len(ids) == 3 and len(set(ids)) == 1
    done = api.call("GET", log_path, key=keys["110000"]).data["items"][0]
    assert done["state"] == "delivered" and done["attempts"] == 3
    assert done["last_status_code"] == 200 and done["next_attempt_at"] is None
    assert done["event_id"] == ids[0]


def test_events_wait_behind_a_retried_one_to_keep_their_order(api, keys, client, receiver, clock):
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    receiver.script = [503]
    push(api, keys["110000"], award_body(program_id, source_id="A"))
    push(api, keys["110000"], award_body(program_id, source_id="B"))
    run_dispatch(client)
    assert len(receiver.requests) == 1  # B waits behind A
    clock.set(start + timedelta(seconds=10))
    run_dispatch(client)
    sources = [body["data"]["source_id"] for _, body in receiver.verified(subscription["secret"])]
    assert sources == ["A", "A", "B"]


def test_410_gone_pauses_the_subscription_at_once_and_resume_sends_the_event(
    api, keys, client, receiver, clock
):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    path = f"/v1/subscriptions/{subscription['id']}"
    receiver.script = [410]
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    paused = api.call("GET", path, key=keys["110000"]).data
    assert paused["state"] == "paused" and paused["paused_reason"] == "gone"
    assert paused["pending"] == 1
    run_dispatch(client)
    assert len(receiver.requests) == 1  # paused: nothing more

    resumed = api.call("PATCH", path, {"state": "active"}, key=keys["110000"])
    assert resumed.status_code == 200 and resumed.data["state"] == "active"
    run_dispatch(client)
    assert len(receiver.verified(subscription["secret"])) == 2
    assert api.call("GET", path, key=keys["110000"]).data["pending"] == 0


def test_three_days_of_failures_fail_the_event_pause_and_alert_the_administrators(
    api, keys, client, receiver, clock
):
    import boto3

    from chalicelib.config import settings

    sqs = boto3.client("sqs", region_name=settings().region)
    queue_url = sqs.create_queue(QueueName="alerts-copy")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    boto3.client("sns", region_name=settings().region).subscribe(
        TopicArn=settings().alerts_topic_arn, Protocol="sqs", Endpoint=queue_arn
    )
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    receiver.script = [500] * 100
    push(api, keys["110000"], award_body(program_id))
    instant = start
    for _ in range(30):
        run_dispatch(client)
        instant += timedelta(hours=13)  # past the longest back-off (10 h + 20 %)
        clock.set(instant)
    path = f"/v1/subscriptions/{subscription['id']}"
    paused = api.call("GET", path, key=keys["110000"]).data
    assert paused["state"] == "paused" and paused["paused_reason"] == "failing"
    log = api.call("GET", f"{path}/deliveries", key=keys["110000"]).data["items"]
    attempts = log[0]["attempts"]
    assert log[0]["state"] in ("failed", "pending")
    assert attempts >= 5
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    notes = [json.loads(m["Body"]) for m in messages]
    paused_alerts = [
        n for n in notes if n["MessageAttributes"]["kind"]["Value"] == "webhook_paused"
    ]
    assert len(paused_alerts) == 1
    assert paused_alerts[0]["MessageAttributes"]["authority_id"]["Value"] == "110000"


def test_every_attempt_of_an_event_fails_only_after_three_days(api, keys, client, receiver, clock):
    """The last attempt comes at least 3 days after the first; then the event is failed, kept."""
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    receiver.script = [500] * 100
    push(api, keys["110000"], award_body(program_id))
    path = f"/v1/subscriptions/{subscription['id']}"
    run_dispatch(client)  # queues the event and makes the first attempt
    instant = start
    while api.call("GET", f"{path}/deliveries", key=keys["110000"]).data["items"][0][
        "state"
    ] == "pending" and instant < start + timedelta(days=10):
        # resume whenever the 3-day rule paused it, to see the event's own schedule end
        api.call("PATCH", path, {"state": "active"}, key=keys["110000"])
        run_dispatch(client)
        instant += timedelta(hours=13)
        clock.set(instant)
    failed = api.call("GET", f"{path}/deliveries", key=keys["110000"]).data["items"][0]
    assert failed["state"] == "failed" and failed["next_attempt_at"] is None
    last = datetime.fromisoformat(failed["last_attempt_at"].replace("Z", "+00:00"))
    assert last - start >= timedelta(days=3)


def test_an_authority_filter_delivers_only_that_authoritys_awards(
    api, keys, client, receiver, clock
):
    now_pinned(clock)
    beijing = approved_program(api, keys["110000"], keys["admin"])
    jiangsu = approved_program(api, keys["320000"], keys["admin"])
    subscription = subscribe(
        api, keys["admin"], receiver.url, owner_authority_id="320000", authority_ids=["320000"]
    )
    assert subscription["owner_authority_id"] == "320000"
    push(api, keys["110000"], award_body(beijing, source_id="BJ-1"))
    push(api, keys["320000"], award_body(jiangsu, source_id="JS-1"))
    run_dispatch(client)
    bodies = [body for _, body in receiver.verified(subscription["secret"])]
    assert [b["data"]["authority_id"] for b in bodies] == ["320000"]
    assert bodies[0]["data"]["source_id"] == "JS-1"


def test_an_event_filter_delivers_only_those_types(api, keys, client, receiver, clock):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url, events=["award.revoked"])
    award = push(api, keys["110000"], award_body(program_id))
    api.call("POST", f"/v1/awards/{award['id']}/revoke", {"reason": "撤销"}, key=keys["110000"])
    run_dispatch(client)
    assert [b["type"] for _, b in receiver.verified(subscription["secret"])] == ["award.revoked"]


def test_replay_from_a_position_re_delivers_with_the_original_ids(
    api, keys, client, receiver, clock
):
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    first = push(api, keys["110000"], award_body(program_id, source_id="R-1"))
    push(api, keys["110000"], award_body(program_id, source_id="R-2"))
    push(api, keys["110000"], award_body(program_id, source_id="R-3"))
    run_dispatch(client)
    original = receiver.verified(subscription["secret"])
    assert len(original) == 3
    first_position = original[0][1]["data"]["position"]
    assert original[0][1]["data"]["id"] == first["id"]

    clock.set(start + timedelta(minutes=2))
    path = f"/v1/subscriptions/{subscription['id']}"
    replayed = api.call(
        "POST", f"{path}/replay", {"from_position": first_position}, key=keys["110000"]
    )
    assert replayed.status_code == 202, replayed.body
    assert replayed.data == {"queued": 2, "next_position": None}
    run_dispatch(client)
    again = receiver.verified(subscription["secret"])[3:]
    assert [wid for wid, _ in again] == [wid for wid, _ in original[1:]]
    assert [b["data"]["source_id"] for _, b in again] == ["R-2", "R-3"]
    log = api.call("GET", f"{path}/deliveries", key=keys["110000"]).data["items"]
    assert [d["replay"] for d in log] == [True, True, False, False, False]
    # at most once a minute
    too_soon = api.call(
        "POST", f"{path}/replay", {"from_position": first_position}, key=keys["110000"]
    )
    assert too_soon.status_code == 429
    # from a date (China date): everything this subscription got that day
    clock.set(start + timedelta(minutes=4))
    day = (start + timedelta(hours=8)).date().isoformat()
    by_date = api.call("POST", f"{path}/replay", {"from_date": day}, key=keys["110000"])
    assert by_date.status_code == 202 and by_date.data["queued"] == 3


def test_ping_answers_with_the_receivers_status(api, keys, receiver, clock):
    now_pinned(clock)
    subscription = subscribe(api, keys["110000"], receiver.url)
    path = f"/v1/subscriptions/{subscription['id']}/ping"
    pinged = api.call("POST", path, key=keys["110000"])
    assert pinged.status_code == 200, pinged.body
    assert pinged.data["status_code"] == 200 and pinged.data["ok"] is True
    [(webhook_id, body)] = receiver.verified(subscription["secret"])
    assert body["type"] == "ping" and webhook_id == pinged.data["webhook_id"]
    receiver.script = [404]
    assert api.call("POST", path, key=keys["110000"]).data["status_code"] == 404


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(api, keys, client, receiver, clock):
    start = now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    path = f"/v1/subscriptions/{subscription['id']}"
    rotated = api.call("POST", f"{path}/rotate-secret", key=keys["110000"])
    assert rotated.status_code == 200, rotated.body
    new_secret = rotated.data["secret"]
    assert new_secret != subscription["secret"]
    push(api, keys["110000"], award_body(program_id, source_id="S-1"))
    run_dispatch(client)
    headers, _, _ = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    receiver.verified(new_secret)
    receiver.verified(subscription["secret"])
    clock.set(start + timedelta(hours=25))
    push(api, keys["110000"], award_body(program_id, source_id="S-2"))
    run_dispatch(client)
    headers, body, _ = receiver.requests[1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    Webhook(new_secret).verify(body, headers)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.9/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "http://hooks.example.cn/hook",
    ],
)
def test_cloud_stage_refuses_loopback_private_and_metadata_urls(api, keys, url, cloud_urls):
    refused = api.call("POST", "/v1/subscriptions", {"url": url}, key=keys["110000"])
    assert refused.status_code == 400, refused.body
    assert refused.data["error"]["field"] == "url"
    assert refused.data["error"]["message_zh"]


def test_the_local_stage_still_refuses_private_and_metadata_addresses(api, keys):
    for url in ("http://169.254.169.254/", "http://10.0.0.1/", "ftp://127.0.0.1/"):
        refused = api.call("POST", "/v1/subscriptions", {"url": url}, key=keys["110000"])
        assert refused.status_code == 400 and refused.data["error"]["field"] == "url", url


def test_a_province_manages_only_its_own_and_an_admin_sees_all(api, keys, receiver):
    mine = subscribe(api, keys["110000"], receiver.url)
    theirs = subscribe(api, keys["320000"], receiver.url)
    listed = api.call("GET", "/v1/subscriptions", key=keys["110000"]).data["items"]
    assert [s["id"] for s in listed] == [mine["id"]]
    other = f"/v1/subscriptions/{theirs['id']}"
    assert api.call("GET", other, key=keys["110000"]).status_code == 404
    assert api.call("PATCH", other, {"state": "paused"}, key=keys["110000"]).status_code == 404
    assert api.call("GET", other).status_code == 401
    forbidden = api.call(
        "POST",
        "/v1/subscriptions",
        {"url": receiver.url, "owner_authority_id": "320000"},
        key=keys["110000"],
    )
    assert forbidden.status_code == 403
    everyone = api.call("GET", "/v1/subscriptions", key=keys["admin"]).data["items"]
    assert {s["id"] for s in everyone} == {mine["id"], theirs["id"]}
    only = api.call("GET", "/v1/subscriptions?authority_id=320000", key=keys["admin"]).data
    assert [s["id"] for s in only["items"]] == [theirs["id"]]
    deleted = api.call("DELETE", f"/v1/subscriptions/{mine['id']}", key=keys["110000"])
    assert deleted.status_code == 200 and deleted.data["state"] == "deleted"
    assert api.call("GET", "/v1/subscriptions", key=keys["110000"]).data["items"] == []


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Our logger at its most verbose and every library at INFO, as CloudWatch would get them
    (powertools' JSON formatter; the same capture as tests/functional/test_observability.py)."""
    from chalicelib.observability import logger

    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    root, ours = logging.getLogger(), logging.getLogger(logger.name)
    previous = (root.level, ours.level)
    root.addHandler(handler)
    ours.addHandler(handler)
    root.setLevel(logging.INFO)
    ours.setLevel(logging.DEBUG)
    try:
        yield sink
    finally:
        root.removeHandler(handler)
        ours.removeHandler(handler)
        root.setLevel(previous[0])
        ours.setLevel(previous[1])


def test_the_secret_is_in_no_get_and_no_log_line(api, keys, client, receiver, clock, captured_logs):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    path = f"/v1/subscriptions/{subscription['id']}"
    rotated = api.call("POST", f"{path}/rotate-secret", key=keys["110000"]).data
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    api.call("POST", f"{path}/ping", key=keys["110000"])
    api.call("POST", "/v1/subscriptions", {"url": "https://10.0.0.1/"}, key=keys["110000"])
    secrets = [subscription["secret"], rotated["secret"]]
    bodies = [
        api.call("GET", "/v1/subscriptions", key=keys["110000"]).body,
        api.call("GET", "/v1/subscriptions", key=keys["admin"]).body,
        api.call("GET", path, key=keys["110000"]).body,
        api.call("GET", f"{path}/deliveries", key=keys["110000"]).body,
        api.call("PATCH", path, {"description": "改"}, key=keys["110000"]).body,
    ]
    logged = captured_logs.getvalue()
    assert "webhook subscription created" in logged and "webhook secret rotated" in logged
    assert "webhook round" in logged  # the dispatcher's own line is captured too
    for secret in secrets:
        raw = secret.removeprefix("whsec_")
        assert all(raw not in str(body) for body in bodies)
        assert raw not in logged
    # and it is stored only encrypted
    from chalicelib.store.webhooks import Subscription

    stored = json.dumps(
        [item.attribute_values for item in Subscription.scan(Subscription.sk == "SUB")],
        default=str,
    )
    assert all(secret.removeprefix("whsec_") not in stored for secret in secrets)


def test_pilot_statistics_show_the_share_of_provinces_receiving_and_the_lag(
    api, keys, client, receiver, clock
):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscribe(api, keys["110000"], receiver.url)
    # subscribed to its own awards only: nothing delivered yet
    subscribe(api, keys["320000"], receiver.url, authority_ids=["320000"])
    before = api.call("GET", "/v1/stats/pilot", key=keys["admin"]).data["webhooks"]
    assert before["provinces_receiving"] == 0 and before["delivery_lag_seconds"]["p50"] is None
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    stats = api.call("GET", "/v1/stats/pilot", key=keys["admin"])
    assert stats.status_code == 200, stats.body
    hooks = stats.data["webhooks"]
    assert hooks["provinces_receiving"] == 1 and hooks["receiving_authority_ids"] == ["110000"]
    assert hooks["share_of_provinces_receiving"] == round(1 / 33, 4)
    assert hooks["subscriptions_active"] == 2
    lag = hooks["delivery_lag_seconds"]
    assert lag["samples"] == 1 and 0 <= lag["p50"] <= lag["p95"] < 60


def test_answers_match_the_documented_schemas(api, keys, client, receiver, clock, public_base_url):
    from tests.functional.test_openapi import assert_matches

    document = api.call("GET", "/v1/openapi.json").data
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    created = subscribe(api, keys["110000"], receiver.url, description="说明")
    assert_matches(document, "SubscriptionCreated", created)
    path = f"/v1/subscriptions/{created['id']}"
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    assert_matches(document, "Subscription", api.call("GET", path, key=keys["110000"]).data)
    listed = api.call("GET", "/v1/subscriptions", key=keys["admin"]).data
    assert_matches(document, "SubscriptionList", listed)
    log = api.call("GET", f"{path}/deliveries", key=keys["110000"]).data
    assert_matches(document, "DeliveryList", log)
    assert_matches(document, "Ping", api.call("POST", f"{path}/ping", key=keys["110000"]).data)
    replayed = api.call(
        "POST", f"{path}/replay", {"from_position": log["items"][0]["position"]},
        key=keys["110000"],
    )  # fmt: skip
    assert replayed.status_code == 202
    assert_matches(document, "Replay", replayed.data)
    rotated = api.call("POST", f"{path}/rotate-secret", key=keys["110000"]).data
    assert_matches(document, "SubscriptionCreated", rotated)
    paused = api.call("PATCH", path, {"state": "paused"}, key=keys["110000"]).data
    assert_matches(document, "Subscription", paused)
    assert_matches(document, "Subscription", api.call("DELETE", path, key=keys["110000"]).data)
    stats = api.call("GET", "/v1/stats/pilot", key=keys["admin"]).data
    assert_matches(document, "PilotStats", stats)


def test_a_delivery_connects_to_the_address_it_checked(
    api, keys, client, receiver, clock, monkeypatch
):
    """The host is resolved once per delivery, checked, and that address is connected to
    (the Host header keeps the name): a second, different DNS answer cannot slip in."""
    from chalicelib.services import webhook_delivery

    port = receiver.server.server_address[1]
    lookups: list[str] = []

    def resolve(host: str, port_: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhook_delivery, "resolve", resolve)
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], f"http://platform.registry.test:{port}/in")
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    [(headers, _, _)] = receiver.requests
    assert headers["host"] == f"platform.registry.test:{port}"
    assert lookups == ["platform.registry.test", "platform.registry.test"]  # register, send
    receiver.verified(subscription["secret"])


def test_a_host_that_now_resolves_to_a_private_address_is_not_delivered_to(
    api, keys, client, receiver, clock, monkeypatch, cloud_urls
):
    """DNS rebinding: public at registration, the metadata address at delivery → refused,
    recorded and retried; nothing is sent."""
    from chalicelib.services import webhook_delivery

    answers = iter(["93.184.215.14", "169.254.169.254", "169.254.169.254"])
    monkeypatch.setattr(webhook_delivery, "resolve", lambda host, port: [next(answers)])
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], "https://platform.registry.test/in")
    push(api, keys["110000"], award_body(program_id))
    run_dispatch(client)
    log = api.call(
        "GET", f"/v1/subscriptions/{subscription['id']}/deliveries", key=keys["110000"]
    ).data["items"]
    assert log[0]["state"] == "pending" and log[0]["attempts"] == 1
    assert log[0]["last_status_code"] is None
    assert log[0]["last_error"].startswith("url refused")
    assert receiver.requests == []


def test_a_redaction_and_a_withdrawal_are_events_too(api, keys, client, receiver, clock):
    now_pinned(clock)
    program_id = approved_program(api, keys["110000"], keys["admin"])
    subscription = subscribe(api, keys["110000"], receiver.url)
    award = push(api, keys["110000"], award_body(program_id))
    redacted = api.call(
        "POST", f"/v1/awards/{award['id']}/redact",
        {"fields": ["project_manager"], "reason": "本人依法申请删除个人信息"}, key=keys["admin"],
    )  # fmt: skip
    assert redacted.status_code == 200, redacted.body
    withdrawn = api.call(
        "POST", f"/v1/programs/{program_id}/withdraw",
        {"reason": "奖项清理", "effective_on": "2026-01-01"}, key=keys["admin"],
    )  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.body
    run_dispatch(client)
    bodies = [body for _, body in receiver.verified(subscription["secret"])]
    assert [b["type"] for b in bodies] == [
        "award.created", "award.redacted", "program.status_changed"
    ]  # fmt: skip
    assert bodies[1]["data"]["redacted_fields"] == ["project_manager"]
    assert bodies[1]["data"]["version"] == 2 and len(bodies[1]["data"]["history"]) == 1
    program = bodies[2]["data"]
    assert program["id"] == program_id and program["status"] == "withdrawn"
    public = api.call("GET", f"/v1/programs/{program_id}").data
    assert {k: v for k, v in program.items() if k != "position"} == public
