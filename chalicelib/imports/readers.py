"""Read a backfill spreadsheet (XLSX or CSV) into numbered rows keyed by column.

Row numbers are the ones Excel shows (the header is usually row 1), so every
report can send staff straight to the cell. CSV comes from many tools: UTF-8,
UTF-8 with a BOM, or GB18030 (what Excel in China writes by default); the
encoding is detected, never guessed from the locale.

Shared by the backfill tool (a file on a staff member's computer,
``read_table``) and the server-side import (the uploaded object's bytes,
``read_bytes``). openpyxl is imported only inside ``read_xlsx``: the API
function never reads a sheet, so its cold start does not pay for it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chalicelib.imports.columns import BY_KEY, column_for

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
    if not path.is_file():
        raise ReadError(f"no such file: {path} / 找不到文件")
    if _kind(path.name) == "xlsx":
        return read_xlsx(path, sheet=sheet)
    return read_csv(path, encoding=encoding)


def _kind(filename: str) -> str:
    """``xlsx`` or ``csv`` by the file name's extension (raises ``ReadError``)."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xls":
        raise ReadError("the old .xls format is not read: save it as .xlsx / 请另存为 .xlsx 格式")
    raise ReadError(f"unknown file type {suffix!r}: use .xlsx or .csv / 仅支持 .xlsx 或 .csv")


def read_bytes(
    data: bytes, filename: str, *, kind: str | None = None, sheet: str | None = None
) -> Table:
    """Read a spreadsheet held in memory (an uploaded object); ``kind`` is ``xlsx`` or ``csv``,
    else taken from ``filename``'s extension."""
    if (kind or _kind(filename)) == "xlsx":
        return read_xlsx(io.BytesIO(data), sheet=sheet, name=filename)
    return csv_table(data, filename)


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
    return csv_table(path.read_bytes(), path.name, encoding=encoding)


def csv_table(data: bytes, name: str, *, encoding: str | None = None) -> Table:
    text, used = decode_csv(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Each CSV record is one spreadsheet row, as Excel numbers them when it opens the file.
    numbered = ((number, row) for number, row in enumerate(reader, start=1))
    return _table(name, None, used, numbered)


def read_xlsx(
    source: Path | IO[bytes], *, sheet: str | None = None, name: str | None = None
) -> Table:
    # Imported here only (measured cold-start cost; see the module docstring).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = name or getattr(source, "name", None) or "upload.xlsx"
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReadError(f"cannot open {name} as XLSX / 无法打开 XLSX 文件: {exc}") from None
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
        return _table(name, worksheet.title, None, numbered)
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
