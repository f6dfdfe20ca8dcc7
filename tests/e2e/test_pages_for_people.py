"""Pages a government office can adopt as they are (issue 24), in a real browser.

Each finding of the issue, walked to its fixed behaviour at 1280 px and 390 px: the
public answer first (有效 on every card and the award page, an enterprise summary with
打印核验单 and 下载回执 for a name search too, gone after a failed search, winners as
cards on a phone); forms that show every problem at once beside its field, dates that
make sense, places picked by name; progress, confirmations naming what they act on, an
ARIA tablist; a PDF that is only a header is 未通过核验 with a Chinese reason; 大字版,
keyboard alone, 200% zoom. And every page and every console tab of both roles (whatever
tabs the tablist holds, so tabs added later are covered) has no serious or critical
axe-core violation, no Latin word outside a short allow-list, no date in a machine's style.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessibility import check_page, latin_words, visible_texts
from tests.e2e.console import WAIT, console_context, loaded, sign_in
from tests.factories import award_body, credit_code, header_only_pdf
from tests.steps import Http, approved_program, push, submitted_program

ENTERPRISE = "浙江适老测试建设集团有限公司"
CODE = credit_code(2401, prefix="91330300")
PROJECT = "杭州适老测试体育中心"
PROGRAM = "浙江省建设工程钱江杯（适老测试）"
QUEUED = "浙江省优秀勘察设计奖（适老测试）"


@pytest.fixture(scope="module")
def zhejiang(stack) -> dict[str, str]:
    """Zhejiang with an approved programme, one award of ENTERPRISE, and one in the queue."""
    key = stack.issue_key("--authority", "330000")["api_key"]
    admin = stack.issue_key("--admin")["api_key"]
    http = Http(stack)
    program = approved_program(http, key, admin, name=PROGRAM)
    award = push(
        http,
        key,
        award_body(
            program,
            source_id="ZJ-A11Y-1",
            awarded_on="2024-03-15",
            project={"name": PROJECT, "category": "housing", "location_code": "330106"},
            winners=[{"name": ENTERPRISE, "credit_code": CODE, "role": "general_contractor"}],
        ),
    )
    submitted_program(http, key, name=QUEUED)
    return {"key": key, "admin": admin, "program": program, "award": award["id"]}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def tabs(page: Page) -> list[str]:
    """The names of the tabs the signed-in user sees, in order (whoever added them)."""
    return page.locator('[role="tablist"] [role="tab"]:visible').all_inner_texts()


def walk_every_tab(page: Page, who: str) -> list[str]:
    problems: list[str] = []
    names = tabs(page)
    assert names, "no tabs"
    for name in names:
        page.get_by_role("tab", name=name, exact=True).click()
        loaded(page)
        problems += check_page(page, f"{who} {name}")
    return problems


# --- every page and tab: axe, words, dates, widths ---------------------------------------


def test_every_public_page_passes_axe_and_speaks_chinese(stack, zhejiang, page: Page):
    problems: list[str] = []
    page.goto(stack.url("/"))
    expect(page.locator("#results .award").first).to_be_visible()
    problems += check_page(page, "public page")
    page.goto(stack.url(f"/?credit_code={CODE}"))
    expect(page.locator("#summary")).to_be_visible()
    problems += check_page(page, "enterprise answer")
    page.goto(stack.url(f"/#/award/{zhejiang['award']}"))
    expect(page.locator("#detail h2")).to_contain_text(PROJECT)
    expect(page.locator(".program-detail")).to_be_visible()
    problems += check_page(page, "award page")
    page.goto(stack.url(f"/v1/verify/print?credit_code={CODE}"))
    expect(page.locator("#valid-count")).to_have_text("1")
    problems += check_page(page, "print view")
    page.goto(stack.url("/verify/check"))
    problems += check_page(page, "receipt check")
    page.goto(stack.url("/console/"))
    problems += check_page(page, "console sign-in")
    assert problems == []


def test_every_console_tab_of_both_roles_passes_axe_and_speaks_chinese(stack, zhejiang, page: Page):
    sign_in(page, stack, zhejiang["key"])
    loaded(page)
    problems = walk_every_tab(page, "province")
    page.get_by_role("button", name="退出").click()
    sign_in(page, stack, zhejiang["admin"], load=False)
    expect(page.get_by_role("tab", name="待审核")).to_be_visible(timeout=WAIT)
    loaded(page)
    problems += walk_every_tab(page, "admin")
    assert problems == []


# --- the public answer first ----------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_a_valid_award_says_so_first_and_fits_a_phone(stack, zhejiang, page: Page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(stack.url(f"/?credit_code={CODE}"))
    card = page.locator(f'#results .award[data-award-id="{zhejiang["award"]}"]')
    # the same badge in the same place: first thing in the card's title and the page's
    expect(card.locator("h3 > :first-child")).to_have_text("有效")
    expect(card).to_contain_text("公布日期 2024年3月15日")
    card.get_by_role("link", name=PROJECT).click()
    heading = page.locator("#detail h2")
    expect(heading.locator(":first-child")).to_have_text("有效")
    winners = page.locator(".winners-table")
    expect(winners).to_contain_text(ENTERPRISE)
    assert "项目负责人" not in winners.locator("th").all_text_contents()  # never public: no column
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    print_link = winners.get_by_role("link", name="打印核验单")
    receipt = winners.get_by_role("link", name="下载回执")
    box = print_link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width  # on screen, not off the side
    assert receipt.get_attribute("href").endswith(f"/v1/verify/receipt?credit_code={CODE}")


def test_a_name_search_offers_the_enterprise_and_a_failed_search_takes_it_away(
    stack, zhejiang, page: Page
):
    page.goto(stack.url("/"))
    page.get_by_label("企业名称或统一社会信用代码").fill("适老测试建设")
    page.get_by_role("button", name="查询").click()
    summary = page.locator("#summary")
    expect(summary.locator("h2")).to_have_text(ENTERPRISE)
    expect(summary.get_by_role("link", name="打印核验单")).to_have_attribute(
        "href", re.compile(rf"credit_code={CODE}$")
    )
    expect(summary.get_by_role("link", name="下载回执")).to_be_visible()
    # a valid code, then a mistyped one: nothing is left pointing at the bad code
    page.get_by_label("企业名称或统一社会信用代码").fill(CODE)
    page.get_by_role("button", name="查询").click()
    expect(summary.get_by_role("link", name="打印核验单")).to_be_visible()
    wrong = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    page.get_by_label("企业名称或统一社会信用代码").fill(wrong)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#status")).to_have_text("统一社会信用代码有误，请核对这 18 位代码。")
    expect(summary).to_be_hidden()
    expect(page.get_by_role("link", name="打印核验单")).to_have_count(0)


def test_the_print_view_links_its_addresses_and_offers_the_receipt(stack, zhejiang, page: Page):
    page.goto(stack.url(f"/v1/verify/print?credit_code={CODE}"))
    live = page.locator("a#live-url")
    expect(live).to_have_attribute("href", stack.url(f"/?credit_code={CODE}"))
    expect(page.locator("a#api-url")).to_have_attribute("href", re.compile("/v1/verify"))
    expect(page.locator("#as-of")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d"))


# --- messages for people ---------------------------------------------------------------------


def test_a_mistyped_address_answers_in_chinese_in_the_error_shape(stack):
    answer = requests.get(stack.url("/v1/awardz"), timeout=30)
    assert answer.status_code == 404
    assert answer.json()["error"]["message_zh"] == "所请求的对象不存在"


def test_a_pdf_that_is_only_a_header_is_not_verified_and_says_why_in_chinese(
    stack, page: Page, tmp_path: Path
):
    key = stack.issue_key("--authority", "330000")["api_key"]
    sign_in(page, stack, key)
    loaded(page)
    page.get_by_role("button", name="新建奖项").click()
    form = page.locator("#program-form")
    form.get_by_label("奖项名称").fill("浙江省适老测试奖（文件核验）")
    form.get_by_label("组织单位", exact=True).fill("浙江省建筑业行业协会")
    form.get_by_label("批准机关").fill("浙江省人民政府")
    form.get_by_label("批准文号").fill("浙政函〔2020〕8号")
    form.get_by_label("批准日期").fill("2020-02-01")
    form.get_by_role("button", name="保存草稿").click()
    stub = tmp_path / "批复.pdf"
    stub.write_bytes(header_only_pdf())
    detail = page.locator("#program-detail")
    detail.get_by_label("选择批准文件").set_input_files(str(stub))
    detail.get_by_role("button", name="上传并核验").click()
    status = detail.locator("#pd-upload-status")
    expect(status).to_contain_text("未通过核验", timeout=WAIT)
    expect(status).to_contain_text("无法打开")
    assert not latin_words([status.inner_text().replace("批复.pdf", "")])
    expect(detail.locator("#pd-documents")).to_contain_text("当前文件")


# --- forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_a_form_shows_every_problem_at_once_and_on_leaving_a_field(stack, page: Page, width):
    page.set_viewport_size({"width": width, "height": 900})
    key = stack.issue_key("--authority", "330000")["api_key"]
    sign_in(page, stack, key)
    loaded(page)
    page.get_by_role("button", name="新建奖项").click()
    form = page.locator("#program-form")
    form.get_by_role("button", name="保存草稿").click()
    errors = form.locator(".field-error:not(:empty)")
    expect(errors).to_have_text(
        [
            "请填写奖项名称。",
            "请填写组织单位。",
            "请填写批准机关。",
            "请填写批准文号。",
            "请填写批准日期。",
        ]
    )
    # leaving a field says what is wrong with it, beside it
    form.get_by_label("批准日期").fill("2030-01-01")
    form.get_by_label("奖项名称").focus()
    expect(form.locator('[data-field="approval.approved_on"]')).to_have_text(
        "批准日期不能晚于今天。"
    )
    form.get_by_label("奖项名称").fill("浙江省适老测试奖")
    form.get_by_label("批准文号").focus()
    expect(form.locator('[data-field="name"]')).to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_a_place_is_picked_by_name_within_the_province_and_kept_as_its_code(
    stack, zhejiang, page: Page
):
    sign_in(page, stack, zhejiang["key"])
    page.get_by_role("tab", name="获奖信息").click()
    loaded(page)
    page.get_by_role("button", name="录入获奖信息").click()
    form = page.locator("#award-form")
    place = form.locator("#place")
    expect(place.get_by_label("省", exact=True)).to_have_value("330000")
    assert place.get_by_label("省", exact=True).locator("option").all_inner_texts() == ["浙江省"]
    place.get_by_label("市", exact=True).select_option(label="杭州市")
    place.get_by_label("区县").select_option(label="西湖区")
    expect(form.locator('input[name="project.location_code"]')).to_have_value("330106")
    expect(form.locator("#place-code")).to_have_text("行政区划代码：330106")
    # an award date before 2018 is said beside the field, with the others, before sending
    form.get_by_label("公布日期").fill("2017-12-31")
    form.get_by_role("button", name="保存").click()
    expect(form.locator('[data-field="awarded_on"]')).to_have_text("公布日期不能早于2018年1月1日。")
    expect(form.locator('[data-field="source_id"]')).to_have_text("请填写本省编号。")
    expect(form.locator('.field-error[data-sub="name"]')).to_have_text("请填写单位名称。")
    form.get_by_label("所属奖项").select_option(zhejiang["program"])  # not the first one offered
    form.locator('select[name="project.category"]').select_option("municipal")
    form.get_by_label("本省编号").fill("ZJ-A11Y-2")
    form.get_by_label("奖项等次（荣誉）").fill("金奖")
    form.locator('input[name="awarded_on"]').fill("2024-05-06")  # its label now holds a message
    form.get_by_label("评选年度").fill("2024")
    form.get_by_label("工程名称").fill("杭州适老测试图书馆")
    row = form.locator("#winners .winner").first
    row.get_by_label("单位名称").fill(ENTERPRISE)
    row.get_by_label("统一社会信用代码").fill(CODE)
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#notice")).to_contain_text("已报送：杭州适老测试图书馆", timeout=WAIT)
    listed = requests.get(
        stack.url("/v1/awards?authority_id=330000&source_id=ZJ-A11Y-2"), timeout=30
    ).json()["items"]
    assert listed[0]["project"]["location_code"] == "330106"
    expect(page.locator("#award-table")).to_contain_text("2024年5月6日")
    # the next award's form keeps what was chosen for the last one
    page.get_by_role("button", name="录入获奖信息").click()
    expect(form.get_by_label("所属奖项")).to_have_value(zhejiang["program"])
    expect(form.locator('select[name="project.category"]')).to_have_value("municipal")


# --- console behaviour -------------------------------------------------------------------------


def test_sign_in_shows_progress_and_the_tabs_follow_the_arrow_keys(stack, zhejiang, page: Page):
    page.goto(stack.url("/console/"))
    page.evaluate(
        """() => {
        const button = document.querySelector("#login-button");
        window.seen = [];
        new MutationObserver(() => window.seen.push([button.textContent, button.disabled]))
          .observe(button, { childList: true, characterData: true, subtree: true,
                             attributes: true });
    }"""
    )
    # the keyboard alone: the key, Enter
    page.get_by_label("接入密钥").focus()
    page.keyboard.type(zhejiang["key"])
    page.keyboard.press("Enter")
    expect(page.locator("#who")).to_have_text("浙江省住房和城乡建设厅", timeout=WAIT)
    assert ["正在登录…", True] in page.evaluate("window.seen")
    loaded(page)
    first = page.get_by_role("tab", name="奖项清单")
    expect(first).to_have_attribute("aria-selected", "true")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="获奖信息")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="获奖信息")).to_be_visible()
    page.keyboard.press("End")
    last = page.locator('[role="tablist"] [role="tab"]:visible').last
    expect(last).to_be_focused()
    expect(last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(last).to_be_focused()
    loaded(page)


def test_a_public_decision_asks_first_naming_what_it_decides(stack, zhejiang, page: Page):
    sign_in(page, stack, zhejiang["admin"])
    loaded(page)
    row = page.locator("#review-table tbody tr", has_text=QUEUED)
    row.get_by_role("button", name="审阅").click()
    detail = page.locator("#review-detail")
    expect(detail.locator("#rv-name")).to_contain_text(QUEUED)
    detail.get_by_role("button", name="通过").click()
    expect(page.locator("#notice")).to_contain_text(f"已通过：{QUEUED}", timeout=WAIT)
    assert any(QUEUED in question and "浙江" in question for question in page.questions)


def test_the_key_list_says_what_its_columns_hold_and_the_form_keeps_the_province(
    stack, zhejiang, page: Page
):
    sign_in(page, stack, zhejiang["admin"])
    page.get_by_role("tab", name="密钥管理").click()
    loaded(page)
    headers = page.locator("#keys-table thead th").all_inner_texts()
    assert "状态" in headers and "吊销" not in headers
    status = headers.index("状态")
    first = page.locator("#keys-table tbody tr").first.locator("td").nth(status)
    expect(first).to_have_text(re.compile("^(有效|已吊销)"))
    form = page.locator("#keys-form")
    form.get_by_label("所属省份").select_option(label="浙江省住房和城乡建设厅")
    form.get_by_label("备注").fill("适老测试")
    form.get_by_role("button", name="签发").click()
    expect(page.locator("#keys-new")).to_be_visible(timeout=WAIT)
    expect(form.get_by_label("所属省份")).to_have_value("330000")


# --- 大字版 and the keyboard --------------------------------------------------------------------


def test_large_type_is_a_switch_the_browser_remembers(stack, zhejiang, page: Page):
    page.goto(stack.url("/"))
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    switch = page.get_by_role("button", name="大字版")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= size * 1.2
    page.goto(stack.url("/console/"))  # remembered across pages and visits
    expect(page.get_by_role("button", name="大字版")).to_have_attribute("aria-pressed", "true")
    assert check_page(page, "console sign-in, large type", widths=(390,)) == []
    page.get_by_role("button", name="大字版").click()
    page.reload()
    expect(page.get_by_role("button", name="大字版")).to_have_attribute("aria-pressed", "false")


def test_the_public_page_works_from_the_keyboard(stack, zhejiang, page: Page):
    page.goto(stack.url("/"))
    expect(page.locator("#results .award").first).to_be_visible()
    for _ in range(10):  # Tab from the top until the search box has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(CODE)
    page.keyboard.press("Enter")
    expect(page.locator("#summary h2")).to_have_text(ENTERPRISE)
    assert ENTERPRISE in " ".join(visible_texts(page))
