"""Moved to ``chalicelib/imports/columns.py``: one implementation for this tool and the
server-side import (``POST /v1/imports``). Kept so the tool's imports stay stable."""

from chalicelib.imports.columns import (
    AWARD_KEYS,
    BY_KEY,
    CATEGORY_LABELS,
    COLUMNS,
    ROLE_LABELS,
    WINNER_KEYS,
    Column,
    category_code,
    column_for,
    normalise_header,
    role_code,
)

__all__ = [
    "AWARD_KEYS",
    "BY_KEY",
    "CATEGORY_LABELS",
    "COLUMNS",
    "ROLE_LABELS",
    "WINNER_KEYS",
    "Column",
    "category_code",
    "column_for",
    "normalise_header",
    "role_code",
]
