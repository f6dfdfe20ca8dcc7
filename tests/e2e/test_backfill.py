"""The backfill tool as provincial staff run it: a spreadsheet, the command, the local stack.

``python -m backfill push`` runs as a subprocess against ``chalice local`` on
the moto launcher, exactly as staff would run it against the platform.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from backfill.make_template import TEMPLATE_PATH
from tests.e2e.conftest import PROJECT_DIR
from tests.e2e.helpers import submitted_program
from tests.sheets import HEADERS, award_rows, write_csv, write_xlsx

# 1,250 awards × 4 enterprises = 5,000 sheet rows. The local stack takes about 35
# records/s (moto-bound), so 2,500 two-enterprise awards took 90 s; rows stay 5,000.
AWARDS = 1250
WINNERS = 4
SPOILED = {7: "credit_code", 42: "municipal", 1001: "duplicate_winner", 1111: "early"}


def backfill(stack, key: str, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backfill",
            "push",
            *args,
            "--api-url",
            stack.url(""),
            "--json",
            "--no-progress",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "BACKFILL_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=900,  # 5,000 rows against the emulator late in a loaded e2e run
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr
    return result, json.loads(lines[-1])


def stored_source_ids(stack, program_id: str) -> list[str]:
    """Every record of the programme, read straight from the table.

    Listing them through the API costs a moto GSI pass over the whole table per
    page (35 s for 2,500 here); one Scan is a single pass. Test-only: no Scan
    runs on any request path.
    """
    import boto3

    table = boto3.resource(
        "dynamodb", endpoint_url=stack.env["AWS_ENDPOINT_URL"], region_name="cn-north-1"
    ).Table(f"{stack.env['TABLE_PREFIX']}-awards")
    found, start = [], {}
    while True:
        page = table.scan(
            FilterExpression="sk = :record AND program_id = :program",
            ExpressionAttributeValues={":record": "RECORD", ":program": program_id},
            ProjectionExpression="source_id",
            **start,
        )
        found += [item["source_id"] for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@pytest.fixture(scope="module")
def jiangsu(stack):
    key = stack.issue_key("--authority", "320000")["api_key"]
    program_id = submitted_program(
        stack, key, name="江苏省优质工程奖“扬子杯”", categories=["housing"]
    )
    return key, program_id


def test_a_5000_row_workbook_is_pushed_once_across_an_interruption(stack, jiangsu, tmp_path):
    key, program_id = jiangsu
    spoil = {**SPOILED, AWARDS - 1: "municipal"}
    rows = award_rows(AWARDS, program_id=program_id, winners=WINNERS, spoil=spoil)
    sheet = write_xlsx(tmp_path / "awards.xlsx", rows)
    valid_locally = AWARDS - 3  # credit code, duplicate winner, before 2018

    first, summary = backfill(stack, key, str(sheet), "--max-batches", "3")
    assert first.returncode == 3, first.stderr
    # 300 records sent; award 42 among them is outside the programme's categories.
    assert (summary["created"], summary["rejected_by_api"]) == (299, 1), (summary, first.stderr)
    state = json.loads((tmp_path / "awards.xlsx.backfill-state.json").read_text("utf-8"))
    assert len(next(iter(state["targets"].values()))["done"]) == 299

    second, summary = backfill(stack, key, str(sheet))
    assert second.returncode == 1, second.stderr  # rows were rejected
    assert summary["rows"] == 5000 and summary["awards"] == AWARDS
    assert summary["skipped"] == 299  # confirmed by the first run: not sent again
    assert summary["created"] == valid_locally - 2 - 299
    assert summary["unchanged"] == 0 and summary["pending"] == 0
    assert summary["rejected"] == 5

    stored = stored_source_ids(stack, program_id)
    assert len(stored) == valid_locally - 2
    assert len(set(stored)) == len(stored)  # no source id twice

    with (tmp_path / "awards.errors.csv").open(encoding="utf-8-sig", newline="") as handle:
        errors = {row["记录编号 source_id"]: row for row in csv.DictReader(handle)}
    assert set(errors) == {f"BF-{n:05d}" for n in (*SPOILED, AWARDS - 1)}
    bad_code = errors["BF-00007"]
    assert bad_code["行号 row"] == "31"  # award 7 is on rows 30-33; its second enterprise
    assert bad_code["字段 field"] == "winners[1].credit_code"
    assert bad_code["列 column"] == "统一社会信用代码"
    assert "校验位" in bad_code["原因 reason (中文)"]
    assert "check character" in bad_code["reason (English)"]
    assert errors["BF-01001"]["错误代码 code"] == "duplicate_winner"
    assert errors["BF-01001"]["行号 row"] == str(2 + 4 * 1001 + 1)
    assert errors["BF-01111"]["字段 field"] == "awarded_on"
    assert errors["BF-01111"]["行号 row"] == str(2 + 4 * 1111)
    assert errors["BF-00042"]["错误代码 code"] == "out_of_scope"
    assert errors["BF-00042"]["行号 row"] == str(2 + 4 * 42)
    assert errors["BF-01249"]["列 column"] == "工程类别"

    _third, summary = backfill(stack, key, str(sheet))
    assert summary["created"] == 0 and summary["skipped"] == valid_locally - 2
    assert summary["batches"] == 1  # only the two the API refused are tried again


def test_a_gb18030_csv_with_chinese_labels_and_programme_names(stack, jiangsu, tmp_path):
    key, program_id = jiangsu
    rows = award_rows(
        3, program_name="江苏省优质工程奖“扬子杯”", prefix="GB", code_prefix="91329000"
    )
    rows[1][0] = None  # a continuation row, as merged cells read: it joins the award above
    rows[1][3:9] = [None] * 6
    sheet = write_csv(tmp_path / "苏建.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        sheet.read_bytes().decode("utf-8")

    dry, summary = backfill(stack, key, str(sheet), "--dry-run", "--authority", "320000")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert summary == {**summary, "dry_run": True, "awards": 3, "valid": 3, "rejected": 0}
    listed = requests.get(
        stack.url("/v1/awards"), params={"authority_id": "320000", "source_id": "GB-00000"}
    ).json()
    assert listed["items"] == []  # a dry run sends nothing

    pushed, summary = backfill(stack, key, str(sheet), "--authority", "320000")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert summary["created"] == 3
    award = requests.get(
        stack.url("/v1/awards"), params={"authority_id": "320000", "source_id": "GB-00000"}
    ).json()["items"][0]
    assert award["program_id"] == program_id
    assert award["project"] == {"name": "南京某某工程0号楼", "category": "housing"}
    assert [(w["name"], w["role"]) for w in award["winners"]] == [
        ("江苏某某建设集团有限公司0-0", "general_contractor"),
        ("江苏某某建设集团有限公司0-1", "design"),
    ]

    # The state file lost: everything is sent again and the API knows it already.
    Path(str(sheet) + ".backfill-state.json").unlink()
    _again, summary = backfill(stack, key, str(sheet), "--authority", "320000")
    assert summary["created"] == 0 and summary["unchanged"] == 3


def test_the_template_downloads_and_reads_back(stack, tmp_path):
    from openpyxl import load_workbook

    response = requests.get(stack.url("/v1/templates/awards.xlsx"), timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.content == TEMPLATE_PATH.read_bytes()
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    headers = next(workbook["获奖信息"].iter_rows(values_only=True))
    assert set(HEADERS) <= set(headers)


def test_a_filled_template_pushes(stack, jiangsu, tmp_path):
    """Staff download the template, replace the example with their rows, and push it."""
    from openpyxl import load_workbook

    key, program_id = jiangsu
    content = requests.get(stack.url("/v1/templates/awards.xlsx"), timeout=30).content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["获奖信息"]
    headers = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(headers)
    row.update(
        {
            "记录编号": "TPL-1",
            "奖项编号": program_id,
            "获奖年度": 2020,
            "获奖等级": "金质奖",
            "获奖日期": "2020/12/1",
            "项目名称": "苏州某某中心",
            "工程类别": "房屋建筑",
            "获奖单位": "中亿丰建设集团股份有限公司",
            "统一社会信用代码": sheet.cell(
                row=2, column=headers.index("统一社会信用代码") + 1
            ).value,
            "单位角色": "施工总承包",
        }
    )
    sheet.append([row[h] for h in headers])
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    pushed, summary = backfill(stack, key, str(path))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert summary["created"] == 1 and summary["awards"] == 1
    assert Path(str(path) + ".backfill-state.json").exists()
