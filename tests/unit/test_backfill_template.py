"""The committed template, the mapping page, the dry run and errors.csv (no AWS, no network)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from backfill.cli import main
from backfill.columns import CATEGORY_LABELS, COLUMNS, ROLE_LABELS
from backfill.make_template import TEMPLATE_PATH, example_rows, write_template
from backfill.readers import DATA_SHEET, read_table
from backfill.records import check, group_rows
from tests.sheets import award_rows, write_csv

MAPPING = Path(__file__).resolve().parents[2] / "backfill" / "MAPPING.md"


def _content(path: Path) -> dict:
    workbook = load_workbook(path)
    sheet = workbook[DATA_SHEET]
    return {
        "sheets": workbook.sheetnames,
        "rows": [list(row) for row in sheet.iter_rows(values_only=True)],
        "validations": sorted(
            (
                str(v.sqref),
                v.type,
                v.operator,
                v.formula1,
                v.formula2,
                v.allow_blank,
                v.showErrorMessage,
            )
            for v in sheet.data_validations.dataValidation
        ),
        "help": [list(row) for row in workbook["说明"].iter_rows(values_only=True)],
    }


def test_the_committed_template_is_what_the_script_makes(tmp_path):
    generated = write_template(tmp_path / "awards.xlsx")
    assert _content(TEMPLATE_PATH) == _content(generated), (
        "run `python -m backfill.make_template` and commit chalicelib/web/templates/awards.xlsx"
    )


def test_the_template_has_the_headers_an_example_and_drop_down_lists():
    content = _content(TEMPLATE_PATH)
    assert content["rows"][0] == [column.header for column in COLUMNS]
    assert content["rows"][1][0].startswith("示例")
    lists = {v[0]: v[3] for v in content["validations"] if v[1] == "list"}
    role_column = "ABCDEFGHIJKLMNOP"[[c.key for c in COLUMNS].index("role")]
    assert lists[f"{role_column}2:{role_column}1048576"] == '"' + ",".join(ROLE_LABELS) + '"'
    assert '"房屋建筑,市政基础设施"' in lists.values()


def test_the_template_example_is_a_valid_award_once_given_an_id(tmp_path):
    def cell(key: str, row: dict) -> object:
        if key == "source_id":
            return "JS-1"  # the 示例 prefix removed
        value = row.get(key)
        return value.isoformat() if isinstance(value, date) else value

    filled = [[cell(c.key, row) for c in COLUMNS] for row in example_rows()]
    headers = [c.header for c in COLUMNS]
    table = read_table(write_csv(tmp_path / "t.csv", filled, headers=headers))
    [draft] = group_rows(table).drafts
    checked = check(draft, "prg_1")
    assert not isinstance(checked, list), checked
    assert [w["role"] for w in checked.record["winners"]] == ["general_contractor", "design"]


def test_the_mapping_page_lists_every_header_and_label():
    text = MAPPING.read_text("utf-8")
    for column in COLUMNS:
        assert f"| {column.header} |" in text and column.path.split("[")[0] in text
    for label, code in (*ROLE_LABELS.items(), *CATEGORY_LABELS.items()):
        assert f"| {label} | `{code}` |" in text


def test_a_dry_run_reports_rows_and_fields_and_sends_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BACKFILL_API_URL", raising=False)
    monkeypatch.delenv("BACKFILL_API_KEY", raising=False)
    rows = award_rows(4, program_id="prg_1", spoil={1: "credit_code", 3: "early"})
    sheet = write_csv(tmp_path / "苏.csv", rows, encoding="gb18030")
    code = main(["push", str(sheet), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1
    assert "第 5 行 统一社会信用代码 (winners[1].credit_code)" in out
    assert "第 8 行 获奖日期 (awarded_on): 日期不得早于 2018-01-01" in out
    assert not (tmp_path / "苏.csv.backfill-state.json").exists()

    errors = (tmp_path / "苏.errors.csv").read_bytes()
    assert errors.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(errors.decode("utf-8-sig").splitlines()))
    assert lines[0][:3] == ["工作表 sheet", "行号 row", "记录编号 source_id"]
    assert [(line[1], line[2], line[4], line[5]) for line in lines[1:]] == [
        ("5", "BF-00001", "winners[1].credit_code", "validation_error"),
        ("8", "BF-00003", "awarded_on", "validation_error"),
    ]
    assert "校验位" in lines[1][6] and "check character" in lines[1][7]


def test_a_clean_dry_run_exits_0_and_counts_the_awards(tmp_path, capsys):
    sheet = write_csv(tmp_path / "a.csv", award_rows(3, program_id="prg_1"), encoding="utf-8-sig")
    assert main(["push", str(sheet), "--dry-run", "--json"]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert '"awards": 3' in summary and '"valid": 3' in summary and '"rejected": 0' in summary


def test_pushing_needs_a_url_and_a_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BACKFILL_API_KEY", raising=False)
    sheet = write_csv(tmp_path / "a.csv", award_rows(1, program_id="prg_1"))
    assert main(["push", str(sheet), "--api-url", "http://x"]) == 2
    assert "--api-key" in capsys.readouterr().err


def test_the_tools_own_requirements_use_the_projects_pins():
    root = MAPPING.parents[1]

    def pins(path: Path) -> set[str]:
        lines = path.read_text("utf-8").splitlines()
        return {line.strip() for line in lines if "==" in line and not line.startswith("#")}

    project = pins(root / "requirements.txt") | pins(root / "requirements-dev.txt")
    tool = pins(root / "backfill" / "requirements.txt")
    assert tool and tool <= project


def test_a_dry_run_lists_every_problem_of_a_row_in_errors_csv(tmp_path, capsys):
    rows = award_rows(2, program_id="prg_1", winners=1)
    rows[1][3] = "二〇一九"  # 获奖年度 not a number
    rows[1][8] = "道路"  # 工程类别 not one of the two
    rows[1][10] = rows[1][10][:-1] + ("0" if rows[1][10][-1] != "0" else "1")  # check character
    sheet = write_csv(tmp_path / "a.csv", rows)
    assert main(["push", str(sheet), "--dry-run"]) == 1
    capsys.readouterr()
    lines = list(csv.reader((tmp_path / "a.errors.csv").read_text("utf-8-sig").splitlines()))
    assert [(line[1], line[3], line[4], line[6]) for line in lines[1:]] == [
        (
            "3",
            "工程类别",
            "project.category",
            "应为以下之一：housing（房屋建筑）、municipal（市政基础设施）",
        ),
        (
            "3",
            "统一社会信用代码",
            "winners[0].credit_code",
            "统一社会信用代码校验位不正确，可能录入有误",
        ),
        ("3", "获奖年度", "year", "应为整数"),
    ]


def test_the_template_says_how_many_rows_one_online_import_may_hold():
    from chalicelib.config import settings

    help_lines = [row[0] for row in _content(TEMPLATE_PATH)["help"] if row and row[0]]
    limit = f"{settings().import_max_rows:,}"
    assert any(limit in line and "行数据" in line for line in help_lines)
