"""Audit alerts over SNS, through an outbox.

Each day's alerts are outbox items with a stable ``alert_id`` per (China date,
authority): ``audit-<date>-<authority>`` for an authority's findings and
``audit-<date>-summary`` for the administrators' summary. An item is written
before anything is published, at most once per id (conditional put), so a
re-run of the same day creates nothing new; a publish that fails leaves the
item pending (sparse ``by_open`` index) and the next run retries it with the
same ``alert_id``. Delivery is at least once: subscribers deduplicate by the
``alert_id`` message attribute, and filter on ``authority_id`` or ``kind``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.labels_zh import FINDING_KIND_ZH
from chalicelib.observability import logger
from chalicelib.store import alerts as outbox
from chalicelib.store.audit import AlertOutbox, AuditFinding

MAX_LISTED = 50  # findings written out in one message; the report has them all
SUBJECT_LIMIT = 99  # SNS subjects must be shorter than 100 characters

KIND_NAMES_EN = {
    "late_push": "late push",
    "awarded_on_changed": "awarded_on changed after the push",
    "no_program_list": "no programme list",
    "silent_program": "programme silent past its cycle",
    "calendar_missing": "working-day calendar missing",
}
_NAMES = {a.id: (a.name_zh, a.name_en) for a in AUTHORITIES}


def alert_id(day: str, authority_id: str | None) -> str:
    return f"audit-{day}-{authority_id or 'summary'}"


def _subject(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_LIMIT else text[: SUBJECT_LIMIT - 1] + "…"


def _listed(findings: Sequence[AuditFinding], language: str) -> list[str]:
    lines = []
    for index, finding in enumerate(findings[:MAX_LISTED], start=1):
        names = FINDING_KIND_ZH if language == "zh" else KIND_NAMES_EN
        name = names.get(finding.kind, finding.kind)
        action = (finding.action or {}).get(language, "")
        lines.append(f"{index}. [{name}] {finding.subject_type} {finding.subject_id}: {action}")
        lines.append(f"   finding_id: {finding.sk}")
    if len(findings) > MAX_LISTED:
        more = len(findings) - MAX_LISTED
        lines.append(
            f"……另有 {more} 项，见审计报告。"
            if language == "zh"
            else f"... and {more} more in the report."
        )
    return lines


def authority_message(
    day: str, authority_id: str, findings: Sequence[AuditFinding], report_key: str
) -> tuple[str, str]:
    """Subject and body of an authority's alert, in Chinese then English."""
    the_id = alert_id(day, authority_id)
    name_zh, name_en = _NAMES.get(authority_id, (authority_id, authority_id))
    subject = _subject(f"奖项信息审计提醒 {day} {authority_id} / Award audit alert [{the_id}]")
    body = [
        "建筑市场评比表彰奖项信息归集共享平台 每日审计提醒",
        f"日期：{day}",
        f"单位：{name_zh}（{authority_id}）",
        f"提醒编号：{the_id}",
        f"本次发现 {len(findings)} 项：",
        *_listed(findings, "zh"),
        f"审计报告：{report_key}",
        "",
        "----",
        "Award Registry daily audit alert",
        f"Date: {day}",
        f"Authority: {name_en} ({authority_id})",
        f"Alert id: {the_id}",
        f"{len(findings)} finding(s):",
        *_listed(findings, "en"),
        f"Report: {report_key}",
    ]
    return subject, "\n".join(body)


