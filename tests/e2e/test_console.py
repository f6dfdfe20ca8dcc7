"""The provincial console in a real browser: Debian's chromium driven by Playwright.

A Jiangsu staff member signs in with a key and, through the console only,
declares a programme, uploads its approval document and sees it verified,
submits it; enters an award with two winners (a mistyped credit code is named
beside its field first), corrects it (and meets someone else's change: 412);
imports a 3-row spreadsheet with one bad row; and sees the late award under
及时性. Screenshots of each screen at 1366×900 and 390×844 are written to
``tests/e2e/screenshots/console/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.console import SIGNED_OUT, WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import bearer
from tests.factories import credit_code, pdf_bytes, png_bytes
from tests.sheets import HEADERS, award_rows, write_csv

IMPORT_WAIT = 240_000
JIANGSU = "江苏省住房和城乡建设厅"
PROGRAM = "江苏省优质工程奖“扬子杯”（控制台测试）"
PROJECT = "南京控制台测试综合楼"
GOOD = credit_code(7701, prefix="91320100")
SECOND = credit_code(7702, prefix="91320100")
WRONG = SECOND[:-1] + ("0" if SECOND[-1] != "0" else "1")  # a mistyped check character


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def run_the_audit(stack) -> None:
    """An administrator runs today's audit through the API until the change feed is read."""
    admin = stack.issue_key("--admin")["api_key"]
    deadline = time.monotonic() + 300
    while True:
        run = requests.post(stack.url("/v1/audit/run"), json={}, headers=bearer(admin), timeout=300)
        assert run.status_code == 200, run.text
        if not run.json()["summary"]["more_changes"]:
            return
        assert time.monotonic() < deadline, "the audit did not catch up"


def test_findings_are_the_province_s_own(stack) -> None:
    jiangsu = stack.issue_key("--authority", "320000")["api_key"]
    zhejiang = stack.issue_key("--authority", "330000")["api_key"]
    url = stack.url("/v1/timeliness/320000/findings")
    assert requests.get(url, headers=bearer(jiangsu), timeout=30).status_code == 200
    assert requests.get(url, headers=bearer(zhejiang), timeout=30).status_code == 403
    assert requests.get(url, timeout=30).status_code == 401


def test_console_headers(stack) -> None:
    page = requests.get(stack.url("/console"), timeout=30)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    # the uploads go straight to the bucket: its origin, and nothing else, besides ours
    assert f"connect-src 'self' {stack.endpoint_url}" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in page.text and not re.search(r"\son[a-z]+=", page.text)
    script = requests.get(stack.url("/console/console.js"), timeout=30)
    assert script.status_code == 200 and "localStorage" not in script.text.replace(
        "never localStorage", ""
    )
    assert requests.get(stack.url("/console/secret.txt"), timeout=30).status_code == 404


def test_me_names_the_key(stack) -> None:
    issued = stack.issue_key("--authority", "320000")
    me = requests.get(stack.url("/v1/me"), headers=bearer(issued["api_key"]), timeout=30)
    assert me.status_code == 200
    assert me.json() == {
        "role": "provincial",
        "authority_id": "320000",
        "key_id": issued["key_id"],
    }
    assert requests.get(stack.url("/v1/me"), timeout=30).status_code == 401


