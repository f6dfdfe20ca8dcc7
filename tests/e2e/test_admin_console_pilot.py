"""试点评估 in a real browser: an administrator sees the verifications an enterprise was spared.

A Sichuan platform pushes an award; someone verifies its winner's credit code
through the API (the paper proof no longer asked for); the daily audit runs.
An administrator then opens 试点评估 in the console and finds, in the tables
beside the charts, a non-zero 核验次数 for this month and Sichuan's push; the
charts are drawn on their canvases (nothing blocked by the page's
Content-Security-Policy: ``console_context`` fails the test otherwise); the
CSV downloaded from a table holds the same numbers, behind a UTF-8 BOM, with
formula-like text neutralised by the rule of ``domain/csv_safety.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.csv_safety import safe_cell
from tests.e2e.console import console_context, shoot, sign_in
from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code

SICHUAN = "510000"
SICHUAN_ZH = "四川省住房和城乡建设厅"
CODE = credit_code(6101, prefix="91510100")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def this_month() -> str:
    return datetime.now(CHINA_TZ).strftime("%Y-%m")


def pushed_and_verified(stack) -> None:
    """A province pushes an award; its winner's credit code is verified through the API."""
    key = stack.issue_key("--authority", SICHUAN)["api_key"]
    program_id = submitted_program(stack, key, name="四川省建设工程天府杯（试点评估测试）")
    body = award_body(program_id, "SC-PILOT-0001")
    body["project"]["name"] = "成都试点评估测试馆"
    body["winners"] = [{"name": "四川试点评估建设有限公司", "credit_code": CODE, "role": "design"}]
    pushed = requests.post(stack.url("/v1/awards"), json=body, headers=bearer(key), timeout=30)
    assert pushed.status_code == 201, pushed.text
    verified = requests.get(stack.url("/v1/verify"), params={"credit_code": CODE}, timeout=30)
    assert verified.status_code == 200, verified.text
    assert "成都试点评估测试馆" in verified.text


def run_the_audit(stack, admin: str) -> None:
    """The daily audit, until it has read the change feed (it keeps the pilot counters)."""
    deadline = time.monotonic() + 300
    while True:
        run = requests.post(stack.url("/v1/audit/run"), json={}, headers=bearer(admin), timeout=300)
        assert run.status_code == 200, run.text
        if not run.json()["summary"]["more_changes"]:
            return
        assert time.monotonic() < deadline, "the audit did not catch up"


def month_zh(month: str) -> str:
    """A month as the tables show it (2026年1月); the CSV keeps 2026-01 for machines."""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def cell(page: Page, table: str, row_text: str, column: str) -> str:
    """The text of ``column`` in the row of ``table`` whose first cell is ``row_text``."""
    headers = page.locator(f"#{table} thead th").all_text_contents()
    row = page.locator(f"#{table} tbody tr").filter(
        has=page.locator("td:first-child", has_text=row_text)
    )
    expect(row).to_have_count(1)
    return row.locator("td").nth(headers.index(column)).inner_text()


def drawn(page: Page, figure: str) -> bool:
    """Whether the figure's canvas holds a Chart.js chart with painted pixels."""
    return page.evaluate(
        """(id) => {
          const canvas = document.querySelector(`#${id} canvas`);
          if (!canvas || !Chart.getChart(canvas) || !canvas.width) return false;
          const context = canvas.getContext("2d");
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
          return false;
        }""",
        figure,
    )


def served_this_month(stack, admin: str, month: str) -> int:
    """The nation's verifications of ``month`` as /v1/stats/pilot counts them now."""
    answer = requests.get(stack.url("/v1/stats/pilot"), headers=bearer(admin), timeout=60)
    assert answer.status_code == 200, answer.text
    months = {row["month"]: row for row in answer.json()["national"]["months"]}
    return months[month]["verifications"]


