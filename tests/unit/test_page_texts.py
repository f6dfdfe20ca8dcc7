"""Every error code the API can return has the pages' own words (``web/common.js``).

The API keeps ``code`` / ``message`` / ``message_zh``; the pages say what went
wrong and what to do in their own words, chosen by ``code``. A code added to
the API without a page text fails here, before a clerk meets a bare code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from chalicelib.domain import errors
from chalicelib.domain.messages_zh import CODE_ZH

ROOT = Path(__file__).parents[2]
COMMON_JS = (ROOT / "chalicelib" / "web" / "common.js").read_text("utf-8")
# format names and abbreviations a page may show (issue 24); anything else Latin is a leak
ALLOWED_LATIN = {"PDF", "OFD", "XLSX", "CSV", "JSON", "OpenAPI", "API", "QR", "MB"}


def page_texts() -> dict[str, str]:
    match = re.search(r"^const ERROR_TEXTS = \{(.*?)^\};", COMMON_JS, re.S | re.M)
    assert match, "common.js has no ERROR_TEXTS"
    return dict(re.findall(r'^\s*(\w+): "([^"]+)",', match.group(1), re.M))


def raised_codes() -> set[str]:
    """Codes named where errors are raised: ``ConflictError("code", …)``, ``Verdict.rejected``."""
    codes: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in {"ConflictError", "BusinessRuleError", "rejected"} and isinstance(
                first, ast.Constant
            ):
                codes.add(first.value)
    return codes


def class_codes() -> set[str]:
    return {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.RegistryError)
    }


def test_every_code_the_api_can_return_has_a_page_text():
    codes = class_codes() | raised_codes() | set(CODE_ZH)
    assert "source_id_conflict" in codes and "pdf_unreadable" in codes  # the scan sees raises
    missing = sorted(codes - set(page_texts()))
    assert missing == [], f"no page text in web/common.js for {missing}"


def test_page_texts_are_chinese_sentences_without_codes_or_paths():
    for code, text in page_texts().items():
        words = set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED_LATIN
        assert not words, (code, text)
        assert "/v1" not in text and "POST" not in text and "_" not in text, (code, text)
        assert text.endswith("。"), (code, text)
