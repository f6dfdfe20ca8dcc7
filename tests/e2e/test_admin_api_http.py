"""Administrators over real HTTP: a key issued, used, revoked; verifications counted."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from chalicelib.domain.china_time import china_date
from tests.e2e.helpers import bearer
from tests.factories import credit_code


def test_an_admin_issues_a_key_the_province_uses_and_revokes_it(stack):
    admin = stack.issue_key("--admin")["api_key"]
    created = requests.post(
        stack.url("/v1/keys"),
        json={"role": "provincial", "authority_id": "350000", "note": "福建省 省级平台"},
        headers=bearer(admin),
        timeout=30,
    )
    assert created.status_code == 201, created.text
    province_key, key_id = created.json()["api_key"], created.json()["key_id"]
    used_on = china_date(datetime.now(UTC)).isoformat()
    own = requests.get(stack.url("/v1/timeliness/350000"), headers=bearer(province_key))
    assert own.status_code == 200, own.text
    used_by = china_date(datetime.now(UTC)).isoformat()

    listed = requests.get(stack.url("/v1/keys?limit=100"), headers=bearer(admin), timeout=30)
    assert listed.status_code == 200
    mine = {item["key_id"]: item for item in listed.json()["items"]}[key_id]
    assert mine["last_used_on"] in {used_on, used_by}  # a China date (the two differ at midnight)
    assert "api_key" not in mine and "key_hash" not in mine

    revoked = requests.post(stack.url(f"/v1/keys/{key_id}/revoke"), headers=bearer(admin))
    assert revoked.status_code == 200, revoked.text
    refused = requests.get(stack.url("/v1/timeliness/350000"), headers=bearer(province_key))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"


def test_verifications_served_show_in_the_pilot_numbers(stack):
    admin = stack.issue_key("--admin")["api_key"]

    def total() -> int:
        answer = requests.get(stack.url("/v1/stats/pilot"), headers=bearer(admin), timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["verifications"]["total"]

    before = total()
    # Distinct answers per client and China day are counted: two codes count twice, a repeat
    # of one of them not again.
    for n in (11, 12, 11):
        verified = requests.get(stack.url(f"/v1/verify?credit_code={credit_code(n)}"))
        assert verified.status_code == 200, verified.text

    assert total() == before + 2
    public = requests.get(stack.url("/v1/stats/public"), timeout=30)
    assert public.status_code == 200 and public.json()["verifications"] >= 2
