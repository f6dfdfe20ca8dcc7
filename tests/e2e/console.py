"""The console in a browser, for every console test: a checked page, sign-in, screenshots.

A confirmation (``window.confirm``) is accepted and its question kept in ``page.questions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from devtools.local_stack import PROJECT_DIR

SHOTS = PROJECT_DIR / "tests" / "e2e" / "screenshots" / "console"
SIZES = ((1366, 900), (390, 844))
WAIT = 60_000  # ms: the machine is shared and loaded
# what the sign-in form says to a revoked or unknown key (common.js ERROR_TEXTS.unauthenticated)
SIGNED_OUT = "密钥无效或已吊销，请重新登录。"


@contextmanager
def console_context(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own sessionStorage) that fails the test on a script error
    or anything the Content-Security-Policy blocked."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": SIZES[0][0], "height": SIZES[0][1]}
    )
    context.set_default_timeout(WAIT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # 通过, 退回, 撤销设立 … ask first, naming what they act on: the test says yes and keeps the
    # questions (page.questions) to check what was asked
    questions: list[str] = []
    page.questions = questions  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )
    try:
        yield page
    finally:
        context.close()
    assert errors == [], errors


def shoot(page: Page, name: str) -> None:
    """Both sizes of the current screen; on a phone nothing may stick out sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width + 1, f"{name} is {overflow}px wide at {width}px"
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def sign_in(page: Page, stack, key: str, *, load: bool = True) -> None:
    """Signs in; ``load=False`` signs in on the page as it is (after 退出, the same page)."""
    if load:
        page.goto(stack.url("/console/"))
    page.get_by_label("接入密钥").fill(key)
    page.get_by_role("button", name="登录").click()


def loaded(page: Page) -> None:
    """Wait until the open tab has loaded (``aria-busy`` false): its lists are in place, so
    nothing moves under the next click."""
    expect(page.locator("#app .tab:not([hidden])")).to_have_attribute(
        "aria-busy", "false", timeout=WAIT
    )
