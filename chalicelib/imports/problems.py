"""What is wrong with a row, said in Chinese and English, pointing at the cell.

The API's messages are English and name an API field (``winners[1].credit_code``);
staff think in sheet rows and Chinese headers. A ``Problem`` carries both:
the row, the header, the API field, the error code, and the reason in each
language. The translations cover the messages our schemas and services
produce; anything else keeps a generic Chinese reason beside the exact English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.labels_zh import CATEGORY_ZH, ROLE_ZH


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


# Error codes of SPEC §4 that a pushed record can get back.
_CODE_ZH = {
    "duplicate_winner": "同一奖项中统一社会信用代码重复",
    "source_id_conflict": "该记录编号已用不同内容报送过；如需修改，请通过更正接口（PUT）办理",
    "out_of_scope": "工程类别不在该奖项的范围内",
    "invalid_state": "该奖项尚未提交或已不能报送获奖信息",
    "not_found": "奖项编号不存在",
    "forbidden": "该奖项属于其他单位",
    "unauthenticated": "API 密钥无效或已吊销",
    "program_not_disclosable": "涉密或依法不予公开的奖项不报送",
    "award_revoked": "该获奖信息已撤销",
    "payload_too_large": "单条记录超过 1 MB",
    "throttled": "请求过于频繁，请稍后重试",
    "unavailable": "平台暂时不可用，请稍后重试",
    "conflicting_values": "同一记录编号的各行填写不一致",
    "number_cell": "单元格是数字格式，已丢失位数；请把该列设为文本格式后重新录入",
    "unknown_program": "找不到该奖项名称",
    "too_large": "单条记录超过 1 MB",
}

# (pattern on the English message, Chinese reason); the first match wins.
_MESSAGE_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"is required", "必填，不能为空"),
        (r"must be a date written YYYY-MM-DD", "日期格式应为 YYYY-MM-DD，或使用日期单元格"),
        (r"is not a real date", "日期不存在"),
        (r"must be on or after (\S+)", r"日期不得早于 \1"),
        (r"must not be after today", "日期不得晚于今天（北京时间）"),
        (r"batch year cannot be later", "获奖年度不能晚于获奖日期所在年份"),
        (r"personal ID number", "这是居民身份证号码，应填写单位的统一社会信用代码"),
        (r"check character", "统一社会信用代码校验位不正确，可能录入有误"),
        (r"credit code has 18 characters", "统一社会信用代码应为 18 位"),
        (r"not allowed in a credit code", "统一社会信用代码含有不允许的字符"),
        (r"credit code must be a string", "统一社会信用代码应为文本"),
        (r"already appears as winners", "同一奖项中统一社会信用代码重复"),
        (
            r"Input should be 'general_contractor'",
            "单位角色应为：" + "、".join(ROLE_ZH.values()),
        ),
        (r"Input should be 'housing'", "工程类别应为：" + " 或 ".join(CATEGORY_ZH.values())),
        (r"should be a valid integer|Input should be a valid number", "应为整数"),
        (r"greater than or equal to (\d+)", r"不得小于 \1"),
        (r"less than or equal to (\d+)", r"不得大于 \1"),
        (r"at most (\d+) characters", r"长度不得超过 \1 个字符"),
        (r"at least 1 character", "不能为空"),
        (r"at most (\d+) items", r"不得超过 \1 项"),
        (r"at least 1 item", "至少需要一家获奖单位"),
        (r"should match pattern '\^\\d\{6\}\$'", "应为 6 位数字"),
        (r"should match pattern '\^https\?", "应为 http:// 或 https:// 开头的网址"),
        (r"control characters", "含有不可见的控制字符"),
        (r"valid string", "应为文本"),
        (r"not in this authority's province", "项目所在地不在本省范围内"),
        (r"at most \d+ records per batch", "每批最多 100 条"),
    )
)


def reason_zh(code: str, message: str) -> str:
    """The Chinese reason for an error ``code`` and its English ``message``."""
    for pattern, zh in _MESSAGE_ZH:
        match = pattern.search(message)
        if match:
            return match.expand(zh)
    return _CODE_ZH.get(code, "内容不符合要求")
