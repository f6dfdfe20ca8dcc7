"""The public page in a real browser: Debian's chromium driven by Playwright.

A province pushes awards through the API; a person then searches on the page
by credit code and by enterprise name, opens an award, and prints the
verification sheet, whose QR code must scan back to the live answer.
Screenshots land in the test's ``tmp_path`` for a person to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import submitted_program
from tests.factories import award_body, credit_code, program_body
from tests.qr import decode_png

# Every wait below is a condition polled up to this deadline, never a fixed sleep: on a
# busy machine a search on the local stack can take several seconds (Playwright's
# default is 5 s).
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)
ENTERPRISE = "浙江页面测试建设集团有限公司"
CODE = credit_code(8801, prefix="91330100")


@pytest.fixture(scope="module")
def zhejiang(stack) -> dict[str, str]:
    """Two awards of one enterprise pushed by Zhejiang through the API; the older revoked."""
    key = stack.issue_key("--authority", "330000")["api_key"]
    auth = {"Authorization": f"Bearer {key}"}
    program = program_body(
        name="浙江省建设工程钱江杯",
        organizer="浙江省建筑业行业协会",
        approval={
            "issuer": "浙江省人民政府",
            "document_number": "浙政函〔2019〕8号",
            "approved_on": "2019-04-01",
        },
    )
    program_id = submitted_program(stack, key, **program)
    ids = {}
    for source_id, project in (
        ("ZJ-WEB-1", "宁波页面测试大桥"),
        ("ZJ-WEB-2", "杭州页面测试体育中心"),
    ):
        body = award_body(
            program_id,
            source_id=source_id,
            honor="钱江杯（优质工程）",
            project={"name": project, "category": "housing"},
            winners=[
                {"name": ENTERPRISE, "credit_code": CODE, "role": "general_contractor"},
                {
                    "name": "浙江页面测试设计研究院",
                    "credit_code": credit_code(8802, prefix="91330100"),
                    "role": "design",
                },
            ],
        )
        pushed = requests.post(stack.url("/v1/awards"), json=body, headers=auth)
        assert pushed.status_code == 201, pushed.text
        ids[project] = pushed.json()["id"]
    revoked = requests.post(
        stack.url(f"/v1/awards/{ids['宁波页面测试大桥']}/revoke"),
        json={"reason": "经复查不符合评选条件"},
        headers=auth,
    )
    assert revoked.status_code == 200, revoked.text
    _wait_until_searchable(stack, ENTERPRISE, 2)
    return ids


def _wait_until_searchable(stack, fragment: str, count: int) -> None:
    """The name search is eventually consistent: poll (with a deadline) until the local
    search worker has indexed the fixture's awards, so the page's search finds them."""
    deadline = time.monotonic() + 20
    params = {"q": fragment, "include_revoked": "true"}
    while time.monotonic() < deadline:
        found = requests.get(stack.url("/v1/awards"), params=params, timeout=30).json()
        if len(found["items"]) >= count:
            return
        time.sleep(0.1)  # a poll interval
    raise AssertionError(f"{fragment} not searchable after 20 s")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A style or script the Content-Security-Policy blocked: logged by chromium, not thrown.
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )
    yield page
    context.close()
    assert errors == [], errors  # no uncaught script error, nothing blocked, on any page


def open_home(page: Page, stack) -> None:
    page.goto(stack.url("/"))
    expect(page.locator("#authority option")).to_have_count(34)  # 全部 + the 33 authorities


def submit(page: Page) -> None:
    """Search with the form as it is; return once this search's answer is shown.

    The submit handler marks the list busy before the click returns; older answers
    are dropped by the page, so what is shown once it is not busy is this search's.
    """
    page.click("button[type=submit]")
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")


def search(page: Page, text: str) -> None:
    page.fill("#q", text)
    submit(page)


def test_search_by_credit_code_open_the_award_and_its_revoked_twin(page, stack, zhejiang, tmp_path):
    open_home(page, stack)
    expect(page.locator("h1")).to_have_text("建筑市场评比表彰奖项信息公开查询")
    search(page, CODE.lower())  # typed in lower case: the page folds it
    results = page.locator("#results li.award")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("杭州页面测试体育中心")
    expect(results.nth(0)).to_contain_text("浙江省建设工程钱江杯")  # the programme's name
    expect(results.nth(0)).to_contain_text(ENTERPRISE)
    expect(results.nth(0).locator(".badge.revoked")).to_have_count(0)
    expect(results.nth(0).locator(".badge.valid")).to_have_text("有效")  # a valid award says so
    expect(results.nth(1)).to_contain_text("宁波页面测试大桥")
    expect(results.nth(1).locator(".badge.revoked")).to_have_text("已撤销")
    expect(page.locator("#summary").get_by_role("link", name="打印核验单")).to_be_visible()
    page.screenshot(path=tmp_path / "search.png", full_page=True)

    results.nth(0).locator("h3 a").click()
    detail = page.locator("#detail")
    expect(detail.locator("h2")).to_have_text("有效杭州页面测试体育中心")  # the answer first
    facts = detail.locator("dl.facts").first
    expect(facts).to_contain_text("获奖等次钱江杯（优质工程）")
    expect(facts).to_contain_text("公布文号京建发〔2024〕45号")
    expect(facts).to_contain_text("报送单位浙江省住房和城乡建设厅")
    expect(detail.locator(".winners-table")).to_contain_text(ENTERPRISE)
    expect(detail.locator(".winners-table")).to_contain_text(CODE)
    expect(detail.locator(".winners-table")).to_contain_text("施工总承包")
    program = detail.locator(".program-detail")
    expect(program).to_contain_text("浙江省建设工程钱江杯")
    expect(program).to_contain_text("浙江省建筑业行业协会（住房城乡建设部门主管）")
    expect(program).to_contain_text("浙政函〔2019〕8号")
    expect(detail.locator(".revoked-notice")).to_have_count(0)
    page.screenshot(path=tmp_path / "detail.png", full_page=True)

    page.click("#back")
    expect(page.locator("#search-view")).to_be_visible()
    results.nth(1).locator("h3 a").click()
    expect(detail.locator(".revoked-notice")).to_contain_text("该获奖信息已撤销")
    expect(detail.locator(".revoked-notice")).to_contain_text("经复查不符合评选条件")
    expect(detail.locator("h2 .badge.revoked")).to_have_text("已撤销")
    page.screenshot(path=tmp_path / "detail-revoked.png", full_page=True)


def test_search_by_enterprise_name_with_province_and_year(page, stack, zhejiang):
    open_home(page, stack)
    page.select_option("#authority", "330000")
    page.select_option("#year", "2024")
    search(page, "浙江页面测试建设")
    results = page.locator("#results li.award")
    expect(results).to_have_count(2)
    expect(results.locator(".winner.match")).to_have_text([ENTERPRISE + "（施工总承包）"] * 2)
    page.uncheck("#include-revoked")
    submit(page)
    expect(page.locator("#status")).to_have_text("共 1 条，已显示 1 条")  # q answers a total
    expect(results).to_have_count(1)
    expect(results.nth(0)).to_contain_text("杭州页面测试体育中心")
    page.select_option("#authority", "110000")
    submit(page)
    expect(page.locator("#status")).to_have_text("未找到符合条件的获奖信息。")
    search(page, "浙")
    expect(page.locator("#status")).to_contain_text("请至少输入 2 个字")


def test_search_by_a_middle_fragment_of_an_enterprise_or_a_project_name(page, stack, zhejiang):
    open_home(page, stack)
    search(page, "页面测试建设集团")  # neither the start nor the end of the winner's name
    results = page.locator("#results li.award")
    expect(results).to_have_count(2)
    expect(results.locator(".winner.match")).to_have_text([ENTERPRISE + "（施工总承包）"] * 2)
    expect(page.locator("#status")).to_contain_text("共 2 条")
    search(page, "页面测试体育")  # the middle of a project name
    expect(results).to_have_count(1)
    expect(results.nth(0).locator("h3 a")).to_have_text("杭州页面测试体育中心")
    page.select_option("#sort", "name")
    search(page, "页面测试")
    expect(results.first.locator(".winner").first).to_contain_text(ENTERPRISE)


def test_the_printed_verification_shows_both_awards_and_a_qr_code_that_scans(
    page, stack, zhejiang, tmp_path
):
    open_home(page, stack)
    search(page, CODE)
    expect(page.locator("#results li.award")).to_have_count(2)
    page.locator("#summary").get_by_role("link", name="打印核验单").click()
    expect(page.locator("h1")).to_have_text("建筑市场评比表彰奖项信息核验单")
    expect(page.locator("#credit-code")).to_have_text(CODE)
    expect(page.locator("#enterprise-name")).to_have_text(ENTERPRISE)
    expect(page.locator("#as-of")).to_contain_text("北京时间")
    expect(page.locator("#active")).to_contain_text("杭州页面测试体育中心")
    expect(page.locator("#active")).to_contain_text("浙江省建设工程钱江杯")
    expect(page.locator("#revoked")).to_contain_text("宁波页面测试大桥")
    expect(page.locator("#revoked .tag")).to_have_text("撤销")
    qr = page.locator("#qr svg.qr-code")
    expect(qr).to_be_visible()
    live = stack.url(f"/v1/verify?credit_code={CODE}")
    receipt_id = page.locator("#receipt-id").inner_text()
    scanned = stack.url(f"/?credit_code={CODE}")  # the public page, for a person
    assert decode_png(qr.screenshot()) == f"{scanned}#receipt={receipt_id}"  # the signed receipt
    page.screenshot(path=tmp_path / "print.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".actions")).to_be_hidden()  # the print button stays off the paper
    pdf = page.pdf(prefer_css_page_size=True)  # the page's own @page size
    (tmp_path / "print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # two awards fit one sheet
    box = re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert (round(float(box[1])), round(float(box[2]))) in ((595, 842), (596, 843))  # A4
    assert requests.get(live).json()["revoked"][0]["id"] == zhejiang["宁波页面测试大桥"]


def test_on_a_phone_nothing_overflows_and_optional_parts_follow_the_server(
    browser, stack, zhejiang, tmp_path
):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        open_home(page, stack)
        search(page, "页面测试建设集团")  # the middle of a winner's name, on a phone
        expect(page.locator("#results li.award")).to_have_count(2)
        expect(page.locator("#results .winner.match")).to_have_count(2)
        search(page, "页面测试体育")  # the middle of a project name
        expect(page.locator("#results li.award")).to_have_count(1)
        search(page, "浙江页面测试")
        expect(page.locator("#results li.award")).to_have_count(2)
        expect(page.locator("#results .winner.match")).to_have_count(4)  # both winners match
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=tmp_path / "phone.png", full_page=True)
        # public_timeliness is off on this stack: the table is not on the page at all
        expect(page.locator("#timeliness")).to_have_count(0)
        assert not [url for url in asked if "/v1/timeliness" in url]
        exported = requests.get(stack.url("/v1/exports/latest")).status_code == 200
        if exported:
            expect(page.locator("#export")).to_be_visible()
        else:
            expect(page.locator("#export")).to_be_hidden()
    finally:
        phone.close()


def test_the_page_shows_timeliness_and_export_links_when_the_server_offers_them(
    page, stack, tmp_path
):
    """With ``public_timeliness`` on (here: the flag flipped in the served page) the table
    appears, filled from /v1/timeliness; an export manifest that answers 200 gets links.
    Both answers are stand-ins: their real routes are built elsewhere."""

    def flag_on(route):
        served = route.fetch()
        on = served.text().replace(
            '<meta name="public-timeliness" content="false">',
            '<meta name="public-timeliness" content="true">',
        )
        assert on != served.text()
        route.fulfill(response=served, body=on)

    page.route(stack.url("/"), flag_on)
    page.route(
        "**/v1/timeliness",
        lambda route: route.fulfill(
            json={
                "items": [
                    {
                        "authority_id": "330000",
                        "pushes": 40,
                        "on_time": 38,
                        "late": 2,
                        "on_time_rate": 0.95,
                        "median_working_days_late": 3,
                    }
                ]
            }
        ),
    )
    page.route(
        "**/v1/exports/latest",
        lambda route: route.fulfill(
            json={
                "date": "2026-11-24",
                "files": {
                    "csv": {"url": "https://example.invalid/exports/2026-11-24/awards.csv"},
                    "jsonl": {"url": "https://example.invalid/exports/2026-11-24/awards.jsonl.gz"},
                },
            }
        ),
    )
    open_home(page, stack)
    table = page.locator("#timeliness-table")
    expect(table.locator("thead th")).to_have_text(
        ["地区/部门", "报送条数", "按时", "逾期", "按时率", "逾期工作日中位数"]
    )
    expect(table.locator("tbody tr")).to_have_text(["浙江省住房和城乡建设厅4038295.0%3"])
    links = page.locator("#export-links a")
    expect(links).to_have_text(["CSV", "JSON（逐行）"])
    expect(links.first).to_have_attribute(
        "href", "https://example.invalid/exports/2026-11-24/awards.csv"
    )
    expect(page.locator("#export-info")).to_have_text("（生成于 2026-11-24）")
    page.screenshot(path=tmp_path / "timeliness-and-export.png", full_page=True)
