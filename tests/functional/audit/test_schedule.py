"""The daily audit as a schedule: its date, its lease, its report and its runs."""

from __future__ import annotations

import json
import threading

import boto3

from chalicelib.config import settings
from chalicelib.store.audit import AuditRun
from tests.factories import dated_award
from tests.functional.audit.conftest import run_audit, run_schedule, scheduled_event
from tests.functional.helpers import submitted_program
from tests.steps import push


def s3_text(key: str) -> bytes:
    s3 = boto3.client("s3", region_name=settings().region)
    return s3.get_object(Bucket=settings().bucket, Key=key)["Body"].read()


def test_the_schedule_is_1am_china_time(client):
    from app import app

    handler = app.event_sources
    (schedule,) = [s for s in handler if s.name == "daily_audit"]
    assert schedule.schedule_expression.to_string() == "cron(0 17 * * ? *)"


def test_scheduled_run_audits_the_china_date_of_its_event(api, client, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))  # due 11-16

    # 17:00 UTC on the 25th is 01:00 on the 26th in Beijing.
    result = run_schedule(client, "2026-11-25T17:00:00Z")

    assert result["status"] == "completed"
    assert result["date"] == "2026-11-26"
    assert result["run_id"] == "2026-11-26-01"
    report = json.loads(s3_text("audits/2026-11-26/report.json"))
    assert f"late_push:{late['id']}" in {f["id"] for f in report["findings_new"]}
    csv_bytes = s3_text("audits/2026-11-26/report.csv")
    assert csv_bytes.startswith("\ufeff".encode())  # opens in Excel as UTF-8
    lines = csv_bytes.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("finding_id,state,kind,authority_id")
    assert any(line.startswith(f"late_push:{late['id']},new,late_push,110000") for line in lines)


def test_a_second_delivery_of_the_same_event_does_nothing(api, client, keys, inbox):
    first = run_schedule(client, "2026-11-25T17:00:00Z", event_id="evt-a")
    sent = inbox.messages()
    again = run_schedule(client, "2026-11-25T17:00:00Z", event_id="evt-a")

    assert first["status"] == "completed"
    assert again == {"status": "duplicate", "date": "2026-11-26", "run_id": "2026-11-26-01"}
    assert inbox.messages() == []
    assert [run.sk for run in AuditRun.query("RUN")] == ["2026-11-26-01"]
    assert len([m for m in sent if m["attributes"]["kind"] == "summary"]) == 1


def test_two_concurrent_deliveries_do_the_work_once(api, client, keys, inbox):
    event = scheduled_event(client, "2026-11-25T17:00:00Z", event_id="evt-b")
    start = threading.Barrier(2)
    results = []

    def deliver():
        start.wait()
        results.append(client.lambda_.invoke("daily_audit", event).payload["status"])

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) in (["busy", "completed"], ["completed", "duplicate"])
    assert [run.sk for run in AuditRun.query("RUN")] == ["2026-11-26-01"]
    summaries = [m for m in inbox.messages() if m["attributes"]["kind"] == "summary"]
    assert len(summaries) == 1


def test_an_event_before_audit_from_judges_nothing(client):
    # chalice's sample event is dated 2015, before audit_from (2021-01-01)
    result = run_schedule(client, "2015-11-11T21:29:54Z")
    assert result == {"status": "skipped", "date": "2015-11-12", "reason": "before audit_from"}
    assert list(AuditRun.query("RUN")) == []


def test_admin_runs_the_audit_now_and_gets_the_report(api, keys, clock):
    clock.set("2026-11-25T16:30:00+00:00")  # 00:30 on the 26th in Beijing
    response = api.call("POST", "/v1/audit/run", key=keys["admin"])
    assert response.status_code == 200, response.body
    assert response.data["date"] == "2026-11-26"
    assert response.data["trigger"] == "admin"
    assert {"findings_new", "findings_open", "findings_closed", "summary"} <= set(response.data)


def test_an_admin_run_may_audit_another_date_and_the_same_day_again(api, keys):
    first = run_audit(api, keys["admin"], "2026-12-01")
    second = run_audit(api, keys["admin"], "2026-12-01")
    assert (first["run_id"], second["run_id"]) == ("2026-12-01-01", "2026-12-01-02")


def test_only_admins_run_the_audit_and_read_runs(api, keys):
    assert api.call("POST", "/v1/audit/run", {}).status_code == 401
    province = api.call("POST", "/v1/audit/run", {}, key=keys["110000"])
    assert province.status_code == 403
    assert province.data["error"]["code"] == "forbidden"
    assert api.call("GET", "/v1/audit/runs", key=keys["110000"]).status_code == 403
    assert api.call("GET", "/v1/audit/runs/2026-11-26-01", key=keys["110000"]).status_code == 403


