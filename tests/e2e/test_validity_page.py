"""A withdrawn programme's award on the page and the printout, in a real browser (issue 12).

Jiangsu pushes three awards of one enterprise: one valid, one revoked, and one
under a programme MOHURD then withdraws. A local official opens the page from a
link (``/?credit_code=…``), sees the enterprise's summary and the withdrawn
award flagged on its card and at the top of its detail; prints the verification
on a phone (it must fit 390 px and count only the valid award as 有效); and
scans its QR code, which must open the page with that enterprise's answer.
Same conventions as ``test_web_page.py``: Debian's chromium, ``expect`` waits.
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import bearer
from tests.factories import award_body, credit_code
from tests.qr import decode_png
from tests.steps import Http, approved_program, push

ENTERPRISE = "江苏核验测试建设集团有限公司"
CODE = credit_code(8901, prefix="91320100")
REASON = "奖项清理：未经批准设立"


@pytest.fixture(scope="module")
def jiangsu(stack) -> dict[str, str]:
    key = stack.issue_key("--authority", "320000")["api_key"]
    admin = stack.issue_key("--admin")["api_key"]
    http = Http(stack)
    standing = approved_program(http, key, admin, name="江苏省优质工程奖扬子杯（核验测试）")
    withdrawn = approved_program(http, key, admin, name="江苏省某某杯（核验测试）")
    ids = {}
    for source_id, program_id, project in (
        ("JS-V-1", standing, "南京核验测试大厦"),
        ("JS-V-2", standing, "南京核验测试撤销工程"),
        ("JS-V-3", withdrawn, "南京核验测试隧道"),
    ):
        body = award_body(
            program_id,
            source_id=source_id,
            awarded_on="2024-03-15",
            project={"name": project, "category": "housing", "location_code": "320111"},
            winners=[{"name": ENTERPRISE, "credit_code": CODE, "role": "general_contractor"}],
        )
        ids[project] = push(http, key, body)["id"]
    revoked = requests.post(
        stack.url(f"/v1/awards/{ids['南京核验测试撤销工程']}/revoke"),
        json={"reason": "经复查不符合评选条件"},
        headers=bearer(key),
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    out = requests.post(
        stack.url(f"/v1/programs/{withdrawn}/withdraw"),
        json={"reason": REASON, "effective_on": "2025-01-01"},
        headers=bearer(admin),
        timeout=30,
    )
    assert out.status_code == 200, out.text
    return ids


def new_page(browser: Browser, **options) -> tuple[Page, list[str]]:
    context = browser.new_context(locale="zh-CN", device_scale_factor=2, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def expect_enterprise_answer(page: Page) -> None:
    """The page opened for CODE: its summary and its three awards."""
    summary = page.locator("#summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text(ENTERPRISE)
    expect(summary).to_contain_text(
        f"{ENTERPRISE}统一社会信用代码 {CODE}有效 1 项奖项已撤销设立 1 项已撤销 1 项"
    )
    expect(summary).not_to_contain_text("null")
    expect(summary).not_to_contain_text("false")
    expect(summary.locator("#count-valid strong")).to_have_text("1")
    expect(summary.locator("#count-withdrawn strong")).to_have_text("1")
    expect(summary.locator("#count-revoked strong")).to_have_text("1")
    expect(page.locator("#results li.award")).to_have_count(3)


def test_a_withdrawn_programmes_award_is_flagged_on_the_card_and_atop_the_detail(
    browser, stack, jiangsu, tmp_path
):
    page, errors = new_page(browser)
    try:
        page.goto(stack.url(f"/?credit_code={CODE}"))  # a link runs the search on load
        expect(page.locator("#q")).to_have_value(CODE)
        expect_enterprise_answer(page)
        card = page.locator('#results li.award[data-validity="program_withdrawn"]')
        expect(card).to_have_count(1)
        expect(card).to_contain_text("南京核验测试隧道")
        expect(card.locator(".badge.withdrawn")).to_have_text("奖项已撤销设立")
        expect(card.locator(".withdrawn-note")).to_contain_text("撤销生效日期：2025年1月1日")
        expect(card.locator(".withdrawn-note")).to_contain_text(REASON)
        expect(card).to_contain_text("江苏省南京市浦口区")  # the place by name
        valid = page.locator('#results li.award[data-validity="valid"]')
        expect(valid.locator(".badge")).to_have_text("有效")  # a valid award says so (issue 24)
        page.screenshot(path=tmp_path / "withdrawn-card.png", full_page=True)

        card.locator("h3 a").click()
        detail = page.locator("#detail")
        notice = detail.locator(".withdrawn-notice")
        expect(notice).to_contain_text("所属奖项已撤销设立")
        expect(notice).to_contain_text(REASON)
        expect(notice).to_contain_text("撤销生效日期：2025年1月1日")
        # at the top: before the award's facts, not only in the programme part at the bottom
        assert detail.evaluate(
            "d => !!(d.querySelector('.withdrawn-notice').compareDocumentPosition("
            "d.querySelector('dl.facts')) & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
        expect(detail.locator("dl.facts").first).to_contain_text("项目所在地江苏省南京市浦口区")
        page.screenshot(path=tmp_path / "withdrawn-detail.png", full_page=True)
        assert errors == [], errors
    finally:
        page.context.close()


def test_the_printout_fits_a_phone_counts_only_valid_awards_and_its_qr_opens_the_page(
    browser, stack, jiangsu, tmp_path
):
    page, errors = new_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page.goto(stack.url(f"/v1/verify/print?credit_code={CODE}"))
        expect(page.locator("#summary")).to_have_text(
            "该企业有 1 项有效获奖信息，另有 1 项所属奖项已撤销设立、1 项已撤销"
        )
        expect(page.locator("#valid-count")).to_have_text("1")
        expect(page.locator("#active")).to_contain_text("南京核验测试大厦")
        expect(page.locator("#active")).not_to_contain_text("南京核验测试隧道")
        withdrawn = page.locator("#withdrawn")
        expect(withdrawn).to_contain_text("南京核验测试隧道")
        expect(withdrawn.locator(".tag")).to_have_text("奖项已撤销设立")
        expect(withdrawn).to_contain_text(REASON)
        expect(page.locator("#revoked")).to_contain_text("南京核验测试撤销工程")
        qr = page.locator("#qr svg.qr-code")
        expect(qr).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        page.screenshot(path=tmp_path / "print-phone.png", full_page=True)

        scanned = decode_png(qr.screenshot())
        receipt_id = page.locator("#receipt-id").inner_text()
        assert scanned == stack.url(f"/?credit_code={CODE}") + f"#receipt={receipt_id}"
        opened = requests.get(scanned.split("#")[0], headers={"Accept": "text/html"}, timeout=30)
        assert opened.headers["Content-Type"].startswith("text/html")  # a page, not JSON
        page.goto(scanned)
        expect_enterprise_answer(page)
        expect(page.locator("#printed-receipt a").first).to_have_attribute(
            "href", f"/v1/verify/receipts/{receipt_id}"
        )
        page.screenshot(path=tmp_path / "scanned.png", full_page=True)
        assert errors == [], errors
    finally:
        page.context.close()
