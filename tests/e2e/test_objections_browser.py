"""Objections (issue 23) in a real browser, on the local stack.

An enterprise opens its award on the public page, follows 对此信息有异议, files
``wrong_facts`` with a PDF and keeps the number and token; the province that
pushed the award sees it in the console's 异议处理, corrects the award (its
platform's PUT), answers 已更正 picking that change; the enterprise's 查询异议
shows the outcome. Screenshots at 1366×900 and 390×844 go to
``tests/e2e/screenshots/console/``.
"""

from __future__ import annotations

import time

from playwright.sync_api import Browser, expect

from tests.e2e.console import WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import submitted_program
from tests.factories import award_body, credit_code, pdf_bytes
from tests.steps import Http
from tests.steps import expect as expect_answer

HUBEI = "420000"
ENTERPRISE = "湖北异议测试建设集团有限公司"
CODE = credit_code(2301, prefix="91420100")
PROJECT = "武汉异议测试大桥"
CORRECTED = "武汉异议测试长江大桥"
DESCRIPTION = "获奖工程名称有误：应为“武汉异议测试长江大桥”，见随附的获奖公告。"
PHONE = "13700002301"


def test_an_enterprise_objects_and_the_province_corrects(stack, browser: Browser, tmp_path):
    key = stack.issue_key("--authority", HUBEI)["api_key"]
    caller = Http(stack)
    program_id = submitted_program(stack, key, name="湖北省建设优质工程（楚天杯）异议测试")
    body = award_body(
        program_id,
        source_id="HB-OBJ-1",
        project={"name": PROJECT, "category": "housing"},
        winners=[{"name": ENTERPRISE, "credit_code": CODE, "role": "general_contractor"}],
    )
    award = expect_answer(caller.call("POST", "/v1/awards", body, key=key), 201).data
    evidence = tmp_path / "获奖公告.pdf"
    evidence.write_bytes(pdf_bytes(padding=2000))

    with console_context(browser) as page:
        # --- the enterprise files from the public award page
        page.goto(stack.url(f"/#/award/{award['id']}"))
        page.get_by_role("link", name="对此信息有异议").click()
        form = page.locator("#objection-form")
        expect(form.get_by_label("获奖信息编号")).to_have_value(award["id"], timeout=WAIT)
        expect(page.locator("#award-box")).to_contain_text(PROJECT)
        expect(form.get_by_label("授奖的省级主管部门")).to_be_hidden()  # only for 奖项缺失
        form.get_by_label("统一社会信用代码").fill(CODE)
        form.get_by_label("异议说明").fill(DESCRIPTION)
        form.get_by_label("联系人").fill("王湖北")
        form.get_by_label("手机号码").fill("12345")  # not a mobile number: refused beside it
        form.get_by_role("button", name="提交异议").click()
        phone_error = form.locator('.field-error[data-field="contact.phone"]')
        expect(phone_error).to_contain_text("手机号码", timeout=WAIT)
        form.get_by_label("手机号码").fill(PHONE)
        form.get_by_label("证明材料").set_input_files(str(evidence))
        form.get_by_role("button", name="提交异议").click()
        filed = page.locator("#filed")
        expect(filed).to_be_visible(timeout=WAIT)
        expect(filed).to_contain_text("请妥善保存异议编号和查询码")
        expect(page.locator("#filed-evidence")).to_contain_text("已上传并通过核验", timeout=WAIT)
        number = page.locator("#filed-number").input_value()
        token = page.locator("#filed-token").input_value()
        assert number.startswith("YY-") and len(token) >= 22
        shoot(page, "objection-01-filed")

    # --- the province's platform corrects the award (a PUT with If-Match)
    corrected = {k: v for k, v in body.items()}
    corrected["project"] = {"name": CORRECTED, "category": "housing"}
    put = caller.call(
        "PUT",
        f"/v1/awards/{award['id']}",
        corrected,
        key=key,
        headers={"If-Match": f'"{award["version"]}"'},
    )
    expect_answer(put, 200)

    with console_context(browser) as console:
        # --- the province sees it in 异议处理 and answers 已更正, picking that change
        sign_in(console, stack, key)
        loaded(console)
        console.get_by_role("tab", name="异议处理").click()
        loaded(console)
        row = console.locator("#objection-table tbody tr", has_text=number)
        expect(row).to_contain_text("待答复", timeout=WAIT)
        expect(row).to_contain_text("个工作日")
        row.get_by_role("button", name="处理").click()
        detail = console.locator("#objection-detail")
        expect(detail).to_contain_text(PHONE, timeout=WAIT)
        expect(detail.locator("#ob-description")).to_have_text(DESCRIPTION)
        expect(detail.get_by_role("button", name="查看 获奖公告.pdf")).to_be_visible()
        answer = console.locator("#objection-answer-form")
        answer.get_by_label("已更正").check()
        change = answer.get_by_label("所做的更正")
        expect(change.locator("option", has_text="更正")).to_have_count(1)
        change.select_option(index=1)
        answer.get_by_label("答复内容").fill("已按获奖公告更正工程名称。")
        expect(answer.get_by_label("答复内容")).to_have_value("已按获奖公告更正工程名称。")
        shoot(console, "objection-02-console")
        expect(answer.get_by_label("答复内容")).to_have_value("已按获奖公告更正工程名称。")
        answer.get_by_role("button", name="提交答复").click()
        try:
            expect(console.locator("#notice")).to_contain_text(f"已答复异议 {number}", timeout=WAIT)
        except AssertionError as failed:  # say what the form said
            said = answer.locator(".form-error, .field-error").all_text_contents()
            raise AssertionError(
                f"not answered: {said} {console.locator('#notice').text_content()}"
            ) from failed
        expect(row).to_contain_text("已答复：已更正")
        # the evidence opens in the page, framed from its short-lived link (the detail is
        # drawn again once the answer is saved: a click on the card it replaced frames
        # nothing, so click what is shown until the frame is there)
        framed = detail.locator("#ob-evidence iframe")
        deadline = time.monotonic() + WAIT / 1000
        while framed.count() != 1:
            show = detail.get_by_role("button", name="查看 获奖公告.pdf")
            if show.is_visible():
                show.click()
            try:
                expect(framed).to_have_count(1, timeout=2000)
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

    with console_context(browser) as page:
        # --- the enterprise's lookup shows the outcome; a wrong token says only "not found"
        page.goto(stack.url("/objection/lookup"))
        lookup = page.locator("#lookup-form")
        lookup.get_by_label("异议编号").fill(number)
        lookup.get_by_label("查询码").fill("x" * 32)
        lookup.get_by_role("button", name="查询").click()
        expect(lookup.locator(".form-error")).to_contain_text(
            "异议编号或查询码不正确", timeout=WAIT
        )
        lookup.get_by_label("查询码").fill(token)
        lookup.get_by_role("button", name="查询").click()
        result = page.locator("#lookup-result")
        expect(result).to_contain_text("已更正", timeout=WAIT)
        expect(result).to_contain_text("已按获奖公告更正工程名称。")
        expect(result).not_to_contain_text(PHONE)
        shoot(page, "objection-03-lookup")


