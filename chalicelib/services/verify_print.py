"""The verification answer as a printable A4 page (SPEC §4 ``GET /v1/verify/print``).

A local verifying authority may not ask an enterprise for paper proof of its
awards (SPEC §1.5); what it keeps on file instead is this page: the same
answer as ``GET /v1/verify`` (read consistently), rendered from the very
payload its signed receipt carries (``services/receipts.verification``: one
read, so the page and the receipt whose id and fingerprint it prints always
agree — issue 19, L3), the time of the check in China time, and a QR code
back to the live answer (the public page with this enterprise's search, for
a person) so whoever reads the file later can see whether anything changed
since (a revocation, say). Only ``valid`` awards count as 有效; awards of a
withdrawn programme and revoked ones are listed under their own headings
(``domain.validity``). One column of cards: it fits A4 and a 390 px phone
(``web/print.html``: its inline style and button are allowed by their CSP
hashes, so a copy saved to disk still prints).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Any

from chalicelib.domain import program_status, validity
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.china_time import date_zh, time_zh
from chalicelib.domain.labels_zh import PROGRAM_STATUS_ZH, ROLE_ZH
from chalicelib.domain.places import location_name

TEMPLATE = Template((Path(__file__).parent.parent / "web" / "print.html").read_text("utf-8"))

_AUTHORITY_NAMES = {authority.id: authority.name_zh for authority in AUTHORITIES}


def live_verify_url(base_url: str, credit_code: str) -> str:
    """The JSON answer of the live verification (a validated code needs no escaping)."""
    return f"{base_url}/v1/verify?credit_code={credit_code}"


def live_page_url(base_url: str, credit_code: str) -> str:
    """What the QR code opens: the public page, which runs this code's search on load and
    shows the enterprise's answer to a person (not JSON)."""
    return f"{base_url}/?credit_code={credit_code}"


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code (segno: pure Python, no images to host)."""
    # Measured cold-start lazy load (-X importtime: segno ≈ half of openpyxl); only
    # this page needs it.
    import segno

    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(
        border=4, omitsize=True, svgclass="qr-code", title="实时核验地址二维码", light="#fff"
    )


def china_time(iso_utc: str) -> str:
    """The pages' one time style, said to be China time (a printout leaves the country too)."""
    return f"{time_zh(iso_utc.replace('Z', '+00:00'))}（北京时间）"


def _link(url: str, element_id: str = "") -> str:
    """An address as a link that prints as the address itself (a sheet of paper has no link)."""
    ident = f' id="{element_id}"' if element_id else ""
    return f'<a class="url"{ident} href="{_e(url)}">{_e(url)}</a>'


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _program_line(award: dict[str, Any]) -> str:
    program = award.get("program") or {}
    text = f"{_e(program.get('name') or program.get('id'))} {_e(award.get('honor'))}"
    status = program.get("status") or ""
    if status in PROGRAM_STATUS_ZH and status not in (
        program_status.APPROVED,
        program_status.WITHDRAWN,  # said at the top of the card instead
    ):
        text += f'<br><span class="note">（奖项状态：{PROGRAM_STATUS_ZH[status]}）</span>'
    return text


def _announced(award: dict[str, Any]) -> str:
    text = _e(date_zh(award["awarded_on"]))
    if award.get("announcement_number"):
        text += f" {_e(award['announcement_number'])}"
    return text


def _project(award: dict[str, Any]) -> str:
    text = _e(award.get("project_name"))
    code = award.get("project_location_code")
    place = location_name(code) if code else None
    if place:
        text += f'<br><span class="note">{_e(place)}</span>'
    return text


_GRANTED_ZH = {True: "获奖时该奖项尚未撤销设立（历史获奖记录）", False: "获奖日期在撤销生效之后"}


def _notice(award: dict[str, Any]) -> str:
    """Why the award is not valid, at the top of its card."""
    detail = award.get("validity_detail") or {}
    if award["validity"] == validity.PROGRAM_WITHDRAWN:
        text = (
            '<p class="notice"><span class="tag">奖项已撤销设立</span>'
            f"撤销生效日期：{_e(date_zh(detail.get('effective_on')) or '—')}；"
            f"原因：{_e(detail.get('reason') or '—')}"
        )
        if detail.get("granted_before_withdrawal") is not None:
            text += f"；{_GRANTED_ZH[detail['granted_before_withdrawal']]}"
        return text + "</p>"
    if award["validity"] == validity.REVOKED:
        text = (
            '<p class="notice"><span class="tag">撤销</span>'
            f"撤销时间：{_e(china_time(award['revoked_at']))}；"
            f"原因：{_e(award.get('revoked_reason'))}"
        )
        if award.get("revoked_document_number"):
            text += f"；文号：{_e(award['revoked_document_number'])}"
        return text + "</p>"
    return ""


_CARD_CLASS = {
    validity.VALID: "award",
    validity.PROGRAM_WITHDRAWN: "award withdrawn",
    validity.REVOKED: "award revoked",
}


