"""Pilot statistics over HTTP: verifications counted as served, awards as of the audit."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import UpdateError

from chalicelib.store import stats as stats_store
from tests.factories import credit_code, dated_award
from tests.functional.audit.conftest import run_audit
from tests.steps import approved_program, push


@pytest.fixture
def served_at(clock):
    """Pins when verify answers are served (and what "this month" is) for the counters."""
    return clock.set


def verify_print(client, code: str):
    return client.http.get(
        f"/v1/verify/print?credit_code={code}",
        headers={"Accept": "text/html", "Host": "registry.example.cn"},
    )


def national_month(api, admin_key: str, month: str) -> dict:
    answer = api.call("GET", f"/v1/stats/pilot?from={month}&to={month}", key=admin_key)
    assert answer.status_code == 200, answer.body
    return answer.data


def test_verifications_served_count_each_client_enterprise_and_china_day_once(
    api, client, keys, served_at
):
    """Issue 19 (M4): a loop of the same request, or verify then its printed page, is one
    verification served; another enterprise, or the next China day, is another."""
    served_at("2026-11-30T16:30:00+00:00")  # 00:30 on 1 December in Beijing
    for _ in range(3):
        assert api.call("GET", f"/v1/verify?credit_code={credit_code(7)}").status_code == 200
    assert verify_print(client, credit_code(7)).status_code == 200
    # the same code as a person might type it: one enterprise
    assert api.call("GET", f"/v1/verify?credit_code={credit_code(7).lower()}").status_code == 200
    assert api.call("GET", f"/v1/verify?credit_code={credit_code(8)}").status_code == 200
    # a refused verification spared nobody a paper proof: not counted
    assert api.call("GET", "/v1/verify?credit_code=91110000000000000X").status_code == 400
    served_at("2026-12-01T16:30:00+00:00")  # 00:30 on 2 December in Beijing
    assert verify_print(client, credit_code(7)).status_code == 200

    stats = national_month(api, keys["admin"], "2026-12")

    assert stats["national"]["months"][0]["verifications"] == 3
    assert stats["verifications"] == {
        "total": 3,
        "daily": [{"date": "2026-12-01", "count": 2}, {"date": "2026-12-02", "count": 1}],
    }
    assert national_month(api, keys["admin"], "2026-11")["verifications"]["total"] == 0
    public = api.call("GET", "/v1/stats/public")
    assert public.status_code == 200
    assert public.data["verifications"] == 3


def test_counts_are_spread_over_shards_and_summed(api, keys, served_at):
    served_at("2026-12-01T02:00:00+00:00")
    for n in range(12):
        assert api.call("GET", f"/v1/verify?credit_code={credit_code(n)}").status_code == 200

    items = list(stats_store.DailyCounter.scan())
    assert {item.sk for item in items} == {"2026-12-01"}
    assert sum(int(item.total) for item in items) == 12
    assert len(items) > 1  # 12 answers on 8 shards at random: all on one shard is ~1e-10
    assert national_month(api, keys["admin"], "2026-12")["verifications"]["total"] == 12


def test_a_failure_to_count_never_fails_the_verification(api, monkeypatch):
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(args)
        raise UpdateError("the stats table is unavailable")

    monkeypatch.setattr(stats_store.DailyCounter, "update", broken)  # the storage fails
    answer = api.call("GET", f"/v1/verify?credit_code={credit_code(7)}")
    assert answer.status_code == 200, answer.body
    assert answer.data["awards"] == []
    assert len(attempts) == 1


@pytest.fixture
def beijing_month(api, keys, clock):
    """November 2026 in Beijing: one programme approved, three pushes (one on time, two late)."""
    clock.set("2026-11-20T02:00:00+00:00")
    key = keys["110000"]
    program_id = approved_program(api, key, keys["admin"])
    return {
        "on_time": push(api, key, dated_award(program_id, "BJ-1", "2026-11-16")),
        "late_4": push(api, key, dated_award(program_id, "BJ-2", "2026-11-02")),  # due 11-16
        "late_5": push(api, key, dated_award(program_id, "BJ-3", "2025-10-30")),  # backfill
    }


def test_the_pilot_numbers_per_province_and_nationally_after_the_audit(api, keys, beijing_month):
    run_audit(api, keys["admin"], "2026-11-21")

    stats = api.call("GET", "/v1/stats/pilot?from=2026-10&to=2026-11", key=keys["admin"])

    assert stats.status_code == 200, stats.body
    data = stats.data
    assert (data["from"], data["to"], data["months"]) == (
        "2026-10",
        "2026-11",
        ["2026-10", "2026-11"],
    )
    assert data["as_of"] == "2026-11-21-01"
    authorities = {row["authority_id"]: row for row in data["authorities"]}
    assert len(authorities) == 33
    beijing = authorities["110000"]
    assert beijing["name_zh"] == "北京市住房和城乡建设委员会"
    october, november = beijing["months"]
    assert october == {
        "month": "2026-10", "programs_approved": 0, "awards_pushed": 0, "on_time": 0,
        "late": 0, "pending": 0, "on_time_share": None, "median_working_days_late": None,
    }  # fmt: skip
    assert november["programs_approved"] == 1
    assert (november["awards_pushed"], november["on_time"], november["late"]) == (3, 1, 2)
    assert november["on_time_share"] == 0.3333
    late_days = [beijing_month["late_4"], beijing_month["late_5"]]
    days = sorted(a["timeliness"]["working_days_late"] for a in late_days)
    assert days[0] == 4
    assert november["median_working_days_late"] == (days[0] + days[1]) / 2
    assert beijing["backfill"]["2025"] == 1 and beijing["backfill"]["2026"] == 2
    assert beijing["backfill"]["2018"] == 0
    national = data["national"]
    assert national["months"][1]["awards_pushed"] == 3
    assert national["totals"]["programs_approved"] == 1
    assert authorities["320000"]["totals"]["awards_pushed"] == 0

    public = api.call("GET", "/v1/stats/public").data
    assert (public["awards"], public["provinces_reporting"]) == (3, 1)


def test_a_revoked_award_leaves_the_backfill_count_but_stays_pushed(api, keys, beijing_month):
    run_audit(api, keys["admin"], "2026-11-21")
    award = beijing_month["on_time"]
    revoked = api.call(
        "POST", f"/v1/awards/{award['id']}/revoke", {"reason": "撤销"}, key=keys["110000"]
    )
    assert revoked.status_code == 200, revoked.body
    run_audit(api, keys["admin"], "2026-11-22")

    beijing = next(
        row
        for row in national_month(api, keys["admin"], "2026-11")["authorities"]
        if row["authority_id"] == "110000"
    )
    assert beijing["backfill"]["2026"] == 1
    assert beijing["totals"]["awards_pushed"] == 3
    assert api.call("GET", "/v1/stats/public").data["awards"] == 2


def test_only_administrators_read_the_pilot_numbers_and_anyone_the_summary(api, keys):
    province = api.call("GET", "/v1/stats/pilot", key=keys["110000"])
    assert (province.status_code, province.data["error"]["code"]) == (403, "forbidden")
    anonymous = api.call("GET", "/v1/stats/pilot")
    assert (anonymous.status_code, anonymous.data["error"]["code"]) == (401, "unauthenticated")
    default = api.call("GET", "/v1/stats/pilot", key=keys["admin"])
    assert default.status_code == 200 and len(default.data["months"]) == 12
    public = api.call("GET", "/v1/stats/public")
    assert public.status_code == 200
    assert set(public.data) == {"awards", "provinces_reporting", "verifications", "as_of"}
    assert public.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13&to=2026-12", "from"),
        ("from=2026-1&to=2026-12", "from"),
        ("from=2026-01&to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-02", "to"),  # full width
        ("from=2026-12&to=2026-01", "from"),
        ("from=2020-01&to=2026-12", "to"),
        ("from=2026-01&to=", "to"),
        ("from=9999-10&to=9999-12", "to"),  # the month after 9999-12 is not a date
        ("month=2026-01", "month"),
    ],
)
def test_from_and_to_are_checked(api, keys, query, field):
    refused = api.call("GET", f"/v1/stats/pilot?{query}", key=keys["admin"])
    assert refused.status_code == 400, refused.body
    assert refused.data["error"]["code"] == "validation_error"
    assert refused.data["error"]["field"] == field
