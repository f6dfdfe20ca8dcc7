"""The server secret comes from Secrets Manager (SPEC §4), never from the environment.

A cloud stage without ``SERVER_SECRET_ARN`` refuses to start; with it, keys are
stored and checked under the secret's value, fetched once per container.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

from chalicelib.config import LOCAL_DEV_SECRET, ConfigurationError, settings
from chalicelib.services.keys import issue_key
from chalicelib.store.models import ApiKey
from chalicelib.store.secrets import forget as clear_caches  # what a new container does
from tests.factories import program_body
from tests.functional.conftest import PROJECT_DIR

SECRET_NAME = "award-registry-test-server-secret"


def _cold_start(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the app in a fresh interpreter, as a Lambda cold start does."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SERVER_SECRET")}
    return subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_cloud_stage_refuses_to_start_without_the_secret_arn():
    result = _cold_start({"STAGE": "prod", "TABLE_PREFIX": "award-registry-prod"})
    assert result.returncode != 0
    assert "ConfigurationError: SERVER_SECRET_ARN is not set: stage 'prod'" in result.stderr


def test_a_cloud_stage_starts_with_the_arn_and_fetches_nothing_at_import():
    # No endpoint and no real credentials: a fetch at import would fail the start.
    arn = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:award-registry-prod-x"
    result = _cold_start(
        {
            "STAGE": "prod",
            "SERVER_SECRET_ARN": arn,
            "AWS_ENDPOINT_URL": "",
            "PUBLIC_BASE_URL": "https://registry.example.cn/api",
        }
    )
    assert result.returncode == 0, result.stderr


def test_a_plaintext_secret_in_the_environment_is_not_read(monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("SERVER_SECRET", "a-plaintext-secret-in-the-environment")
    monkeypatch.delenv("SERVER_SECRET_ARN", raising=False)
    settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="SERVER_SECRET_ARN"):
            settings()
    finally:
        monkeypatch.undo()
        settings.cache_clear()


@pytest.fixture
def stored_secret(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The local stage pointed at a secret created in (mocked) Secrets Manager by bootstrap."""
    from chalicelib.store.provision import ensure_server_secret

    monkeypatch.setenv("SERVER_SECRET_ARN", SECRET_NAME)
    settings.cache_clear()
    clear_caches()
    try:
        assert ensure_server_secret() is True
        assert ensure_server_secret() is False  # idempotent
        value = boto3.client("secretsmanager").get_secret_value(SecretId=SECRET_NAME)
        yield value["SecretString"]
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        clear_caches()


def _hmac(secret: str, api_key: str) -> str:
    return hmac.new(secret.encode(), f"api-key:{api_key}".encode(), hashlib.sha256).hexdigest()


def test_keys_are_stored_under_the_secret_from_secrets_manager(api, stored_secret):
    assert stored_secret != LOCAL_DEV_SECRET and len(stored_secret) >= 32
    issued = issue_key(role="provincial", authority_id="110000")
    (stored,) = ApiKey.scan()
    assert stored.key_hash == _hmac(stored_secret, issued["api_key"])
    response = api.call("POST", "/v1/programs", program_body(), key=issued["api_key"])
    assert response.status_code == 201


def test_the_secret_is_fetched_once_and_cached_for_the_container(api, stored_secret):
    key = issue_key(role="provincial", authority_id="110000")["api_key"]
    boto3.client("secretsmanager").put_secret_value(
        SecretId=SECRET_NAME, SecretString="another-secret-of-more-than-32-characters"
    )
    # Still the cached value: the key works without another call to Secrets Manager.
    assert api.call("POST", "/v1/programs", program_body(), key=key).status_code == 201
    clear_caches()  # a new container reads the new value: keys stored under the old one fail
    response = api.call("POST", "/v1/programs", program_body(), key=key)
    assert response.status_code == 401


def test_an_unreadable_secret_is_503_not_500(api, aws, monkeypatch):
    monkeypatch.setenv("SERVER_SECRET_ARN", "award-registry-test-no-such-secret")
    settings.cache_clear()
    clear_caches()
    try:
        response = api.call("GET", "/v1/programs", key="ark_" + "x" * 43)
        assert response.status_code == 503
        assert response.data["error"]["code"] == "unavailable"
        assert "no-such-secret" not in response.body.decode()
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        clear_caches()
