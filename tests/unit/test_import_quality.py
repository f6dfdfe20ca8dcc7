"""Import-time data-quality warnings (issue 22): the sheet's own duplicates and early awards.

Both the backfill tool and ``POST /v1/imports`` call ``chalicelib/imports/quality.py``;
here it is driven on sheet rows, and through the tool's command line (a dry run).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from backfill import cli
from backfill.readers import read_table
from backfill.records import Checked, check, group_rows
from chalicelib.imports.quality import check_sheet
from tests.sheets import award_rows, write_csv

PROGRAM = "prg_1"


def sheet_with_a_copy(tmp_path: Path) -> Path:
    """Three awards; the fourth (JS-COPY) repeats the second's project and winners."""
    rows = award_rows(3, program_id=PROGRAM, prefix="JS")
    copy = [["JS-COPY", *row[1:]] for row in rows if row[0] == "JS-00001"]
    for row in copy:
        row[7] = row[7] + " 。"  # spelt with a space and a trailing full stop
    return write_csv(tmp_path / "awards.csv", rows + copy)


def checked_records(path: Path) -> list[Checked]:
    grouped = group_rows(read_table(path))
    results = [check(draft, PROGRAM) for draft in grouped.drafts]
    assert all(isinstance(r, Checked) for r in results), results
    return results


def test_a_repeated_award_is_a_warning_on_its_row_and_can_be_left_out(tmp_path):
    checked = checked_records(sheet_with_a_copy(tmp_path))
    result = check_sheet(checked, {})
    (warning,) = result.warnings
    assert warning.code == "duplicate_award" and warning.source_id == "JS-COPY"
    assert warning.row == 8 and warning.column == "项目名称"  # rows 2-7: three awards × 2
    assert warning.message_zh.startswith("警告：与第 4 行（记录编号 JS-00001）")
    assert len(result.kept(checked, skip_duplicates=False)) == 4
    kept = result.kept(checked, skip_duplicates=True)
    assert [c.record["source_id"] for c in kept] == ["JS-00000", "JS-00001", "JS-00002"]


def test_an_award_before_its_programme_was_approved_is_a_warning(tmp_path):
    checked = checked_records(write_csv(tmp_path / "a.csv", award_rows(2, program_id=PROGRAM)))
    # award_rows dates the awards 2018-01-02 and 2018-01-03
    result = check_sheet(checked, {PROGRAM: "2018-01-03"})
    (warning,) = result.warnings
    assert warning.code == "before_approval" and warning.field == "awarded_on"
    assert warning.column == "获奖日期" and "2018-01-03" in warning.message_zh
    assert result.duplicates == frozenset()


def test_the_tool_writes_the_warnings_to_its_errors_file(tmp_path, capsys):
    sheet = sheet_with_a_copy(tmp_path)
    code = cli.main(["push", str(sheet), "--dry-run", "--json", "--no-progress"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0  # warnings reject nothing
    assert summary["warnings"] == 1 and summary["valid"] == 4 and summary["rejected"] == 0
    with (tmp_path / "awards.errors.csv").open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[1][1:3] == ["8", "JS-COPY"] and lines[1][5] == "duplicate_award"
    assert "已照常推送" in lines[1][6]

    code = cli.main(
        ["push", str(sheet), "--dry-run", "--json", "--no-progress", "--skip-duplicates"]
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["duplicates_skipped"] == 1 and summary["valid"] == 3
