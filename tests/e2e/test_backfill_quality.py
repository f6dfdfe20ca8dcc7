"""The backfill tool's data-quality warnings against the local stack (issue 22, item 5).

A Hainan clerk's sheet: three awards of 2018 for a programme approved in 2019 and a
repeat of the second one. The tool reads the programme's approval date from the API,
writes both kinds of warning to ``errors.csv`` and pushes every row (exit 0: nothing
was rejected); run again with ``--skip-duplicates`` on a fresh copy, it leaves the
repeat out.
"""

from __future__ import annotations

import csv

from tests.e2e.helpers import submitted_program
from tests.e2e.test_backfill import backfill, stored_source_ids
from tests.sheets import award_rows, write_csv

HAINAN = "460000"


def test_the_tool_warns_of_early_and_repeated_rows_and_pushes_them(stack, tmp_path):
    key = stack.issue_key("--authority", HAINAN)["api_key"]
    approval = {"issuer": "海南省人民政府", "document_number": "琼府函〔2019〕3号"}
    program_id = submitted_program(
        stack,
        key,
        name="海南省建设工程绿岛杯（质量测试）",
        approval={**approval, "approved_on": "2019-03-01"},
    )
    rows = award_rows(3, program_id=program_id, prefix="HN", winners=1, code_prefix="91460000")
    sheet = write_csv(tmp_path / "hainan.csv", [*rows, ["HN-COPY", *rows[1][1:]]])

    result, summary = backfill(stack, key, str(sheet))
    assert result.returncode == 0, result.stderr
    assert summary["created"] == 4 and summary["rejected"] == 0 and summary["warnings"] == 5
    with (tmp_path / "hainan.errors.csv").open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert sorted((r["记录编号 source_id"], r["错误代码 code"]) for r in lines) == [
        ("HN-00000", "before_approval"),
        ("HN-00001", "before_approval"),
        ("HN-00002", "before_approval"),
        ("HN-COPY", "before_approval"),
        ("HN-COPY", "duplicate_award"),
    ]
    assert all(r["原因 reason (中文)"].startswith("警告：") for r in lines)
    assert sorted(stored_source_ids(stack, program_id)) == [
        "HN-00000",
        "HN-00001",
        "HN-00002",
        "HN-COPY",
    ]

    other = submitted_program(
        stack,
        key,
        name="海南省建设工程椰岛杯（质量测试）",
        approval={**approval, "approved_on": "2017-12-01"},
    )
    rows = award_rows(3, program_id=other, prefix="HS", winners=1, code_prefix="91460000")
    sheet = write_csv(tmp_path / "skip.csv", [*rows, ["HS-COPY", *rows[1][1:]]])
    result, summary = backfill(stack, key, str(sheet), "--skip-duplicates")
    assert result.returncode == 0, result.stderr
    assert summary["created"] == 3 and summary["duplicates_skipped"] == 1
    assert summary["warnings"] == 1
    assert sorted(stored_source_ids(stack, other)) == ["HS-00000", "HS-00001", "HS-00002"]
