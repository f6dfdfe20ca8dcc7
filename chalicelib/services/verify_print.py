"""The verification answer as a printable A4 page (SPEC §4 ``GET /v1/verify/print``).

A local verifying authority may not ask an enterprise for paper proof of its
awards (SPEC §1.5); what it keeps on file instead is this page: the same
answer as ``GET /v1/verify`` (read consistently), the time of the answer in
China time, and a QR code back to the live answer so whoever reads the file
later can see whether anything changed since (a revocation, say).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Any

from chalicelib.domain import program_status
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.labels_zh import PROGRAM_STATUS_ZH, ROLE_ZH
from chalicelib.domain.timeliness import CHINA_TZ
from chalicelib.services import award_reads
from chalicelib.services.programs import public_names

PAGE_SIZE = 100
MAX_PAGES = 10  # 1,000 awards on paper; beyond that the page says to scan the code
TEMPLATE = Template((Path(__file__).parent.parent / "web" / "print.html").read_text("utf-8"))

_AUTHORITY_NAMES = {authority.id: authority.name_zh for authority in AUTHORITIES}


def live_verify_url(base_url: str, credit_code: str) -> str:
    """The JSON answer the QR code points at (a validated code needs no escaping)."""
    return f"{base_url}/v1/verify?credit_code={credit_code}"


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code (segno: pure Python, no images to host)."""
    import segno  # imported here for cold start: only this page needs it

    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(
        border=4, omitsize=True, svgclass="qr-code", title="实时核验地址二维码", light="#fff"
    )


def china_time(iso_utc: str) -> str:
    moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(CHINA_TZ)
    return moment.strftime("%Y年%m月%d日 %H:%M:%S（北京时间）")


def _collect(credit_code: str) -> tuple[dict[str, Any], list[dict], list[dict], bool]:
    """Every page of the verify answer (up to ``MAX_PAGES``); the first fixes ``as_of``."""
    first = answer = award_reads.verify({"credit_code": credit_code}, PAGE_SIZE)
    active, revoked = list(answer["awards"]), list(answer["revoked"])
    pages = 1
    while answer["next_cursor"] and pages < MAX_PAGES:
        answer = award_reads.verify(
            {"credit_code": first["credit_code"], "cursor": answer["next_cursor"]}, PAGE_SIZE
        )
        active += answer["awards"]
        revoked += answer["revoked"]
        pages += 1
    return first, active, revoked, bool(answer["next_cursor"])


def _program_names(awards: list[dict[str, Any]]) -> dict[str, str]:
    """Public names only: a programme back in draft shows the name it last had in public."""
    return public_names({award["program_id"] for award in awards})


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _award_cell(award: dict[str, Any], programs: dict[str, str]) -> str:
    text = f"{_e(programs.get(award['program_id'], award['program_id']))}<br>{_e(award['honor'])}"
    status = award.get("program_status")
    if status in PROGRAM_STATUS_ZH and status != program_status.APPROVED:
        text += f'<br><span class="note">（奖项状态：{PROGRAM_STATUS_ZH[status]}）</span>'
    return text


def _announced(award: dict[str, Any]) -> str:
    text = _e(award["awarded_on"])
    if award.get("announcement_number"):
        text += f"<br>{_e(award['announcement_number'])}"
    return text


