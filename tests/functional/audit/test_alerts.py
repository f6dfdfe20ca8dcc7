"""Alerts: one message per authority with findings, a summary for MOHURD, exactly-once ids."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from chalicelib.store import aws
from tests.factories import dated_award
from tests.functional.audit.conftest import AlertInbox, run_audit
from tests.functional.helpers import submitted_program
from tests.steps import push


@pytest.fixture
def late_pushes(api, keys, clock):
    """One late push each for Beijing (110000) and Jiangsu (320000), made 2026-11-20."""
    clock.set("2026-11-20T02:00:00+00:00")
    pushed = {}
    for authority in ("110000", "320000"):
        program_id = submitted_program(api, keys[authority])
        pushed[authority] = push(
            api, keys[authority], dated_award(program_id, "SRC-1", "2026-11-02")
        )
    return pushed


def by_kind(messages):
    summaries = [m for m in messages if m["attributes"]["kind"] == "summary"]
    per_authority = {
        m["attributes"]["authority_id"]: m
        for m in messages
        if m["attributes"]["kind"] == "authority"
    }
    return summaries, per_authority


def test_each_authority_gets_its_findings_and_mohurd_a_summary(api, keys, inbox, late_pushes):
    run_audit(api, keys["admin"], "2026-11-21")

    summaries, per_authority = by_kind(inbox.messages())

    assert set(per_authority) == {"110000", "320000"}
    beijing = per_authority["110000"]
    assert beijing["attributes"]["alert_id"] == "audit-2026-11-21-110000"
    assert "奖项信息审计提醒" in beijing["subject"]
    assert "Award audit alert" in beijing["subject"]
    assert "audit-2026-11-21-110000" in beijing["subject"]
    assert len(beijing["subject"]) < 100
    assert "提醒编号：audit-2026-11-21-110000" in beijing["body"]
    assert "Alert id: audit-2026-11-21-110000" in beijing["body"]
    assert f"late_push:{late_pushes['110000']['id']}" in beijing["body"]
    assert late_pushes["320000"]["id"] not in beijing["body"]
    assert "北京市住房和城乡建设委员会" in beijing["body"]
    (summary,) = summaries
    assert summary["attributes"]["alert_id"] == "audit-2026-11-21-summary"
    assert "authority_id" not in summary["attributes"]
    assert "新发现 2 项" in summary["subject"]
    assert "110000: 1" in summary["body"]
    assert "320000: 1" in summary["body"]


def test_a_subscription_can_filter_on_authority_id(api, keys, late_pushes):
    jiangsu = AlertInbox(filter_policy={"authority_id": ["320000"]})
    run_audit(api, keys["admin"], "2026-11-21")
    received = jiangsu.messages()
    assert [m["attributes"]["alert_id"] for m in received] == ["audit-2026-11-21-320000"]


def test_a_rerun_the_same_day_publishes_nothing_new(api, keys, clock, inbox, late_pushes):
    run_audit(api, keys["admin"], "2026-11-21")
    inbox.messages()
    program_id = submitted_program(api, keys["110000"], name="北京市市政基础设施结构长城杯")
    clock.set("2026-11-20T03:00:00+00:00")
    another = push(api, keys["110000"], dated_award(program_id, "SRC-2", "2026-11-03"))

    rerun = run_audit(api, keys["admin"], "2026-11-21")
    assert inbox.messages() == []
    assert f"late_push:{another['id']}" in {f["id"] for f in rerun["findings_new"]}

    next_day = run_audit(api, keys["admin"], "2026-11-22")
    _, per_authority = by_kind(inbox.messages())
    assert per_authority["110000"]["attributes"]["alert_id"] == "audit-2026-11-22-110000"
    assert f"late_push:{another['id']}" in per_authority["110000"]["body"]
    assert next_day["findings_new"] == []


def test_a_failed_publish_is_retried_next_run_with_the_same_alert_id(
    api, keys, inbox, late_pushes, monkeypatch
):
    client = aws.client("sns")  # the one SNS client of the process (store/aws.py)
    real_publish = client.publish
    failures = []

    def publish_failing_once_for_beijing(**kwargs):
        attributes = kwargs["MessageAttributes"]
        beijing = attributes.get("authority_id", {}).get("StringValue") == "110000"
        if beijing and not failures:
            failures.append(attributes["alert_id"]["StringValue"])
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish"
            )
        return real_publish(**kwargs)

    monkeypatch.setattr(client, "publish", publish_failing_once_for_beijing)

    first = run_audit(api, keys["admin"], "2026-11-21")
    _, delivered = by_kind(inbox.messages())
    assert set(delivered) == {"320000"}
    assert {
        "alert_id": "audit-2026-11-21-110000",
        "authority_id": "110000",
        "status": "failed",
    } in (first["alerts"])

    second = run_audit(api, keys["admin"], "2026-11-22")
    _, delivered = by_kind(inbox.messages())
    assert delivered["110000"]["attributes"]["alert_id"] == "audit-2026-11-21-110000"
    assert {"alert_id": "audit-2026-11-21-110000", "authority_id": "110000", "status": "sent"} in (
        second["alerts"]
    )
    assert failures == ["audit-2026-11-21-110000"]

    run_audit(api, keys["admin"], "2026-11-23")
    _, delivered = by_kind(inbox.messages())
    assert delivered == {}


def test_feedback_is_summarised_in_the_next_audit_mail(api, keys, clock, inbox):
    clock.set("2026-11-20T02:00:00+00:00")
    sent = api.call(
        "POST",
        "/v1/feedback",
        {"subject": "建议增加批量撤销接口", "body": "撤销多条获奖信息时需逐条调用，建议支持批量。"},
        key=keys["320000"],
    )
    assert sent.status_code == 201, sent.body

    report = run_audit(api, keys["admin"], "2026-11-21")
    summaries, _ = by_kind(inbox.messages())
    later = run_audit(api, keys["admin"], "2026-11-22")
    later_summaries, _ = by_kind(inbox.messages())

    assert [f["subject"] for f in report["feedback"]] == ["建议增加批量撤销接口"]
    assert "意见反馈 1 条" in summaries[0]["body"]
    assert "[320000] 建议增加批量撤销接口" in summaries[0]["body"]
    assert "1 feedback item(s)" in summaries[0]["body"]
    assert later["feedback"] == []
    assert "建议增加批量撤销接口" not in later_summaries[0]["body"]


def test_the_summary_warns_while_next_years_calendar_is_missing(api, keys, inbox):
    run_audit(api, keys["admin"], "2026-12-01")
    run_audit(api, keys["admin"], "2026-12-02")
    summaries, _ = by_kind(inbox.messages())
    assert len(summaries) == 2
    for summary in summaries:
        assert "2027 年工作日历尚未载入" in summary["body"]
        assert "the 2027 working-day calendar is not loaded" in summary["body"]
