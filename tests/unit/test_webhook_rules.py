"""The webhook rules (issue 21): the SSRF check on literal addresses, the retry schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import webhooks as rules
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.webhook_urls import UrlPolicy, check_url

CLOUD = UrlPolicy(allow_loopback=False)
LOCAL = UrlPolicy(allow_loopback=True)


def resolver(*answers: str):
    """A stub resolver: the test decides what the host resolves to (no network)."""
    seen: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        seen.append((host, port))
        return list(answers)

    resolve.seen = seen  # type: ignore[attr-defined]
    return resolve


def test_a_public_https_url_is_accepted_and_targets_the_checked_address():
    resolve = resolver("93.184.215.14")
    target = check_url("https://hooks.example.cn:8443/in?x=1", CLOUD, resolve)
    assert target.address == "93.184.215.14" and target.host == "hooks.example.cn"
    assert target.port == 8443 and target.path == "/in?x=1"
    assert target.host_header == "hooks.example.cn:8443"
    assert resolve.seen == [("hooks.example.cn", 8443)]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "169.254.169.254",
        "169.254.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "0.0.0.0",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    ],
)
def test_a_host_resolving_to_a_non_public_address_is_refused_in_the_cloud(address):
    with pytest.raises(ValidationError) as refused:
        check_url("https://hooks.example.cn/in", CLOUD, resolver(address))
    assert refused.value.field == "url"
    assert refused.value.message_zh.startswith("字段 url：")


def test_one_bad_answer_among_good_ones_is_refused():
    """A rebinding resolver hands out the bad address next time: refuse now."""
    with pytest.raises(ValidationError):
        check_url("https://hooks.example.cn/", CLOUD, resolver("93.184.215.14", "10.0.0.8"))


def test_the_local_policy_allows_loopback_over_http_but_nothing_private():
    assert check_url("http://127.0.0.1:9000/h", LOCAL, resolver("127.0.0.1")).port == 9000
    assert check_url("http://localhost/h", LOCAL, resolver("::1")).address == "::1"
    for address in ("10.0.0.1", "169.254.169.254", "192.168.1.1", "fe80::1"):
        with pytest.raises(ValidationError):
            check_url("http://x.example/h", LOCAL, resolver(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.cn/",  # not https
        "ftp://hooks.example.cn/",
        "https://user:pw@hooks.example.cn/",
        "https:///nohost",
        "https://hooks.example.cn/#frag",
        "https://hooks.example.cn/ space",
        "https://hooks.example.cn:99999/",
        "",
        "https://" + "a" * 2100 + ".cn/",
    ],
)
def test_malformed_or_plain_http_urls_are_refused_in_the_cloud(url):
    resolve = resolver("93.184.215.14")
    with pytest.raises(ValidationError) as refused:
        check_url(url, CLOUD, resolve)
    assert refused.value.field == "url"
    assert resolve.seen == []  # refused before any lookup


def test_a_host_that_does_not_resolve_is_refused():
    def fails(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(ValidationError):
        check_url("https://nowhere.example/", CLOUD, fails)


def test_retries_span_at_least_three_days_even_with_the_shortest_jitter():
    shortest = sum(
        (rules.retry_delay(n, lambda: 0.0) for n in range(1, rules.MAX_ATTEMPTS)), timedelta()
    )
    longest = sum(
        (rules.retry_delay(n, lambda: 0.999) for n in range(1, rules.MAX_ATTEMPTS)), timedelta()
    )
    assert shortest >= timedelta(days=3)
    assert longest < timedelta(days=5)
    assert rules.retry_delay(rules.MAX_ATTEMPTS, lambda: 0.5) is None


def test_back_off_grows_from_seconds_to_hours_with_jitter():
    assert rules.retry_delay(1, lambda: 0.5) == timedelta(seconds=5)
    assert rules.retry_delay(2, lambda: 0.5) == timedelta(minutes=5)
    assert rules.retry_delay(1, lambda: 0.0) == timedelta(seconds=4)
    assert rules.retry_delay(5, lambda: 0.5) == timedelta(hours=5)


def test_only_2xx_is_success_redirects_are_not():
    assert rules.is_success(200) and rules.is_success(204)
    assert not any(rules.is_success(s) for s in (None, 199, 301, 302, 400, 410, 500))


def test_three_days_of_failure_pause_a_subscription():
    since = datetime(2026, 12, 1, tzinfo=UTC)
    assert not rules.should_pause_for_failures(since, since + timedelta(days=2, hours=23))
    assert rules.should_pause_for_failures(since, since + timedelta(days=3))
    assert not rules.should_pause_for_failures(None, since)


def test_events_and_filters():
    assert rules.event_type("award", "create") == "award.created"
    assert rules.event_type("program", "status") == "program.status_changed"
    assert rules.event_id("110000", 42) == "evt_110000_42"
    assert rules.matches("award.created", "110000", events=None, authority_ids=None)
    assert not rules.matches("award.created", "110000", events=None, authority_ids=["320000"])
    assert not rules.matches(
        "award.created", "110000", events=["award.revoked"], authority_ids=None
    )


def test_a_secret_is_whsec_and_32_random_bytes():
    import base64

    secret = rules.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != rules.new_secret()


def test_errors_kept_are_one_line_of_at_most_200_characters():
    kept = rules.short_error("HTTP 500:\n" + "x" * 1000)
    assert len(kept) == 200 and "\n" not in kept


def test_the_pilot_share_counts_provinces_with_a_working_subscription():
    from chalicelib.domain.pilot_stats import webhook_summary

    rows = [
        {"owner_authority_id": "110000", "state": "active", "delivered": 4,
         "failing_since": None, "lags": [1.0, 2.0, 3.0, 40.0]},
        {"owner_authority_id": "110000", "state": "active", "delivered": 1,
         "failing_since": None, "lags": [5.0]},
        {"owner_authority_id": "320000", "state": "active", "delivered": 9,
         "failing_since": "2026-12-01T00:00:00.000000Z", "lags": []},
        {"owner_authority_id": "440000", "state": "paused", "delivered": 9, "lags": []},
        {"owner_authority_id": "330000", "state": "deleted", "delivered": 9, "lags": [99.0]},
    ]  # fmt: skip
    summary = webhook_summary(rows, ["110000", "320000", "330000", "440000"])
    assert summary["provinces_receiving"] == 1
    assert summary["share_of_provinces_receiving"] == 0.25
    assert summary["subscriptions_active"] == 3 and summary["subscriptions_paused"] == 1
    assert summary["delivery_lag_seconds"] == {"p50": 3.0, "p95": 40.0, "samples": 5}


@pytest.fixture
def prod_settings(monkeypatch):
    """``settings()`` as a prod stage reads them, asking for loopback; restored after."""
    from chalicelib.config import settings

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("SERVER_SECRET_ARN", "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://registry.example.cn/api")
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    settings.cache_clear()
    yield settings()
    monkeypatch.undo()
    settings.cache_clear()


def test_a_cloud_stage_never_allows_loopback_whatever_its_environment_says(prod_settings):
    policy = UrlPolicy(allow_loopback=prod_settings.webhook_allow_loopback)
    assert policy.allow_loopback is False
    for url, address in (
        ("http://127.0.0.1:8000/hook", "127.0.0.1"),
        ("https://localhost/hook", "127.0.0.1"),
        ("https://metadata.example/latest", "169.254.169.254"),
        ("https://intranet.example/hook", "192.168.10.20"),
    ):
        with pytest.raises(ValidationError):
            check_url(url, policy, resolver(address))
