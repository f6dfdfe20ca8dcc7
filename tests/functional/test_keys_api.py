"""Key management over HTTP: administrators issue, list and revoke keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib.domain.china_time import china_date
from chalicelib.services import keys as keys_service
from chalicelib.store.models import ApiKey
from tests.functional.test_observability import captured_logs  # noqa: F401 - a fixture


def issue(api, admin_key: str, body: dict):
    return api.call("POST", "/v1/keys", body, key=admin_key)


def test_an_admin_issues_a_provincial_key_that_works_at_once(api, keys):
    created = issue(api, keys["admin"], {"role": "provincial", "authority_id": "440000",
                                         "note": "广东省住建厅 省级平台"})  # fmt: skip

    assert created.status_code == 201, created.body
    assert set(created.data) == {"key_id", "api_key", "role", "authority_id", "note"}
    assert created.data["role"] == "provincial" and created.data["authority_id"] == "440000"
    assert created.data["note"] == "广东省住建厅 省级平台"
    assert created.data["key_id"].startswith("key_")
    new_key = created.data["api_key"]
    # only the HMAC is stored
    stored = [item.key_hash for item in ApiKey.scan()]
    assert new_key not in stored and keys_service.key_hash(new_key) in stored
    # the province can use it (its own timeliness), and it is bound to 440000
    assert api.call("GET", "/v1/timeliness/440000", key=new_key).status_code == 200
    assert api.call("GET", "/v1/timeliness/110000", key=new_key).status_code == 403


def test_an_admin_key_can_be_issued_and_administers(api, keys):
    created = issue(api, keys["admin"], {"role": "admin", "note": "司里的第二把钥匙"})
    assert created.status_code == 201, created.body
    assert created.data["authority_id"] is None
    assert api.call("GET", "/v1/keys", key=created.data["api_key"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "provincial", "note": "x"}, "authority_id"),
        ({"role": "provincial", "authority_id": "999999", "note": "x"}, "authority_id"),
        ({"role": "admin", "authority_id": "110000", "note": "x"}, "authority_id"),
        ({"role": "auditor", "note": "x"}, "role"),
        ({"role": "admin"}, "note"),
        ({"role": "admin", "note": "长" * 201}, "note"),
        ({"role": "admin", "note": "   "}, "note"),
        ({"role": "admin", "note": "x", "api_key": "ark_mine"}, "api_key"),
    ],
)
def test_a_bad_key_request_is_a_400_naming_the_field(api, keys, body, field):
    refused = issue(api, keys["admin"], body)
    assert refused.status_code == 400, refused.body
    assert refused.data["error"]["code"] == "validation_error"
    assert refused.data["error"]["field"] == field


def test_only_administrators_manage_keys(api, keys):
    body = {"role": "provincial", "authority_id": "110000", "note": "x"}
    key_id = issue(api, keys["admin"], body).data["key_id"]
    province, anonymous = keys["110000"], None
    for method, path, payload in [
        ("POST", "/v1/keys", body),
        ("GET", "/v1/keys", None),
        ("POST", f"/v1/keys/{key_id}/revoke", None),
    ]:
        as_province = api.call(method, path, payload, key=province)
        assert (as_province.status_code, as_province.data["error"]["code"]) == (403, "forbidden")
        as_anyone = api.call(method, path, payload, key=anonymous)
        assert (as_anyone.status_code, as_anyone.data["error"]["code"]) == (401, "unauthenticated")


def test_the_list_shows_every_key_newest_first_without_secrets_and_pages(api, keys):
    notes = [f"第{n}把" for n in range(5)]
    issued = [
        issue(api, keys["admin"], {"role": "provincial", "authority_id": "320000", "note": note})
        for note in notes
    ]
    listed, cursor = [], None
    while True:
        path = "/v1/keys?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path, key=keys["admin"])
        assert page.status_code == 200, page.body
        assert len(page.data["items"]) <= 3
        listed.extend(page.data["items"])
        cursor = page.data["next_cursor"]
        if cursor is None:
            break
    # the three keys of the fixture (CLI-issued, no note) and the five issued here
    assert len(listed) == 8
    assert [item["key_id"] for item in listed] == sorted(
        (item["key_id"] for item in listed), reverse=True
    )
    assert [item["note"] for item in listed[:5]] == notes[::-1]
    assert listed[0]["key_id"] == issued[-1].data["key_id"]
    for item in listed:
        assert set(item) == {"key_id", "role", "authority_id", "note", "created_at",
                             "created_by", "last_used_on", "revoked_at", "revoked_by",
                             "revoke_note"}  # fmt: skip
        assert item["revoked_at"] is None
    roles = {item["role"] for item in listed}
    assert roles == {"admin", "provincial"}


def test_an_altered_cursor_is_refused(api, keys):
    for n in range(3):
        issue(api, keys["admin"], {"role": "admin", "note": f"k{n}"})
    cursor = api.call("GET", "/v1/keys?limit=1", key=keys["admin"]).data["next_cursor"]
    body, signature = cursor.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    refused = api.call("GET", f"/v1/keys?cursor={forged}", key=keys["admin"])
    assert (refused.status_code, refused.data["error"]["code"]) == (400, "invalid_cursor")


def test_a_revoked_key_is_refused_on_its_next_request_and_revoking_again_is_harmless(api, keys):
    created = issue(api, keys["admin"], {"role": "provincial", "authority_id": "110000",
                                         "note": "to revoke"})  # fmt: skip
    key_id, new_key = created.data["key_id"], created.data["api_key"]
    assert api.call("GET", "/v1/timeliness/110000", key=new_key).status_code == 200

    revoked = api.call("POST", f"/v1/keys/{key_id}/revoke", key=keys["admin"])

    assert revoked.status_code == 200, revoked.body
    assert revoked.data["key_id"] == key_id and revoked.data["revoked_at"]
    refused = api.call("GET", "/v1/timeliness/110000", key=new_key)
    assert (refused.status_code, refused.data["error"]["code"]) == (401, "unauthenticated")
    again = api.call("POST", f"/v1/keys/{key_id}/revoke", key=keys["admin"])
    assert again.status_code == 200
    assert again.data["revoked_at"] == revoked.data["revoked_at"]
    listed = {i["key_id"]: i for i in api.call("GET", "/v1/keys", key=keys["admin"]).data["items"]}
    assert listed[key_id]["revoked_at"] == revoked.data["revoked_at"]


@pytest.mark.parametrize("key_id", ["key_01JZZZZZZZZZZZZZZZZZZZZZZZ", "nope", "key_" + "A" * 300])
def test_revoking_an_unknown_key_is_a_404(api, keys, key_id):
    refused = api.call("POST", f"/v1/keys/{key_id}/revoke", key=keys["admin"])
    assert (refused.status_code, refused.data["error"]["code"]) == (404, "not_found")


def test_an_admin_cannot_revoke_the_key_it_is_using(api, keys):
    mine = next(
        item
        for item in api.call("GET", "/v1/keys", key=keys["admin"]).data["items"]
        if item["role"] == "admin"
    )
    refused = api.call("POST", f"/v1/keys/{mine['key_id']}/revoke", key=keys["admin"])
    assert (refused.status_code, refused.data["error"]["code"]) == (409, "invalid_state")
    assert api.call("GET", "/v1/keys", key=keys["admin"]).status_code == 200


def test_last_used_is_a_china_date_written_once_a_day(api, keys, clock, monkeypatch):
    created = issue(api, keys["admin"], {"role": "provincial", "authority_id": "110000",
                                         "note": "usage"})  # fmt: skip
    new_key, key_id = created.data["api_key"], created.data["key_id"]

    def listed() -> dict:
        items = api.call("GET", "/v1/keys", key=keys["admin"]).data["items"]
        return {item["key_id"]: item for item in items}[key_id]

    assert listed()["last_used_on"] is None
    # 2026-11-30 17:30 UTC is already 1 December in Beijing
    clock.set(datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
    updates = []
    original_update = ApiKey.update

    def counting_update(self, *args, **kwargs):
        updates.append(self.key_id)
        return original_update(self, *args, **kwargs)

    monkeypatch.setattr(ApiKey, "update", counting_update)
    for _ in range(3):
        assert api.call("GET", "/v1/timeliness/110000", key=new_key).status_code == 200

    assert updates.count(key_id) == 1  # one write for the day, not one per request
    assert listed()["last_used_on"] == "2026-12-01"
    assert china_date(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)).isoformat() == "2026-12-01"


def test_a_failed_last_used_write_does_not_fail_the_request(api, keys, monkeypatch):
    from pynamodb.exceptions import UpdateError

    def broken_update(self, *args, **kwargs):
        raise UpdateError("DynamoDB is having a bad day")

    monkeypatch.setattr(ApiKey, "update", broken_update)
    assert api.call("GET", "/v1/timeliness/110000", key=keys["110000"]).status_code == 200


def test_the_cli_issue_and_revoke_keep_working_beside_the_api(api, keys):
    issued = keys_service.issue_key(role="provincial", authority_id="320000")
    assert api.call("GET", "/v1/timeliness/320000", key=issued["api_key"]).status_code == 200
    assert keys_service.revoke_key(issued["api_key"]) is True
    assert api.call("GET", "/v1/timeliness/320000", key=issued["api_key"]).status_code == 401


def _me(api, key: str) -> str:
    return api.call("GET", "/v1/me", key=key).data["key_id"]


def test_issue_and_revoke_store_and_log_the_acting_key_id(api, keys, captured_logs):  # noqa: F811
    """Issue 19 (L2): a key minted or ended with an admin key says which one, and why."""
    admin_id = _me(api, keys["admin"])
    created = issue(api, keys["admin"], {"role": "admin", "note": "值班管理员"})
    assert created.status_code == 201
    second_admin = created.data["api_key"]
    second_id = created.data["key_id"]
    minted = issue(api, second_admin, {"role": "provincial", "authority_id": "110000",
                                       "note": "北京 省级平台"})  # fmt: skip
    revoked = api.call(
        "POST",
        f"/v1/keys/{minted.data['key_id']}/revoke",
        {"note": "怀疑密钥泄露"},
        key=keys["admin"],
    )
    assert revoked.status_code == 200, revoked.body
    assert revoked.data["revoked_by"] == admin_id
    assert revoked.data["revoke_note"] == "怀疑密钥泄露"

    listed = {i["key_id"]: i for i in api.call("GET", "/v1/keys", key=keys["admin"]).data["items"]}
    assert listed[second_id]["created_by"] == admin_id
    assert listed[minted.data["key_id"]]["created_by"] == second_id
    assert listed[minted.data["key_id"]]["revoked_by"] == admin_id
    assert listed[second_id]["revoked_by"] is None
    # The fixture's keys came from the operator's command line.
    assert listed[admin_id]["created_by"] == "cli"
    # A second revocation keeps the first one's who, when and why.
    again = api.call("POST", f"/v1/keys/{minted.data['key_id']}/revoke", {"note": "再次"},
                     key=second_admin)  # fmt: skip
    assert again.status_code == 200
    assert (again.data["revoked_by"], again.data["revoke_note"]) == (admin_id, "怀疑密钥泄露")

    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line]
    issued_logs = [line for line in lines if line.get("message") == "api key issued"]
    revoked_logs = [line for line in lines if line.get("message") == "api key revoked"]
    assert {(line["key_id"], line["by"]) for line in issued_logs} >= {
        (second_id, admin_id),
        (minted.data["key_id"], second_id),
    }
    # (the sink hears our logger and the root one: a line may come twice)
    assert {(line["key_id"], line["by"]) for line in revoked_logs} == {
        (minted.data["key_id"], admin_id)
    }
    output = captured_logs.getvalue()
    assert second_admin not in output and minted.data["api_key"] not in output


def test_the_revocation_note_is_checked_like_any_text(api, keys):
    created = issue(api, keys["admin"], {"role": "admin", "note": "x"})
    refused = api.call(
        "POST", f"/v1/keys/{created.data['key_id']}/revoke", {"note": "长" * 201}, key=keys["admin"]
    )
    assert refused.status_code == 400 and refused.data["error"]["field"] == "note"
    assert api.call("GET", "/v1/keys", key=created.data["api_key"]).status_code == 200
