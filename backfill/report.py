"""What a run tells staff: the summary lines and ``errors.csv``.

``errors.csv`` is UTF-8 with a BOM so Excel in China opens it with the
Chinese intact; one line per rejected row, with the sheet row number, the
column, the API field, the error code and the reason in Chinese and English.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from chalicelib.domain.csv_safety import safe_writer
from chalicelib.imports.problems import ERROR_COLUMNS, Problem, error_row, sort_key

__all__ = ["ERROR_COLUMNS", "errors_path_for", "sort_key", "write_errors"]


def errors_path_for(input_path: str | Path) -> Path:
    path = Path(input_path)
    return path.with_name(path.stem + ".errors.csv")


def write_errors(path: Path, problems: Iterable[Problem], sheet: str | None) -> int:
    """Write ``errors.csv`` (always, so an old one never misleads); return the line count."""
    rows = sorted(problems, key=sort_key)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = safe_writer(csv.writer(handle))
        writer.writerow(ERROR_COLUMNS)
        for problem in rows:
            writer.writerow(error_row(problem, sheet))
    return len(rows)
