"""Objections (issue 23) in the daily audit: overdue after 10 working days, one alert each.

The objection is filed on Friday 2026-11-20 (China time); its province must
answer by the 10th working day after, Friday 2026-12-04. The audit of
Saturday 2026-12-05 is the first to find it overdue.
"""

from __future__ import annotations

import hashlib

import pytest
import requests

from chalicelib.config import settings
from chalicelib.store import objects
from tests.factories import credit_code, dated_award, pdf_bytes
from tests.functional.audit.conftest import run_audit
from tests.steps import push

PHONE = "13800001111"
EMAIL = "li.na@example.cn"


def file_objection(api, award_id: str) -> dict:
    body = {
        "kind": "wrong_facts",
        "credit_code": credit_code(1),
        "award_id": award_id,
        "description": "获奖单位名称有误，请核实后更正。",
        "contact": {"name": "李娜", "phone": PHONE, "email": EMAIL},
    }
    filed = api.call("POST", "/v1/objections", body)
    assert filed.status_code == 201, filed.body
    return filed.data


@pytest.fixture
def objection(api, keys, clock, beijing_program):
    """An on-time award of Beijing and an objection to it, filed 2026-11-20 10:00 China."""
    clock.set("2026-11-02T02:00:00+00:00")
    award = push(api, keys["110000"], dated_award(beijing_program, "SRC-1", "2026-11-02"))
    clock.set("2026-11-20T02:00:00+00:00")
    return file_objection(api, award["id"])


def overdue_of(report: dict, head: str) -> list[dict]:
    return [f for f in report[head] if f["kind"] == "objection_overdue"]


def test_an_unanswered_objection_becomes_a_finding_and_one_alert(
    api, keys, clock, inbox, objection
):
    number = objection["number"]
    assert objection["deadline"] == "2026-12-04"
    on_deadline = run_audit(api, keys["admin"], "2026-12-04")
    assert overdue_of(on_deadline, "findings_new") == []
    inbox.messages()

    day_after = run_audit(api, keys["admin"], "2026-12-05")
    (finding,) = overdue_of(day_after, "findings_new")
    assert finding["id"] == f"objection_overdue:{number}"
    assert finding["authority_id"] == "110000"
    assert finding["subject"] == {"type": "objection", "id": number}
    assert finding["detail"]["deadline"] == "2026-12-04"
    alerts = [m for m in inbox.messages() if m["attributes"].get("authority_id") == "110000"]
    (alert,) = alerts
    assert number in alert["body"] and "异议超期未答复" in alert["body"]
    for secret in (PHONE, EMAIL, "李娜", "获奖单位名称有误"):
        assert secret not in alert["body"]

    later = run_audit(api, keys["admin"], "2026-12-07")
    assert overdue_of(later, "findings_new") == []
    assert [f["id"] for f in overdue_of(later, "findings_open")] == [finding["id"]]
    assert [m for m in inbox.messages() if number in m["body"]] == []

    clock.set("2026-12-07T02:00:00+00:00")
    table = api.call("GET", "/v1/timeliness", key=keys["admin"]).data["items"]
    beijing = next(row for row in table if row["authority_id"] == "110000")
    assert beijing["objections_open"] == 1 and beijing["objections_overdue"] == 1

    reply = {"outcome": "upheld", "reply": "经核对公告原件，原信息无误。"}
    answered = api.call("POST", f"/v1/objections/{number}/answer", reply, key=keys["110000"])
    assert answered.status_code == 200, answered.body
    closed = run_audit(api, keys["admin"], "2026-12-08")
    (resolved,) = overdue_of(closed, "findings_closed")
    assert resolved["close_reason"] == "resolved"
    assert [m for m in inbox.messages() if number in m["body"]] == []


