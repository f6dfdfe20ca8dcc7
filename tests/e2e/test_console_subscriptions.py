"""The console's 数据订阅 tab in a real browser (issue 21, item 6).

A Heilongjiang (230000) staff member, through the console only: adds a subscription
(接收地址, 说明) for a receiver this test starts on 127.0.0.1, sees the signing secret
once (复制), sends a test (发送测试), sees an award pushed meanwhile arrive in the list and
the delivery log, re-sends it (重新推送 from a date), pauses and resumes it (暂停/恢复)
and rotates the secret (更换密钥). An administrator then sees the subscription among
every province's. Every delivery is checked with ``svix``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from svix.webhooks import Webhook

from chalicelib.domain.china_time import CHINA_TZ
from tests.e2e.console import WAIT, console_context, loaded, shoot, sign_in
from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.receiver import Receiver
from tests.steps import Http, push

HEILONGJIANG = "230000"
HEILONGJIANG_ZH = "黑龙江省住房和城乡建设厅"
DESCRIPTION = "黑龙江省建筑市场监管一体化工作平台（控制台测试）"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with console_context(browser) as opened:
        yield opened


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


def open_tab(page: Page) -> None:
    page.get_by_role("tab", name="数据订阅").click()
    loaded(page)


def test_a_province_subscribes_tests_replays_pauses_and_rotates_in_the_console(
    stack, page: Page, receiver: Receiver
):
    key = stack.issue_key("--authority", HEILONGJIANG)["api_key"]
    program_id = submitted_program(stack, key, name="黑龙江省优质工程奖（订阅控制台测试）")
    sign_in(page, stack, key)
    open_tab(page)
    expect(page.locator("#sub-empty")).to_be_visible()

    tab = page.locator("#tab-subscriptions")
    tab.get_by_label("接收地址").fill(receiver.url)
    tab.get_by_label("说明").fill(DESCRIPTION)
    tab.get_by_role("button", name="添加订阅").click()
    secret_box = tab.get_by_label("签名密钥")
    expect(secret_box).to_have_value(re.compile(r"^whsec_"))
    secret = secret_box.input_value()
    tab.get_by_role("button", name="复制").click()
    expect(page.locator("#sub-copied")).not_to_have_text("")
    row = page.locator("#sub-table tbody tr", has_text=DESCRIPTION)
    expect(row).to_contain_text("正常推送")
    shoot(page, "subscriptions-added")
    subscription_id = row.get_attribute("data-subscription-id")
    try:
        row.get_by_role("button", name="发送测试").click()
        expect(page.locator("#notice")).to_contain_text("接收方返回 200")
        [(_, ping)] = receiver.verified(secret)
        assert ping["type"] == "ping"

        winners = [
            {"name": "黑龙江订阅控制台测试建工集团有限公司", "role": "general_contractor",
             "credit_code": credit_code(2301, prefix="91230000")},
        ]  # fmt: skip
        push(Http(stack), key, award_body(program_id, "HLJ-WH-1", winners=winners))
        receiver.wait_for(2, timeout=120)  # the ping, then the award
        open_tab(page)
        expect(row).to_contain_text("已送达")

        row.get_by_role("button", name="投递记录").click()
        log = page.locator("#sub-log tbody tr")
        expect(log.filter(has_text="新增获奖信息")).to_contain_text("已送达")
        today = datetime.now(CHINA_TZ).date().isoformat()
        tab.get_by_label("起始日期").fill(today)
        tab.get_by_role("button", name="重新推送").click()
        expect(page.locator("#notice")).to_contain_text("已安排重新推送")
        receiver.wait_for(3, timeout=120)
        delivered = receiver.verified(secret)
        award_ids = [wid for wid, body in delivered if body["type"] == "award.created"]
        assert len(award_ids) == 2 and award_ids[0] == award_ids[1]  # the same webhook-id
        expect(log.filter(has_text="（重新推送）").first).to_be_visible()
        shoot(page, "subscriptions-log")

        row.get_by_role("button", name="暂停").click()
        expect(row).to_contain_text("已暂停")
        row.get_by_role("button", name="恢复").click()
        expect(row).to_contain_text("正常推送")

        row.get_by_role("button", name="更换密钥").click()
        expect(secret_box).not_to_have_value(secret)
        expect(secret_box).to_have_value(re.compile(r"^whsec_"))
        expect(page.locator("#notice")).to_contain_text("已更换签名密钥")
        rotated = secret_box.input_value()
        assert rotated.startswith("whsec_")
        row.get_by_role("button", name="发送测试").click()
        expect(page.locator("#notice")).to_contain_text("接收方返回 200")
        receiver.wait_for(4, timeout=60)
        headers, body, _ = receiver.requests[-1]
        for either in (rotated, secret):  # for 24 hours both secrets sign
            Webhook(either).verify(body, headers)

        # the receiver answers 410 Gone: paused at once, and the tab says what to do
        receiver.script = [410]
        push(Http(stack), key, award_body(program_id, "HLJ-WH-2", winners=winners))
        receiver.wait_for(5, timeout=120)
        deadline = time.monotonic() + 60  # the pause is written as the 410 is recorded
        while "已暂停" not in (row.text_content() or ""):
            assert time.monotonic() < deadline, "the subscription was not paused"
            open_tab(page)
        expect(row).to_contain_text("410")
        expect(page.locator("#sub-alerts")).to_contain_text("恢复")
        shoot(page, "subscriptions-paused")
    finally:
        requests.delete(
            stack.url(f"/v1/subscriptions/{subscription_id}"), headers=bearer(key), timeout=30
        )


def test_an_administrator_sees_every_provinces_subscriptions(stack, page: Page, receiver):
    key = stack.issue_key("--authority", HEILONGJIANG)["api_key"]
    made = requests.post(
        stack.url("/v1/subscriptions"),
        json={"url": receiver.url, "description": "管理员视图测试"},
        headers=bearer(key),
        timeout=30,
    )
    assert made.status_code == 201, made.text
    try:
        sign_in(page, stack, stack.issue_key("--admin")["api_key"])
        open_tab(page)
        row = page.locator("#sub-table tbody tr", has_text="管理员视图测试")
        expect(row).to_contain_text(HEILONGJIANG_ZH, timeout=WAIT)
        expect(page.locator("#tab-subscriptions").get_by_label("所属省份")).to_be_visible()
        shoot(page, "subscriptions-admin")
        # the pilot statistics gain who receives pushes and the delivery lag
        page.get_by_role("tab", name="试点评估").click()
        expect(page.locator("#pilot-webhooks")).to_contain_text("接收推送的省份")
        expect(page.locator("#pilot-webhooks")).to_contain_text("投递延迟")
    finally:
        requests.delete(
            stack.url(f"/v1/subscriptions/{made.json()['id']}"), headers=bearer(key), timeout=30
        )
