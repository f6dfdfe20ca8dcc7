"""What every page is checked for in a browser: axe-core, Latin words, dates, widths.

axe-core (``tests/e2e/vendor``, MPL-2.0, for the tests only) is evaluated into the page
through the DevTools protocol, which the page's Content-Security-Policy does not govern,
then ``axe.run`` lists the violations; a page passes with none ``serious`` or
``critical``. The visible text may hold no Latin word of 3+ letters except the format
names and abbreviations of ``ALLOWED`` (issue 24), and no date in a machine's style
(2026-12-06, 2026/12/6): people read 2026年12月6日. Codes, ids and addresses are data,
not words: ``<code>``, ``.code`` and link addresses are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text("utf-8")
# format names and abbreviations a page may show; proper names (Chart.js and its MIT
# licence, the Standard Webhooks spec)
ALLOWED = {
    "PDF",
    "OFD",
    "XLSX",
    "CSV",
    "JSON",
    "Feed",
    "OpenAPI",
    "API",
    "QR",
    "SHA",
    "JWS",
    "Chart",
    "MIT",
    "Standard",  # Standard Webhooks, the name of the signing spec the 数据订阅 tab cites
    "Webhooks",
    "Ctrl",
}
WIDTHS = (1280, 640, 390)  # a desktop, the same at 200% zoom, a phone

_VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const host = node.parentElement;
    if (!host || host.closest("code, .code, script, style, template, option")) continue;
    if (!host.checkVisibility({ visibilityProperty: true })) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
}"""

_AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} ${n.failureSummary}`),
    }));
}"""


_TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(_AXE_RUN)


def visible_texts(page: Page) -> list[str]:
    return page.evaluate(_VISIBLE_TEXT)


def latin_words(texts: list[str]) -> set[str]:
    """Latin words of 3+ letters that are not allowed, after removing addresses."""
    words: set[str] = set()
    for text in texts:
        bare = re.sub(r"(https?://|/)[^\s，。；）]*", " ", text)
        bare = re.sub(r"[\w.-]*\.(pdf|ofd|xlsx|csv|jws|json)\b", " ", bare, flags=re.I)
        words |= {w for w in re.findall(r"[A-Za-z]{3,}", bare) if w not in ALLOWED}
    return words


def machine_dates(texts: list[str]) -> set[str]:
    """Dates written for machines (2026-12-06, 2026/12/6) in text people read."""
    found: set[str] = set()
    for text in texts:
        bare = re.sub(r"(https?://|/v1/)\S*", " ", text)
        found |= set(re.findall(r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}\b", bare))
    return found


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def check_page(page: Page, name: str, *, widths: tuple[int, ...] = WIDTHS) -> list[str]:
    """Every problem of the page at each width (empty when it passes)."""
    problems: list[str] = []
    size = page.viewport_size or {"width": 1280, "height": 900}
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        # what redraws on a resize (charts) does so in the next frames
        page.evaluate(_TWO_FRAMES)
        wide = overflow(page)
        if wide > width + 1:
            problems.append(f"{name} @{width}px: {wide}px wide (scrolls sideways)")
        for violation in axe_violations(page):
            problems.append(f"{name} @{width}px: axe {violation}")
    texts = visible_texts(page)
    if words := latin_words(texts):
        problems.append(f"{name}: Latin words {sorted(words)}")
    if dates := machine_dates(texts):
        problems.append(f"{name}: dates in a machine's style {sorted(dates)}")
    page.set_viewport_size(size)
    return problems
