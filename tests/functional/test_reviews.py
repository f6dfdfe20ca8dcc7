"""Administrators review programmes; every status change is history and a feed entry."""

from __future__ import annotations

import pytest

from chalicelib.store.models import ChangeEntry
from tests.factories import program_body
from tests.functional.helpers import submitted_program


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def review(api, key, program_id, body):
    return api.call("POST", f"/v1/programs/{program_id}/review", body, key=key)


def test_admin_approves_a_submitted_programme(api, keys, program_id):
    response = review(api, keys["admin"], program_id, {"decision": "approve"})
    assert response.status_code == 200
    assert response.data["status"] == "approved"
    assert response.headers["ETag"] == f'"{response.data["version"]}"'
    last = response.data["status_history"][-1]
    assert last["status"] == "approved" and last["by_role"] == "admin"
    assert last["at"].endswith("Z") and last["by"].startswith("key_")
    assert api.call("GET", f"/v1/programs/{program_id}").data["status"] == "approved"


def test_rejecting_needs_a_reason(api, keys, program_id):
    missing = review(api, keys["admin"], program_id, {"decision": "reject"})
    assert missing.status_code == 400
    assert missing.data["error"]["field"] == "reason"
    blank = review(api, keys["admin"], program_id, {"decision": "reject", "reason": "  "})
    assert blank.status_code == 400 and blank.data["error"]["field"] == "reason"
    other = review(api, keys["admin"], program_id, {"decision": "maybe"})
    assert other.status_code == 400 and other.data["error"]["field"] == "decision"
    broken = api.call("POST", f"/v1/programs/{program_id}/review", raw="{", key=keys["admin"])
    assert broken.status_code == 400 and broken.data["error"]["code"] == "invalid_json"
    assert api.call("GET", f"/v1/programs/{program_id}").data["status"] == "submitted"


def test_a_rejected_programme_is_revised_to_draft_and_resubmitted(api, keys, program_id):
    rejected = review(
        api, keys["admin"], program_id, {"decision": "reject", "reason": "批准文件不是省级政府文件"}
    )
    assert rejected.status_code == 200
    assert rejected.data["status"] == "rejected"
    assert rejected.data["status_history"][-1]["reason"] == "批准文件不是省级政府文件"
    assert api.call("GET", f"/v1/programs/{program_id}").status_code == 404  # no longer public
    revised = api.call(
        "PUT",
        f"/v1/programs/{program_id}",
        program_body(name="北京市建设工程长城杯（修订）"),
        key=keys["110000"],
        headers={"If-Match": f'"{rejected.data["version"]}"'},
    )
    assert revised.status_code == 200
    assert revised.data["status"] == "draft"
    assert revised.data["name"] == "北京市建设工程长城杯（修订）"
    # the approval document checked before is still verified: resubmit at once
    again = api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
    assert again.status_code == 200
    assert [h["status"] for h in again.data["status_history"]] == [
        "draft",
        "submitted",
        "rejected",
        "draft",
        "submitted",
    ]


def test_a_stale_revision_of_a_rejected_programme_is_412(api, keys, program_id):
    rejected = review(api, keys["admin"], program_id, {"decision": "reject", "reason": "缺少文件"})
    stale = api.call(
        "PUT",
        f"/v1/programs/{program_id}",
        program_body(),
        key=keys["110000"],
        headers={"If-Match": f'"{rejected.data["version"] - 1}"'},
    )
    assert stale.status_code == 412
    assert api.call("GET", f"/v1/programs/{program_id}", key=keys["admin"]).data["status"] == (
        "rejected"
    )


def test_provinces_cannot_review_or_withdraw(api, keys, program_id):
    for key in (keys["110000"], keys["320000"]):
        assert review(api, key, program_id, {"decision": "approve"}).status_code == 403
        withdrawn = api.call(
            "POST",
            f"/v1/programs/{program_id}/withdraw",
            {"reason": "清理", "effective_on": "2024-01-01"},
            key=key,
        )
        assert withdrawn.status_code == 403
    assert review(api, None, program_id, {"decision": "approve"}).status_code == 401
    assert review(api, keys["admin"], "prg_unknown", {"decision": "approve"}).status_code == 404


