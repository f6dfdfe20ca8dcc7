"""The operator CLI (SPEC §4): issue-key prints the key id; revoke-key by id or from stdin.

Driven through ``chalicelib.cli.main`` as an operator types it, on in-process
moto; each revocation is then checked over HTTP (the next request is 401).
"""

from __future__ import annotations

import io
import json

import boto3
import pytest

from chalicelib import cli
from tests.factories import program_body


def _run(capsys: pytest.CaptureFixture, monkeypatch, *argv: str, stdin: str = "") -> tuple:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _issue(capsys, monkeypatch, *argv: str) -> dict:
    code, out, _ = _run(capsys, monkeypatch, "issue-key", *argv)
    assert code == 0
    return json.loads(out)


def _works(api, key: str) -> bool:
    status = api.call("POST", "/v1/programs", program_body(), key=key).status_code
    assert status in (201, 401)
    return status == 201


def test_issue_key_prints_authority_role_key_and_key_id(api, capsys, monkeypatch):
    issued = _issue(capsys, monkeypatch, "--authority", "110000")
    assert set(issued) == {"authority_id", "role", "api_key", "key_id"}
    assert issued["authority_id"] == "110000" and issued["role"] == "provincial"
    assert issued["key_id"].startswith("key_") and issued["api_key"].startswith("ark_")
    admin = _issue(capsys, monkeypatch, "--admin")
    assert (admin["authority_id"], admin["role"]) == (None, "admin")
    assert admin["key_id"] != issued["key_id"]


def test_revoke_key_by_key_id_ends_that_key_only(api, capsys, monkeypatch):
    first = _issue(capsys, monkeypatch, "--authority", "110000")
    second = _issue(capsys, monkeypatch, "--authority", "110000")
    code, out, _ = _run(capsys, monkeypatch, "revoke-key", "--key-id", first["key_id"])
    assert code == 0
    assert json.loads(out) == {"revoked": True, "key_id": first["key_id"]}
    assert not _works(api, first["api_key"])
    assert _works(api, second["api_key"])


def test_revoke_key_with_an_unknown_key_id_fails_with_a_message(aws, capsys, monkeypatch):
    code, out, err = _run(capsys, monkeypatch, "revoke-key", "--key-id", "key_NOPE")
    assert code == 1 and out == ""
    assert "no key has this id" in err


@pytest.mark.parametrize("argv", [("--api-key", "-"), ("--api-key",)])
def test_revoke_key_reads_the_key_from_stdin(api, capsys, monkeypatch, argv):
    issued = _issue(capsys, monkeypatch, "--authority", "320000")
    code, out, err = _run(capsys, monkeypatch, "revoke-key", *argv, stdin=issued["api_key"] + "\n")
    assert code == 0, err
    assert json.loads(out) == {"revoked": True}
    assert err == ""  # no warning: the key never was on the command line
    assert not _works(api, issued["api_key"])


def test_revoke_key_with_nothing_on_stdin_is_an_error(aws, capsys, monkeypatch):
    code, _, err = _run(capsys, monkeypatch, "revoke-key", "--api-key", "-", stdin="")
    assert code == 2
    assert "no API key on stdin" in err


def test_revoke_key_on_the_command_line_still_works_but_warns(api, capsys, monkeypatch):
    issued = _issue(capsys, monkeypatch, "--authority", "320000")
    code, out, err = _run(capsys, monkeypatch, "revoke-key", "--api-key", issued["api_key"])
    assert code == 0 and json.loads(out) == {"revoked": True}
    assert "warning" in err and "--api-key -" in err
    assert issued["api_key"] not in err
    assert not _works(api, issued["api_key"])


def test_revoke_key_needs_a_key_or_a_key_id(aws, capsys, monkeypatch):
    with pytest.raises(SystemExit) as exit_:
        _run(capsys, monkeypatch, "revoke-key")
    assert exit_.value.code == 2
    with pytest.raises(SystemExit):
        _run(capsys, monkeypatch, "revoke-key", "--key-id", "key_X", "--api-key", "-")


def test_issue_key_refuses_the_development_secret_when_the_stacks_server_reads_another(
    api, capsys, monkeypatch
):
    """Issue 19: with SERVER_SECRET_ARN unset the CLI fell back to the development secret
    and printed a key the running server (which reads the stack's secret) refused."""
    from chalicelib.config import settings
    from chalicelib.store.models import ApiKey

    monkeypatch.delenv("SERVER_SECRET_ARN", raising=False)
    settings.cache_clear()
    name = settings().stack_secret_name
    boto3.client("secretsmanager").create_secret(Name=name, SecretString="s" * 48)
    stored = ApiKey.count()

    code, out, err = _run(capsys, monkeypatch, "issue-key", "--authority", "110000")

    assert (code, out) == (2, "")
    assert "SERVER_SECRET_ARN is not set" in err and f"SERVER_SECRET_ARN={name}" in err
    assert ApiKey.count() == stored  # nothing minted
    code, _, err = _run(capsys, monkeypatch, "revoke-key", "--key-id", "key_X")
    assert code == 2 and "SERVER_SECRET_ARN" in err


def test_issue_key_with_the_servers_secret_makes_a_key_that_server_accepts(
    api, capsys, monkeypatch
):
    from chalicelib.config import settings
    from chalicelib.store.models import ApiKey
    from tests.functional.test_server_secret import clear_caches

    name = settings().stack_secret_name
    boto3.client("secretsmanager").create_secret(Name=name, SecretString="s" * 48)
    monkeypatch.setenv("SERVER_SECRET_ARN", name)
    settings.cache_clear()
    clear_caches()
    try:
        issued = _issue(capsys, monkeypatch, "--authority", "110000", "--note", "北京 平台")
        assert _works(api, issued["api_key"])  # the server reads the same secret
        (item,) = [k for k in ApiKey.scan() if k.key_id == issued["key_id"]]
        assert (item.created_by, item.note) == ("cli", "北京 平台")
        code, _, _ = _run(
            capsys, monkeypatch, "revoke-key", "--key-id", issued["key_id"], "--note", "到期"
        )
        assert code == 0 and not _works(api, issued["api_key"])
        item.refresh()
        assert (item.revoked_by, item.revoke_note) == ("cli", "到期")
    finally:
        monkeypatch.delenv("SERVER_SECRET_ARN")
        settings.cache_clear()
        clear_caches()


def test_issue_key_names_a_secret_it_cannot_read(aws, capsys, monkeypatch):
    from chalicelib.config import settings
    from tests.functional.test_server_secret import clear_caches

    monkeypatch.setenv("SERVER_SECRET_ARN", "award-registry-test-no-such-secret")
    settings.cache_clear()
    clear_caches()
    try:
        code, out, err = _run(capsys, monkeypatch, "issue-key", "--admin")
    finally:
        monkeypatch.delenv("SERVER_SECRET_ARN")
        settings.cache_clear()
        clear_caches()
    assert (code, out) == (2, "")
    assert "SERVER_SECRET_ARN='award-registry-test-no-such-secret'" in err