def test_a_bad_audit_date_is_400_naming_date(api, keys):
    for body in ({"date": "2026-02-30"}, {"date": "yesterday"}, {"date": "2020-12-31"}):
        response = api.call("POST", "/v1/audit/run", body, key=keys["admin"])
        assert response.status_code == 400, body
        assert response.data["error"]["field"] == "date"
    unknown = api.call("POST", "/v1/audit/run", {"when": "2026-11-26"}, key=keys["admin"])
    assert unknown.data["error"]["field"] == "when"


def test_runs_are_listed_newest_first_and_read_one_by_one(api, keys):
    for day in ("2026-11-26", "2026-11-27", "2026-11-28"):
        run_audit(api, keys["admin"], day)
    page = api.call("GET", "/v1/audit/runs?limit=2", key=keys["admin"]).data
    assert [run["id"] for run in page["items"]] == ["2026-11-28-01", "2026-11-27-01"]
    rest = api.call(
        "GET", f"/v1/audit/runs?limit=2&cursor={page['next_cursor']}", key=keys["admin"]
    ).data
    assert [run["id"] for run in rest["items"]] == ["2026-11-26-01"]
    assert rest["next_cursor"] is None

    one = api.call("GET", "/v1/audit/runs/2026-11-27-01", key=keys["admin"])
    assert one.status_code == 200
    assert one.data["report"]["run_id"] == "2026-11-27-01"
    assert one.data["report_keys"]["json"] == "audits/2026-11-27/report.json"
    missing = api.call("GET", "/v1/audit/runs/2026-01-01-01", key=keys["admin"])
    assert missing.status_code == 404
    assert missing.data["error"]["code"] == "not_found"


def test_a_run_while_another_holds_the_date_is_409(api, keys):
    from datetime import date

    from chalicelib.services import audit_lease

    audit_lease.acquire(date(2026, 11, 26))  # a run in progress, e.g. the schedule's
    response = api.call("POST", "/v1/audit/run", {"date": "2026-11-26"}, key=keys["admin"])
    assert response.status_code == 409
    assert response.data["error"]["code"] == "invalid_state"


def test_a_run_that_failed_is_done_again_completely(api, keys, clock, inbox, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.store import objects

    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))
    s3 = objects.s3()  # the one S3 client of the process (store/aws.py)
    real_put = s3.put_object
    calls = []

    def put_failing_once(**kwargs):
        calls.append(kwargs["Key"])
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Slow down"}}, "PutObject")
        return real_put(**kwargs)

    monkeypatch.setattr(s3, "put_object", put_failing_once)

    failed = api.call("POST", "/v1/audit/run", {"date": "2026-11-21"}, key=keys["admin"])
    assert failed.status_code == 503
    assert inbox.messages() == []  # nothing was sent by the run that failed

    retried = run_audit(api, keys["admin"], "2026-11-21")
    assert retried["run_id"] == "2026-11-21-02"
    assert f"late_push:{late['id']}" in {f["id"] for f in retried["findings_new"]}
    assert retried["summary"]["changes_read"] == 2
    alert_ids = sorted(m["attributes"]["alert_id"] for m in inbox.messages())
    assert alert_ids == ["audit-2026-11-21-110000", "audit-2026-11-21-summary"]
    assert [
        run["id"] for run in api.call("GET", "/v1/audit/runs", key=keys["admin"]).data["items"]
    ] == ["2026-11-21-02"]


def test_a_backlog_beyond_one_runs_share_is_read_by_the_next_run(api, keys, clock, monkeypatch):
    from chalicelib.services import audit

    monkeypatch.setattr(audit, "ADMIN_RUN_MAX_ENTRIES", 2)
    program_id = submitted_program(api, keys["110000"])  # one change entry
    clock.set("2026-11-20T02:00:00+00:00")
    pushed = [
        push(api, keys["110000"], dated_award(program_id, f"BJ-{n}", "2026-11-02"))
        for n in range(3)
    ]

    first = run_audit(api, keys["admin"], "2026-11-21")
    second = run_audit(api, keys["admin"], "2026-11-22")

    assert (first["summary"]["changes_read"], first["summary"]["more_changes"]) == (2, True)
    assert (second["summary"]["changes_read"], second["summary"]["more_changes"]) == (2, False)
    found = {f["id"] for f in first["findings_new"] + second["findings_new"]}
    assert found == {f"late_push:{award['id']}" for award in pushed}
