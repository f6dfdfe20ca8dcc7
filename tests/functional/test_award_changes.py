"""Corrections under If-Match, revocation, history and the change entries they write."""

import pytest

from chalicelib.store.models import AuthorityRecord, ChangeEntry
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push


@pytest.fixture
def pushed(api, keys):
    program_id = submitted_program(api, keys["110000"])
    return program_id, push(api, keys["110000"], award_body(program_id))


def put(api, key, award_id, body, version):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return api.call("PUT", f"/v1/awards/{award_id}", body, key=key, headers=headers)


def test_correction_needs_if_match(api, keys, pushed):
    program_id, award = pushed
    body = award_body(program_id, honor="银质奖")
    missing = put(api, keys["110000"], award["id"], body, None)
    assert missing.status_code == 428
    assert missing.data["error"]["code"] == "if_match_required"
    stale = put(api, keys["110000"], award["id"], body, 9)
    assert stale.status_code == 412
    assert stale.data["error"]["code"] == "version_mismatch"


def test_correction_keeps_first_submitted_at_and_history(api, keys, pushed):
    program_id, award = pushed
    corrected = put(api, keys["110000"], award["id"], award_body(program_id, honor="银质奖"), 1)
    assert corrected.status_code == 200, corrected.body
    assert corrected.data["version"] == 2
    assert corrected.data["honor"] == "银质奖"
    assert corrected.data["submitted_at"] == award["submitted_at"]
    assert corrected.headers["ETag"] == '"2"'
    detail = api.call("GET", f"/v1/awards/{award['id']}").data
    assert detail["version"] == 2
    assert [h["version"] for h in detail["history"]] == [1]
    assert detail["history"][0]["honor"] == "金质奖"
    # the corrected content is now what a retry must match
    retry = api.call(
        "POST", "/v1/awards", award_body(program_id, honor="银质奖"), key=keys["110000"]
    )
    assert retry.status_code == 200
    assert retry.data["id"] == award["id"]


def test_correcting_awarded_on_recomputes_the_deadline(api, keys, pushed):
    program_id, award = pushed
    # 2024-09-27 (Friday) + 10 working days: Sunday 09-29 and Saturday 10-12 are
    # make-up working days, National Day 10-01..07 is off → Wednesday 2024-10-16
    body = award_body(program_id, awarded_on="2024-09-27")
    corrected = put(api, keys["110000"], award["id"], body, 1)
    assert corrected.data["deadline"] == "2024-10-16"
    assert corrected.data["submitted_at"] == award["submitted_at"]


def test_identical_correction_makes_no_new_version(api, keys, pushed):
    program_id, award = pushed
    same = put(api, keys["110000"], award["id"], award_body(program_id), 1)
    assert same.status_code == 200
    assert same.data["version"] == 1


def test_source_id_cannot_change_in_a_correction(api, keys, pushed):
    program_id, award = pushed
    response = put(api, keys["110000"], award["id"], award_body(program_id, source_id="Z"), 1)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "source_id"


def test_another_province_cannot_correct_or_revoke(api, keys, pushed):
    program_id, award = pushed
    response = put(api, keys["320000"], award["id"], award_body(program_id), 1)
    assert response.status_code == 403
    response = api.call(
        "POST", f"/v1/awards/{award['id']}/revoke", {"reason": "x"}, key=keys["320000"]
    )
    assert response.status_code == 403
    assert api.call("GET", f"/v1/awards/{award['id']}").data["version"] == 1


def test_revoke_keeps_the_record_and_blocks_corrections(api, keys, pushed):
    program_id, award = pushed
    revoked = api.call(
        "POST",
        f"/v1/awards/{award['id']}/revoke",
        {"reason": "获奖工程存在质量问题", "document_number": "京建发〔2025〕3号"},
        key=keys["110000"],
    )
    assert revoked.status_code == 200, revoked.body
    assert revoked.data["status"] == "revoked"
    assert revoked.data["revoked_reason"] == "获奖工程存在质量问题"
    assert revoked.data["revoked_at"]
    again = api.call(
        "POST", f"/v1/awards/{award['id']}/revoke", {"reason": "again"}, key=keys["110000"]
    )
    assert again.status_code == 409
    assert again.data["error"]["code"] == "award_revoked"
    response = put(api, keys["110000"], award["id"], award_body(program_id, honor="x"), 2)
    assert response.status_code == 409
    assert response.data["error"]["code"] == "award_revoked"
    detail = api.call("GET", f"/v1/awards/{award['id']}")
    assert detail.status_code == 200
    assert detail.data["status"] == "revoked"


def test_revoke_needs_a_reason(api, keys, pushed):
    _, award = pushed
    response = api.call("POST", f"/v1/awards/{award['id']}/revoke", {}, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["field"] == "reason"


def test_every_change_has_a_gapless_sequence_and_a_feed_entry(api, keys, pushed):
    program_id, award = pushed
    put(api, keys["110000"], award["id"], award_body(program_id, honor="银质奖"), 1)
    api.call("POST", f"/v1/awards/{award['id']}/revoke", {"reason": "r"}, key=keys["110000"])
    entries = list(ChangeEntry.query("110000"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [(e.entity, e.op) for e in entries] == [
        ("program", "status"),
        ("award", "create"),
        ("award", "update"),
        ("award", "revoke"),
    ]
    assert [e.version for e in entries[1:]] == [1, 2, 3]
    assert entries[2].data["honor"] == "银质奖"
    assert AuthorityRecord.get("110000").seq == len(entries)


def test_a_removed_winner_no_longer_verifies(api, keys, pushed):
    program_id, award = pushed
    body = award_body(program_id)
    body["winners"] = [
        *body["winners"][:1],
        {"name": "新设计院", "credit_code": credit_code(3), "role": "design"},
    ]
    assert put(api, keys["110000"], award["id"], body, 1).status_code == 200
    removed = api.call("GET", f"/v1/verify?credit_code={credit_code(2)}").data
    assert removed["awards"] == []
    added = api.call("GET", f"/v1/verify?credit_code={credit_code(3)}").data
    assert [a["id"] for a in added["awards"]] == [award["id"]]
