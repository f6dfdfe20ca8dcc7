"""A rejected row as the province wrote it, and the import's errors file for people.

Issue 24: the errors file a clerk downloads (``GET /v1/imports/{id}/errors.xlsx``
and ``errors.csv``) gives each rejected row back with every cell of the sheet
as uploaded, under its original header, plus where and why in Chinese, so the
clerk corrects the rows in the file itself and imports it again (the reader
ignores the four columns it does not know: 行号, 本省编号, 列, 错误原因).

The cells are kept with the problems, in the import's own bounded items
(``store/imports.py``: ``ROWS#<part>#<page>``), not read again from the upload
at download time: the upload and chunk objects are deleted as soon as the
import is final (issue 19, M5), while the errors file is offered for as long
as the 导入记录 list shows the import. So that no item can approach DynamoDB's
400 KB, a stored row is bounded here: at most ``CELL_CHARS`` characters a cell
and ``ROW_CHARS`` a row (a longer text ends with ``TRUNCATED``), headers at
``HEADER_CHARS``; the number of rows is bounded by the sheet's row limit.

Only rows that were NOT pushed keep their cells (the rows of a refused award,
every one of its rows, and rows that belong to no award). A row pushed with a
warning (``duplicate_award``, ``before_approval``) is listed with its row
number and reason only: its content lives in the registry, where redaction
can reach it; a copy here would escape it. A refused row may still name a
person of an award pushed later (corrected and imported again): redacting that
award blanks the cells of the redacted columns in every stored row of its
记录编号 (``redacted_positions``, ``erase_cells``; ``services/imports.scrub_award``).

Pure: no AWS; the store keeps what ``stored_row`` returns and ``people_lines``
turns it back into lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from chalicelib.imports.columns import BY_KEY, column_for
from chalicelib.imports.problems import Problem, sort_key

CELL_CHARS = 1_000
ROW_CHARS = 4_000
HEADER_CHARS = 100
TRUNCATED = "…（已截断）"

# The errors file's own columns, before the sheet's; headers in Chinese only.
PEOPLE_COLUMNS = ("行号", "本省编号", "列", "错误原因")


def people_reason(text: str) -> str:
    """A reason without the API's codes: ``general_contractor（施工总承包）`` → ``施工总承包``
    (a sheet is filled in with the Chinese labels, never the codes)."""
    return re.sub(r"[a-z][a-z_]*（([^）]+)）", r"\1", text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - len(TRUNCATED))] + TRUNCATED


def header_labels(columns: Sequence[str]) -> list[str]:
    """The sheet's headers as the errors file writes them: a blank one is ``第 N 列``."""
    return [_cut(name, HEADER_CHARS) if name else f"第 {n} 列" for n, name in enumerate(columns, 1)]


def _json_cell(value: Any) -> str | int | float | bool | None:
    """A cell as JSON keeps it: numbers stay numbers, dates become ISO text (which the
    reader takes back), anything else its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def stored_row(number: int, values: Sequence[Any], source_id: str | None) -> dict[str, Any]:
    """One sheet row as kept for the errors file: ``{"row", "source_id", "cells"}``, every
    cell by position (trailing blanks dropped), texts bounded (see the module docstring)."""
    cells = [_json_cell(value) for value in values]
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    budget = ROW_CHARS
    for position, cell in enumerate(cells):
        if isinstance(cell, str):
            cell = _cut(cell, max(len(TRUNCATED), min(CELL_CHARS, budget)))
            budget = max(0, budget - len(cell))
            cells[position] = cell
    return {"row": number, "source_id": source_id, "cells": cells}


WARNING = "警告："  # how a warning's reason starts (``imports/quality.py``)


def _reason(problem: Problem) -> str:
    """``列：原因`` (``警告：列：原因`` for a warning: the word a clerk scans for stays first)."""
    reason = people_reason(problem.message_zh)
    if not problem.column:
        return reason
    if reason.startswith(WARNING):
        return f"{WARNING}{problem.column}：{reason.removeprefix(WARNING)}"
    return f"{problem.column}：{reason}"


def people_lines(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    problems: Iterable[Problem],
) -> tuple[list[str], list[list[Any]]]:
    """The errors file: its header and its lines, one per sheet row, in sheet order.

    ``columns`` are the sheet's header labels (``header_labels``), ``rows`` the stored
    rows (``stored_row``), ``problems`` every problem. A line is 行号, 本省编号, the
    columns at fault, the reasons in Chinese (each after its column), then the row's own
    cells. What concerns the whole file (a failed import, the ``too_many_problems``
    note) comes first, with no row. A stored row with no problem of its own is a
    sibling row of a refused award: it says so, as it must be imported again with it.
    Columns of an earlier errors file (re-imported as it was) are not repeated.
    """
    keep = [i for i, name in enumerate(columns) if name not in PEOPLE_COLUMNS]
    header = [*PEOPLE_COLUMNS, *(columns[i] for i in keep)]
    by_row: dict[int, list[Problem]] = {}
    whole_file: list[Problem] = []
    for problem in sorted(problems, key=sort_key):
        if problem.row:
            by_row.setdefault(problem.row, []).append(problem)
        else:
            whole_file.append(problem)
    cells_of: dict[int, Mapping[str, Any]] = {int(row["row"]): row for row in rows}
    lines: list[list[Any]] = [
        ["", p.source_id or "", p.column or "", _reason(p)] for p in whole_file
    ]
    for number in sorted({*by_row, *cells_of}):
        found = by_row.get(number, [])
        stored = cells_of.get(number, {})
        source_id = next((p.source_id for p in found if p.source_id), stored.get("source_id"))
        if found:
            columns_at_fault = list(dict.fromkeys(p.column for p in found if p.column))
            reason = "；".join(dict.fromkeys(_reason(p) for p in found))
        else:
            columns_at_fault = []
            reason = (
                f"同一奖项（记录编号 {source_id}）的其他行有误，本行也未导入；"
                "请与该奖项的其他行一并改正后重新导入"
            )
        cells = list(stored.get("cells") or [])
        cells += [None] * (len(columns) - len(cells))
        lines.append(
            [
                number,
                source_id or "",
                "、".join(columns_at_fault),
                reason,
                *(cells[i] for i in keep),
            ]
        )
    return header, lines


def redacted_positions(columns: Sequence[str], fields: Iterable[str]) -> list[int]:
    """The positions of the sheet's columns that fill one of the redactable ``fields``
    (``project_manager`` → 项目经理, whatever alias the sheet used)."""
    wanted = set(fields)
    keys = [column_for(name) for name in columns]
    return [
        position
        for position, key in enumerate(keys)
        if key is not None and BY_KEY[key].path.rsplit(".", 1)[-1] in wanted
    ]


def erase_cells(
    row: Mapping[str, Any], source_id: str, positions: Sequence[int]
) -> dict[str, Any] | None:
    """``row`` with its cells at ``positions`` blanked if it belongs to ``source_id`` and
    holds a value there; None when there is nothing to erase."""
    if row.get("source_id") != source_id:
        return None
    cells = list(row.get("cells") or [])
    held = [p for p in positions if p < len(cells) and cells[p] not in (None, "")]
    if not held:
        return None
    for position in held:
        cells[position] = None
    return {**row, "cells": cells}
