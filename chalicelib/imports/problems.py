"""What is wrong with a row, said in Chinese and English, pointing at the cell.

The API's messages are English and name an API field (``winners[1].credit_code``);
staff think in sheet rows and Chinese headers. A ``Problem`` carries both:
the row, the header, the API field, the error code, and the reason in each
language. The Chinese comes from the API's own ``message_zh`` (or, for the
reader's own checks, ``domain/messages_zh.py``): one source of Chinese reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.messages_zh import reason_zh

__all__ = ["ERROR_COLUMNS", "Problem", "error_row", "reason_zh", "sort_key"]


@dataclass(frozen=True)
class Problem:
    row: int | None
    source_id: str | None
    column: str | None  # the Chinese header of the cell at fault
    field: str | None  # the API field path
    code: str
    message: str  # English, as the API or the local check said it
    message_zh: str

    def line(self, sheet: str | None = None) -> str:
        """``第 12 行 统一社会信用代码 (winners[1].credit_code): 中文 — English``."""
        where = f"第 {self.row} 行" if self.row else "文件"
        if sheet:
            where = f"[{sheet}] {where}"
        what = self.column or ""
        if self.field:
            what = f"{what} ({self.field})" if what else self.field
        return f"{where} {what}: {self.message_zh} — {self.message}".replace("  ", " ")


# The columns of ``errors.csv`` (the tool's file and ``GET /v1/imports/{id}/errors.csv``).
ERROR_COLUMNS = (
    "工作表 sheet",
    "行号 row",
    "记录编号 source_id",
    "列 column",
    "字段 field",
    "错误代码 code",
    "原因 reason (中文)",
    "reason (English)",
)


def sort_key(problem: Problem) -> tuple[int, str]:
    return (problem.row or 0, problem.field or "")


def error_row(problem: Problem, sheet: str | None) -> list[str | int]:
    """One ``errors.csv`` line for ``problem``, in the order of ``ERROR_COLUMNS``."""
    return [
        sheet or "",
        problem.row or "",
        problem.source_id or "",
        problem.column or "",
        problem.field or "",
        problem.code,
        problem.message_zh,
        problem.message,
    ]
