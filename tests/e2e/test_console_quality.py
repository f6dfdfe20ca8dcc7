"""The 数据质量 tabs in a real browser (issue 22, item 4).

A Guangxi platform pushes an award dated before its programme was approved and the
same project twice; the audit runs. Guangxi's staff open 数据质量, see both findings
by severity with the records side by side, explain one (a too-short reason is refused
beside its field) and open the other's record with 去更正. An administrator sees the
province's open findings by rule, finds the explained one and accepts it.
Screenshots at 1366×900 and 390×844 go to ``tests/e2e/screenshots/console/``.
"""

from __future__ import annotations

import time
from pathlib import Path

import requests
from playwright.sync_api import Browser, expect

from tests.e2e.console import WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.steps import Http, push

GUANGXI = "450000"
GUANGXI_NAME = "广西壮族自治区住房和城乡建设厅"
CODE = credit_code(4501, prefix="91450100")
PROJECT = "南宁数据质量测试大厦"
REASON = "该工程于奖项批准前已按原办法评选，批准后补发公告。"


def award(program_id: str, source_id: str, **overrides) -> dict:
    body = award_body(
        program_id,
        source_id,
        project={"name": PROJECT, "category": "housing"},
        winners=[{"name": "广西质量测试建设有限公司", "credit_code": CODE, "role": "design"}],
        announcement_number=f"桂建〔2024〕{source_id[-2:]}号",
    )
    body.update(overrides)
    return body


def run_the_audit(stack, admin: str) -> None:
    """Today's audit through the API until it has read the whole change feed."""
    deadline = time.monotonic() + 300
    while True:
        run = requests.post(stack.url("/v1/audit/run"), json={}, headers=bearer(admin), timeout=300)
        assert run.status_code == 200, run.text
        if not run.json()["summary"]["more_changes"]:
            return
        assert time.monotonic() < deadline, "the audit did not catch up"


def test_a_province_answers_its_findings_and_an_administrator_accepts(
    stack, browser: Browser
) -> None:
    key = stack.issue_key("--authority", GUANGXI)["api_key"]
    admin_key = stack.issue_key("--admin")["api_key"]
    caller = Http(stack)
    program = submitted_program(
        stack,
        key,
        name="广西建设工程真武阁杯（质量测试）",
        approval={
            "issuer": "广西壮族自治区人民政府",
            "document_number": "桂政函〔2019〕12号",
            "approved_on": "2019-03-01",
        },
    )
    push(caller, key, award(program, "GX-Q-01", year=2019, awarded_on="2019-02-20"))
    push(caller, key, award(program, "GX-Q-02"))
    duplicate = push(caller, key, award(program, "GX-Q-03"))
    run_the_audit(stack, admin_key)

    with console_context(browser) as page:
        sign_in(page, stack, key)
        page.get_by_role("tab", name="数据质量").click()
        loaded(page)
        early = page.locator(".quality-finding", has_text="获奖日期早于奖项批准日期")
        twice = page.locator(".quality-finding", has_text="重复报送")
        expect(early).to_have_count(1, timeout=WAIT)
        expect(twice).to_have_count(1)
        expect(early).to_contain_text("错误")
        expect(early).to_contain_text("2019年2月20日 早于奖项批准日期 2019年3月1日")
        # the records side by side, the differing field marked
        expect(twice.locator("td.diff")).to_have_count(2)
        expect(twice.locator("td.diff").first).to_contain_text("GX-Q-0")
        shoot(page, "quality-01-province")

        early.get_by_role("button", name="说明情况").click()
        early.get_by_label("情况说明（至少 10 个字）").fill("已知晓")
        early.get_by_role("button", name="提交说明").click()
        expect(early.locator('.field-error[data-field="reason"]')).to_contain_text("10 个字")
        early.get_by_label("情况说明（至少 10 个字）").fill(REASON)
        early.get_by_role("button", name="提交说明").click()
        explained = page.locator(".quality-finding", has_text="获奖日期早于奖项批准日期")
        expect(explained).to_contain_text("已说明（待管理员确认）")
        expect(explained).to_contain_text(REASON)
        expect(page.locator("#notice")).to_contain_text("已提交说明")

        # 去更正 opens the second record's edit form on the awards tab
        twice.get_by_role("button", name="去更正").nth(1).click()
        form = page.locator("#award-form")
        expect(form).to_be_visible()
        expect(page.locator("#award-form-title")).to_have_text(f"更正获奖信息：{PROJECT}")
        expect(form.locator('input[name="source_id"]')).to_have_value(duplicate["source_id"])

    with console_context(browser) as page:
        sign_in(page, stack, admin_key)
        page.get_by_role("tab", name="数据质量").click()
        loaded(page)
        row = page.locator("#quality-summary tbody tr", has_text=GUANGXI_NAME)
        expect(row).to_have_count(1, timeout=WAIT)
        shoot(page, "quality-02-admin")
        filters = page.locator("#quality-admin-filter")
        filters.get_by_label("省份").select_option(GUANGXI)
        filters.get_by_label("检查项").select_option("before_approval")
        filters.get_by_role("button", name="查询").click()
        card = page.locator("#quality-admin-list .quality-finding")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(REASON)
        card.get_by_role("button", name="认可说明").click()
        expect(page.locator("#quality-admin-list .quality-finding")).to_contain_text("说明已认可")

        # the pilot statistics' quality row: Guangxi has one open error left (the duplicate)
        page.get_by_role("tab", name="试点评估").click()
        loaded(page)
        figure = page.locator("#pilot-quality")
        expect(figure.locator("canvas")).to_be_visible()
        row = figure.locator("tbody tr", has_text=GUANGXI_NAME)
        expect(row.locator('td[data-label="未处理错误"]')).to_have_text("1")
        expect(row.locator('td[data-label="已处理问题"]')).to_have_text("1")
        with page.expect_download() as download:
            figure.get_by_role("button", name="下载CSV").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert text.startswith("省份,有效获奖信息,未处理错误,每百条未处理错误")
        assert GUANGXI_NAME in text
