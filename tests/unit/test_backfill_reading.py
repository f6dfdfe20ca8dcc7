"""Reading backfill spreadsheets: encodings, headers, sheet row numbers."""

from __future__ import annotations

from datetime import datetime

import pytest

from backfill.columns import column_for
from backfill.readers import ReadError, read_table
from tests.sheets import HEADERS, award_rows, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_csv_in_utf8_utf8_with_bom_and_gb18030_reads_the_same(tmp_path, encoding, detected):
    sheet = write_csv(tmp_path / "a.csv", award_rows(2, program_id="prg_1"), encoding=encoding)
    table = read_table(sheet)
    assert table.encoding == detected
    assert [row.number for row in table.rows] == [2, 3, 4, 5]
    first = table.rows[0].cells
    assert first["source_id"] == "BF-00000"
    assert first["project_name"] == "南京某某工程0号楼"
    assert first["role"] == "施工总承包"
    assert first["awarded_on"] == "2018-01-02"
    assert table.headers["credit_code"] == "统一社会信用代码"


def test_a_gb18030_file_is_not_mistaken_for_utf8(tmp_path):
    path = tmp_path / "gb.csv"
    path.write_bytes("记录编号,项目名称,获奖单位\r\nA,工程,单位\r\n".encode("gb18030"))
    with pytest.raises(ReadError, match="missing required columns"):
        read_table(path)  # decoded (the headers were found), but required columns are absent


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("统一社会信用代码", "credit_code"),
        (" 统一社会信用代码（必填）*", "credit_code"),
        ("信用代码", "credit_code"),
        ("winners.credit_code", "credit_code"),
        ("source_id", "source_id"),
        ("记录编号：", "source_id"),
        ("project.name", "project_name"),
        ("工程名称", "project_name"),
        ("项目编号", "project_code"),
        ("奖项", "program_name"),
        ("奖项编号", "program_id"),
        ("备注", None),
    ],
)
def test_headers_are_recognised_with_marks_aliases_and_api_names(header, key):
    assert column_for(header) == key


def test_missing_required_columns_are_named_in_chinese(tmp_path):
    headers = [h for h in HEADERS if h not in ("统一社会信用代码", "单位角色")]
    path = write_csv(tmp_path / "a.csv", [], headers=headers)
    with pytest.raises(ReadError) as raised:
        read_table(path)
    assert "统一社会信用代码" in str(raised.value) and "单位角色" in str(raised.value)


def test_xlsx_rows_keep_their_sheet_numbers_past_a_title_and_blank_rows(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2019年度"
    sheet["A1"] = "2019 年度省优质工程获奖名单"  # a title above the header
    row = award_rows(1, program_id="prg_1")[0]
    row[5] = datetime(2019, 12, 20)
    sheet.append(list(HEADERS))
    sheet.append(row)
    sheet.append([])
    sheet.append(["   "])  # a blank-looking row is empty too
    sheet.append(award_rows(1, program_id="prg_1")[1])
    sheet["P2"] = "备注"
    path = tmp_path / "a.xlsx"
    workbook.save(path)

    table = read_table(path)
    assert table.sheet == "2019年度"
    assert [r.number for r in table.rows] == [3, 6]
    assert table.rows[0].cells["awarded_on"] == datetime(2019, 12, 20)
    assert table.ignored_headers == ["备注"]


def test_the_data_sheet_of_the_template_is_read_before_others(tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "a.xlsx", award_rows(1, program_id="prg_1"))
    workbook = load_workbook(path)
    workbook.create_sheet("封面", 0)
    workbook.save(path)
    assert load_workbook(path).sheetnames[0] == "封面"
    assert read_table(path).sheet == "获奖信息"


def test_an_old_xls_file_is_refused_with_advice(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match="xlsx"):
        read_table(path)


def test_a_file_without_a_header_row_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no header row"):
        read_table(path)
