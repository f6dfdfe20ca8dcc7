"""A province cancels a running import from the console (issue 19): 取消导入, confirmed.

A Hainan staff member starts a 1,500-award import (15 chunks for the local
worker), clicks 取消导入, confirms, and the console says 已取消; the registry
keeps what was pushed before and pushes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.console import WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import bearer, submitted_program
from tests.sheets import award_rows, write_csv

HAINAN = "460000"  # no other end-to-end test uses it


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def test_a_province_cancels_its_import_in_the_console(stack, page: Page, tmp_path: Path) -> None:
    key = stack.issue_key("--authority", HAINAN)["api_key"]
    program_id = submitted_program(stack, key, name="海南省优质工程奖（取消测试）")
    sheet = write_csv(
        tmp_path / "海南获奖信息.csv",
        award_rows(1500, program_id=program_id, prefix="HI-CANCEL", winners=1),
    )
    sign_in(page, stack, key)
    loaded(page)
    page.get_by_role("tab", name="批量导入").click()
    imports = page.locator("#tab-imports")
    expect(imports.locator("#import-limits")).to_contain_text("最多 50,000 行数据")
    imports.locator("#import-file").set_input_files(str(sheet))
    imports.get_by_role("button", name="开始导入").click()

    cancel = imports.get_by_role("button", name="取消导入")
    expect(cancel).to_be_visible(timeout=WAIT)
    cancel.click()
    confirm = imports.get_by_role("group", name="确认取消导入")
    expect(confirm).to_contain_text("已推送的记录保留")
    shoot(page, "import-cancel-confirm")
    confirm.get_by_role("button", name="确认取消").click()

    expect(imports.locator("#import-state")).to_contain_text("已取消", timeout=WAIT)
    expect(cancel).to_be_hidden()
    shoot(page, "import-cancelled")
    import_id = page.evaluate("state.importing")
    status = requests.get(
        stack.url(f"/v1/imports/{import_id}"), headers=bearer(key), timeout=30
    ).json()
    assert status["status"] == "cancelled"
    assert status["pushed"] < 1500  # the rest was never pushed