def _award_card(n: int, award: dict[str, Any]) -> str:
    authority = str((award.get("authority") or {}).get("id") or "")
    role = str(award.get("enterprise_role") or "")
    rows = (
        ("奖项及等次", _program_line(award)),
        ("年度", _e(award.get("year"))),
        ("企业角色", _e(ROLE_ZH.get(role, role))),
        ("公布日期及文号", _announced(award)),
        ("报送单位", _e(_AUTHORITY_NAMES.get(authority, authority))),
        ("记录编号", f'<code class="note">{_e(award["id"])}</code>'),
    )
    facts = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return (
        f'<li class="{_CARD_CLASS[award["validity"]]}" data-award-id="{_e(award["id"])}">'
        f"<h3>{n}. {_project(award)}</h3>{_notice(award)}<dl>{facts}</dl></li>"
    )


def _award_list(list_id: str, awards: list[dict[str, Any]]) -> str:
    if not awards:
        empty = "未查询到该企业的有效获奖信息。" if list_id == "active" else "无。"
        return f'<p class="empty" id="{list_id}-empty">{empty}</p>'
    cards = "".join(_award_card(n, a) for n, a in enumerate(awards, start=1))
    return f'<ol class="awards" id="{list_id}">{cards}</ol>'


def summary_zh(valid: int, withdrawn: int, revoked: int) -> str:
    """``该企业有 N 项有效获奖信息``: only ``valid`` awards count as 有效."""
    text = f"该企业有 {valid} 项有效获奖信息" if valid else "未查询到有效获奖信息"
    others = []
    if withdrawn:
        others.append(f"{withdrawn} 项所属奖项已撤销设立")
    if revoked:
        others.append(f"{revoked} 项已撤销")
    return text + (f"，另有 {'、'.join(others)}" if others else "")


def _enterprise_name(payload: dict[str, Any]) -> str:
    """The name under which the newest award lists the enterprise (the receipt's first)."""
    names = payload.get("enterprise_names") or []
    return names[0] if names else "—"


def receipt_parts(
    receipt: dict[str, str] | None, base_url: str, payload: dict[str, Any] | None = None
) -> dict[str, str]:
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
    receipt_url = f"{base_url}/v1/verify/receipts/{receipt['receipt_id']}"
    signed = ""
    if payload and payload.get("as_of"):
        signed = (
            f'    <dt>回执签发时间</dt><dd id="receipt-as-of">{_e(china_time(payload["as_of"]))}'
            "（此后数据未变）</dd>\n"
        )
    return {
        "receipt_facts": f'    <dt>核验回执编号</dt><dd id="receipt-id" class="code">{rid}</dd>\n'
        "    <dt>回执指纹</dt>"
        f'<dd id="receipt-fingerprint" class="code">{_e(receipt["fingerprint"])}</dd>\n' + signed,
        "receipt_note": '<p id="receipt-note">下载回执（平台签名的电子回执）：'
        f"{_link(receipt_url, 'receipt-url')}；"
        f"可在 {_link(f'{base_url}/verify/check')} 核对签名，回执指纹为其 SHA-256 "
        "的前 32 位。</p>",
    }


def verification_page(
    payload: dict[str, Any],
    *,
    base_url: str,
    checked_at: datetime,
    receipt: dict[str, str] | None = None,
) -> str:
    """The A4 page of one verification answer.

    Parameters
    ----------
    payload
        The answer as its receipt signs it (``services/receipts.verification``): the
        page shows exactly what the receipt proves.
    base_url
        Where the API is reachable from outside (``https://host/api``), for the QR code.
    checked_at
        When this check was made (the request's time): a reused receipt may have been
        signed earlier for the same, unchanged answer.
    receipt
        The signed receipt (``receipt_id``, ``fingerprint``): its id goes in the QR code
        (after ``#``, never sent to the server) and on the page. None: printed unsigned.
    """
    code = payload["credit_code"]
    awards = payload.get("awards") or []
    valid = [a for a in awards if a.get("validity") == validity.VALID]
    withdrawn = [a for a in awards if a.get("validity") == validity.PROGRAM_WITHDRAWN]
    revoked = [a for a in awards if a.get("validity") == validity.REVOKED]
    page_url = live_page_url(base_url, code)
    note = ""
    if payload.get("truncated"):
        note = '<p class="note">记录较多，本页仅列出部分，完整结果请扫码查看。</p>'
    return TEMPLATE.substitute(
        credit_code=_e(code),
        enterprise_name=_e(_enterprise_name(payload)),
        as_of=_e(china_time(checked_at.isoformat())),
        summary=_e(summary_zh(len(valid), len(withdrawn), len(revoked))),
        qr_svg=qr_svg(page_url + (f"#receipt={receipt['receipt_id']}" if receipt else "")),
        valid_count=len(valid),
        withdrawn_count=len(withdrawn),
        revoked_count=len(revoked),
        valid_list=_award_list("active", valid),
        withdrawn_list=_award_list("withdrawn", withdrawn),
        revoked_list=_award_list("revoked", revoked),
        live_url=_link(page_url, "live-url"),
        api_url=_link(live_verify_url(base_url, code), "api-url"),
        truncated_note=note,
        **receipt_parts(receipt, base_url, payload),
    )
