"""The errors file's rows as uploaded (issue 24): bounded when stored, in sheet order when read."""

from __future__ import annotations

import json
from datetime import date, datetime

from chalicelib.imports.original_rows import (
    PEOPLE_COLUMNS,
    TRUNCATED,
    erase_cells,
    header_labels,
    people_lines,
    redacted_positions,
    stored_row,
)
from chalicelib.imports.problems import Problem
from chalicelib.imports.readers import read_bytes
from chalicelib.store.imports import PAGE_BYTES
from tests.sheets import HEADERS


def problem(row: int | None, column: str | None, message_zh: str, source_id="BJ-1") -> Problem:
    return Problem(row, source_id, column, None, "validation_error", "bad", message_zh)


def test_a_huge_row_is_stored_bounded_far_below_a_page():
    row = stored_row(5, ["长" * 32_767] * 200, "BJ-1")
    assert len(json.dumps(row)) < PAGE_BYTES // 2  # as stored: non-ASCII escaped
    assert row["cells"][0].endswith(TRUNCATED)
    assert all(isinstance(cell, str) for cell in row["cells"])


def test_cells_keep_their_kind_and_dates_become_iso_text():
    row = stored_row(2, ["BJ-1", 2019, 1.5, datetime(2019, 5, 1), date(2019, 5, 2), None, ""], None)
    assert row == {
        "row": 2,
        "source_id": None,
        "cells": ["BJ-1", 2019, 1.5, "2019-05-01", "2019-05-02"],
    }


def test_the_reader_keeps_every_cell_under_its_header_including_unknown_columns():
    cells = [f"c{n}" for n in range(len(HEADERS))]
    text = ",".join([*HEADERS, "", "备注"]) + "\n" + ",".join([*cells, "x", "=1+2", "beyond"])
    table = read_bytes(text.encode(), "a.csv")
    assert table.columns == [*HEADERS, "", "备注"]
    assert header_labels(table.columns)[-2:] == [f"第 {len(HEADERS) + 1} 列", "备注"]
    assert table.rows[0].values == (*cells, "x", "=1+2")  # a cell under no header: not kept


def test_lines_are_one_per_row_in_sheet_order_with_the_file_problems_first():
    columns = ["记录编号", "项目名称", "行号", "错误原因"]  # an earlier errors file re-imported
    rows = [
        stored_row(3, ["BJ-1", "楼", 9, "旧原因"], "BJ-1"),
        stored_row(2, ["BJ-1", "楼", 8, "旧原因"], "BJ-1"),
    ]
    problems = [
        problem(3, "项目名称", "必填"),
        problem(3, "获奖年度", "应为整数"),
        problem(None, None, "另有 5 个问题未列出", source_id=None),
        problem(7, "获奖日期", "警告：早于批准日期", source_id="BJ-2"),
    ]
    header, lines = people_lines(columns, rows, problems)
    assert header == [*PEOPLE_COLUMNS, "记录编号", "项目名称"]
    assert lines == [
        ["", "", "", "另有 5 个问题未列出"],
        [
            2,
            "BJ-1",
            "",
            "同一奖项（记录编号 BJ-1）的其他行有误，本行也未导入；"
            "请与该奖项的其他行一并改正后重新导入",
            "BJ-1",
            "楼",
        ],
        [3, "BJ-1", "项目名称、获奖年度", "项目名称：必填；获奖年度：应为整数", "BJ-1", "楼"],
        [7, "BJ-2", "获奖日期", "警告：获奖日期：早于批准日期", None, None],
    ]


def test_redaction_blanks_the_person_s_column_of_that_award_s_rows_only():
    columns = header_labels(["编号", "项目负责人", "获奖单位", "备注"])  # aliases as written
    positions = redacted_positions(columns, ["project_manager"])
    assert [columns[p] for p in positions] == ["项目负责人"]
    row = stored_row(4, ["BJ-1", "张三", "甲公司", "备注"], "BJ-1")
    assert erase_cells(row, "BJ-1", positions) == {
        "row": 4,
        "source_id": "BJ-1",
        "cells": ["BJ-1", None, "甲公司", "备注"],
    }
    assert erase_cells(row, "BJ-2", positions) is None  # another award's row
    assert erase_cells(erase_cells(row, "BJ-1", positions) or {}, "BJ-1", positions) is None
