"""Moved to ``chalicelib/imports/records.py``: one implementation for this tool and the
server-side import (``POST /v1/imports``). Kept so the tool's imports stay stable."""

from chalicelib.imports.records import (
    EXAMPLE_PREFIX,
    UNRESOLVED_PROGRAM,
    CellError,
    Checked,
    Draft,
    Grouped,
    check,
    convert,
    group_rows,
    program_for,
)

__all__ = [
    "EXAMPLE_PREFIX",
    "UNRESOLVED_PROGRAM",
    "CellError",
    "Checked",
    "Draft",
    "Grouped",
    "check",
    "convert",
    "group_rows",
    "program_for",
]
