"""Backfill spreadsheets for tests, written the way provincial staff fill them.

Headers are the template's Chinese ones; one row per winning enterprise,
the award's cells repeated on each row; the caller spoils chosen awards to
check that the tool reports their rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.factories import credit_code

ROLES = ("施工总承包", "设计", "专业承包", "监理", "勘察")
HEADERS = (
    "记录编号",
    "奖项编号",
    "奖项",
    "获奖年度",
    "获奖等级",
    "获奖日期",
    "文号",
    "项目名称",
    "工程类别",
    "获奖单位",
    "统一社会信用代码",
    "单位角色",
    "项目经理",
)


def award_rows(
    n: int,
    *,
    program_id: str = "",
    program_name: str = "",
    prefix: str = "BF",
    code_prefix: str = "91320000",
    winners: int = 2,
    spoil: dict[int, str] | None = None,
) -> list[list[Any]]:
    """``n`` awards × ``winners`` rows. ``spoil`` maps an award number to how to break it:
    ``credit_code`` (bad check character on its second winner), ``duplicate_winner``,
    ``early`` (awarded before 2018-01-01), ``municipal`` (a category the programme may not cover).
    """
    spoil = spoil or {}
    rows: list[list[Any]] = []
    for number in range(n):
        awarded_on = date(2018, 1, 2) + timedelta(days=number % 1200)
        category = "房屋建筑"
        if spoil.get(number) == "early":
            awarded_on = date(2017, 12, 29)
        if spoil.get(number) == "municipal":
            category = "市政基础设施"
        codes = [credit_code(number * winners + w, prefix=code_prefix) for w in range(winners)]
        if spoil.get(number) == "credit_code":
            last = codes[1][-1]
            codes[1] = codes[1][:-1] + ("0" if last != "0" else "1")
        if spoil.get(number) == "duplicate_winner":
            codes[1] = codes[0]
        for w in range(winners):
            rows.append(
                [
                    f"{prefix}-{number:05d}",
                    program_id,
                    program_name,
                    awarded_on.year,
                    "金质奖" if number % 2 else "优质工程奖",
                    awarded_on,
                    f"苏建质〔{awarded_on.year}〕{number}号",
                    f"南京某某工程{number}号楼",
                    category,
                    f"江苏某某建设集团有限公司{number}-{w}",
                    codes[w],
                    ROLES[w % len(ROLES)],
                    "李四" if w == 0 else None,
                ]
            )
    return rows


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], headers: Sequence[str] = HEADERS) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("获奖信息")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    headers: Sequence[str] = HEADERS,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path
