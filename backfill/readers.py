"""Moved to ``chalicelib/imports/readers.py``: one implementation for this tool and the
server-side import (``POST /v1/imports``). Kept so the tool's imports stay stable."""

from chalicelib.imports.readers import (
    DATA_SHEET,
    ReadError,
    SheetRow,
    Table,
    decode_csv,
    is_blank,
    read_bytes,
    read_csv,
    read_table,
    read_xlsx,
)

__all__ = [
    "DATA_SHEET",
    "ReadError",
    "SheetRow",
    "Table",
    "decode_csv",
    "is_blank",
    "read_bytes",
    "read_csv",
    "read_table",
    "read_xlsx",
]
