"""Absolute links come from PUBLIC_BASE_URL only; a cloud stage refuses to start without it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chalicelib.config import ConfigurationError, check_public_base_url, settings
from tests.functional.conftest import PROJECT_DIR

FORGED = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Prefix": "/evil",
    "Forwarded": "for=1.2.3.4;host=evil.example;proto=http",
}


def cold_start(**env: str) -> subprocess.CompletedProcess:
    """Import ``app`` in a fresh interpreter, as a Lambda container's first request does."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "STAGE")}
    return subprocess.run(
        [sys.executable, "-c", "import app; print('started')"],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["", "registry.example.cn", "https://x.example/api?a=1"])
def test_a_cloud_stage_refuses_to_start_without_a_proper_public_base_url(value):
    secret = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x"  # as the stack sets
    started = cold_start(STAGE="prod", SERVER_SECRET_ARN=secret, PUBLIC_BASE_URL=value)
    assert started.returncode != 0
    assert "started" not in started.stdout
    assert "ConfigurationError: PUBLIC_BASE_URL" in started.stderr


def test_the_check_accepts_an_address_with_a_base_path(monkeypatch):
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("SERVER_SECRET_ARN", "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://registry.example.cn/api/")
    settings.cache_clear()
    try:
        assert check_public_base_url(settings()) == "https://registry.example.cn/api"
        monkeypatch.delenv("PUBLIC_BASE_URL")
        settings.cache_clear()
        with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL is not set for stage 'prod'"):
            check_public_base_url(settings())
    finally:
        monkeypatch.setenv("STAGE", "local")
        settings.cache_clear()


def test_no_forwarding_header_changes_any_link(api, keys, public_base_url):
    """Feed, OpenAPI servers and the print view's QR address, with and without forged headers."""
    from tests.factories import award_body
    from tests.steps import push, submitted_program

    program = submitted_program(api, keys["110000"])
    award = push(api, keys["110000"], award_body(program, "BJ-L"))
    code = award["winners"][0]["credit_code"]
    for headers in ({}, FORGED):
        feed = api.call("GET", "/v1/feed.json", headers=headers)
        assert feed.data["feed_url"] == f"{public_base_url}/v1/feed.json"
        document = api.call("GET", "/v1/openapi.json", headers=headers)
        assert document.data["servers"] == [{"url": public_base_url}]
        page = api.client.http.get(
            f"/v1/verify/print?credit_code={code}", headers={**headers, "Accept": "text/html"}
        )
        body = page.body.decode() if isinstance(page.body, bytes) else page.body
        assert f"{public_base_url}/v1/verify?credit_code={code}" in body
        for answer in (feed.body, document.body, body):
            text = answer.decode() if isinstance(answer, bytes) else answer
            assert "evil" not in text
