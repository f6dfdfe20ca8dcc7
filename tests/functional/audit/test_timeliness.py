"""The timeliness league table: kept by the audit, read by MOHURD and by each province."""

from __future__ import annotations

import pytest

from tests.factories import dated_award
from tests.functional.audit.conftest import run_audit
from tests.functional.helpers import submitted_program
from tests.steps import push


@pytest.fixture
def beijing_pushes(api, keys, clock):
    """Three pushes on Friday 2026-11-20: one on time, two late (4 and 5 working days)."""
    program_id = submitted_program(api, keys["110000"])
    clock.set("2026-11-20T02:00:00+00:00")
    key = keys["110000"]
    return {
        "on_time": push(api, key, dated_award(program_id, "BJ-1", "2026-11-16")),
        "late_4": push(api, key, dated_award(program_id, "BJ-2", "2026-11-02")),  # due 11-16
        "late_5": push(api, key, dated_award(program_id, "BJ-3", "2026-10-30")),  # due 11-13
    }


def test_the_league_table_after_an_audit(api, keys, beijing_pushes):
    run_audit(api, keys["admin"], "2026-11-21")

    table = api.call("GET", "/v1/timeliness", key=keys["admin"])

    assert table.status_code == 200
    assert table.data["as_of"] == "2026-11-21-01"
    rows = {row["authority_id"]: row for row in table.data["items"]}
    assert len(rows) == 33
    beijing = rows["110000"]
    assert (beijing["pushes"], beijing["on_time"], beijing["late"]) == (3, 1, 2)
    assert beijing["on_time_rate"] == 0.3333
    assert beijing["median_working_days_late"] == 4.5
    assert beijing["name_zh"] == "北京市住房和城乡建设委员会"
    jiangsu = rows["320000"]
    assert (jiangsu["pushes"], jiangsu["on_time_rate"], jiangsu["median_working_days_late"]) == (
        0,
        None,
        None,
    )


def test_an_excused_push_counts_as_on_time_from_the_next_audit(api, keys, beijing_pushes):
    run_audit(api, keys["admin"], "2026-11-21")
    late = beijing_pushes["late_5"]
    api.call("POST", f"/v1/awards/{late['id']}/excuse", {"reason": "系统故障"}, key=keys["admin"])

    run_audit(api, keys["admin"], "2026-11-22")

    beijing = api.call("GET", "/v1/timeliness/110000", key=keys["admin"]).data
    assert (beijing["late"], beijing["excused"], beijing["pushes"]) == (1, 1, 3)
    assert beijing["on_time_rate"] == 0.6667
    assert beijing["median_working_days_late"] == 4.0


def test_counters_move_with_new_pushes_not_recounts(api, keys, clock, beijing_pushes):
    run_audit(api, keys["admin"], "2026-11-21")
    program_id = beijing_pushes["on_time"]["program_id"]
    clock.set("2026-11-23T02:00:00+00:00")
    push(api, keys["110000"], dated_award(program_id, "BJ-4", "2026-11-20"))
    run_audit(api, keys["admin"], "2026-11-24")
    run_audit(api, keys["admin"], "2026-11-25")  # nothing new: nothing moves

    beijing = api.call("GET", "/v1/timeliness/110000", key=keys["110000"]).data
    assert (beijing["pushes"], beijing["on_time"], beijing["late"]) == (4, 2, 2)
    assert beijing["as_of"] == "2026-11-25-01"


def test_a_province_reads_its_own_timeliness_only(api, keys, beijing_pushes):
    run_audit(api, keys["admin"], "2026-11-21")
    own = api.call("GET", "/v1/timeliness/110000", key=keys["110000"])
    assert own.status_code == 200
    assert own.data["pushes"] == 3
    other = api.call("GET", "/v1/timeliness/110000", key=keys["320000"])
    assert (other.status_code, other.data["error"]["code"]) == (403, "forbidden")
    assert api.call("GET", "/v1/timeliness/110000").status_code == 401
    assert api.call("GET", "/v1/timeliness", key=keys["110000"]).status_code == 403
    assert api.call("GET", "/v1/timeliness").status_code == 401
    unknown = api.call("GET", "/v1/timeliness/999999", key=keys["admin"])
    assert (unknown.status_code, unknown.data["error"]["code"]) == (404, "not_found")
