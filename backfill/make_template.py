"""Generate the backfill template: ``python -m backfill.make_template``.

Writes ``chalicelib/web/templates/awards.xlsx``, which ``GET
/v1/templates/awards.xlsx`` serves as bytes: the Lambda never needs openpyxl.
Run it again after changing ``backfill/columns.py`` and commit the file; a
test checks the committed file has the headers, example rows and validation
lists this script makes.

The data sheet 获奖信息 has the headers, an example award over two rows (its
记录编号 starts with 示例, which the tool skips, so a template pushed with the
example still in it pushes nothing from it), drop-down lists for 单位角色 and
工程类别, range checks on 获奖年度 and 获奖日期, and text format on the code
columns so Excel keeps credit codes' digits. The sheet 说明 explains each column.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from chalicelib.domain.credit_code import credit_code_check_char
from chalicelib.domain.labels_zh import CATEGORY_ZH, ROLE_ZH
from chalicelib.imports.columns import CATEGORY_LABELS, COLUMNS, ROLE_LABELS
from chalicelib.imports.readers import DATA_SHEET, Limits
from chalicelib.imports.records import EXAMPLE_PREFIX

TEMPLATE_PATH = (
    Path(__file__).resolve().parents[1] / "chalicelib" / "web" / "templates" / "awards.xlsx"
)
HELP_SHEET = "说明"
LAST_ROW = 1_048_576  # Excel's last row: the lists apply to every row staff may fill
_EXCEL_EPOCH = date(1899, 12, 30)
_TEXT_KINDS = ("code",)


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def example_rows() -> list[dict[str, Any]]:
    """One award won by two enterprises: two rows with the same 记录编号."""
    award = {
        "source_id": f"{EXAMPLE_PREFIX}-2019-0001",
        "program_name": "北京市建设工程长城杯",
        "year": 2019,
        "honor": "金质奖",
        "awarded_on": date(2019, 12, 20),
        "announcement_number": "京建发〔2019〕45号",
        "project_name": "北京城市副中心综合交通枢纽",
        "category": CATEGORY_ZH["housing"],
        "location_code": "110112",
    }
    return [
        {
            **award,
            "winner_name": "北京城建集团有限责任公司",
            "credit_code": _code("91110000101116432"),
            "role": ROLE_ZH["general_contractor"],
            "project_manager": "张三",
        },
        {
            "source_id": award["source_id"],
            "winner_name": "北京市建筑设计研究院有限公司",
            "credit_code": _code("91110000400000720"),
            "role": ROLE_ZH["design"],
        },
    ]


def _list(values: list[str], title: str, prompt: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=prompt,
        showInputMessage=True,
        promptTitle=title,
        prompt=prompt,
    )


def validations() -> dict[str, DataValidation]:
    """The validation of each column key that has one."""
    year = DataValidation(
        type="whole",
        operator="between",
        formula1="2018",
        formula2="2100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="获奖年度",
        error="填写 4 位年份，如 2019",
    )
    awarded_on = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=str((date(2018, 1, 1) - _EXCEL_EPOCH).days),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="获奖日期",
        error="公布文件的日期，不早于 2018-01-01",
    )
    return {
        "role": _list(list(ROLE_LABELS), "单位角色", "请从列表中选择单位角色"),
        "category": _list(list(CATEGORY_LABELS), "工程类别", " 或 ".join(CATEGORY_ZH.values())),
        "year": year,
        "awarded_on": awarded_on,
    }


def build_workbook() -> Workbook:
    """The template as an openpyxl workbook (the test compares it with the committed file)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    required = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.alignment = Alignment(horizontal="center")
        if column.required:
            cell.fill = required
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) * 3 + 4))
        if column.kind in _TEXT_KINDS:
            sheet.column_dimensions[letter].number_format = "@"
    for example in example_rows():
        sheet.append([example.get(column.key) for column in COLUMNS])
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell, column in zip(row, COLUMNS, strict=True):
            if column.kind in _TEXT_KINDS:
                cell.number_format = "@"
            if column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
    for key, validation in validations().items():
        letter = get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c.key == key))
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    _help_sheet(workbook)
    return workbook


# The online import's limit (``IMPORT_MAX_ROWS``, issue 19), said where staff fill the sheet.
MAX_ROWS_NOTE = (
    f"在线导入时每个文件最多 {Limits().max_rows:,} 行数据（不含表头）、不超过 20 MB；"
    "超过请拆分为多个文件。"
)


def _help_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    sheet.append(["表头 header", "必填 required", "API 字段 field", "示例 example", "说明", "note"])
    for column in COLUMNS:
        sheet.append(
            [
                column.header,
                "是" if column.required else "",
                column.path,
                column.example,
                column.note_zh,
                column.note_en,
            ]
        )
    sheet.append([])
    sheet.append(["一个奖项有多家获奖单位时，每家单位一行，记录编号相同；奖项信息只需填在第一行。"])
    sheet.append([f"记录编号以“{EXAMPLE_PREFIX}”开头的行是示例，报送时跳过。"])
    sheet.append([MAX_ROWS_NOTE])
    sheet.append(["单位角色：" + "、".join(f"{k}={v}" for k, v in ROLE_LABELS.items())])
    sheet.append(["工程类别：" + "、".join(f"{k}={v}" for k, v in CATEGORY_LABELS.items())])
    for letter, width in zip("ABCDEF", (18, 10, 28, 28, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def write_template(path: str | Path = TEMPLATE_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook().save(path)
    return path


if __name__ == "__main__":
    target = write_template(sys.argv[1] if len(sys.argv) > 1 else TEMPLATE_PATH)
    print(f"wrote {target}")