def test_a_province_works_through_the_console(stack, page: Page, tmp_path: Path) -> None:
    key = stack.issue_key("--authority", "320000")["api_key"]
    revoked = stack.issue_key("--authority", "320000")
    assert stack.cli("revoke-key", "--key-id", revoked["key_id"]).returncode == 0

    # --- sign in: a revoked key is refused, the real one names the authority
    sign_in(page, stack, revoked["api_key"])
    expect(page.locator("#login-error")).to_have_text(SIGNED_OUT, timeout=WAIT)
    shoot(page, "01-login")
    page.get_by_label("接入密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#who")).to_have_text(JIANGSU, timeout=WAIT)
    # the page's check character is GB 32100's, as the server computes it
    good = [credit_code(n, prefix=p) for n in range(40) for p in ("91320100", "12100000")]
    bad = [code[:-1] + ("1" if code[-1] != "1" else "2") for code in good]
    hints = page.evaluate("codes => codes.map((c) => creditCodeHint(c).ok)", good + bad)
    assert hints == [True] * len(good) + [False] * len(bad)
    assert key not in page.url
    assert page.evaluate("window.localStorage.length") == 0
    assert page.context.cookies() == []

    # --- 奖项清单: a draft with a field error first, then saved
    programs = page.locator("#tab-programs")
    loaded(page)  # the list (here "尚无奖项。") in place before the form below it is used
    programs.get_by_role("button", name="新建奖项").click()
    form = page.locator("#program-form")
    form.get_by_label("奖项名称").fill(PROGRAM)
    form.get_by_label("组织单位", exact=True).fill("江苏省建筑行业协会")
    form.get_by_label("住建部门与组织单位的关系").select_option("supervises")
    form.get_by_label("评选周期").select_option("annual")
    form.get_by_label("市政基础设施").check()
    form.get_by_label("批准机关").fill("江苏省人民政府")
    form.get_by_label("批准文号").fill("苏政函〔2020〕3号")
    form.get_by_role("button", name="保存草稿").click()  # no approval date yet
    expect(form.locator('[data-field="approval.approved_on"]')).not_to_be_empty(timeout=WAIT)
    shoot(page, "02-program-form-error")
    # before the backfill window: the sheet imported below (2018 rows) is not dated before
    # the programme's approval, which would add data-quality warnings to its errors table
    form.get_by_label("批准日期").fill("2017-06-01")
    form.get_by_role("button", name="保存草稿").click()
    detail = page.locator("#program-detail")
    expect(detail.locator("#pd-name")).to_have_text(PROGRAM, timeout=WAIT)
    expect(detail.locator("#pd-history")).to_contain_text("草稿")

    # the approval document: hashed in the browser, posted to the bucket, checked
    fake = tmp_path / "扫描件.pdf"
    fake.write_bytes(png_bytes())  # a picture named .pdf: the check refuses it, with why
    detail.locator("#pd-file").set_input_files(str(fake))
    detail.get_by_role("button", name="上传并核验").click()
    expect(detail.locator("#pd-upload-status")).to_contain_text(
        "未通过核验。该文件不是有效的 PDF 文件", timeout=WAIT
    )
    expect(detail.locator("#pd-documents")).to_contain_text("未通过核验")
    pdf = tmp_path / "批准文件.pdf"
    pdf.write_bytes(pdf_bytes())
    detail.locator("#pd-file").set_input_files(str(pdf))
    detail.get_by_role("button", name="上传并核验").click()
    expect(detail.locator("#pd-documents")).to_contain_text("已核验", timeout=WAIT)
    expect(detail.locator("#pd-upload-status")).to_contain_text("已核验")
    detail.get_by_role("button", name="提交审核").click()
    expect(detail.locator("#pd-history")).to_contain_text("已报送，待审核", timeout=WAIT)
    expect(detail.locator("#pd-history li")).to_have_count(2)
    expect(programs.locator("#program-table")).to_contain_text("已报送，待审核")
    shoot(page, "03-programs")

    # --- 获奖信息: two winners, a mistyped credit code hinted and then refused by the API
    page.get_by_role("tab", name="获奖信息").click()
    page.get_by_role("button", name="录入获奖信息").click()
    award = page.locator("#award-form")
    expect(award.get_by_label("所属奖项")).to_contain_text(PROGRAM, timeout=WAIT)
    award.get_by_label("本省编号").fill("JS-CONSOLE-1")
    award.get_by_label("评选年度").fill("2026")
    award.get_by_label("奖项等次（荣誉）").fill("扬子杯")
    award.get_by_label("公布日期").fill("2026-10-15")  # well over 10 working days ago: late
    award.get_by_label("公布文号").fill("苏建质〔2026〕88号")
    award.get_by_label("工程名称").fill(PROJECT)
    rows = award.locator("#winners .winner")
    rows.nth(0).get_by_label("单位名称").fill("江苏控制台测试建设集团有限公司")
    rows.nth(0).get_by_label("统一社会信用代码").fill(GOOD)
    rows.nth(0).get_by_label("项目负责人").fill("王五")
    expect(rows.nth(0).locator(".code-hint")).to_have_text("校验位正确")
    award.get_by_role("button", name="增加获奖单位").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_label("单位名称").fill("江苏控制台测试设计研究院")
    rows.nth(1).get_by_label("统一社会信用代码").fill(WRONG)
    rows.nth(1).get_by_label("承担角色").select_option("design")
    expect(rows.nth(1).locator(".code-hint")).to_contain_text(f"应为“{SECOND[-1]}”")
    award.get_by_role("button", name="保存").click()
    refused = rows.nth(1).locator('.field-error[data-sub="credit_code"]')
    expect(refused).not_to_be_empty(timeout=WAIT)
    shoot(page, "04-award-form-error")
    rows.nth(1).get_by_label("统一社会信用代码").fill(SECOND)
    award.get_by_role("button", name="保存").click()
    expect(page.locator("#notice")).to_contain_text(f"已报送：{PROJECT}", timeout=WAIT)
    table = page.locator("#award-table")
    row = table.locator("tbody tr", has_text=PROJECT)
    expect(row).to_contain_text(re.compile(r"迟报 \d+ 个工作日"))
    expect(row).to_contain_text("2026年10月15日")
    shoot(page, "05-awards")

    # correct it, while someone else changes it first: 412, reloaded, then corrected
    row.get_by_role("button", name="更正").click()
    expect(award.get_by_label("本省编号")).to_have_value("JS-CONSOLE-1", timeout=WAIT)
    stored = requests.get(
        stack.url("/v1/awards"),
        params={"authority_id": "320000", "source_id": "JS-CONSOLE-1"},
        headers=bearer(key),
        timeout=30,
    ).json()["items"][0]
    body = {
        k: stored[k]
        for k in ("source_id", "program_id", "year", "honor", "awarded_on", "announcement_number")
    }
    body["project"] = {"name": PROJECT, "category": "housing"}
    body["winners"] = [
        {k: w[k] for k in ("name", "credit_code", "role", "project_manager") if w.get(k)}
        for w in stored["winners"]
    ]
    body["honor"] = "扬子杯（他人修改）"
    elsewhere = requests.put(
        stack.url(f"/v1/awards/{stored['id']}"),
        json=body,
        headers={**bearer(key), "If-Match": '"1"'},
        timeout=30,
    )
    assert elsewhere.status_code == 200, elsewhere.text
    award.get_by_label("奖项等次（荣誉）").fill("扬子杯金奖")
    award.get_by_role("button", name="保存").click()
    expect(page.locator("#award-conflict")).to_contain_text("已被他人修改", timeout=WAIT)
    expect(award.get_by_label("奖项等次（荣誉）")).to_have_value("扬子杯（他人修改）")
    award.get_by_label("奖项等次（荣誉）").fill("扬子杯金奖")
    award.get_by_role("button", name="保存").click()
    expect(page.locator("#notice")).to_contain_text("第 3 版", timeout=WAIT)
    expect(row).to_contain_text("扬子杯金奖")

    # --- 批量导入: 3 rows, the second awarded before 2018: 2 pushed, 1 rejected at row 3
    program_id = stored["program_id"]
    sheet = write_csv(
        tmp_path / "江苏获奖信息.csv",
        award_rows(3, program_id=program_id, prefix="JS-CSV", winners=1, spoil={1: "early"}),
    )
    page.get_by_role("tab", name="批量导入").click()
    imports = page.locator("#tab-imports")
    imports.locator("#import-file").set_input_files(str(sheet))
    imports.get_by_role("button", name="开始导入").click()
    expect(imports.locator("#import-state")).to_contain_text("已完成", timeout=IMPORT_WAIT)
    expect(imports.locator("#import-counts")).to_contain_text("已推送 2 条")
    expect(imports.locator("#import-counts")).to_contain_text("被退回 1 条")
    errors = imports.locator("#import-error-table")
    expect(errors.locator("tbody tr")).to_have_count(1, timeout=WAIT)
    rejected = errors.locator("tbody tr").first
    expect(rejected).to_contain_text("JS-CSV-00001")
    expect(rejected.locator("td").nth(0)).to_have_text("3")  # header is row 1
    # in the page's words: Chinese headers, the reason in Chinese, no codes or API fields
    assert errors.locator("thead th").all_text_contents() == ["行号", "本省编号", "列", "错误原因"]
    assert "early" not in rejected.inner_text() and "validation_error" not in rejected.inner_text()
    shoot(page, "06-imports")
    # 下载错误明细: a workbook openpyxl reads back, its reason in Chinese
    with page.expect_download() as download:
        imports.get_by_role("button", name="下载错误明细（XLSX）").first.click()
    saved = tmp_path / "errors.xlsx"
    download.value.save_as(saved)
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "本省编号", "列", "错误原因", *HEADERS)  # then the sheet's own
    assert rows[1][:2] == (3, "JS-CSV-00001") and "获奖日期" in rows[1][2]
    assert "2018" in rows[1][3]
    cell = dict(zip(rows[0], rows[1], strict=True))  # the refused row as it was uploaded
    assert (cell["记录编号"], cell["项目名称"]) == ("JS-CSV-00001", "南京某某工程1号楼")
    assert cell["获奖日期"] == "2017-12-29"
    # 导入记录 survives signing out: the file, its counts and its errors file are still there
    page.get_by_role("button", name="退出").click()
    sign_in(page, stack, key, load=False)
    page.get_by_role("tab", name="批量导入").click()
    history = page.locator("#import-history tbody tr", has_text="江苏获奖信息.csv").first
    expect(history).to_contain_text("推送 2，未变化 0，退回 1", timeout=WAIT)
    expect(history).to_contain_text("已完成")
    expect(history.get_by_role("button", name="下载错误明细（CSV）")).to_be_visible()

    # --- 及时性: the late award, its audit finding, a zero report and feedback
    run_the_audit(stack)
    page.get_by_role("tab", name="及时性").click()
    late = page.locator("#tl-table tbody tr", has_text=PROJECT)
    expect(late).to_contain_text("迟报", timeout=WAIT)
    finding = page.locator("#tl-findings li", has_text="本省编号 JS-CONSOLE-1")
    expect(finding).to_contain_text("获奖信息晚报")
    expect(finding).to_contain_text("处理办法：获奖信息晚报")
    zero = page.locator("#zero-form")
    zero.get_by_label("起始日期").fill("2025-01-01")
    zero.get_by_label("截止日期").fill("2025-06-30")
    zero.get_by_label("说明").fill("上半年未开展评选")
    zero.get_by_role("button", name="报送零报告").click()
    expect(page.locator("#zero-list")).to_contain_text(
        "2025年1月1日至2025年6月30日：上半年未开展评选", timeout=WAIT
    )
    feedback = page.locator("#feedback-form")
    feedback.get_by_label("主题").fill("控制台建议")
    feedback.get_by_label("内容").fill("希望增加批量撤销功能")
    feedback.get_by_role("button", name="提交反馈").click()
    expect(page.locator("#notice")).to_contain_text("意见已提交", timeout=WAIT)
    shoot(page, "07-timeliness")

    # --- the province's awards filtered by year: only the imported 2018 ones
    page.get_by_role("tab", name="获奖信息").click()
    expect(table.locator("tbody tr", has_text=PROJECT)).to_have_count(1, timeout=WAIT)
    filters = page.locator("#award-filter")
    filters.get_by_label("奖项").select_option(program_id)
    filters.get_by_label("年度").fill("2018")
    filters.get_by_role("button", name="筛选").click()
    expect(table.locator("tbody tr", has_text=PROJECT)).to_have_count(0)
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("南京某某工程0号楼")

    # --- 退出 clears the key
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("接入密钥")).to_be_visible()
    assert page.evaluate("window.sessionStorage.length") == 0
    page.reload()
    expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=WAIT)
    expect(page.locator("#app")).to_be_hidden()


def test_an_administrator_signs_in_as_such(stack, page: Page) -> None:
    sign_in(page, stack, stack.issue_key("--admin")["api_key"])
    expect(page.locator("#who")).to_have_text("管理员", timeout=WAIT)
    expect(page.get_by_role("tab", name="待审核")).to_be_visible()
    expect(page.get_by_role("tab", name="获奖信息")).to_be_hidden()  # a province's tab
    page.get_by_role("button", name="退出").click()
    expect(page.locator("#who-box")).to_be_hidden()
    assert page.evaluate("window.sessionStorage.length") == 0
