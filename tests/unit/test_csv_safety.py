"""CSV injection: formula-like cells made inert, full-width forms included (NFKC first)."""

import csv
import io

import pytest

from backfill.problems import Problem
from backfill.report import write_errors
from chalicelib.domain.csv_safety import is_formula_like, safe_cell
from chalicelib.services.audit_reports import report_csv


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","点此")',
        "+86 10 1234",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "＝1＋1",  # full-width, as a Chinese input method types them
        "＋86",
        "－1",
        "＠SUM(A1)",
        "﹦1",  # small form variants fold to ASCII too
        "﹢1",
        "﹣1",
        "=\u0338",  # "=" then a combining mark that NFC would compose to "≠"
    ],
)
def test_formula_like_text_gets_a_leading_quote(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["北京城建集团", "2026-11-24", "91110000000000001X", "a=b", " =1", "−1", "", 3, -3, 1.5],
)
def test_other_cells_are_written_as_they_are(value):
    assert safe_cell(value) == value


def test_none_is_an_empty_cell():
    assert safe_cell(None) == ""


def test_backfill_errors_csv_neutralises_what_the_sheet_held(tmp_path):
    problems = [
        Problem(3, '=HYPERLINK("http://x")', "记录编号", "source_id", "bad", "bad", "有误"),
        Problem(4, "＠cmd", None, None, "bad", "-1 is not allowed", "＝不允许"),
    ]
    path = tmp_path / "awards.errors.csv"
    assert write_errors(path, problems, "＋sheet") == 2
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:3] == ["'＋sheet", "3", '\'=HYPERLINK("http://x")']
    assert rows[2][2] == "'＠cmd"
    assert rows[2][6:] == ["'＝不允许", "'-1 is not allowed"]


def test_the_audit_report_csv_neutralises_its_cells():
    finding = {
        "id": "late_push:awd_1",
        "kind": "late_push",
        "authority_id": "110000",
        "subject": {"type": "award", "id": "＝1+1"},
        "detail": {"n": 1},
        "action": {"zh": "＠请核实", "en": "+check"},
    }
    body = report_csv({"findings_new": [finding], "findings_open": [], "findings_closed": []})
    (header, row) = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[0] == "finding_id"
    assert row[5] == "'＝1+1"
    assert row[6] == '{"n": 1}'
    assert row[7:] == ["'＠请核实", "'+check"]
