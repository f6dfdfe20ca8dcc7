"""The audit on the local stack over HTTP: S3 report, SNS alerts, calendar loading."""

from __future__ import annotations

import requests


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_an_admin_loads_a_calendar_and_runs_the_audit_over_http(stack):
    admin = stack.issue_key("--admin")["api_key"]

    december = requests.post(
        stack.url("/v1/audit/run"), json={"date": "2026-12-01"}, headers=bearer(admin)
    )
    assert december.status_code == 200, december.text
    report = december.json()
    # new, or still open from an earlier test's audit run on this shared stack
    still_open = report["findings_new"] + report["findings_open"]
    assert "calendar_missing:2027" in {f["id"] for f in still_open}
    assert {"alert_id": "audit-2026-12-01-summary", "authority_id": None, "status": "sent"} in (
        report["alerts"]
    )

    loaded = requests.put(
        stack.url("/v1/calendar/2027"),
        json={"holidays": ["2027-01-01"], "workdays": []},
        headers=bearer(admin),
    )
    assert loaded.status_code == 200, loaded.text
    assert requests.get(stack.url("/v1/calendar/2027")).json()["source"] == "loaded"

    run = requests.get(stack.url(f"/v1/audit/runs/{report['run_id']}"), headers=bearer(admin))
    assert run.status_code == 200
    assert run.json()["report"]["run_id"] == report["run_id"]
    emulator = stack.env["AWS_ENDPOINT_URL"]
    assert "audit-2026-12-01-summary" in requests.get(f"{emulator}/moto-api/data.json").text