def test_an_administrator_sees_every_objection_and_transfers_one(stack, browser: Browser):
    key = stack.issue_key("--authority", "430000")["api_key"]
    admin_key = stack.issue_key("--admin")["api_key"]
    caller = Http(stack)
    code = credit_code(2302, prefix="91430100")
    body = {
        "kind": "missing_award",
        "credit_code": code,
        "authority_id": "430000",
        "description": "我司 2024 年获湖南省芙蓉奖，平台上查不到该获奖信息。",
        "contact": {"name": "刘湖南", "email": "liu@example.cn"},
    }
    filed = expect_answer(caller.call("POST", "/v1/objections", body), 201).data
    number = filed["number"]

    with console_context(browser) as admin:
        sign_in(admin, stack, admin_key)
        loaded(admin)
        admin.get_by_role("tab", name="异议处理").click()
        loaded(admin)
        row = admin.locator("#objection-table tbody tr", has_text=number)
        expect(row).to_contain_text("湖南省住房和城乡建设厅", timeout=WAIT)
        row.get_by_role("button", name="处理").click()
        detail = admin.locator("#objection-detail")
        expect(detail).to_contain_text("liu@example.cn", timeout=WAIT)
        expect(admin.locator("#objection-answer-form")).to_be_hidden()  # provinces answer
        transfer = admin.locator("#objection-transfer-form")
        transfer.get_by_label("转交给").select_option("420000")
        transfer.get_by_label("转交说明").fill("该奖项由湖北省授予，转湖北省办理。")
        transfer.get_by_role("button", name="转交").click()
        expect(admin.locator("#notice")).to_contain_text(f"已转交异议 {number}", timeout=WAIT)
        expect(row).to_contain_text("湖北省住房和城乡建设厅")
        expect(detail.locator("#ob-history")).to_contain_text("转交")
        shoot(admin, "objection-04-admin-transfer")

    moved = caller.call("GET", f"/v1/objections/{number}", key=key)
    assert moved.status_code == 404  # no longer Hunan's
