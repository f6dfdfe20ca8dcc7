"""Read a backfill spreadsheet (XLSX or CSV) into numbered rows keyed by column.

Row numbers are the ones Excel shows (the header is usually row 1), so every
report can send staff straight to the cell. CSV comes from many tools: UTF-8,
UTF-8 with a BOM, or GB18030 (what Excel in China writes by default); the
encoding is detected, never guessed from the locale.

Shared by the backfill tool (a file on a staff member's computer,
``read_table``) and the server-side import (the uploaded object's bytes,
``read_bytes``). openpyxl is imported only inside ``read_xlsx``: the API
function never reads a sheet, so its cold start does not pay for it.

``Limits`` bound the work one file can cause (issue 19: a 1.85 MB XLSX of a
million rows took 132 s and 1.3 GB). They are checked before parsing where
the file says enough (the ZIP directory's unpacked sizes, the sheet's
``<dimension>``) and while streaming (data rows, cells per row): reading stops
at the limit with ``LimitError`` (``too_many_rows`` or ``too_large``).
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

    code = "unreadable"


class LimitError(ReadError):
    """The file is over a limit (``too_many_rows`` or ``too_large``); says so in Chinese too."""

    def __init__(self, code: str, message: str, message_zh: str) -> None:
        super().__init__(f"{message} / {message_zh}")
        self.code = code
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True)
class Limits:
    """How much one file may hold: data rows, unpacked XLSX bytes, cells per row.

    Empty rows are not data rows, but at most ``4 × max_rows`` sheet rows are
    looked at (a sheet of a million styled empty rows is refused, not walked).
    """

    max_rows: int = 50_000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_cells_per_row: int = 200

    def too_many_rows(self, rows: int | str) -> LimitError:
        return LimitError(
            "too_many_rows",
            f"the sheet has more than {self.max_rows} rows ({rows}); split it into files "
            f"of at most {self.max_rows} rows",
            f"表格超过 {self.max_rows} 行（{rows}），请拆分为每个不超过 {self.max_rows} 行的文件",
        )


NO_LIMITS = Limits(max_rows=10**9, max_unpacked_bytes=2**62, max_cells_per_row=10**6)


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row: its sheet row number, its non-blank cells by column key, and
    ``values``: every cell of the row by position, as read, under ``Table.columns`` (the
    import's errors file gives a rejected row back as the province wrote it)."""

    number: int
    cells: dict[str, Any]
    values: tuple[Any, ...] = ()


@dataclass
class Table:
    source: str
    sheet: str | None
    encoding: str | None
    headers: dict[str, str]  # column key → the header as written in the file
    ignored_headers: list[str] = field(default_factory=list)
    # Every header cell by position, as written ("" where blank), up to the last one
    # written; a data row's ``values`` are cut to this width (a cell under no header
    # has no column to be given back under).
    columns: list[str] = field(default_factory=list)
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
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    limits: Limits = NO_LIMITS,
) -> Table:
    """Read a spreadsheet held in memory (an uploaded object); ``kind`` is ``xlsx`` or ``csv``,
    else taken from ``filename``'s extension. Raises ``LimitError`` past ``limits``."""
    if (kind or _kind(filename)) == "xlsx":
        return read_xlsx(io.BytesIO(data), sheet=sheet, name=filename, limits=limits)
    return csv_table(data, filename, limits=limits)


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


def csv_table(
    data: bytes, name: str, *, encoding: str | None = None, limits: Limits = NO_LIMITS
) -> Table:
    text, used = decode_csv(data, encoding)
    del data
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Each CSV record is one spreadsheet row, as Excel numbers them when it opens the file.
    numbered = ((number, row) for number, row in enumerate(reader, start=1))
    return _table(name, None, used, numbered, limits)


def check_unpacked_size(source: Path | IO[bytes], limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to more than ``limits.max_unpacked_bytes``.

    Read from the ZIP central directory, before openpyxl inflates anything (Python's
    ``zipfile`` never inflates a member past the size the directory declares).
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            # openpyxl holds the shared-strings table in memory, whole: a quarter at most.
            shared = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    except (OSError, zipfile.BadZipFile, ValueError):
        return  # not a ZIP: openpyxl says why below
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if unpacked > limits.max_unpacked_bytes or shared > limits.max_unpacked_bytes // 4:
        raise LimitError(
            "too_large",
            f"the workbook unpacks to {unpacked} bytes, over the limit of "
            f"{limits.max_unpacked_bytes}; keep only the 获奖信息 sheet's data",
            f"工作簿解压后 {unpacked} 字节，超过上限 {limits.max_unpacked_bytes} 字节，"
            "请只保留“获奖信息”工作表的数据",
        )


def _declared_rows(worksheet: Any) -> int | None:
    """The row count the sheet's ``<dimension>`` declares (may be wrong; None if absent)."""
    try:
        return int(worksheet.max_row) if worksheet.max_row else None
    except (TypeError, ValueError):
        return None


def read_xlsx(
    source: Path | IO[bytes],
    *,
    sheet: str | None = None,
    name: str | None = None,
    limits: Limits = NO_LIMITS,
) -> Table:
    # Imported here only (measured cold-start cost; see the module docstring).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = name or getattr(source, "name", None) or "upload.xlsx"
    check_unpacked_size(source, limits)
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
        declared = _declared_rows(worksheet)
        if declared is not None and declared > limits.max_rows + HEADER_SEARCH_ROWS:
            raise limits.too_many_rows(f"{declared} declared")  # refused before parsing
        # Some tools write a wrong <dimension>; without it read-only mode reads every row
        # (the limits below stop it all the same).
        worksheet.reset_dimensions()
        numbered = enumerate(worksheet.iter_rows(values_only=True), start=1)
        return _table(name, worksheet.title, None, numbered, limits)
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
    limits: Limits = NO_LIMITS,
) -> Table:
    rows_iter = iter(numbered)
    _, header = _find_header(rows_iter)
    positions: dict[int, str] = {}
    table = Table(source=source, sheet=sheet, encoding=encoding, headers={})
    written_at = [p for p, value in enumerate(header) if not is_blank(value)]
    width = min(written_at[-1] + 1, limits.max_cells_per_row) if written_at else 0
    table.columns = ["" if is_blank(v) else str(v).strip() for v in header[:width]]
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
    last_sheet_row = 4 * limits.max_rows + HEADER_SEARCH_ROWS
    for number, values in rows_iter:
        if len(values) > limits.max_cells_per_row and any(
            not is_blank(value) for value in values[limits.max_cells_per_row :]
        ):
            raise LimitError(
                "too_large",
                f"row {number} has cells beyond column {limits.max_cells_per_row}",
                f"第 {number} 行超过 {limits.max_cells_per_row} 列，请删除多余的列",
            )
        if number > last_sheet_row:
            raise limits.too_many_rows(f"more than {last_sheet_row} sheet rows")
        cells = {
            key: values[position]
            for position, key in positions.items()
            if position < len(values) and not is_blank(values[position])
        }
        if cells:
            if len(table.rows) >= limits.max_rows:
                raise limits.too_many_rows(f"row {number} is past it")
            table.rows.append(SheetRow(number, cells, tuple(values[:width])))
    return table
