"""The administrators' 意见反馈 inbox in a real browser (issue 13, item 4).

A Shandong staff member sends feedback through the provincial console (及时性);
an administrator signs in, filters the inbox by that province and China date,
is told beside the field what is wrong with an empty reply, marks the item
handled with a reply; the province's console then shows the reply under 我的反馈.
Screenshots at 1366×900 and 390×844 go to ``tests/e2e/screenshots/console/``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect

from chalicelib.domain.china_time import china_date
from tests.e2e.console import WAIT, console_context, shoot, sign_in

SHANDONG = "370000"
SHANDONG_NAME = "山东省住房和城乡建设厅"
SUBJECT = "导入模板第三列说明不清（反馈测试 4413）"
BODY = "批量导入模板中“承担角色”一列的取值说明不清，\n建议在模板中列出可选值。"
BEIJING = "110000"
BEIJING_NAME = "北京市住房和城乡建设委员会"
REPLY = "已收到。下一版模板将在该列加入下拉选项和说明。"


def test_an_administrator_answers_a_province_s_feedback_in_the_console(
    stack, browser: Browser
) -> None:
    province_key = stack.issue_key("--authority", SHANDONG)["api_key"]
    admin_key = stack.issue_key("--admin")["api_key"]
    beijing_key = stack.issue_key("--authority", BEIJING)["api_key"]
    with console_context(browser) as province:
        # --- the province sends feedback; it is listed as its own, 待处理
        sign_in(province, stack, province_key)
        province.get_by_role("tab", name="及时性").click()
        form = province.locator("#feedback-form")
        form.get_by_label("主题").fill(SUBJECT)
        form.get_by_label("内容").fill(BODY)
        form.get_by_role("button", name="提交反馈").click()
        expect(province.locator("#notice")).to_contain_text("意见已提交", timeout=WAIT)
        mine = province.locator("#feedback-mine > li", has_text=SUBJECT)
        expect(mine).to_contain_text("待处理")

        with console_context(browser) as admin:
            # --- the administrator filters by the province and by date (China days)
            sign_in(admin, stack, admin_key)
            admin.get_by_role("tab", name="意见反馈").click()
            item = admin.locator("#feedback-inbox > li", has_text=SUBJECT)
            expect(item).to_have_count(1, timeout=WAIT)  # the whole inbox, newest first
            filters = admin.locator("#feedback-filter")
            today = china_date(datetime.now(UTC))
            filters.get_by_label("省份").select_option("110000")
            filters.get_by_label("起始日期", exact=True).fill(
                (today - timedelta(days=1)).isoformat()
            )
            filters.get_by_label("截止日期", exact=True).fill(today.isoformat())
            filters.get_by_role("button", name="查询").click()
            expect(item).to_have_count(0)  # another province's inbox does not hold it

            filters.get_by_label("省份").select_option(SHANDONG)
            filters.get_by_role("button", name="查询").click()
            expect(item).to_have_count(1)
            expect(item).to_contain_text(SHANDONG_NAME)
            expect(item).to_contain_text("待处理")
            expect(item.locator(".feedback-body")).to_have_text(BODY)
            others = admin.locator("#feedback-inbox > li").filter(has_not_text=SHANDONG_NAME)
            expect(others).to_have_count(0)
            shoot(admin, "feedback-01-inbox")

            # --- an empty reply is refused beside its field; then a reply marks it handled
            item.get_by_role("button", name="标记已处理").click()
            expect(item.locator('.field-error[data-field="reply"]')).to_contain_text("不能为空")
            item.get_by_label("回复").fill(REPLY)
            item.get_by_role("button", name="标记已处理").click()
            expect(item).to_contain_text("已处理")
            expect(item.locator(".replies")).to_contain_text(REPLY)
            expect(admin.locator("#notice")).to_contain_text("已标记为已处理")
            expect(item.get_by_role("button", name="更新回复")).to_be_visible()
            shoot(admin, "feedback-02-handled")

            # --- a window that ends before it starts is named beside 截止日期
            filters.get_by_label("起始日期", exact=True).fill(today.isoformat())
            filters.get_by_label("截止日期", exact=True).fill(
                (today - timedelta(days=1)).isoformat()
            )
            filters.get_by_role("button", name="查询").click()
            expect(filters.locator('.field-error[data-field="to"]')).to_contain_text(
                "截止日期不得早于起始日期"
            )

            # --- 退出 at a shared workstation; another province signs in on the same page
            # and finds none of the inbox in it: not the feedback, not the reply
            admin.get_by_role("button", name="退出").click()
            sign_in(admin, stack, beijing_key, load=False)
            expect(admin.locator("#who")).to_have_text(BEIJING_NAME, timeout=WAIT)
            expect(admin.locator("#feedback-inbox")).to_be_empty()
            expect(admin.locator("#feedback-filter .field-error")).to_have_text([""] * 3)
            for text in (SUBJECT, REPLY, SHANDONG_NAME):
                expect(admin.locator("body")).not_to_contain_text(text)

        # --- the province sees the reply the next time it opens 及时性
        province.get_by_role("tab", name="获奖信息").click()
        province.get_by_role("tab", name="及时性").click()
        expect(mine).to_contain_text("已处理")
        expect(mine.locator(".replies")).to_contain_text(REPLY)
        shoot(province, "feedback-03-province-reply")
