"""Moved to ``chalicelib/imports/problems.py``: one implementation for this tool and the
server-side import (``POST /v1/imports``). Kept so the tool's imports stay stable."""

from chalicelib.imports.problems import (
    Problem,
    reason_zh,
)

__all__ = ["Problem", "reason_zh"]
