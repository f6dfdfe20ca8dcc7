"""Rows → award records: grouping by 记录编号, Chinese labels, local validation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from backfill.columns import category_code, role_code
from backfill.readers import SheetRow, Table
from backfill.records import Checked, check, convert, group_rows, program_for
from chalicelib.domain.schemas import AwardIn, parse_model
from tests.factories import credit_code

AWARD = {
    "source_id": "JS-2019-001",
    "program_id": "prg_1",
    "year": 2019,
    "honor": "金质奖",
    "awarded_on": "2019-12-20",
    "project_name": "南京南站综合体",
    "category": "房屋建筑",
}


def winner(n: int, role: str = "施工总承包", **more: Any) -> dict[str, Any]:
    return {"winner_name": f"江苏建工{n}", "credit_code": credit_code(n), "role": role, **more}


def table(*rows: dict[str, Any], start: int = 2) -> Table:
    return Table(
        source="t.xlsx",
        sheet="获奖信息",
        encoding=None,
        headers={},
        rows=[  # blank cells are left out, as the reader does
            SheetRow(start + i, {k: v for k, v in cells.items() if v is not None})
            for i, cells in enumerate(rows)
        ],
    )


def only(result: Checked | list) -> Checked:
    assert isinstance(result, Checked), result
    return result


def test_rows_with_the_same_source_id_make_one_award_with_one_winner_per_row():
    grouped = group_rows(
        table(
            {**AWARD, **winner(1)},
            {"source_id": "JS-2019-001", **winner(2, "设计")},
            {**AWARD, "source_id": "JS-2019-002", **winner(3)},
            {**AWARD, **winner(4, "监理")},  # the same award again, further down
        )
    )
    assert [d.source_id for d in grouped.drafts] == ["JS-2019-001", "JS-2019-002"]
    first = grouped.drafts[0]
    assert first.rows == [2, 3, 5] and first.winner_rows == [2, 3, 5]
    record = only(check(first, "prg_1")).record
    assert [(w["name"], w["role"]) for w in record["winners"]] == [
        ("江苏建工1", "general_contractor"),
        ("江苏建工2", "design"),
        ("江苏建工4", "supervision"),
    ]
    assert record["project"] == {"name": "南京南站综合体", "category": "housing"}


def test_a_row_without_source_id_continues_the_award_above_as_merged_cells_read():
    grouped = group_rows(table({**AWARD, **winner(1)}, winner(2, "专业承包")))
    assert len(grouped.drafts) == 1 and grouped.drafts[0].winner_rows == [2, 3]
    assert only(check(grouped.drafts[0], "prg_1")).record["winners"][1]["role"] == (
        "specialty_contractor"
    )


def test_a_first_row_without_source_id_is_reported_at_its_row():
    grouped = group_rows(table({**AWARD, "source_id": None, **winner(1)}, start=7))
    assert grouped.drafts == []
    [problem] = grouped.problems
    assert (problem.row, problem.column, problem.field) == (7, "记录编号", "source_id")
    assert problem.message_zh == "必填，不能为空"


def test_award_cells_that_disagree_within_one_source_id_are_reported_at_the_later_row():
    grouped = group_rows(
        table({**AWARD, **winner(1)}, {**AWARD, "awarded_on": "2019-12-21", **winner(2)})
    )
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.column, problem.code) == (3, "获奖日期", "conflicting_values")
    assert "row 2" in problem.message and problem.message_zh == "同一记录编号的各行填写不一致"


def test_the_template_example_rows_are_skipped():
    grouped = group_rows(
        table(
            {**AWARD, "source_id": "示例-2019-0001", **winner(1)},
            {"source_id": "示例-2019-0001", **winner(2)},
            winner(3),
            {**AWARD, **winner(4)},
        )
    )
    assert grouped.example_rows == [2, 3, 4]
    assert [d.rows for d in grouped.drafts] == [[5]]


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("施工总承包", "general_contractor"),
        ("专业承包", "specialty_contractor"),
        ("设计", "design"),
        ("勘察", "survey"),
        ("监理", "supervision"),
        ("建设单位", "owner"),
        ("其他", "other"),
        (" 监理 ", "supervision"),
        ("general_contractor", "general_contractor"),
        ("Design", "design"),
    ],
)
def test_roles_accept_chinese_labels_and_codes(label, code):
    assert role_code(label) == code


@pytest.mark.parametrize(
    ("label", "code"),
    [("房屋建筑", "housing"), ("市政基础设施", "municipal"), ("municipal", "municipal")],
)
def test_categories_accept_chinese_labels_and_codes(label, code):
    assert category_code(label) == code


def test_an_unknown_role_is_reported_with_the_allowed_labels():
    grouped = group_rows(table({**AWARD, **winner(1)}, winner(2, "顾问")))
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.field) == (3, "winners[1].role")
    assert "施工总承包" in problem.message_zh and "建设单位" in problem.message_zh


@pytest.mark.parametrize(
    "written",
    ["2019-03-05", "2019/3/5", "2019.03.05", "2019年3月5日", "2019-03-05 00:00:00"],
)
def test_dates_written_the_usual_ways_become_iso(written):
    assert convert("awarded_on", written) == "2019-03-05"


def test_date_and_number_cells_convert():
    assert convert("awarded_on", datetime(2019, 3, 5)) == "2019-03-05"
    assert convert("awarded_on", date(2019, 3, 5)) == "2019-03-05"
    assert convert("year", 2019.0) == 2019
    assert convert("year", "2019年") == 2019
    assert convert("location_code", 320106) == "320106"
    assert convert("source_id", 17.0) == "17"


def test_a_credit_code_in_a_number_cell_is_reported_not_guessed():
    grouped = group_rows(
        table({**AWARD, **winner(1)}, {**winner(2), "credit_code": 9.13200000000001e17})
    )
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.code, problem.field) == (
        3,
        "number_cell",
        "winners[1].credit_code",
    )
    assert problem.message_zh == "单元格是数字格式，已丢失位数；请把该列设为文本格式后重新录入"


def test_a_bad_credit_code_is_reported_at_its_own_row_and_column():
    bad = credit_code(2)[:-1] + ("0" if credit_code(2)[-1] != "0" else "1")
    grouped = group_rows(
        table({**AWARD, **winner(1)}, {"source_id": "JS-2019-001", **winner(2), "credit_code": bad})
    )
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.column, problem.field) == (
        3,
        "统一社会信用代码",
        "winners[1].credit_code",
    )
    assert problem.message_zh == "统一社会信用代码校验位不正确，可能录入有误"
    assert "check character" in problem.message


def test_a_duplicate_winner_is_found_after_normalisation():
    code = credit_code(5)
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    grouped = group_rows(
        table({**AWARD, **winner(1), "credit_code": code}, {**winner(2), "credit_code": full_width})
    )
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.code) == (3, "duplicate_winner")
    assert problem.message_zh == "同一奖项中统一社会信用代码重复（与第 2 行相同）"


def test_an_award_before_2018_is_reported_at_the_date_cell():
    grouped = group_rows(table({**AWARD, "awarded_on": "2017-12-29", "year": 2017, **winner(1)}))
    [problem] = check(grouped.drafts[0], "prg_1")
    assert (problem.row, problem.column, problem.field) == (2, "获奖日期", "awarded_on")
    assert problem.message_zh == "日期不得早于 2018-01-01"


def test_a_valid_record_carries_the_apis_own_content_hash():
    grouped = group_rows(table({**AWARD, **winner(1), "project_manager": "王五"}))
    checked = only(check(grouped.drafts[0], "prg_1"))
    assert checked.content_hash == parse_model(AwardIn, checked.record).canonical_hash()
    assert checked.record["winners"][0]["project_manager"] == "王五"
    assert checked.record["awarded_on"] == "2019-12-20" and checked.record["year"] == 2019


def test_the_programme_comes_from_its_id_then_its_name_then_the_default():
    by_id = group_rows(table({**AWARD, **winner(1)})).drafts[0]
    assert program_for(by_id, "prg_default", None) == "prg_1"
    named = {**AWARD, "program_id": None, "program_name": "扬子杯", **winner(1)}
    by_name = group_rows(table(named)).drafts[0]
    assert program_for(by_name, None, {"扬子杯": ["prg_2"]}) == "prg_2"
    unknown = program_for(by_name, None, {"金陵杯": ["prg_3"]})
    assert (unknown.code, unknown.column, unknown.field) == (
        "unknown_program",
        "奖项",
        "program_id",
    )
    ambiguous = program_for(by_name, None, {"扬子杯": ["prg_2", "prg_4"]})
    assert "奖项编号" in ambiguous.message
    bare = group_rows(table({**AWARD, "program_id": None, **winner(1)})).drafts[0]
    assert program_for(bare, "prg_default", None) == "prg_default"
    missing = program_for(bare, None, None)
    assert missing.field == "program_id" and "--program-id" in missing.message