def test_the_timeliness_table_and_pilot_statistics_count_answers(api, keys, clock, objection):
    clock.set("2026-11-25T02:00:00+00:00")  # Wednesday: 3 working days after filing
    reply = {"outcome": "upheld", "reply": "经核对公告原件，原信息无误。"}
    path = f"/v1/objections/{objection['number']}/answer"
    assert api.call("POST", path, reply, key=keys["110000"]).status_code == 200
    table = api.call("GET", "/v1/timeliness/110000", key=keys["110000"]).data
    assert table["objections_open"] == 0
    assert table["median_working_days_to_answer"] == 3.0
    pilot = api.call("GET", "/v1/stats/pilot?from=2026-11&to=2026-11", key=keys["admin"])
    assert pilot.status_code == 200, pilot.body
    beijing = next(r for r in pilot.data["authorities"] if r["authority_id"] == "110000")
    assert beijing["objections"]["received"] == 1
    assert beijing["objections"]["on_time_share"] == 1.0
    assert beijing["objections"]["corrected_share"] == 0.0
    assert pilot.data["objections"]["answered"] == 1


def test_a_deadline_on_a_provisional_year_never_makes_it_overdue(api, keys, clock, objection):
    # Filed Monday 2026-12-28: the 10 working days run into 2027, whose official
    # calendar is not known (as of 2026-11-25): counted Monday-Friday, never overdue.
    clock.set("2026-12-28T02:00:00+00:00")
    award_id = objection["award_id"]
    late_year = file_objection(api, award_id)
    assert late_year["deadline"] == "2027-01-11"
    report = run_audit(api, keys["admin"], "2027-01-20")
    numbers = {f["subject"]["id"] for f in overdue_of(report, "findings_new")}
    assert objection["number"] in numbers  # the 2026 one is overdue on an official count
    assert late_year["number"] not in numbers
    mine = api.call("GET", f"/v1/objections/{late_year['number']}", key=keys["110000"]).data
    assert mine["overdue"] is False and mine["deadline_official"] is False


def test_personal_data_is_erased_three_years_after_closing(api, keys, clock, objection):
    number, token = objection["number"], objection["token"]
    content = pdf_bytes()
    declared = {
        "token": token,
        "filename": "营业执照.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    created = api.call("POST", f"/v1/objections/{number}/evidence", declared).data
    form = created["upload"]
    requests.post(form["url"], data=form["fields"], files={"file": content}, timeout=30)
    check = f"/v1/objections/{number}/evidence/{created['evidence_id']}/check"
    assert api.call("POST", check, {"token": token}).data["status"] == "verified"
    clock.set("2026-11-25T02:00:00+00:00")
    reply = {"outcome": "upheld", "reply": "经核对公告原件，原信息无误。"}
    assert api.call("POST", f"/v1/objections/{number}/answer", reply, key=keys["110000"])

    before = run_audit(api, keys["admin"], "2029-11-24")
    assert before["summary"]["objections_erased"] == 0
    kept = api.call("GET", f"/v1/objections/{number}", key=keys["admin"]).data
    assert kept["contact"]["phone"] == PHONE

    after = run_audit(api, keys["admin"], "2029-11-25")
    assert after["summary"]["objections_erased"] == 1
    erased = api.call("GET", f"/v1/objections/{number}", key=keys["admin"]).data
    assert erased["contact"] is None
    assert erased["evidence"] == [{"id": created["evidence_id"], "status": "erased"}]
    assert erased["erased_at"]
    assert erased["history"][-1]["action"] == "erased"
    assert erased["answer"]["outcome"] == "upheld"  # the objection itself stays
    for prefix in ("evidence/", "verified/evidence/", "quarantine/evidence/"):
        stored = objects.s3().list_object_versions(
            Bucket=settings().bucket, Prefix=f"{prefix}{number}/"
        )
        assert not stored.get("Versions") and not stored.get("DeleteMarkers"), prefix
    assert run_audit(api, keys["admin"], "2029-11-26")["summary"]["objections_erased"] == 0
