"""The administrators' 工作日历 and 及时性与审计 sections in a real browser (issue 13, items 3, 5).

An administrator signs in and, through the console only: sees where each year's calendar
comes from, has a mistyped date refused by its line number, loads 2029 (no other test
loads that year; they use 2027) and sees it become 已加载 with the count of pushes
re-judged; runs the audit and sees the league table and the run; opens a province and
excuses its late push with a reason, which then shows on the push and, after the next
run, closes the finding. Screenshots go to ``tests/e2e/screenshots/console/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from chalicelib.domain.china_time import CHINA_TZ
from tests.e2e.console import WAIT, console_context, shoot, sign_in
from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code

AUDIT_WAIT = 300_000  # ms: a run reads every change the other tests made before it
YEAR = "2029"
GUANGXI = "450000"
GUANGXI_ZH = "广西壮族自治区住房和城乡建设厅"
SOURCE = "GX-OPS-CONSOLE-1"
PROJECT = "南宁审计控制台测试体育馆"
REASON = "表彰文件延迟送达本厅，已核实（控制台测试）"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def push_a_late_award(stack, key: str) -> dict:
    """Guangxi pushes today an award announced on 2025-03-03: far past its deadline."""
    program_id = submitted_program(stack, key, name="广西优质工程奖“真武阁杯”（审计控制台测试）")
    body = award_body(
        program_id,
        SOURCE,
        year=2025,
        awarded_on="2025-03-03",
        announcement_number="桂建质〔2025〕9号",
        project={"name": PROJECT, "category": "housing"},
        winners=[
            {
                "name": "广西审计控制台测试建工集团有限公司",
                "credit_code": credit_code(8301, prefix="91450100"),
                "role": "general_contractor",
            }
        ],
    )
    pushed = requests.post(stack.url("/v1/awards"), json=body, headers=bearer(key), timeout=30)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["timeliness"]["status"] == "late"
    return pushed.json()


def calendar_of(stack, year: str) -> dict:
    answer = requests.get(stack.url(f"/v1/calendar/{year}"), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_administrator_keeps_the_calendar_and_the_audit(stack, page: Page) -> None:
    admin = stack.issue_key("--admin")["api_key"]
    award = push_a_late_award(stack, stack.issue_key("--authority", GUANGXI)["api_key"])
    assert calendar_of(stack, YEAR)["source"] == "provisional"

    sign_in(page, stack, admin)
    expect(page.locator("#who")).to_have_text("管理员", timeout=WAIT)

    # --- 工作日历: each year's source, 2018 to next year
    page.get_by_role("tab", name="工作日历").click()
    years = page.locator("#cal-table tbody tr")
    expect(years.filter(has_text="2018").first).to_contain_text("官方", timeout=WAIT)
    next_year = str(datetime.now(CHINA_TZ).year + 1)
    expect(page.locator(f'#cal-table tr[data-year="{next_year}"]')).to_be_visible()

    # a mistyped date is refused in the page, naming its line; nothing is sent
    form = page.locator("#cal-form")
    form.get_by_label("年份").fill(YEAR)
    expect(page.locator("#cal-current")).to_contain_text("2029 年现为：临时", timeout=WAIT)
    form.get_by_label("法定节假日").fill("2029-01-01\n2029-02-12，2029-02-13\n2029-02-31")
    form.get_by_label("调休上班日").fill("2029-02-10")
    form.get_by_role("button", name="加载").click()
    holidays_error = form.locator('.field-error[data-field="holidays"]')
    expect(holidays_error).to_contain_text("第 3 行“2029-02-31”不是有效日期")
    shoot(page, "admin-ops-01-calendar-bad-line")
    assert calendar_of(stack, YEAR)["source"] == "provisional"

    # a date of another year, and a year the API refuses, are named beside their fields
    form.get_by_label("法定节假日").fill("2029-01-01\n2028-12-31")
    form.get_by_role("button", name="加载").click()
    expect(holidays_error).to_contain_text("第 2 行“2028-12-31”不在 2029 年内")
    form.get_by_label("年份").fill("1999")
    form.get_by_label("法定节假日").fill("")
    form.get_by_label("调休上班日").fill("")
    form.get_by_role("button", name="加载").click()
    expect(form.locator('.field-error[data-field="year"]')).not_to_be_empty(timeout=WAIT)

    form.get_by_label("年份").fill(YEAR)
    form.get_by_label("法定节假日").fill("2029-01-01\n2029-02-12，2029-02-13\n2029-02-14")
    form.get_by_label("调休上班日").fill("2029-02-10")
    form.get_by_role("button", name="加载").click()
    result = page.locator("#cal-result")
    expect(result).to_contain_text("已加载 2029 年（第 1 版）", timeout=WAIT)
    expect(result).to_contain_text("法定节假日 4 天，调休上班日 1 天")
    # no push rests on a provisional 2029 (this stack runs on today's clock): none re-judged
    expect(result).to_contain_text("重新判定的推送 0 条")
    expect(form.locator(".field-error:not(:empty)")).to_have_count(0)
    loaded_row = page.locator(f'#cal-table tr[data-year="{YEAR}"]')
    expect(loaded_row).to_contain_text("已加载", timeout=WAIT)
    expect(loaded_row).to_contain_text("4 天")
    stored = calendar_of(stack, YEAR)
    assert (stored["source"], stored["holidays"], stored["workdays"]) == (
        "loaded",
        ["2029-01-01", "2029-02-12", "2029-02-13", "2029-02-14"],
        ["2029-02-10"],
    )
    shoot(page, "admin-ops-02-calendar-loaded")

    # loaded again: the tab's load, answered before that but arriving after the load's own
    # refresh, is dropped (the table does not go back to the first version)
    year_url = stack.url(f"/v1/calendar/{YEAR}")
    held: list = []

    def hold_the_first(route) -> None:
        if held or route.request.method != "GET":
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.get_by_role("tab", name="待审核").click()
    page.route(year_url, hold_the_first)
    page.get_by_role("tab", name="工作日历").click()
    deadline = time.monotonic() + WAIT / 1000
    while not held:
        assert time.monotonic() < deadline, "the tab's load did not ask for 2029"
        page.wait_for_timeout(50)  # polling: route handlers run while the page is waited on
    form.get_by_role("button", name="加载").click()
    expect(result).to_contain_text("已加载 2029 年（第 2 版）", timeout=WAIT)
    expect(loaded_row).to_contain_text("第 2 版", timeout=WAIT)
    route, stale = held[0]
    with page.expect_response(year_url):
        route.fulfill(response=stale)
    page.unroute(year_url, hold_the_first)
    page.evaluate("() => new Promise((done) => setTimeout(done))")  # its handlers have run
    expect(loaded_row).to_contain_text("第 2 版")

    # --- 及时性与审计: run the audit; the league table and the run show
    page.get_by_role("tab", name="及时性与审计").click()
    page.get_by_role("button", name="运行审计").click()
    expect(page.locator("#audit-run-status")).to_contain_text("审计已完成", timeout=AUDIT_WAIT)
    today = datetime.now(CHINA_TZ).date().isoformat()
    newest = page.locator("#audit-runs tbody tr").first
    expect(newest).to_contain_text(today, timeout=WAIT)
    expect(newest).to_contain_text("管理员")
    expect(page.locator("#audit-run-title")).to_contain_text(f"审计运行 {today}-")
    guangxi = page.locator("#audit-league tbody tr", has_text=GUANGXI_ZH)
    expect(guangxi).to_have_count(1)
    expect(page.locator("#audit-league tbody tr")).to_have_count(33)
    assert int(guangxi.locator("td").nth(3).inner_text()) >= 1  # 迟报
    expect(page.locator("#audit-as-of")).to_contain_text(f"计数截至审计运行 {today}-")
    page.get_by_label("排序").select_option("late")
    late_counts = [
        int(n) for n in page.locator("#audit-league tbody tr td:nth-child(4)").all_inner_texts()
    ]
    assert late_counts == sorted(late_counts, reverse=True) and late_counts[0] >= 1
    shoot(page, "admin-ops-03-audit")

    # a run's findings through its 查看 (GET /v1/audit/runs/{id})
    run_id = newest.locator("td").first.inner_text()
    page.locator("#audit-run-detail").get_by_role("button", name="关闭").click()
    newest.get_by_role("button", name="查看").click()
    expect(page.locator("#audit-run-title")).to_have_text(f"审计运行 {run_id}", timeout=WAIT)
    expect(page.locator("#audit-run-facts")).to_contain_text("管理员")

    # --- the province: its open finding and late push, excused with a reason
    guangxi.get_by_role("button", name="查看").click()
    province = page.locator("#audit-province")
    expect(province.locator("#audit-province-name")).to_contain_text(GUANGXI_ZH, timeout=WAIT)
    finding = province.locator("#audit-province-findings li", has_text=f"获奖信息 {SOURCE}")
    expect(finding).to_contain_text("获奖信息晚报", timeout=WAIT)
    late = province.locator("#audit-late tbody tr", has_text=PROJECT)
    expect(late).to_contain_text("未认定")
    expect(late).to_contain_text(SOURCE)
    late.get_by_role("button", name="认定合理").click()
    excuse = page.locator("#audit-excuse-form")
    expect(excuse.locator("#audit-excuse-what")).to_contain_text(PROJECT)
    excuse.get_by_role("button", name="确认免责").click()  # no reason yet
    expect(excuse.locator('.field-error[data-field="reason"]')).to_have_text("请填写免责理由。")
    excuse.get_by_label("免责理由").fill(REASON)
    excuse.get_by_role("button", name="确认免责").click()
    expect(late).to_contain_text(f"已认定合理：{REASON}", timeout=WAIT)
    expect(late.get_by_role("button", name="认定合理")).to_have_count(0)
    expect(page.locator("#notice")).to_contain_text(f"已认定迟报合理：{PROJECT}")
    shoot(page, "admin-ops-04-excused")
    stored_award = requests.get(
        stack.url(f"/v1/awards/{award['id']}"), headers=bearer(admin), timeout=30
    ).json()
    assert stored_award["timeliness"]["excused"] is True
    assert stored_award["timeliness"]["excused_reason"] == REASON

    # the next run counts it as excused and closes the finding
    page.get_by_role("button", name="运行审计").click()
    status = page.locator("#audit-run-status")
    expect(status).to_contain_text(re.compile(r"审计已完成：新发现 \d+ 条"), timeout=AUDIT_WAIT)
    expect(status).not_to_contain_text(run_id)
    expect(page.locator("#audit-runs tbody tr").first).not_to_contain_text(run_id, timeout=WAIT)
    assert int(guangxi.locator("td").nth(4).inner_text()) >= 1  # 认定合理
    guangxi.get_by_role("button", name="查看").click()
    expect(late).to_contain_text(f"已认定合理：{REASON}", timeout=WAIT)
    expect(finding).to_have_count(0)
