"""Read a backfill spreadsheet (XLSX or CSV) into numbered rows keyed by column.

Row numbers are the ones Excel shows (the header is usually row 1), so every
report can send staff straight to the cell. CSV comes from many tools: UTF-8,
UTF-8 with a BOM, or GB18030 (what Excel in China writes by default); the
encoding is detected, never guessed from the locale.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backfill.columns import BY_KEY, column_for

DATA_SHEET = "获奖信息"  # the template's sheet; otherwise the first sheet
HEADER_SEARCH_ROWS = 20
_MIN_HEADERS = 3
REQUIRED_KEYS = tuple(key for key, column in BY_KEY.items() if column.required)


class ReadError(Exception):
    """The file cannot be used at all (unreadable, no header row, missing columns)."""


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row: its sheet row number and its non-blank cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    source: str
    sheet: str | None
    encoding: str | None
    headers: dict[str, str]  # column key → the header as written in the file
    ignored_headers: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Read ``path`` by its extension: ``.xlsx``/``.xlsm`` or ``.csv``/``.txt``.

    Examples
    --------
    >>> table = read_table("awards.xlsx")          # doctest: +SKIP
    >>> table.rows[0].number, table.rows[0].cells["source_id"]   # doctest: +SKIP
    (2, 'BJ-2019-0001')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(f"no such file: {path} / 找不到文件")
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet=sheet)
    if suffix in (".csv", ".txt"):
        return read_csv(path, encoding=encoding)
    if suffix == ".xls":
        raise ReadError("the old .xls format is not read: save it as .xlsx / 请另存为 .xlsx 格式")
    raise ReadError(f"unknown file type {suffix!r}: use .xlsx or .csv / 仅支持 .xlsx 或 .csv")


def decode_csv(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding used: BOM → UTF-8, valid UTF-8, else GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise ReadError(f"cannot decode the file as {encoding}: {exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ReadError(
            "the CSV is neither UTF-8 nor GB18030; save it again as CSV UTF-8 "
            "/ 无法识别编码，请另存为“CSV UTF-8”"
        ) from exc


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv(path: Path, *, encoding: str | None = None) -> Table:
    text, used = decode_csv(path.read_bytes(), encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Each CSV record is one spreadsheet row, as Excel numbers them when it opens the file.
    numbered = ((number, row) for number, row in enumerate(reader, start=1))
    return _table(path.name, None, used, numbered)


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    from openpyxl import load_workbook  # a client dependency (requirements-dev)
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ReadError(f"cannot open {path.name} as XLSX: {exc}") from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise ReadError(
                    f"no sheet {sheet!r}; the file has {', '.join(workbook.sheetnames)}"
                )
            worksheet = workbook[sheet]
        elif DATA_SHEET in workbook.sheetnames:
            worksheet = workbook[DATA_SHEET]
        else:
            worksheet = workbook.worksheets[0]
        # Some tools write a wrong <dimension>; without it read-only mode reads every row.
        worksheet.reset_dimensions()
        numbered = enumerate(worksheet.iter_rows(values_only=True), start=1)
        return _table(path.name, worksheet.title, None, numbered)
    finally:
        workbook.close()


def _find_header(
    numbered: Iterator[tuple[int, tuple[Any, ...] | list[Any]]],
) -> tuple[int, list[Any]]:
    for number, values in numbered:
        if number > HEADER_SEARCH_ROWS:
            break
        if sum(1 for value in values if column_for(value)) >= _MIN_HEADERS:
            return number, list(values)
    raise ReadError(
        f"no header row in the first {HEADER_SEARCH_ROWS} rows: expected headers such as "
        "记录编号, 项目名称, 获奖单位, 统一社会信用代码 / 未找到表头行"
    )


def _table(
    source: str,
    sheet: str | None,
    encoding: str | None,
    numbered: Iterable[tuple[int, tuple[Any, ...] | list[Any]]],
) -> Table:
    rows_iter = iter(numbered)
    _, header = _find_header(rows_iter)
    positions: dict[int, str] = {}
    table = Table(source=source, sheet=sheet, encoding=encoding, headers={})
    for position, value in enumerate(header):
        if is_blank(value):
            continue
        key = column_for(value)
        written = str(value).strip()
        if key is None:
            table.ignored_headers.append(written)
            continue
        if key in table.headers:
            raise ReadError(
                f"two columns map to {BY_KEY[key].header}: {table.headers[key]!r} and "
                f"{written!r} / 表头重复"
            )
        table.headers[key] = written
        positions[position] = key
    missing = [BY_KEY[key].header for key in REQUIRED_KEYS if key not in table.headers]
    if missing:
        raise ReadError(f"missing required columns / 缺少必填列: {', '.join(missing)}")
    for number, values in rows_iter:
        cells = {
            key: values[position]
            for position, key in positions.items()
            if position < len(values) and not is_blank(values[position])
        }
        if cells:
            table.rows.append(SheetRow(number, cells))
    return table
