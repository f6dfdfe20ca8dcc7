"""What a run tells staff: the summary lines and ``errors.csv``.

``errors.csv`` is UTF-8 with a BOM so Excel in China opens it with the
Chinese intact; one line per rejected row, with the sheet row number, the
column, the API field, the error code and the reason in Chinese and English.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from backfill.problems import Problem
from chalicelib.domain.csv_safety import safe_writer

ERROR_COLUMNS = (
    "工作表 sheet",
    "行号 row",
    "记录编号 source_id",
    "列 column",
    "字段 field",
    "错误代码 code",
    "原因 reason (中文)",
    "reason (English)",
)


def errors_path_for(input_path: str | Path) -> Path:
    path = Path(input_path)
    return path.with_name(path.stem + ".errors.csv")


def sort_key(problem: Problem) -> tuple[int, str]:
    return (problem.row or 0, problem.field or "")


def write_errors(path: Path, problems: Iterable[Problem], sheet: str | None) -> int:
    """Write ``errors.csv`` (always, so an old one never misleads); return the line count."""
    rows = sorted(problems, key=sort_key)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = safe_writer(csv.writer(handle))
        writer.writerow(ERROR_COLUMNS)
        for problem in rows:
            writer.writerow(
                [
                    sheet or "",
                    problem.row or "",
                    problem.source_id or "",
                    problem.column or "",
                    problem.field or "",
                    problem.code,
                    problem.message_zh,
                    problem.message,
                ]
            )
    return len(rows)
