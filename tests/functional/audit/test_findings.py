"""What the audit finds: one test per kind of finding, with the dates written out."""

from __future__ import annotations

import pytest

from chalicelib.store.models import ChangeEntry
from tests.factories import award_body, dated_award, program_body
from tests.functional.audit.conftest import run_audit
from tests.functional.helpers import submitted_program
from tests.steps import approve, push


def ids(findings):
    return {f["id"] for f in findings}


def by_id(findings):
    return {f["id"]: f for f in findings}


# --- late pushes -------------------------------------------------------------------------


def test_a_late_push_is_found_once_with_what_to_do(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    # announced Monday 2026-11-02: due 2026-11-16, pushed Friday 11-20 → 4 working days late
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))
    on_time = push(api, keys["110000"], dated_award(program_id, "BJ-2", "2026-11-16"))

    first = run_audit(api, keys["admin"], "2026-11-21")
    second = run_audit(api, keys["admin"], "2026-11-22")

    finding = by_id(first["findings_new"])[f"late_push:{late['id']}"]
    assert finding["authority_id"] == "110000"
    assert finding["subject"] == {"type": "award", "id": late["id"]}
    assert finding["detail"]["working_days_late"] == 4
    assert finding["detail"]["deadline"] == "2026-11-16"
    assert "晚报 4 个工作日" in finding["action"]["zh"]
    assert f"POST /v1/awards/{late['id']}/excuse" in finding["action"]["en"]
    assert f"late_push:{on_time['id']}" not in ids(first["findings_new"])
    assert not [f for f in second["findings_new"] if f["kind"] == "late_push"]


def test_a_push_late_only_on_a_provisional_calendar_is_pending_not_a_finding(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2027-01-13T02:00:00+00:00")
    # 2027 has no official calendar: 2026-12-28 + 10 Mon-Fri days = 2027-01-11 (provisional)
    award = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-12-28"))
    assert award["timeliness"] == {
        "status": "pending",
        "working_days_late": 2,
        "calendar": "provisional",
    }

    report = run_audit(api, keys["admin"], "2027-01-14")

    assert f"late_push:{award['id']}" not in ids(report["findings_new"])
    assert report["summary"]["pending_pushes"] == 1


def test_an_excused_late_push_is_closed_and_published_as_an_update(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))
    run_audit(api, keys["admin"], "2026-11-21")

    reason = "公示期延长，经部里同意后推送"
    excused = api.call(
        "POST", f"/v1/awards/{late['id']}/excuse", {"reason": reason}, key=keys["admin"]
    )
    assert excused.status_code == 200, excused.body
    assert excused.data["version"] == 2
    assert excused.data["timeliness"]["status"] == "late"
    assert excused.data["timeliness"]["excused"] is True
    assert excused.data["timeliness"]["excused_reason"] == reason
    entries = list(ChangeEntry.query("110000", scan_index_forward=False, limit=1))
    assert (entries[0].entity_id, entries[0].op, entries[0].version) == (late["id"], "update", 2)
    assert entries[0].data["timeliness"]["excused"] is True

    report = run_audit(api, keys["admin"], "2026-11-22")
    closed = by_id(report["findings_closed"])[f"late_push:{late['id']}"]
    assert closed["close_reason"] == "excused"