def summary_message(day: str, report: dict[str, Any], report_key: str) -> tuple[str, str]:
    """The administrators' daily summary: counts per kind and authority, calendar, feedback."""
    the_id = alert_id(day, None)
    summary = report["summary"]
    new = report["findings_new"]
    open_conditions = report["findings_open"]
    feedback = report["feedback"]
    subject = _subject(
        f"奖项信息每日审计 {day}：新发现 {len(new)} 项 / Daily audit: {len(new)} new [{the_id}]"
    )
    by_authority: dict[str, int] = {}
    for finding in new:
        key = finding["authority_id"] or "MOHURD"
        by_authority[key] = by_authority.get(key, 0) + 1
    per_authority = [f"  {key}: {count}" for key, count in sorted(by_authority.items())]
    missing = report["calendar"]["missing_years"]
    lines = [
        "建筑市场评比表彰奖项信息归集共享平台 每日审计汇总",
        f"日期：{day}　提醒编号：{the_id}",
        f"读取变更 {summary['changes_read']} 条；新发现 {len(new)} 项；"
        f"关闭 {summary['findings_closed']} 项；持续存在的情况 {len(open_conditions)} 项；"
        f"待定（暂按周一至周五计算）{summary['pending_pushes']} 条。",
    ]
    if per_authority:
        lines += ["新发现（按单位）：", *per_authority]
    for year in missing:
        lines.append(f"注意：{year} 年工作日历尚未载入（PUT /v1/calendar/{year}）。")
    if feedback:
        lines.append(f"意见反馈 {len(feedback)} 条：")
        lines += [f"  [{f['authority_id']}] {f['subject']}" for f in feedback[:MAX_LISTED]]
    lines += [f"审计报告：{report_key}", "", "----", "Award Registry daily audit summary"]
    lines += [
        f"Date: {day}  Alert id: {the_id}",
        f"{summary['changes_read']} change(s) read; {len(new)} new finding(s); "
        f"{summary['findings_closed']} closed; {len(open_conditions)} standing condition(s); "
        f"{summary['pending_pushes']} push(es) pending on a provisional calendar.",
    ]
    if per_authority:
        lines += ["New findings by authority:", *per_authority]
    for year in missing:
        lines.append(
            f"Warning: the {year} working-day calendar is not loaded (PUT /v1/calendar/{year})."
        )
    if feedback:
        lines.append(f"{len(feedback)} feedback item(s):")
        lines += [f"  [{f['authority_id']}] {f['subject']}" for f in feedback[:MAX_LISTED]]
    lines.append(f"Report: {report_key}")
    return subject, "\n".join(lines)


def create(
    *,
    day: str,
    authority_id: str | None,
    subject: str,
    message: str,
    finding_ids: Iterable[str],
    run_id: str,
) -> AlertOutbox | None:
    """Write the outbox item of (``day``, ``authority_id``); None if the day already has it."""
    the_id = alert_id(day, authority_id)
    attributes = {"alert_id": the_id, "kind": "summary" if authority_id is None else "authority"}
    if authority_id is not None:
        attributes["authority_id"] = authority_id
    return outbox.add(
        alert_id=the_id,
        day=day,
        authority_id=authority_id,
        subject=subject,
        message=message,
        attributes=attributes,
        finding_ids=finding_ids,
        run_id=run_id,
    )


def publish_pending(created: Sequence[AlertOutbox]) -> list[dict[str, Any]]:
    """Publish this run's new alerts and any earlier ones still pending; report each."""
    pending = {item.sk: item for item in outbox.pending()}
    for item in created:
        pending[item.sk] = item  # the index may not show an item written a moment ago
    results = []
    for the_id in sorted(pending):
        results.append(_publish(pending[the_id]))
    return results


def _publish(item: AlertOutbox) -> dict[str, Any]:
    attempts = int(item.attempts or 0) + 1
    try:
        message_id = outbox.publish(item)
    except outbox.PublishFailed as exc:
        logger.warning("alert not published", extra={"alert_id": item.sk, "error": str(exc)})
        outbox.mark_failed(item, attempts=attempts, error=str(exc))
        return {"alert_id": item.sk, "authority_id": item.authority_id, "status": "failed"}
    outbox.mark_sent(item, attempts=attempts, message_id=message_id)
    return {"alert_id": item.sk, "authority_id": item.authority_id, "status": "sent"}
