"""Cells a spreadsheet would run as a formula, made inert: one rule for every CSV we write.

Excel, WPS and LibreOffice treat a cell that starts with ``= + - @`` (and a
leading tab or carriage return) as a formula, so text a province or a
feedback form typed, like ``=HYPERLINK("http://…")``, would run on the
desk of whoever opens the export, ``errors.csv`` or an audit report (OWASP
"CSV injection"). Chinese input methods type the full-width forms
(``＝ ＋ － ＠``), which some spreadsheet versions also read as formulas;
NFKC folds them (and ``﹦ ﹢ ﹣``) to the ASCII ones, so the test is made on
the NFKC form of the cell's start. Such a cell gets a leading ``'``: the
spreadsheet shows the text, the text itself is unchanged after the quote.
Numbers are written as numbers and are never touched.

Examples
--------
>>> safe_cell("=1+1"), safe_cell("＋86 10 1234"), safe_cell("北京"), safe_cell(-3)
("'=1+1", "'＋86 10 1234", '北京', -3)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# NFKC of one character is at most a few; 8 leaves room for a combining mark after it.
_PREFIX = 8


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (its NFKC form included)."""
    if text.startswith(FORMULA_START):
        return True
    return unicodedata.normalize("NFKC", text[:_PREFIX]).startswith(FORMULA_START)


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: ``None`` empty, formula-like text behind a ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through ``safe_cell``."""
    return [safe_cell(value) for value in values]


class SafeWriter:
    """A ``csv.writer`` whose rows go through ``safe_row``: one line makes a writer safe.

    Examples
    --------
    >>> import csv, io
    >>> out = io.StringIO()
    >>> safe_writer(csv.writer(out)).writerow(["@SUM(A1)", 2])
    >>> out.getvalue()
    "'@SUM(A1),2\\r\\n"
    """

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(writer: Any) -> SafeWriter:
    """Wrap ``csv.writer(...)`` so no cell it writes can run as a formula."""
    return SafeWriter(writer)