def test_excusing_needs_an_admin_a_reason_and_a_late_push(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    late = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-02"))
    on_time = push(api, keys["110000"], dated_award(program_id, "BJ-2", "2026-11-16"))
    path = f"/v1/awards/{late['id']}/excuse"

    assert api.call("POST", path, {"reason": "x"}).status_code == 401
    assert api.call("POST", path, {"reason": "x"}, key=keys["110000"]).status_code == 403
    no_reason = api.call("POST", path, {}, key=keys["admin"])
    assert (no_reason.status_code, no_reason.data["error"]["field"]) == (400, "reason")
    not_late = api.call(
        "POST", f"/v1/awards/{on_time['id']}/excuse", {"reason": "x"}, key=keys["admin"]
    )
    assert (not_late.status_code, not_late.data["error"]["code"]) == (409, "invalid_state")
    unknown = api.call("POST", "/v1/awards/awd_nothing/excuse", {"reason": "x"}, key=keys["admin"])
    assert unknown.status_code == 404
    once = api.call("POST", path, {"reason": "x"}, key=keys["admin"])
    twice = api.call("POST", path, {"reason": "y"}, key=keys["admin"])
    assert twice.status_code == 200
    assert twice.data["version"] == once.data["version"] == 2  # nothing new the second time


# --- a correction that moved awarded_on --------------------------------------------------


def test_a_correction_that_moves_awarded_on_is_reported_once(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    award = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-11-16"))  # on time
    run_audit(api, keys["admin"], "2026-11-21")

    corrected = api.call(
        "PUT",
        f"/v1/awards/{award['id']}",
        award_body(program_id, "BJ-1", awarded_on="2026-11-02", year=2026),
        key=keys["110000"],
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.body
    report = run_audit(api, keys["admin"], "2026-11-22")
    later = run_audit(api, keys["admin"], "2026-11-23")

    found = by_id(report["findings_new"])
    changed = found[f"awarded_on_changed:{award['id']}:v2"]
    assert changed["detail"]["from"] == "2026-11-16"
    assert changed["detail"]["to"] == "2026-11-02"
    assert changed["close_reason"] == "reported"  # nothing to decide once it is reported
    # the new date makes the same push 4 working days late
    assert found[f"late_push:{award['id']}"]["detail"]["working_days_late"] == 4
    assert not [f for f in later["findings_new"] if f["subject"]["id"] == award["id"]]


# --- programme lists ---------------------------------------------------------------------


def test_authorities_without_a_programme_list_after_the_deadline(api, keys, program_list_due):
    submitted_program(api, keys["110000"])

    on_the_due_day = run_audit(api, keys["admin"], "2021-03-31")
    after = run_audit(api, keys["admin"], "2021-04-01")

    assert not [f for f in on_the_due_day["findings_new"] if f["kind"] == "no_program_list"]
    missing = {f["authority_id"] for f in after["findings_new"] if f["kind"] == "no_program_list"}
    assert "320000" in missing
    assert "110000" not in missing
    assert len(missing) == 32  # the 33 authorities but Beijing's housing commission

    submitted_program(api, keys["320000"], name="江苏省优质工程奖“扬子杯”")
    later = run_audit(api, keys["admin"], "2021-04-02")
    closed = by_id(later["findings_closed"])["no_program_list:320000"]
    assert closed["close_reason"] == "resolved"
    assert "no_program_list:130000" in ids(later["findings_open"])


# --- silent programmes and zero reports --------------------------------------------------


@pytest.fixture
def awarded_in_june_2025(api, keys, clock, beijing_program):
    clock.set("2025-06-05T02:00:00+00:00")
    push(api, keys["110000"], dated_award(beijing_program, "BJ-2025-1", "2025-06-02"))
    return beijing_program


def test_an_annual_programme_silent_for_a_year_is_found(api, keys, awarded_in_june_2025):
    # Due again by 2026-06-02; an award of that day may be pushed until 2026-06-16.
    in_grace = run_audit(api, keys["admin"], "2026-06-16")
    silent = run_audit(api, keys["admin"], "2026-06-17")

    assert not [f for f in in_grace["findings_new"] if f["kind"] == "silent_program"]
    finding = by_id(silent["findings_new"])[f"silent_program:{awarded_in_june_2025}:2026-06-02"]
    assert finding["authority_id"] == "110000"
    assert finding["detail"]["since"] == "2025-06-02"
    assert (finding["detail"]["gap_from"], finding["detail"]["gap_to"]) == (
        "2026-06-03",
        "2026-06-16",
    )
    assert "POST /v1/zero-reports" in finding["action"]["en"]


def test_a_zero_report_covering_the_gap_closes_the_silence(api, keys, clock, awarded_in_june_2025):
    run_audit(api, keys["admin"], "2026-06-17")
    clock.set("2026-11-20T02:00:00+00:00")
    filed = api.call(
        "POST",
        "/v1/zero-reports",
        {"period_from": "2026-06-01", "period_to": "2026-06-30", "note": "2026年度评选延期"},
        key=keys["110000"],
    )
    assert filed.status_code == 201, filed.body

    covered = run_audit(api, keys["admin"], "2026-06-18")
    uncovered = run_audit(api, keys["admin"], "2026-07-02")  # the gap now runs to 07-01

    finding_id = f"silent_program:{awarded_in_june_2025}:2026-06-02"
    assert by_id(covered["findings_closed"])[finding_id]["close_reason"] == "resolved"
    assert finding_id in ids(uncovered["findings_new"])


def test_a_new_award_ends_the_silence(api, keys, clock, awarded_in_june_2025):
    run_audit(api, keys["admin"], "2026-06-17")
    clock.set("2026-06-18T02:00:00+00:00")
    push(api, keys["110000"], dated_award(awarded_in_june_2025, "BJ-2026-1", "2026-06-15"))
    report = run_audit(api, keys["admin"], "2026-06-19")
    assert f"silent_program:{awarded_in_june_2025}:2026-06-02" in ids(report["findings_closed"])


def test_biennial_and_irregular_programmes_are_judged_by_their_own_cycle(api, keys, clock):
    biennial = submitted_program(api, keys["110000"], cycle="biennial")
    irregular = submitted_program(api, keys["110000"], name="北京市结构长城杯", cycle="irregular")
    approve(api, keys["admin"], biennial)
    approve(api, keys["admin"], irregular)
    clock.set("2025-06-05T02:00:00+00:00")
    push(api, keys["110000"], dated_award(biennial, "BJ-B-1", "2025-06-02"))
    push(api, keys["110000"], dated_award(irregular, "BJ-I-1", "2025-06-02"))

    report = run_audit(api, keys["admin"], "2026-06-17")

    assert not [f for f in report["findings_new"] if f["kind"] == "silent_program"]


def test_silence_before_audit_from_is_not_judged(api, keys, beijing_program):
    # Approved on 2019-03-01 and nothing pushed: the clock starts at audit_from,
    # 2021-01-01, so the next awards were due by 2022-01-01 (+10 working days).
    early = run_audit(api, keys["admin"], "2022-01-14")
    late = run_audit(api, keys["admin"], "2022-01-20")

    assert not [f for f in early["findings_new"] if f["kind"] == "silent_program"]
    finding = by_id(late["findings_new"])[f"silent_program:{beijing_program}:2022-01-01"]
    assert finding["detail"]["since"] == "2021-01-01"


def test_submitted_programmes_are_not_judged_for_silence(api, keys):
    submitted_program(api, keys["110000"], **{"name": program_body()["name"]})
    report = run_audit(api, keys["admin"], "2026-06-17")
    assert not [f for f in report["findings_new"] if f["kind"] == "silent_program"]


# --- the calendar ------------------------------------------------------------------------


def test_next_years_calendar_is_missing_from_the_first_of_december(api, keys):
    november = run_audit(api, keys["admin"], "2026-11-30")
    december = run_audit(api, keys["admin"], "2026-12-01")

    assert "calendar_missing:2027" not in ids(november["findings_new"])
    finding = by_id(december["findings_new"])["calendar_missing:2027"]
    assert finding["authority_id"] is None
    assert "PUT /v1/calendar/2027" in finding["action"]["en"]
    assert december["calendar"]["missing_years"] == [2027]

    loaded = api.call(
        "PUT", "/v1/calendar/2027", {"holidays": ["2027-01-01"], "workdays": []}, key=keys["admin"]
    )
    assert loaded.status_code == 200
    after = run_audit(api, keys["admin"], "2026-12-02")
    assert by_id(after["findings_closed"])["calendar_missing:2027"]["close_reason"] == "resolved"
