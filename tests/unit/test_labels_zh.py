"""Every page reads the Chinese labels from one place: ``domain/labels_zh`` served as labels.js.

The pages have no build step. Rather than each keeping a copy of the labels
(checked against the server's), the server writes them into one script,
``GET /static/labels.js``, that every page loads first; these tests check that
script says what the module says and that no page script spells a label itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest

from chalicelib.domain import labels_zh, program_status, validity
from chalicelib.domain.audit_rules import Kind
from chalicelib.domain.china_time import CHINA_TZ
from chalicelib.domain.schemas import CATEGORIES, WINNER_ROLES
from chalicelib.domain.timeliness import Status as TimelinessStatus

WEB = Path(__file__).parents[2] / "chalicelib" / "web"
PAGE_SCRIPTS = sorted(
    [*WEB.glob("*.js"), *(WEB / "console").glob("*.js")], key=lambda path: path.name
)
CONSOLE_HTML = (WEB / "console" / "index.html").read_text("utf-8")


def served_labels() -> dict:
    """The ``LABELS`` object of labels.js, as a browser would read it."""
    match = re.search(r"const LABELS = Object\.freeze\((.*)\);\s*$", labels_zh.script(), re.S)
    assert match, "labels.js defines no LABELS"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "name",
    [
        "ROLE_ZH",
        "CATEGORY_ZH",
        "CYCLE_ZH",
        "RELATION_ZH",
        "PROGRAM_STATUS_ZH",
        "VALIDITY_ZH",
        "TIMELINESS_ZH",
        "FINDING_KIND_ZH",
        "DOC_STATUS_ZH",
        "IMPORT_STATUS_ZH",
    ],
)
def test_the_pages_are_served_the_servers_labels(name):
    assert served_labels()[name] == dict(getattr(labels_zh, name))


def test_the_pages_show_times_in_the_same_zone_as_the_server():
    assert served_labels()["CHINA_TZ"] == CHINA_TZ.tzname(None)


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda path: path.name)
def test_no_page_script_keeps_its_own_copy_of_a_label(script):
    text = script.read_text("utf-8")
    for table in (labels_zh.ROLE_ZH, labels_zh.CYCLE_ZH, labels_zh.PROGRAM_STATUS_ZH):
        for code, label in table.items():
            assert not re.search(rf'\b{code}:\s*"{label}"', text), (script.name, code)


@pytest.mark.parametrize("page", ["index.html", "check.html", "console/index.html"])
def test_every_page_loads_the_labels_before_its_own_script(page):
    html = (WEB / page).read_text("utf-8")
    scripts = re.findall(r'<script src="[^"]*/([\w.-]+)"', html)
    assert scripts[:2] == ["labels.js", "common.js"], scripts


def test_every_code_has_exactly_one_label():
    assert set(labels_zh.ROLE_ZH) == set(WINNER_ROLES)
    assert set(labels_zh.CATEGORY_ZH) == set(CATEGORIES)
    assert tuple(labels_zh.PROGRAM_STATUS_ZH) == program_status.ALL
    assert set(labels_zh.TIMELINESS_ZH) == set(get_args(TimelinessStatus))
    assert set(labels_zh.FINDING_KIND_ZH) == set(get_args(Kind))
    assert tuple(labels_zh.VALIDITY_ZH) == validity.ALL
    for labels in (labels_zh.ROLE_ZH, labels_zh.CATEGORY_ZH, labels_zh.PROGRAM_STATUS_ZH):
        assert len(set(labels.values())) == len(labels)  # a label read back names one code


def test_the_console_forms_offer_every_code_with_its_label():
    options = dict(re.findall(r'<option value="(\w+)">([^<]+)</option>', CONSOLE_HTML))
    for labels in (
        labels_zh.ROLE_ZH,
        labels_zh.CATEGORY_ZH,
        labels_zh.CYCLE_ZH,
        labels_zh.RELATION_ZH,
    ):
        assert {code: options.get(code) for code in labels} == dict(labels)
