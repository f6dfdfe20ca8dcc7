"""Data-quality checks in the daily audit (issue 22): every rule tripped once, near misses not.

A set of awards is pushed that trips each rule once (``name_drift`` twice: a typo
and a renamed company are both reported, told apart by their similarity) beside a
near miss for each; the audit runs; ``GET /v1/quality/findings`` answers exactly
the expected findings. Then a correction closes its finding on the next run, and
the answers (corrected, explained, accepted, reopened) move findings as they should.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.factories import award_body, credit_code
from tests.functional.audit.conftest import _set_setting, run_audit, run_schedule
from tests.steps import push, submitted_program

APPROVED_2019 = {
    "issuer": "北京市人民政府",
    "document_number": "京政函〔2019〕12号",
    "approved_on": "2019-03-01",
}
BJ_CODES = {n: credit_code(100 + n) for n in range(1, 12)}  # registered in Beijing (11)


def winner(code: str, name: str) -> dict:
    return {"name": name, "credit_code": code, "role": "general_contractor"}


def award(program_id, source_id, *, year, project, winners, number, awarded_on=None):
    return award_body(
        program_id,
        source_id,
        year=year,
        awarded_on=awarded_on or f"{year}-06-15",
        announcement_number=number,
        project={"name": project, "category": "housing"},
        winners=winners,
    )


def findings(api, key, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    items, cursor = [], None
    while True:
        path = "/v1/quality/findings?limit=100" + (f"&{query}" if query else "")
        answer = api.call("GET", path + (f"&cursor={cursor}" if cursor else ""), key=key)
        assert answer.status_code == 200, answer.body
        items += answer.data["items"]
        cursor = answer.data["next_cursor"]
        if not cursor:
            return items


@pytest.fixture
def scene(api, keys, clock):
    """Programmes of Beijing and Jiangsu and the awards that trip (and nearly trip) each rule."""
    bj, js = keys["110000"], keys["320000"]
    clock.set("2026-11-20T02:00:00+00:00")
    annual = submitted_program(api, bj, approval=APPROVED_2019)
    other = submitted_program(api, bj, name="北京市结构长城杯")
    biennial = submitted_program(api, bj, name="北京市双年奖", cycle="biennial")
    alternate = submitted_program(api, bj, name="北京市隔年奖", cycle="biennial")
    jiangsu = submitted_program(api, js, name="江苏省扬子杯")
    c = BJ_CODES
    ids = {}

    def put(name, key, body):
        ids[name] = push(api, key, body)["id"]

    # duplicate_award: the same project (spelt with a full-width bracket, a space and a
    # trailing 。) under two source ids; near miss: the same project in another year.
    put(
        "dup1",
        bj,
        award(
            annual,
            "BJ-D1",
            year=2024,
            project="幸福家园(一期)",
            winners=[winner(c[1], "北京甲建设有限公司")],
            number="京建〔2024〕1号",
        ),
    )
    put(
        "dup2",
        bj,
        award(
            annual,
            "BJ-D2",
            year=2024,
            project="幸福家园（一期） 。",
            winners=[winner(c[1], "北京甲建设有限公司")],
            number="京建〔2024〕2号",
        ),
    )
    put(
        "dup_other_year",
        bj,
        award(
            annual,
            "BJ-D3",
            year=2023,
            project="幸福家园(一期)",
            winners=[winner(c[1], "北京甲建设有限公司")],
            number="京建〔2023〕3号",
        ),
    )
    # cross_province_duplicate: the same project and winner in 2024 from Beijing and Jiangsu;
    # near miss: the same project name and winner from both, but in two different years.
    put(
        "cross_bj",
        bj,
        award(
            annual,
            "BJ-X1",
            year=2024,
            project="跨省大桥",
            winners=[winner(c[2], "北京乙路桥有限公司")],
            number="京建〔2024〕4号",
        ),
    )
    put(
        "cross_js",
        js,
        award(
            jiangsu,
            "JS-X1",
            year=2024,
            project="跨省大桥",
            winners=[winner(c[2], "北京乙路桥有限公司")],
            number="苏建〔2024〕1号",
        ),
    )
    put(
        "tunnel_bj",
        bj,
        award(
            annual,
            "BJ-X2",
            year=2024,
            project="跨省隧道",
            winners=[winner(c[3], "北京丙隧道有限公司")],
            number="京建〔2024〕5号",
        ),
    )
    put(
        "tunnel_js",
        js,
        award(
            jiangsu,
            "JS-X2",
            year=2023,
            project="跨省隧道",
            winners=[winner(c[3], "北京丙隧道有限公司")],
            number="苏建〔2023〕2号",
        ),
    )
    # name_drift: a typo (公同 for 公司) and a renamed company, both reported; near miss:
    # names that differ only by full-width brackets and a space.
    put(
        "typo1",
        bj,
        award(
            annual,
            "BJ-N1",
            year=2024,
            project="华信大厦",
            winners=[winner(c[4], "北京华信建筑工程有限公司")],
            number="京建〔2024〕6号",
        ),
    )
    put(
        "typo2",
        bj,
        award(
            annual,
            "BJ-N2",
            year=2024,
            project="华信二号楼",
            winners=[winner(c[4], "北京华信建筑工程有限公同")],
            number="京建〔2024〕7号",
        ),
    )
    put(
        "renamed1",
        bj,
        award(
            annual,
            "BJ-N3",
            year=2022,
            project="远东中心",
            winners=[winner(c[5], "北京远东建设集团有限公司")],
            number="京建〔2022〕8号",
        ),
    )
    put(
        "renamed2",
        bj,
        award(
            annual,
            "BJ-N4",
            year=2024,
            project="远景广场",
            winners=[winner(c[5], "北京中建远景控股有限公司")],
            number="京建〔2024〕9号",
        ),
    )
    put(
        "spaced1",
        bj,
        award(
            annual,
            "BJ-N5",
            year=2024,
            project="东方医院",
            winners=[winner(c[6], "北京（东方）建设有限公司")],
            number="京建〔2024〕10号",
        ),
    )
    put(
        "spaced2",
        bj,
        award(
            annual,
            "BJ-N6",
            year=2024,
            project="东方学校",
            winners=[winner(c[6], "北京(东方)建设 有限公司")],
            number="京建〔2024〕11号",
        ),
    )
    # before_approval: dated before 2019-03-01; near miss: dated on that very day.
    put(
        "early",
        bj,
        award(
            annual,
            "BJ-A1",
            year=2019,
            project="早鸟工程",
            awarded_on="2019-02-20",
            winners=[winner(c[7], "北京丁建设有限公司")],
            number="京建〔2019〕1号",
        ),
    )
    put(
        "on_the_day",
        bj,
        award(
            annual,
            "BJ-A2",
            year=2019,
            project="准时工程",
            awarded_on="2019-03-01",
            winners=[winner(c[7], "北京丁建设有限公司")],
            number="京建〔2019〕2号",
        ),
    )
    # cycle_mismatch: a biennial programme in 2022 and 2023; near miss: another in 2021, 2023.
    put(
        "bien22",
        bj,
        award(
            biennial,
            "BJ-C1",
            year=2022,
            project="双年一号",
            winners=[winner(c[8], "北京戊建设有限公司")],
            number="京建〔2022〕21号",
        ),
    )
    put(
        "bien23",
        bj,
        award(
            biennial,
            "BJ-C2",
            year=2023,
            project="双年二号",
            winners=[winner(c[8], "北京戊建设有限公司")],
            number="京建〔2023〕22号",
        ),
    )
    put(
        "alt21",
        bj,
        award(
            alternate,
            "BJ-C3",
            year=2021,
            project="隔年一号",
            winners=[winner(c[8], "北京戊建设有限公司")],
            number="京建〔2021〕23号",
        ),
    )
    put(
        "alt23",
        bj,
        award(
            alternate,
            "BJ-C4",
            year=2023,
            project="隔年二号",
            winners=[winner(c[8], "北京戊建设有限公司")],
            number="京建〔2023〕24号",
        ),
    )
    # cycle_mismatch against a zero report for 2025-01..06: an award inside it, one after.
    zero = {"period_from": "2025-01-01", "period_to": "2025-06-30", "note": "上半年未开展评选"}
    assert api.call("POST", "/v1/zero-reports", zero, key=bj).status_code == 201
    put(
        "in_zero",
        bj,
        award(
            annual,
            "BJ-Z1",
            year=2025,
            project="零报告期内工程",
            awarded_on="2025-03-10",
            winners=[winner(c[9], "北京己建设有限公司")],
            number="京建〔2025〕1号",
        ),
    )
    put(
        "after_zero",
        bj,
        award(
            annual,
            "BJ-Z2",
            year=2025,
            project="零报告期后工程",
            awarded_on="2025-07-15",
            winners=[winner(c[9], "北京己建设有限公司")],
            number="京建〔2025〕2号",
        ),
    )
    # announcement_reused: one number on awards of two programmes; near miss: one number on
    # two awards of the same programme (one announcement lists many winners).
    put(
        "ann1",
        bj,
        award(
            annual,
            "BJ-R1",
            year=2024,
            project="公告甲",
            winners=[winner(c[10], "北京庚建设有限公司")],
            number="京建〔2024〕99号",
        ),
    )
    put(
        "ann2",
        bj,
        award(
            other,
            "BJ-R2",
            year=2024,
            project="公告乙",
            winners=[winner(c[10], "北京庚建设有限公司")],
            number="京建〔2024〕99号",
        ),
    )
    put(
        "same1",
        bj,
        award(
            annual,
            "BJ-R3",
            year=2024,
            project="公告丙",
            winners=[winner(c[11], "北京辛建设有限公司")],
            number="京建〔2024〕77号",
        ),
    )
    put(
        "same2",
        bj,
        award(
            annual,
            "BJ-R4",
            year=2024,
            project="公告丁",
            winners=[winner(c[11], "北京辛建设有限公司")],
            number="京建〔2024〕77号",
        ),
    )
    # registration_elsewhere: Jiangsu's two awards name Beijing-registered winners (counted);
    # near miss: every Beijing award names a Beijing-registered winner.
    return {"ids": ids, "programs": {"annual": annual, "biennial": biennial}, "keys": keys}


def _by_rule(items):
    return Counter((i["rule"], i["authority_id"]) for i in items)


def test_the_audit_finds_each_rule_once_and_no_near_miss(api, keys, scene):
    report = run_audit(api, keys["admin"], "2026-11-21")
    assert report["quality"]["awards_checked"] == len(scene["ids"])

    found = findings(api, keys["admin"])
    assert _by_rule(found) == Counter(
        {
            ("duplicate_award", "110000"): 1,
            ("cross_province_duplicate", "110000"): 1,
            ("cross_province_duplicate", "320000"): 1,
            ("name_drift", "110000"): 2,  # the typo and the renamed company
            ("before_approval", "110000"): 1,
            ("cycle_mismatch", "110000"): 2,  # biennial in consecutive years; the zero report
            ("announcement_reused", "110000"): 1,
            ("registration_elsewhere", "320000"): 1,
        }
    )
    ids = scene["ids"]
    by_rule = {}
    for item in found:
        by_rule.setdefault(item["rule"], []).append(item)
    awards_of = {
        r: sorted({rec["award_id"] for i in v for rec in i["records"]}) for r, v in by_rule.items()
    }

    duplicate = by_rule["duplicate_award"][0]
    assert duplicate["severity"] == "error" and duplicate["state"] == "open"
    assert awards_of["duplicate_award"] == sorted([ids["dup1"], ids["dup2"]])
    assert duplicate["explanation"]["zh"] and duplicate["explanation"]["en"]
    assert all(r["differing"] == ["source_id"] for r in duplicate["records"])
    assert awards_of["cross_province_duplicate"] == sorted([ids["cross_bj"], ids["cross_js"]])
    assert awards_of["before_approval"] == [ids["early"]]
    assert by_rule["before_approval"][0]["detail"] == {
        "awarded_on": "2019-02-20",
        "approved_on": "2019-03-01",
    }
    assert awards_of["announcement_reused"] == sorted([ids["ann1"], ids["ann2"]])
    cycle = {i["detail"]["kind"]: i for i in by_rule["cycle_mismatch"]}
    assert cycle["biennial_consecutive"]["detail"]["years"] == [2022, 2023]
    assert [r["award_id"] for r in cycle["zero_report"]["records"]] == [ids["in_zero"]]

    drift = {i["detail"]["credit_code"]: i for i in by_rule["name_drift"]}
    assert set(drift) == {BJ_CODES[4], BJ_CODES[5]}  # not BJ_CODES[6] (spacing only)
    (typo,) = drift[BJ_CODES[4]]["detail"]["pairs"]
    (renamed,) = drift[BJ_CODES[5]]["detail"]["pairs"]
    assert typo["kind"] == "typo" and typo["similarity"] >= 85
    assert set(typo["names"]) == {"北京华信建筑工程有限公司", "北京华信建筑工程有限公同"}
    assert renamed["kind"] == "renamed" and renamed["similarity"] < 85
    assert awards_of["name_drift"] == sorted(
        ids[n] for n in ("typo1", "typo2", "renamed1", "renamed2")
    )

    elsewhere = by_rule["registration_elsewhere"][0]
    assert elsewhere["severity"] == "info"
    assert elsewhere["detail"]["count"] == 2 and elsewhere["records"] == []

    # Nothing personal: no project manager anywhere in a finding.
    assert "project_manager" not in str(found) and "张三" not in str(found)


def test_a_province_sees_its_own_findings_and_nobody_else_any(api, keys, scene):
    run_audit(api, keys["admin"], "2026-11-21")
    mine = findings(api, keys["320000"])
    assert {i["authority_id"] for i in mine} == {"320000"}
    assert {i["rule"] for i in mine} == {"cross_province_duplicate", "registration_elsewhere"}
    assert (
        findings(api, keys["110000"], rule="duplicate_award", severity="error")[0]["rule"]
        == "duplicate_award"
    )
    assert findings(api, keys["110000"], severity="info") == []
    other = api.call("GET", "/v1/quality/findings?authority_id=110000", key=keys["320000"])
    assert other.status_code == 403
    assert api.call("GET", "/v1/quality/findings").status_code == 401
    bj_finding = findings(api, keys["110000"], rule="before_approval")[0]
    hidden = api.call("GET", f"/v1/quality/findings/{bj_finding['id']}", key=keys["320000"])
    assert hidden.status_code == 404
    bad = api.call("GET", "/v1/quality/findings?rule=nonsense", key=keys["admin"])
    assert bad.status_code == 400 and bad.data["error"]["field"] == "rule"


def test_a_correction_closes_its_finding_on_the_next_run(api, keys, scene, clock):
    bj = keys["110000"]
    run_audit(api, keys["admin"], "2026-11-21")
    (duplicate,) = findings(api, bj, rule="duplicate_award")
    answered = api.call(
        "POST",
        f"/v1/quality/findings/{duplicate['id']}/resolve",
        {"action": "corrected"},
        key=bj,
    )
    assert answered.status_code == 200 and answered.data["state"] == "corrected"

    # The province corrects the second record's project (it was another building).
    award_id = scene["ids"]["dup2"]
    current = api.call("GET", f"/v1/awards/{award_id}", key=bj).data
    body = award(
        scene["programs"]["annual"],
        "BJ-D2",
        year=2024,
        project="幸福家园（二期）",
        winners=[winner(BJ_CODES[1], "北京甲建设有限公司")],
        number="京建〔2024〕2号",
    )
    clock.set("2026-11-21T02:00:00+00:00")
    corrected = api.call(
        "PUT",
        f"/v1/awards/{award_id}",
        body,
        key=bj,
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert corrected.status_code == 200, corrected.body

    report = run_audit(api, keys["admin"], "2026-11-22")
    assert report["quality"]["closed"] >= 1
    closed = api.call("GET", f"/v1/quality/findings/{duplicate['id']}", key=bj).data
    assert closed["state"] == "closed" and closed["close_reason"] == "corrected"
    assert closed["closed_on"] == "2026-11-22"
    assert findings(api, bj, rule="duplicate_award", state="open") == []


def test_corrected_without_a_change_reopens_and_an_explanation_is_accepted(api, keys, scene):
    bj, admin = keys["110000"], keys["admin"]
    run_audit(api, admin, "2026-11-21")
    (early,) = findings(api, bj, rule="before_approval")
    (reused,) = findings(api, bj, rule="announcement_reused")
    path = "/v1/quality/findings/{}/resolve"

    said = api.call("POST", path.format(early["id"]), {"action": "corrected"}, key=bj)
    assert said.data["state"] == "corrected"
    run_audit(api, admin, "2026-11-22")  # nothing changed: the records still match
    again = api.call("GET", f"/v1/quality/findings/{early['id']}", key=bj).data
    assert again["state"] == "open" and again["history"][-1]["note"] == "still_matches"

    short = api.call(
        "POST", path.format(reused["id"]), {"action": "explained", "reason": "太短"}, key=bj
    )
    assert short.status_code == 400 and short.data["error"]["field"] == "reason"
    reason = "两个奖项由同一公告联合发布，文号相同属正常情况。"
    explained = api.call(
        "POST", path.format(reused["id"]), {"action": "explained", "reason": reason}, key=bj
    )
    assert explained.status_code == 200 and explained.data["state"] == "explained"
    assert (
        api.call("POST", path.format(reused["id"]), {"action": "accept"}, key=bj).status_code == 403
    )
    accepted = api.call("POST", path.format(reused["id"]), {"action": "accept"}, key=admin)
    assert accepted.data["state"] == "accepted"
    twice = api.call("POST", path.format(reused["id"]), {"action": "accept"}, key=admin)
    assert twice.status_code == 409 and twice.data["error"]["code"] == "invalid_state"
    reopened = api.call("POST", path.format(reused["id"]), {"action": "reopen"}, key=admin)
    assert reopened.data["state"] == "open"


def test_the_scheduled_audit_runs_the_checks_too(client, api, keys, scene):
    outcome = run_schedule(client, "2026-11-21T17:00:00Z")
    assert outcome["status"] == "completed"
    assert len(findings(api, keys["admin"])) == 10


@pytest.fixture
def fresh_queue(aws):
    from chalicelib.store import queue

    queue.reset()  # a queue URL or client cached under another test's mock
    yield
    queue.reset()


def test_an_administrator_rescans_everything_in_the_background(api, keys, scene, fresh_queue):
    from devtools.import_worker import drain

    admin = keys["admin"]
    assert findings(api, admin) == []  # pushed, never audited: nothing checked yet
    assert api.call("POST", "/v1/quality/rescan", key=keys["110000"]).status_code == 403
    started = api.call("POST", "/v1/quality/rescan", key=admin)
    assert started.status_code == 202, started.body
    assert started.data["state"] == "queued" and started.data["progress"] == 0

    assert drain() >= 1  # the imports worker runs the job, one chunk per message
    job = api.call("GET", f"/v1/quality/rescans/{started.data['id']}", key=admin)
    assert job.status_code == 200
    assert job.data["state"] == "done" and job.data["progress"] == 1
    assert job.data["awards_done"] == len(scene["ids"])
    assert len(findings(api, admin)) == 10  # the same findings the audit finds

    # The audit afterwards finds the same and opens nothing new.
    report = run_audit(api, admin, "2026-11-21")
    assert report["quality"]["opened"] == 0
    assert len(findings(api, admin)) == 10


def test_the_pilot_statistics_carry_a_quality_row_per_province(api, keys, scene, clock):
    admin = keys["admin"]
    run_audit(api, admin, "2026-11-21")
    rows = {
        r["authority_id"]: r
        for r in api.call("GET", "/v1/stats/pilot", key=admin).data["authorities"]
    }
    beijing = rows["110000"]["quality"]
    assert beijing["open_errors"] == 2  # the duplicate and the award before its approval
    assert beijing["awards"] == len(scene["ids"]) - 2  # Jiangsu pushed two of them
    assert beijing["open_errors_per_100_awards"] == round(200 / beijing["awards"], 2)
    assert beijing["median_days_to_resolve"] is None
    assert rows["320000"]["quality"]["open_errors"] == 0

    (early,) = findings(api, keys["110000"], rule="before_approval")
    path = f"/v1/quality/findings/{early['id']}/resolve"
    reason = "该工程于奖项批准前已按原办法评选，批准后补发公告。"
    clock.set("2026-11-23T02:00:00+00:00")
    api.call("POST", path, {"action": "explained", "reason": reason}, key=keys["110000"])
    clock.set("2026-11-25T02:00:00+00:00")  # accepted four China days after it was found
    api.call("POST", path, {"action": "accept"}, key=admin)
    beijing = {
        r["authority_id"]: r
        for r in api.call("GET", "/v1/stats/pilot", key=admin).data["authorities"]
    }["110000"]["quality"]
    assert beijing["open_errors"] == 1 and beijing["findings_resolved"] == 1
    assert beijing["median_days_to_resolve"] == 4


@pytest.fixture
def ten_awards_per_run():
    from chalicelib.config import settings

    configured = settings().quality_audit_max_awards
    _set_setting("quality_audit_max_awards", 10)
    yield
    _set_setting("quality_audit_max_awards", configured)


def test_a_batch_too_large_for_one_run_is_left_to_a_background_rescan(
    api, keys, scene, fresh_queue, ten_awards_per_run
):
    from devtools.import_worker import drain

    report = run_audit(api, keys["admin"], "2026-11-21")
    assert report["quality"]["awards_checked"] == 0
    job_id = report["quality"]["deferred_to_rescan"]
    assert findings(api, keys["admin"]) == []
    drain()
    job = api.call("GET", f"/v1/quality/rescans/{job_id}", key=keys["admin"]).data
    assert job["state"] == "done" and job["awards_done"] == len(scene["ids"])
    assert len(findings(api, keys["admin"])) == 10


def test_a_rescan_chunk_failing_on_its_last_try_fails_the_job(api, keys, fresh_queue, monkeypatch):
    import json as json_module

    from chalicelib.config import settings
    from chalicelib.jobs.import_chunk import handle_dead_letter, handle_message
    from chalicelib.services import quality

    started = api.call("POST", "/v1/quality/rescan", key=keys["admin"]).data

    def broken(*args, **kwargs):
        raise RuntimeError("storage fault")

    monkeypatch.setattr(quality, "check_awards", broken)
    body = json_module.dumps({"kind": "quality_rescan", "job_id": started["id"], "chunk": 0})
    with pytest.raises(RuntimeError):
        handle_message(body, 1, None)  # an early try: retried
    outcome = handle_message(body, settings().import_max_receives, None)
    assert outcome["outcome"] == "failed"
    job = api.call("GET", f"/v1/quality/rescans/{started['id']}", key=keys["admin"]).data
    assert job["state"] == "failed" and "RuntimeError" in job["error"]
    assert handle_dead_letter(body)["outcome"] == "failed"  # already failed: stays so


def test_pages_of_one_serve_every_finding_once_with_and_without_filters(api, keys, scene):
    admin = keys["admin"]
    run_audit(api, admin, "2026-11-21")
    everything = {i["id"] for i in findings(api, admin)}

    def paged(key, query=""):
        seen, cursor = [], None
        for _ in range(50):
            path = "/v1/quality/findings?limit=1" + query + (f"&cursor={cursor}" if cursor else "")
            page = api.call("GET", path, key=key)
            assert page.status_code == 200, page.body
            assert len(page.data["items"]) <= 1
            seen += [i["id"] for i in page.data["items"]]
            cursor = page.data["next_cursor"]
            if not cursor:
                return seen
        raise AssertionError("no end")

    assert sorted(paged(admin)) == sorted(everything)
    warnings = paged(admin, "&severity=warning")
    assert len(warnings) == len(set(warnings)) == 7
    mine = paged(keys["110000"], "&state=open")
    assert len(mine) == len(set(mine)) == 8
    cursor = api.call("GET", "/v1/quality/findings?limit=1", key=admin).data["next_cursor"]
    other = api.call(
        "GET", f"/v1/quality/findings?limit=1&rule=name_drift&cursor={cursor}", key=admin
    )
    assert other.status_code == 400 and other.data["error"]["code"] == "invalid_cursor"


def test_a_correction_replacing_forty_winners_is_indexed_in_bounded_transactions(api, keys, clock):
    bj = keys["110000"]
    clock.set("2026-11-20T02:00:00+00:00")
    program_id = submitted_program(api, bj)

    def forty(first: int) -> list[dict]:
        return [winner(credit_code(first + n), f"北京第{first + n}建设有限公司") for n in range(40)]

    body = award(
        program_id,
        "BJ-40",
        year=2024,
        project="四十家单位工程",
        winners=forty(500),
        number="京建〔2024〕40号",
    )
    created = push(api, bj, body)
    assert run_audit(api, keys["admin"], "2026-11-21")["quality"]["awards_checked"] == 1
    body["winners"] = forty(600)  # 40 keys of each kind out, 40 in
    corrected = api.call(
        "PUT", f"/v1/awards/{created['id']}", body, key=bj, headers={"If-Match": '"1"'}
    )
    assert corrected.status_code == 200, corrected.body
    report = run_audit(api, keys["admin"], "2026-11-22")
    assert report["quality"]["awards_checked"] == 1
    assert findings(api, keys["admin"]) == []