def _active_table(awards: list[dict[str, Any]], programs: dict[str, str]) -> str:
    if not awards:
        return '<p class="empty">未查询到该企业的有效获奖信息。</p>'
    rows = "".join(
        "<tr>"
        f"<td>{n}</td>"
        f"<td>{_award_cell(a, programs)}</td>"
        f"<td>{_e(a['year'])}</td>"
        f"<td>{_e(a['project']['name'])}</td>"
        f"<td>{_e(ROLE_ZH.get(a['enterprise_role'], a['enterprise_role']))}</td>"
        f"<td>{_announced(a)}</td>"
        f"<td>{_e(_AUTHORITY_NAMES.get(a['authority_id'], a['authority_id']))}"
        f'<br><span class="note">{_e(a["id"])}</span></td>'
        "</tr>"
        for n, a in enumerate(awards, start=1)
    )
    return (
        '<table id="active"><thead><tr><th>序号</th><th>奖项及等次</th><th>年度</th>'
        "<th>工程项目</th><th>企业角色</th><th>公布日期及文号</th><th>报送单位及记录编号</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _revoked_table(awards: list[dict[str, Any]], programs: dict[str, str]) -> str:
    if not awards:
        return '<p class="empty">无。</p>'
    rows = "".join(
        "<tr>"
        f"<td>{n}</td>"
        f'<td><span class="tag">撤销</span> {_award_cell(a, programs)}</td>'
        f"<td>{_e(a['project']['name'])}</td>"
        f"<td>{_e(ROLE_ZH.get(a['enterprise_role'], a['enterprise_role']))}</td>"
        f"<td>{_e(china_time(a['revoked_at']))}</td>"
        f"<td>{_e(a.get('revoked_reason'))}"
        + (f"<br>{_e(a['revoked_document_number'])}" if a.get("revoked_document_number") else "")
        + f'<br><span class="note">{_e(a["id"])}</span></td>'
        "</tr>"
        for n, a in enumerate(awards, start=1)
    )
    return (
        '<table id="revoked"><thead><tr><th>序号</th><th>奖项及等次</th><th>工程项目</th>'
        "<th>企业角色</th><th>撤销时间</th><th>撤销原因及记录编号</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _enterprise_name(credit_code: str, awards: list[dict[str, Any]]) -> str:
    """The name under which the newest award lists the enterprise."""
    newest = max(awards, key=lambda award: award["submitted_at"], default=None)
    if newest is None:
        return "—"
    return next(w["name"] for w in newest["winners"] if w["credit_code"] == credit_code)


def receipt_parts(receipt: dict[str, str] | None, base_url: str) -> dict[str, str]:
    """The signed receipt's id and fingerprint on the page, and where to fetch and check it.

    ``receipt`` is ``{"receipt_id", "fingerprint"}``; None when signing was
    unavailable: the page is still printed, and says so.
    """
    if receipt is None:
        return {
            "receipt_facts": "    <dt>核验回执</dt>"
            '<dd id="receipt-id">签名服务暂不可用，本页未附电子回执</dd>\n',
            "receipt_note": "",
        }
    rid = _e(receipt["receipt_id"])
    return {
        "receipt_facts": f'    <dt>核验回执编号</dt><dd id="receipt-id">{rid}</dd>\n'
        f'    <dt>回执指纹</dt><dd id="receipt-fingerprint">{_e(receipt["fingerprint"])}</dd>\n',
        "receipt_note": '<p id="receipt-note">电子回执（平台签名）下载地址：<span class="url">'
        f"{_e(base_url)}/v1/verify/receipts/{rid}</span>；可在 "
        f'<span class="url">{_e(base_url)}/verify/check</span> 核对签名，回执指纹为其 SHA-256 '
        "的前 32 位。</p>",
    }


def verification_page(
    credit_code: str | None, *, base_url: str, receipt: dict[str, str] | None = None
) -> str:
    """The A4 page for ``credit_code``; a bad code raises the 400 ``ValidationError``.

    Parameters
    ----------
    credit_code
        As the verifier typed it (normalised and checked like ``GET /v1/verify``).
    base_url
        Where the API is reachable from outside (``https://host/api``), for the QR code.
    receipt
        The signed receipt issued with the page (``receipt_id``, ``fingerprint``): its
        id goes in the QR code (after ``#``, never sent to the server) and on the page.
    """
    first, active, revoked, truncated = _collect(credit_code)  # type: ignore[arg-type]
    code = first["credit_code"]
    programs = _program_names(active + revoked)
    live_url = live_verify_url(base_url, code)
    summary = f"该企业有 {len(active)} 项有效获奖信息" if active else "未查询到有效获奖信息"
    if revoked:
        summary += f"，另有 {len(revoked)} 项已撤销"
    note = ""
    if truncated:
        note = '<p class="note">记录较多，本页仅列出部分，完整结果请扫码查看。</p>'
    return TEMPLATE.substitute(
        credit_code=_e(code),
        enterprise_name=_e(_enterprise_name(code, active + revoked)),
        as_of=_e(china_time(first["as_of"])),
        summary=_e(summary),
        qr_svg=qr_svg(live_url + (f"#receipt={receipt['receipt_id']}" if receipt else "")),
        active_count=len(active),
        revoked_count=len(revoked),
        active_table=_active_table(active, programs),
        revoked_table=_revoked_table(revoked, programs),
        live_url=_e(live_url),
        truncated_note=note,
        **receipt_parts(receipt, base_url),
    )
