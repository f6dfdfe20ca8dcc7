"""The working-day calendar as data: read any year, load one without a redeploy."""

from __future__ import annotations

import pytest

from chalicelib.store.calendar import CalendarYear
from chalicelib.store.models import AwardRecord, ChangeEntry
from tests.factories import dated_award
from tests.functional.audit.conftest import run_audit
from tests.functional.helpers import submitted_program
from tests.steps import push

NEW_YEAR_2027 = {"holidays": ["2027-01-01"], "workdays": []}


def put_calendar(api, key, year, body):
    return api.call("PUT", f"/v1/calendar/{year}", body, key=key)


def test_a_library_year_is_public_with_its_holidays_and_make_up_days(api):
    response = api.call("GET", "/v1/calendar/2024")
    assert response.status_code == 200
    year = response.data
    assert year["source"] == "library"
    # Spring Festival 2024: Monday 02-12 to Friday 02-16 off; Sundays 02-04 and 02-18 worked
    assert {"2024-02-12", "2024-02-16"} <= set(year["holidays"])
    assert {"2024-02-04", "2024-02-18"} <= set(year["workdays"])


def test_a_year_nobody_published_yet_is_provisional(api):
    response = api.call("GET", "/v1/calendar/2027")
    assert response.data == {"year": 2027, "source": "provisional", "holidays": [], "workdays": []}


def test_an_admin_loads_a_year_and_everyone_reads_it(api, keys):
    body = {"holidays": ["2027-02-08", "2027-01-01"], "workdays": ["2027-02-06"]}
    loaded = put_calendar(api, keys["admin"], 2027, body)
    assert loaded.status_code == 200, loaded.body
    assert loaded.data["source"] == "loaded"
    assert loaded.data["holidays"] == ["2027-01-01", "2027-02-08"]
    read = api.call("GET", "/v1/calendar/2027").data
    assert (read["source"], read["workdays"], read["revision"]) == ("loaded", ["2027-02-06"], 1)


def test_loading_a_year_again_keeps_the_earlier_arrangement(api, keys):
    put_calendar(api, keys["admin"], 2027, NEW_YEAR_2027)
    again = put_calendar(api, keys["admin"], 2027, {"holidays": [], "workdays": []})
    assert again.data["revision"] == 2
    (history,) = CalendarYear.query(CalendarYear.history_key(2027))
    assert (history.revision, history.holidays) == (1, ["2027-01-01"])


def test_only_an_admin_loads_a_year(api, keys):
    assert put_calendar(api, None, 2027, NEW_YEAR_2027).status_code == 401
    province = put_calendar(api, keys["110000"], 2027, NEW_YEAR_2027)
    assert (province.status_code, province.data["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("year", "body", "field"),
    [
        ("2027", {"holidays": ["2027-01-01", "2026-12-31"], "workdays": []}, "holidays[1]"),
        ("2027", {"holidays": ["2027-02-08"], "workdays": ["2027-02-08"]}, "workdays[0]"),
        ("2027", {"holidays": ["2027-02-29"], "workdays": []}, "holidays[0]"),
        ("2027", {"holidays": ["1 Jan 2027"], "workdays": []}, "holidays[0]"),
        ("2027", {"holidays": []}, "workdays"),
        ("2027", {"holidays": "2027-01-01", "workdays": []}, "holidays"),
        ("twenty", NEW_YEAR_2027, "year"),
        ("1999", {"holidays": [], "workdays": []}, "year"),
    ],
)
def test_a_bad_arrangement_is_400_naming_the_field(api, keys, year, body, field):
    response = put_calendar(api, keys["admin"], year, body)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == field


def test_a_loaded_year_applies_to_the_next_push_in_the_same_process(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    clock.set("2027-01-13T02:00:00+00:00")
    before = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-12-28"))
    assert before["timeliness"]["calendar"] == "provisional"  # the calendar is now cached

    put_calendar(api, keys["admin"], 2027, NEW_YEAR_2027)
    after = push(api, keys["110000"], dated_award(program_id, "BJ-2", "2026-12-28"))

    # 2026-12-28 + 10 working days, New Year's Day off: 2027-01-12
    assert after["deadline"] == "2027-01-12"
    assert after["timeliness"] == {"status": "late", "working_days_late": 1, "calendar": "official"}


def test_loading_a_year_recomputes_the_pending_records_and_publishes_them(api, keys, clock):
    program_id = submitted_program(api, keys["110000"])
    # Counted Monday-Friday, 2026-12-28 is due by 2027-01-11.
    clock.set("2027-01-11T02:00:00+00:00")
    on_time = push(api, keys["110000"], dated_award(program_id, "BJ-1", "2026-12-28"))
    clock.set("2027-01-13T02:00:00+00:00")
    pending = push(api, keys["110000"], dated_award(program_id, "BJ-2", "2026-12-28"))
    assert pending["timeliness"]["status"] == "pending"
    assert on_time["timeliness"] == {
        "status": "on_time",
        "working_days_late": 0,
        "calendar": "provisional",
    }
    keys_before = {i.pk for i in AwardRecord.by_provisional.query("2027")}
    assert keys_before == {AwardRecord.key(on_time["id"]), AwardRecord.key(pending["id"])}

    loaded = put_calendar(api, keys["admin"], 2027, NEW_YEAR_2027)
    assert loaded.data["recomputed"] == 2

    now_late = api.call("GET", f"/v1/awards/{pending['id']}").data
    assert now_late["deadline"] == "2027-01-12"
    assert now_late["timeliness"] == {
        "status": "late",
        "working_days_late": 1,
        "calendar": "official",
    }
    assert now_late["version"] == 2
    assert [h["timeliness"]["status"] for h in now_late["history"]] == ["pending"]
    still_on_time = api.call("GET", f"/v1/awards/{on_time['id']}").data
    assert still_on_time["timeliness"]["calendar"] == "official"
    updates = [e for e in ChangeEntry.query("110000") if e.op == "update"]
    assert {e.entity_id for e in updates} == {on_time["id"], pending["id"]}
    assert list(AwardRecord.by_provisional.query("2027")) == []

    report = run_audit(api, keys["admin"], "2027-01-14")
    assert f"late_push:{pending['id']}" in {f["id"] for f in report["findings_new"]}
    assert report["summary"]["pending_pushes"] == 0
