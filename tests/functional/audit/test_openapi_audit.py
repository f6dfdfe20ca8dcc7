"""The audit's routes are documented, and their real answers match the document."""

from __future__ import annotations

from tests.factories import dated_award
from tests.functional.audit.conftest import run_audit
from tests.functional.helpers import submitted_program
from tests.functional.test_openapi import assert_matches, document  # noqa: F401 (fixture)
from tests.steps import push

ROUTES = {
    ("get", "/v1/calendar/{year}"): "public",
    ("put", "/v1/calendar/{year}"): "admin",
    ("post", "/v1/awards/{award_id}/excuse"): "admin",
    ("post", "/v1/audit/run"): "admin",
    ("get", "/v1/audit/runs"): "admin",
    ("get", "/v1/audit/runs/{run_id}"): "admin",
    ("get", "/v1/timeliness"): "admin",
    ("get", "/v1/timeliness/{authority_id}"): "provincial",
    ("post", "/v1/feedback"): "provincial",
    ("get", "/v1/feedback"): "provincial",  # a province its own, an administrator all
    ("post", "/v1/feedback/{feedback_id}/handle"): "admin",
    ("post", "/v1/zero-reports"): "provincial",
}


def test_every_audit_route_is_documented_for_its_audience(document):  # noqa: F811
    for (method, path), audience in ROUTES.items():
        assert document["paths"][path][method]["tags"] == [audience], (method, path)


def test_real_answers_of_the_audit_routes_match(api, keys, clock, document):  # noqa: F811
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))
    assert_matches(document, "CalendarYear", api.call("GET", "/v1/calendar/2024").data)
    loaded = api.call(
        "PUT", "/v1/calendar/2027", {"holidays": ["2027-01-01"], "workdays": []}, key=keys["admin"]
    )
    assert_matches(document, "CalendarLoaded", loaded.data)
    feedback = api.call("POST", "/v1/feedback", {"subject": "s", "body": "b"}, key=keys["110000"])
    assert_matches(document, "Feedback", feedback.data)
    handled = api.call(
        "POST", f"/v1/feedback/{feedback.data['id']}/handle", {"reply": "r"}, key=keys["admin"]
    )
    assert_matches(document, "Feedback", handled.data)
    assert_matches(
        document, "FeedbackList", api.call("GET", "/v1/feedback", key=keys["admin"]).data
    )
    zero = api.call(
        "POST",
        "/v1/zero-reports",
        {"period_from": "2026-01-01", "period_to": "2026-06-30", "note": "无"},
        key=keys["110000"],
    )
    assert_matches(document, "ZeroReport", zero.data)
    report = run_audit(api, keys["admin"], "2026-12-01")
    assert report["findings_new"]
    assert_matches(document, "AuditReport", report)
    runs = api.call("GET", "/v1/audit/runs", key=keys["admin"]).data
    assert_matches(document, "AuditRunList", runs)
    one = api.call("GET", f"/v1/audit/runs/{report['run_id']}", key=keys["admin"]).data
    assert_matches(document, "AuditRunWithReport", one)
    excused = api.call(
        "POST", f"/v1/awards/{late['id']}/excuse", {"reason": "r"}, key=keys["admin"]
    )
    assert_matches(document, "Award", excused.data)
    table = api.call("GET", "/v1/timeliness", key=keys["admin"]).data
    assert_matches(document, "TimelinessTable", table)
    own = api.call("GET", "/v1/timeliness/110000", key=keys["110000"]).data
    assert_matches(document, "TimelinessOne", own)