def test_admin_sees_verifications_served(stack, page: Page) -> None:
    admin = stack.issue_key("--admin")["api_key"]
    # other tests on the shared stack verify too: this test's verification is one more
    served_before = served_this_month(stack, admin, this_month())
    pushed_and_verified(stack)
    run_the_audit(stack, admin)
    month = this_month()

    sign_in(page, stack, admin)
    page.get_by_role("tab", name="试点评估").click()
    expect(page.locator("#pilot-table-verifications tbody tr")).to_have_count(12)
    served = int(cell(page, "pilot-table-verifications", month_zh(month), "核验次数"))
    assert served >= served_before + 1
    assert int(cell(page, "pilot-table-provinces", SICHUAN_ZH, "推送获奖信息")) >= 1
    expect(page.locator("#pilot-summary")).to_contain_text("核验次数")
    for figure in ("pilot-provinces", "pilot-monthly", "pilot-verifications", "pilot-backfill"):
        assert drawn(page, figure), figure

    with page.expect_download() as download_info:
        page.locator("#pilot-verifications").get_by_role(
            "button", name="下载CSV", exact=True
        ).click()
    download = download_info.value
    assert download.suggested_filename == "verifications.csv"
    content = download.path().read_bytes().decode("utf-8")
    assert content.startswith("\ufeff月份,核验次数\r\n")
    rows = dict(line.split(",") for line in content[1:].splitlines()[1:])
    assert len(rows) == 12 and int(rows[month]) == served

    # one province's months: the scope chooses the series of the monthly charts
    page.get_by_label("范围（按月与回填图表）").select_option(label=SICHUAN_ZH)
    expect(page.locator("#pilot-monthly h3")).to_contain_text(SICHUAN_ZH)
    assert int(cell(page, "pilot-table-monthly", month_zh(month), "推送获奖信息")) >= 1
    shoot(page, "admin-pilot")

    # every scope's months in one file: the nation's and Sichuan's rows of this month
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载全国及各省份按月CSV").click()
    lines = download_info.value.path().read_bytes().decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["范围", "月份", "批准奖项", "推送获奖信息"] and "按时率（%）" in header
    rows = {tuple(line.split(",")[:2]): line.split(",") for line in lines[1:]}
    assert len(rows) == 34 * 12
    assert int(rows[(SICHUAN_ZH, month)][3]) >= 1
    assert int(rows[("全国", month)][3]) >= int(rows[(SICHUAN_ZH, month)][3])


def test_csv_cells_follow_the_server_s_rule(stack, page: Page) -> None:
    """The console's CSV cells are neutralised exactly as ``csv_safety.safe_cell`` does."""
    sign_in(page, stack, stack.issue_key("--admin")["api_key"])
    expect(page.get_by_role("tab", name="试点评估")).to_be_visible()
    texts = ["=1+1", "＋86 10 1234", "-3", "@SUM(A1)", "\tx", "北京", "2026-01", "'quoted"]
    shown = page.evaluate("(texts) => texts.map(pilotSafeCell)", texts)
    assert shown == [safe_cell(text) for text in texts]
    assert page.evaluate("pilotSafeCell(-3)") == "-3"  # a number stays a number
    csv = page.evaluate(
        """pilotCsv([{ title: "名称", csv: (r) => r[0] }, { title: "数", csv: (r) => r[1] }],
                    [['=HYPERLINK("http://x")', 2], ["a,b", -1]])"""
    )
    assert csv == '\ufeff名称,数\r\n"\'=HYPERLINK(""http://x"")",2\r\n"a,b",-1\r\n'


def test_months_in_the_wrong_order_are_named_beside_the_field(stack, page: Page) -> None:
    sign_in(page, stack, stack.issue_key("--admin")["api_key"])
    page.get_by_role("tab", name="试点评估").click()
    expect(page.locator("#pilot-table-provinces")).to_be_visible()
    page.get_by_label("起始月份").fill("2026-05")
    page.get_by_label("截止月份").fill("2026-02")
    page.get_by_role("button", name="查询").click()
    expect(page.locator('#pilot-form .field-error[data-field="from"]')).to_contain_text(
        "开始月份不得晚于结束月份"
    )
    page.get_by_label("起始月份").fill("2026-01")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#pilot-table-verifications tbody tr")).to_have_count(2)
    expect(page.locator('#pilot-form .field-error[data-field="from"]')).to_have_text("")


def test_a_province_has_no_pilot_tab(stack, page: Page) -> None:
    sign_in(page, stack, stack.issue_key("--authority", SICHUAN)["api_key"])
    expect(page.get_by_role("tab", name="奖项清单")).to_be_visible()
    expect(page.get_by_role("tab", name="试点评估")).to_be_hidden()
    answer = requests.get(
        stack.url("/v1/stats/pilot"),
        headers=bearer(stack.issue_key("--authority", SICHUAN)["api_key"]),
        timeout=30,
    )
    assert answer.status_code == 403
