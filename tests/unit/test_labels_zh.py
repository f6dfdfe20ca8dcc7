"""The public page's copy of the Chinese labels says what ``domain/labels_zh`` says.

``web/app.js`` has no build step, so it keeps its own copy of the labels; this
test reads the copy out of the script and fails on any difference, so a label
changed in one place cannot drift from the other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from chalicelib.domain import labels_zh, program_status, validity
from chalicelib.domain.audit_rules import Kind
from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.schemas import CATEGORIES, WINNER_ROLES
from chalicelib.domain.timeliness import Status as TimelinessStatus

APP_JS = (Path(__file__).parents[2] / "chalicelib" / "web" / "app.js").read_text("utf-8")
CHECK_JS = (Path(__file__).parents[2] / "chalicelib" / "web" / "check.js").read_text("utf-8")


def js_object(name: str, script: str = APP_JS) -> dict[str, str]:
    """The ``const NAME = { key: "text", ... };`` literal of app.js as a dict."""
    match = re.search(rf"^const {name} = \{{(.*?)\}};", script, re.S | re.M)
    assert match, f"app.js has no const {name}"
    pairs = re.findall(r'(\w+):\s*"([^"]*)"', match.group(1))
    assert pairs, f"const {name} has no labels"
    return dict(pairs)


@pytest.mark.parametrize(
    ("js_name", "labels"),
    [
        ("ROLES", labels_zh.ROLE_ZH),
        ("CATEGORIES", labels_zh.CATEGORY_ZH),
        ("CYCLES", labels_zh.CYCLE_ZH),
        ("RELATIONS", labels_zh.RELATION_ZH),
        ("PROGRAM_STATES", labels_zh.PROGRAM_STATUS_ZH),
        ("TIMELINESS", labels_zh.TIMELINESS_ZH),
        ("VALIDITY", labels_zh.VALIDITY_ZH),
    ],
)
def test_the_page_shows_the_same_labels_as_the_server(js_name, labels):
    assert js_object(js_name) == dict(labels)


def test_the_page_shows_times_in_the_same_zone_as_the_server():
    assert re.search(r'^const CHINA_TZ = "([^"]+)";', APP_JS, re.M).group(1) == CHINA_TZ.tzname(
        None
    )


def test_every_code_has_exactly_one_label():
    assert set(labels_zh.ROLE_ZH) == set(WINNER_ROLES)
    assert set(labels_zh.CATEGORY_ZH) == set(CATEGORIES)
    assert tuple(labels_zh.PROGRAM_STATUS_ZH) == program_status.ALL
    assert set(labels_zh.TIMELINESS_ZH) == set(get_args(TimelinessStatus))
    assert set(labels_zh.FINDING_KIND_ZH) == set(get_args(Kind))
    assert tuple(labels_zh.VALIDITY_ZH) == validity.ALL
    for labels in (labels_zh.ROLE_ZH, labels_zh.CATEGORY_ZH, labels_zh.PROGRAM_STATUS_ZH):
        assert len(set(labels.values())) == len(labels)  # a label read back names one code


def test_the_receipt_check_page_uses_the_same_labels_and_time_zone():
    assert js_object("ROLES", CHECK_JS) == dict(labels_zh.ROLE_ZH)
    assert js_object("PROGRAM_STATES", CHECK_JS) == dict(labels_zh.PROGRAM_STATUS_ZH)
    assert js_object("VALIDITY", CHECK_JS) == dict(labels_zh.VALIDITY_ZH)
    assert re.search(r'^const CHINA_TZ = "([^"]+)";', CHECK_JS, re.M).group(1) == CHINA_TZ.tzname(
        None
    )


CONSOLE = Path(__file__).parents[2] / "chalicelib" / "web" / "console"
CONSOLE_JS = (CONSOLE / "console.js").read_text("utf-8")
CONSOLE_HTML = (CONSOLE / "index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("js_name", "labels"),
    [
        ("STATUS_ZH", labels_zh.PROGRAM_STATUS_ZH),
        ("CATEGORY_ZH", labels_zh.CATEGORY_ZH),
        ("CYCLE_ZH", labels_zh.CYCLE_ZH),
        ("RELATION_ZH", labels_zh.RELATION_ZH),
        ("FINDING_KIND_ZH", labels_zh.FINDING_KIND_ZH),
    ],
)
def test_the_console_shows_the_same_labels_as_the_server(js_name, labels):
    assert js_object(js_name, CONSOLE_JS) == dict(labels)


def test_the_console_forms_offer_every_code_with_its_label():
    options = dict(re.findall(r'<option value="(\w+)">([^<]+)</option>', CONSOLE_HTML))
    for labels in (
        labels_zh.ROLE_ZH,
        labels_zh.CATEGORY_ZH,
        labels_zh.CYCLE_ZH,
        labels_zh.RELATION_ZH,
    ):
        assert {code: options.get(code) for code in labels} == dict(labels)
