"""The administrators' console in a real browser: 待审核 and 密钥管理 (issue 13, items 1 and 2).

An administrator signs in and, through the console only: sees two submitted
programmes of Guangxi in the review queue with their approval documents (the
PDF framed in the page through its short-lived link, the OFD as a download);
is refused a 退回 without a reason beside the field; approves one and rejects
the other with a reason; withdraws the approved one later (reason, effective
date). Guangxi's console, in a second browser context, shows each decision at
once (the rejection and withdrawal with their reasons), and the change feed
carries them. Then the administrator issues a Guangxi key under 密钥管理 (shown
once), a second context signs in with it, the administrator revokes it, and
the second context's next request is refused. Screenshots go to
``tests/e2e/screenshots/console/`` as for the provincial console.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from chalicelib.domain.china_time import china_date, date_zh
from tests.e2e.console import SIGNED_OUT, WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import bearer, check_document, upload_document, verified_document
from tests.factories import document_body, ofd_bytes, program_body

GUANGXI = "450000"
GUANGXI_NAME = "广西壮族自治区住房和城乡建设厅"
APPROVED = "广西建设工程“真武阁杯”（审核测试 5301）"
REJECTED = "广西优质工程奖（审核测试 5302）"
REASON = "批准文件不是省级人民政府印发，请补充省政府批复后重新报送。"
WITHDRAWN_REASON = "评比表彰清理规范后停办（审核测试 5301）。"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


def _program(stack, key: str, name: str, *, ofd: bool = False) -> str:
    """A Guangxi programme submitted over the API (the province's part), with a PDF or OFD."""
    body = program_body(
        name=name,
        organizer="广西建筑业联合会",
        approval={
            "issuer": "广西壮族自治区人民政府",
            "document_number": "桂政函〔2020〕7号",
            "approved_on": "2020-05-06",
        },
    )
    created = requests.post(stack.url("/v1/programs"), json=body, headers=bearer(key), timeout=30)
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    if ofd:
        content = ofd_bytes()
        declared = document_body(content, "application/ofd", filename="桂政函〔2020〕7号.ofd")
        document_id = upload_document(stack, key, program_id, declared, content)["document_id"]
        checked = check_document(stack, key, program_id, document_id)
        assert checked.json()["status"] == "verified", checked.text
    else:
        verified_document(stack, key, program_id)
    submitted = requests.post(
        stack.url(f"/v1/programs/{program_id}/submit"), headers=bearer(key), timeout=30
    )
    assert submitted.status_code == 200, submitted.text
    return program_id


def _feed(stack, since: str | None) -> tuple[list[dict], str]:
    """Every entry of ``/v1/changes`` after ``since`` (None: the start), and where it ends."""
    entries: list[dict] = []
    while True:
        params = {"limit": 100, **({"since": since} if since else {})}
        page = requests.get(stack.url("/v1/changes"), params=params, timeout=60)
        assert page.status_code == 200, page.text
        answer = page.json()
        entries.extend(answer["items"])
        since = answer["next_cursor"]
        if not answer["has_more"]:
            return entries, since


def _status_changes(entries: list[dict], program_ids: set[str]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {program_id: [] for program_id in program_ids}
    for entry in entries:
        if entry["entity"] == "program" and entry["id"] in seen and entry["op"] == "status":
            seen[entry["id"]].append(entry["data"]["status"])
    return seen


def test_the_console_may_frame_the_document_links_origin_and_no_other(stack) -> None:
    policy = requests.get(stack.url("/console/"), timeout=30).headers["Content-Security-Policy"]
    assert f"frame-src {stack.endpoint_url}" in policy.split("; ")
    assert "object-src 'none'" in policy.split("; ")


def test_an_administrator_reviews_and_manages_keys_through_the_console(
    stack, browser: Browser, page: Page
) -> None:
    guangxi = stack.issue_key("--authority", GUANGXI)["api_key"]
    approved_id = _program(stack, guangxi, APPROVED)
    rejected_id = _program(stack, guangxi, REJECTED, ofd=True)
    admin_issued = stack.issue_key("--admin")
    admin, admin_id = admin_issued["api_key"], admin_issued["key_id"]
    _, before_review = _feed(stack, None)

    # --- 待审核: the queue, oldest submission first, lands first after sign-in
    sign_in(page, stack, admin)
    expect(page.locator("#who")).to_have_text("管理员", timeout=WAIT)
    expect(page.get_by_role("tab", name="待审核")).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-tab="programs"]')).to_be_hidden()
    queue = page.locator("#review-table tbody tr")
    expect(queue.filter(has_text=REJECTED)).to_have_count(1, timeout=WAIT)
    names = queue.locator("td:first-child").all_text_contents()
    assert names.index(APPROVED) < names.index(REJECTED)  # submitted first, listed first
    row = queue.filter(has_text=APPROVED)
    expect(row).to_contain_text(GUANGXI_NAME)
    expect(row).to_contain_text("已报送，待审核")
    shoot(page, "admin-01-review-queue")

    # the programme's fields and its PDF, framed through the short-lived link
    row.get_by_role("button", name="审阅").click()
    detail = page.locator("#review-detail")
    expect(detail.locator("#rv-name")).to_contain_text(APPROVED, timeout=WAIT)
    expect(detail.locator("#rv-facts")).to_contain_text("桂政函〔2020〕7号")
    expect(detail.locator("#rv-facts")).to_contain_text("广西建筑业联合会")
    frame = detail.locator("iframe")
    expect(frame).to_have_count(1, timeout=WAIT)
    expect(frame).to_have_attribute("title", re.compile("批准文件"))
    src = frame.get_attribute("src")
    assert src.startswith(stack.endpoint_url) and f"verified/{approved_id}/" in src
    served = requests.get(src, timeout=30)
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    assert served.headers["Content-Type"] == "application/pdf"
    expect(detail.get_by_role("button", name="撤销")).to_be_hidden()
    shoot(page, "admin-02-review-detail-pdf")

    # 退出 at a shared workstation, the next person signs in on the same page: nothing the
    # administrator had open is left in it, the framed document's live link least of all
    page.get_by_role("button", name="退出").click()
    sign_in(page, stack, guangxi, load=False)
    expect(page.locator("#who")).to_have_text(GUANGXI_NAME, timeout=WAIT)
    expect(page.locator("#program-table tbody tr").filter(has_text=APPROVED)).to_have_count(1)
    expect(page.locator("iframe")).to_have_count(0)
    expect(detail).to_be_hidden()
    for box in ("#rv-name", "#rv-facts", "#rv-history", "#rv-documents", "#review-table tbody"):
        expect(page.locator(box)).to_be_empty()
    assert src not in page.content() and "桂政函〔2020〕7号" not in page.content()
    page.get_by_role("button", name="退出").click()
    sign_in(page, stack, admin, load=False)
    expect(page.locator("#who")).to_have_text("管理员", timeout=WAIT)
    loaded(page)  # the queue in place before its rows are clicked

    # 审阅 on one, then on another before the first has answered: the first's late answer is
    # dropped, so the card shows the second and 通过 acts on it
    late_url = stack.url(f"/v1/programs/{rejected_id}")
    held: list = []

    def hold(route) -> None:
        held.append(route)

    page.route(late_url, hold)
    queue.filter(has_text=REJECTED).get_by_role("button", name="审阅").click()
    row.get_by_role("button", name="审阅").click()
    expect(detail.locator("#rv-name")).to_contain_text(APPROVED, timeout=WAIT)
    expect(frame).to_have_count(1, timeout=WAIT)
    assert len(held) == 1
    with page.expect_response(late_url):
        held[0].continue_()
    page.unroute(late_url, hold)
    page.evaluate("() => new Promise((done) => setTimeout(done))")  # its handlers have run
    expect(detail.locator("#rv-name")).to_contain_text(APPROVED)
    expect(frame).to_have_count(1)
    detail.get_by_role("button", name="通过").click()
    expect(page.locator("#notice")).to_have_text(f"已通过：{APPROVED}", timeout=WAIT)
    expect(queue.filter(has_text=APPROVED)).to_have_count(0)

    # the OFD one: a download link; 退回 without a reason is refused beside the field
    queue.filter(has_text=REJECTED).get_by_role("button", name="审阅").click()
    expect(detail.locator("#rv-name")).to_contain_text(REJECTED, timeout=WAIT)
    download = detail.get_by_role("link", name=re.compile(r"下载 .*\.ofd"))
    expect(download).to_have_count(1, timeout=WAIT)
    assert f"verified/{rejected_id}/" in download.get_attribute("href")
    expect(detail.locator("iframe")).to_have_count(0)
    detail.get_by_role("button", name="退回").click()
    beside = detail.locator('#review-form .field-error[data-field="reason"]')
    expect(beside).to_have_text("退回须填写理由。", timeout=WAIT)
    shoot(page, "admin-03-reject-needs-a-reason")
    stored = requests.get(
        stack.url(f"/v1/programs/{rejected_id}"), headers=bearer(admin), timeout=30
    )
    assert stored.json()["status"] == "submitted"  # nothing was sent
    detail.get_by_label("退回理由").fill(REASON)
    detail.get_by_role("button", name="退回").click()
    expect(page.locator("#notice")).to_have_text(f"已退回：{REJECTED}", timeout=WAIT)
    expect(queue.filter(has_text=REJECTED)).to_have_count(0)

    # --- the province sees both at once, the rejection with its reason
    with console_context(browser) as province:
        sign_in(province, stack, guangxi)
        expect(province.locator("#who")).to_have_text(GUANGXI_NAME, timeout=WAIT)
        programs = province.locator("#program-table tbody tr")
        expect(programs.filter(has_text=APPROVED)).to_contain_text("已审核通过", timeout=WAIT)
        refused = programs.filter(has_text=REJECTED)
        expect(refused).to_contain_text("未通过审核")
        expect(refused).to_contain_text(f"理由：{REASON}")
        shoot(province, "admin-04-province-sees-decisions")
        refused.get_by_role("button", name="查看").click()
        expect(province.locator("#pd-history")).to_contain_text(f"未通过审核：{REASON}")

    entries, before_withdrawal = _feed(stack, before_review)
    decided = _status_changes(entries, {approved_id, rejected_id})
    assert decided == {approved_id: ["approved"], rejected_id: ["rejected"]}

    # --- 撤销 an approved programme: reason and effective date
    page.locator("#review-filter").get_by_label("显示").select_option("approved")
    approved_row = queue.filter(has_text=APPROVED)
    expect(approved_row).to_contain_text("已审核通过", timeout=WAIT)
    approved_row.get_by_role("button", name="审阅").click()
    expect(detail.locator("#rv-name")).to_contain_text(APPROVED, timeout=WAIT)
    expect(detail.get_by_role("button", name="通过")).to_be_hidden()
    detail.get_by_role("button", name="撤销").click()
    expect(detail.locator('#withdraw-form .field-error[data-field="reason"]')).not_to_be_empty()
    china_today = china_date(datetime.now(UTC)).isoformat()
    detail.get_by_label("撤销理由").fill(WITHDRAWN_REASON)
    detail.get_by_label("生效日期").fill(china_today)
    shoot(page, "admin-05-withdraw")
    detail.get_by_role("button", name="撤销").click()
    expect(page.locator("#notice")).to_contain_text(f"已撤销设立：{APPROVED}", timeout=WAIT)
    expect(queue.filter(has_text=APPROVED)).to_have_count(0)
    with console_context(browser) as province:
        sign_in(province, stack, guangxi)
        withdrawn = province.locator("#program-table tbody tr").filter(has_text=APPROVED)
        expect(withdrawn).to_contain_text("已撤销设立", timeout=WAIT)
        expect(withdrawn).to_contain_text(f"理由：{WITHDRAWN_REASON}（自{date_zh(china_today)}起）")
    entries, _ = _feed(stack, before_withdrawal)
    assert _status_changes(entries, {approved_id})[approved_id] == ["withdrawn"]
    withdrawal = [e for e in entries if e["id"] == approved_id][-1]["data"]
    assert withdrawal["status_history"][-1]["effective_on"] == china_today

    # --- 密钥管理: issue a Guangxi key, shown once
    page.get_by_role("tab", name="密钥管理").click()
    form = page.locator("#keys-form")
    expect(form.get_by_label("所属省份").locator("option")).to_have_count(33, timeout=WAIT)
    form.get_by_label("角色").select_option("admin")
    expect(form.get_by_label("所属省份")).to_be_hidden()
    form.get_by_label("角色").select_option("provincial")
    form.get_by_label("所属省份").select_option(GUANGXI)
    form.get_by_label("备注").fill("广西厅信息中心（审核测试 5303）")
    form.get_by_role("button", name="签发").click()
    shown = page.get_by_label("新密钥")
    expect(shown).to_have_value(re.compile(r"^ark_"), timeout=WAIT)
    expect(shown).to_have_attribute("readonly", "")
    new_key = shown.input_value()
    key_id = re.search(r"key_\w+", page.locator("#keys-new-what").text_content()).group(0)
    page.get_by_role("button", name="复制").click()
    expect(page.locator("#keys-copied")).not_to_be_empty(timeout=WAIT)
    keys = page.locator("#keys-table tbody tr")
    listed = keys.filter(has_text=key_id)
    expect(listed).to_contain_text(GUANGXI_NAME, timeout=WAIT)
    expect(listed).to_contain_text("广西厅信息中心（审核测试 5303）")
    expect(listed).to_contain_text("未使用")
    expect(listed).to_contain_text("有效")
    # who issued it (issue 19): this admin's key; the admin's own key came from the CLI
    expect(listed).to_contain_text(f"当前密钥 {admin_id}")
    own_row = page.locator(f'#keys-table tbody tr[data-key-id="{admin_id}"]')
    expect(own_row.locator("td").nth(5)).to_have_text("命令行（运维人员）")
    assert new_key not in page.locator("#keys-table").text_content()
    shoot(page, "admin-06-key-issued")

    with console_context(browser) as holder:
        sign_in(holder, stack, new_key)
        expect(holder.locator("#who")).to_have_text(GUANGXI_NAME, timeout=WAIT)
        expect(holder.locator("#program-table tbody tr").filter(has_text=REJECTED)).to_have_count(1)

        # shown once: gone when the section reloads; the list now has the day it was used
        page.get_by_role("tab", name="待审核").click()
        page.get_by_role("tab", name="密钥管理").click()
        expect(page.locator("#keys-new")).to_be_hidden(timeout=WAIT)
        assert page.locator("#keys-new-value").input_value() == ""
        expect(listed).not_to_contain_text("未使用", timeout=WAIT)

        # revoke, after the confirm step
        listed.get_by_role("button", name="吊销").click()
        confirm = page.locator("#keys-revoke-form")
        expect(confirm).to_contain_text(key_id, timeout=WAIT)
        confirm.get_by_label("吊销原因").fill("人员调岗（审核测试）")
        shoot(page, "admin-07-revoke-confirm")
        confirm.get_by_role("button", name="确认吊销").click()
        expect(listed).to_contain_text("已吊销", timeout=WAIT)
        # who revoked it and why, in the list (and so stored: GET /v1/keys)
        revoked_cell = listed.locator("td").nth(8)
        expect(revoked_cell).to_contain_text(admin_id)
        expect(revoked_cell).to_contain_text("原因：人员调岗（审核测试）")
        expect(listed.get_by_role("button", name="吊销")).to_have_count(0)
        shoot(page, "admin-08-key-revoked")

        # the holder's next request is refused
        holder.reload()
        expect(holder.locator("#login-error")).to_have_text(SIGNED_OUT, timeout=WAIT)
        expect(holder.locator("#app")).to_be_hidden()
    assert requests.get(stack.url("/v1/me"), headers=bearer(new_key), timeout=30).status_code == 401