def test_only_a_submitted_programme_is_reviewed(api, keys, program_id):
    draft = api.call("POST", "/v1/programs", program_body(), key=keys["110000"]).data["id"]
    refused = review(api, keys["admin"], draft, {"decision": "approve"})
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "invalid_state"
    review(api, keys["admin"], program_id, {"decision": "approve"})
    twice = review(api, keys["admin"], program_id, {"decision": "reject", "reason": "再审"})
    assert twice.status_code == 409
    assert twice.data["error"]["code"] == "invalid_state"


def test_withdrawal_of_an_approved_programme_keeps_reason_and_date(api, keys, program_id):
    path = f"/v1/programs/{program_id}/withdraw"
    body = {"reason": "评比达标表彰活动清理", "effective_on": "2024-06-30"}
    early = api.call("POST", path, body, key=keys["admin"])
    assert early.status_code == 409
    assert early.data["error"]["code"] == "invalid_state"
    review(api, keys["admin"], program_id, {"decision": "approve"})
    bad_date = api.call("POST", path, {**body, "effective_on": "2024-02-30"}, key=keys["admin"])
    assert bad_date.status_code == 400 and bad_date.data["error"]["field"] == "effective_on"
    no_reason = api.call("POST", path, {"effective_on": "2024-06-30"}, key=keys["admin"])
    assert no_reason.status_code == 400 and no_reason.data["error"]["field"] == "reason"
    withdrawn = api.call("POST", path, body, key=keys["admin"])
    assert withdrawn.status_code == 200
    assert withdrawn.data["status"] == "withdrawn"
    last = withdrawn.data["status_history"][-1]
    assert (last["reason"], last["effective_on"]) == ("评比达标表彰活动清理", "2024-06-30")
    assert api.call("GET", f"/v1/programs/{program_id}").data["status"] == "withdrawn"
    again = api.call("POST", path, body, key=keys["admin"])
    assert again.status_code == 409


def test_every_status_change_is_in_the_change_feed(api, keys, program_id):
    review(api, keys["admin"], program_id, {"decision": "reject", "reason": "缺少文件"})
    version = api.call("GET", f"/v1/programs/{program_id}", key=keys["110000"]).data["version"]
    api.call(
        "PUT",
        f"/v1/programs/{program_id}",
        program_body(),
        key=keys["110000"],
        headers={"If-Match": f'"{version}"'},
    )
    api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
    review(api, keys["admin"], program_id, {"decision": "approve"})
    api.call(
        "POST",
        f"/v1/programs/{program_id}/withdraw",
        {"reason": "清理", "effective_on": "2025-01-01"},
        key=keys["admin"],
    )
    entries = list(ChangeEntry.query("110000"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    mine = [e for e in entries if e.entity == "program" and e.entity_id == program_id]
    assert [(e.op, e.data["status"]) for e in mine] == [
        ("status", "submitted"),
        ("status", "rejected"),
        ("status", "draft"),
        ("status", "submitted"),
        ("status", "approved"),
        ("status", "withdrawn"),
    ]
    versions = [e.version for e in mine]
    assert versions == sorted(versions)
    final = api.call("GET", f"/v1/programs/{program_id}", key=keys["admin"]).data
    assert mine[-1].data == final


def test_the_public_feed_never_carries_a_rejected_programmes_content(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rejected = api.call(
        "POST",
        f"/v1/programs/{program_id}/review",
        {"decision": "reject", "reason": "批准文件不是省级文件"},
        key=keys["admin"],
    )
    assert rejected.status_code == 200
    last = list(ChangeEntry.query("110000"))[-1]
    assert last.data["status"] == "rejected"
    assert "name" not in last.data and "approval" not in last.data
