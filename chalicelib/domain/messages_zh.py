"""The Chinese text of every error the registry gives: one source for the API and the tools.

Every error answer carries ``message`` (English) and ``message_zh`` (Chinese).
Fixed codes (``not_found``, ``version_mismatch`` …) have one Chinese text each in
``CODE_ZH``; a validation problem is said as ``字段 <field>：<reason>``, the reason
built from the kind of problem (pydantic's error ``type``, a credit-code check's
``reason``) or, for our own English messages, from ``MESSAGE_ZH`` patterns. The
backfill tool and the server-side import take their ``errors.csv`` reasons from
here too (``reason_zh``), so a problem reads the same wherever it is reported.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from chalicelib.domain.labels_zh import CATEGORY_ZH, ROLE_ZH

GENERIC_ZH = "内容不符合要求"

# One Chinese text per error code (SPEC §4 and the codes our services and tools add).
CODE_ZH: Mapping[str, str] = MappingProxyType(
    {
        # 400
        "validation_error": GENERIC_ZH,
        "invalid_json": "请求体不是有效的 UTF-8 JSON",
        "invalid_cursor": "翻页游标无效、已过期或与查询条件不符，请从第一页重新查询",
        # 401 / 403 / 404
        "unauthenticated": "API 密钥缺失、无效或已吊销",
        "forbidden": "无权操作：该对象属于其他单位，或需要其他角色的密钥",
        "not_found": "所请求的对象不存在",
        # 405 / 413 / 415 (the last two are Chalice's own refusals, put in our shape)
        "method_not_allowed": "该地址不支持此请求方法",
        "payload_too_large": "请求体超过大小上限（1 MB）",
        "unsupported_media_type": "不支持该内容类型，请以 application/json 发送",
        # 409
        "source_id_conflict": "该记录编号已用不同内容报送过；如需修改，请通过更正接口（PUT）办理",
        "document_required": "请先上传批准文件并通过核验，再提交奖项",
        "award_revoked": "该获奖信息已撤销，不能再更改",
        "invalid_state": "当前状态下不能进行此操作",
        "upload_missing": "尚未上传文件：请先按上传地址上传，再请求核验",
        # 412 / 428
        "version_mismatch": "记录已被他人修改（版本号不符），请重新读取后再提交",
        "if_match_required": "更正须在 If-Match 请求头中带上所读取的版本号",
        # 422
        "program_not_disclosable": "涉密或依法不予公开的奖项不予收集",
        "out_of_scope": "工程类别不在该奖项的范围内",
        "duplicate_winner": "同一奖项中统一社会信用代码重复",
        "document_too_large": "批准文件超过大小上限",
        "too_many_documents": "该奖项的批准文件数量已达上限",
        "file_too_large": "导入文件超过大小上限",
        "too_many_open_imports": "本单位尚未结束的导入过多，请等待完成或取消其中一个后再试",
        "upload_rejected": "上传的文件未通过核验",
        # the stored-file checks (``domain/documents.py``), reported as a 422 of an import
        "too_large": "文件或记录超过大小上限",
        "size_mismatch": "文件大小与申报的不一致",
        "content_type_mismatch": "文件类型与申报的不一致",
        "not_pdf": "文件不是 PDF",
        "not_ofd": "文件不是 OFD",
        "not_xlsx": "文件不是 XLSX 工作簿",
        "pdf_incomplete": "PDF 文件不完整（缺少结束标记），可能上传中断",
        "pdf_unreadable": "PDF 文件无法打开，可能已损坏",
        "pdf_encrypted": "PDF 文件已加密，无法查看",
        "pdf_no_pages": "PDF 文件没有任何页面",
        "sha256_mismatch": "文件内容与申报的 SHA-256 不一致，请重新上传",
        "unreadable": "文件无法读取或缺少必填列",
        # 429 / 5xx
        "throttled": "请求过于频繁，请稍后重试",
        "unavailable": "平台暂时不可用，请稍后重试",
        "internal_error": "平台内部错误，请稍后重试",
        # Chalice's other view errors, should a route raise one (``api/http.py``)
        "bad_request": "请求有误",
        "unauthorized": "未通过身份验证",
        "conflict": "与当前状态冲突",
        "unprocessable_entity": "请求内容不符合业务规则",
        "too_many_requests": "请求过于频繁，请稍后重试",
        "request_timeout": "请求超时，请稍后重试",
        # the spreadsheet reader (backfill tool and server-side imports)
        "conflicting_values": "同一记录编号的各行填写不一致",
        "number_cell": "单元格是数字格式，已丢失位数；请把该列设为文本格式后重新录入",
        "unknown_program": "找不到该奖项名称",
        "rejected": "平台拒绝了该记录",
        # objections (issue 23)
        "not_jpeg": "文件不是 JPEG 图片",
        "not_png": "文件不是 PNG 图片",
        "unknown_award": "没有这条获奖信息，请核对编号",
        "not_a_winner": "该统一社会信用代码不是这条获奖信息的获奖单位",
        "evidence_too_large": "证明材料超过大小上限",
        "too_many_evidence": "证明材料数量已达上限",
        "invalid_change": "所指的变更不能证明已更正",
    }
)

# A credit code's problem (``InvalidCreditCodeError.reason``, ``domain/credit_code.py``).
CREDIT_CODE_ZH: Mapping[str, str] = MappingProxyType(
    {
        "type": "统一社会信用代码应为文本",
        "length": "统一社会信用代码应为 18 位",
        "character": "统一社会信用代码含有不允许的字符（只用数字和除 I、O、S、V、Z 外的大写字母）",
        "personal_id": "这是居民身份证号码，应填写单位的统一社会信用代码",
        "check_character": "统一社会信用代码校验位不正确，可能录入有误",
    }
)

_ROLES = "、".join(f"{code}（{zh}）" for code, zh in ROLE_ZH.items())
_CATEGORIES = "、".join(f"{code}（{zh}）" for code, zh in CATEGORY_ZH.items())

# pydantic's error ``type`` → the Chinese reason; ``{name}`` fields come from its ``ctx``.
PYDANTIC_ZH: Mapping[str, str] = MappingProxyType(
    {
        "missing": "必填，不能为空",
        "extra_forbidden": "不是可接受的字段",
        "string_type": "应为文本",
        "string_too_short": "长度不得少于 {min_length} 个字符",
        "string_too_long": "长度不得超过 {max_length} 个字符",
        "string_pattern_mismatch": "格式不正确",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "literal_error": "应为以下之一：{expected}",
        "list_type": "应为数组",
        "too_short": "至少需要 {min_length} 项",
        "too_long": "不得超过 {max_length} 项",
        "greater_than_equal": "不得小于 {ge}",
        "greater_than": "应大于 {gt}",
        "less_than_equal": "不得大于 {le}",
        "less_than": "应小于 {lt}",
        "model_type": "应为 JSON 对象",
        "model_attributes_type": "应为 JSON 对象",
        "dict_type": "应为 JSON 对象",
        "date_type": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD",
    }
)

# (pattern on one of our English messages, Chinese reason); the first match wins. For
# messages raised without their own ``message_zh`` (and from before this module existed).
# Compiled with the first error that needs them (``_compiled``), not at cold start (measured).
MESSAGE_ZH: tuple[tuple[str, str], ...] = (
    (r"is required", "必填，不能为空"),
    (r"must be a date written YYYY-MM-DD", "日期格式应为 YYYY-MM-DD，或使用日期单元格"),
    (r"must be a month written YYYY-MM, from (\d{4})", r"月份格式应为 YYYY-MM，自 \1 年起"),
    (r"is not a real date", "日期不存在"),
    (r"must be on or after\D*(\d{4}-\d{2}-\d{2})", r"日期不得早于 \1"),
    (r"must not be after today", "日期不得晚于今天（北京时间）"),
    (r"must not be before period_from", "结束日期不得早于开始日期"),
    (r"to must not be before from", "截止日期不得早于起始日期"),
    (r"from must not be after to", "开始月份不得晚于结束月份"),
    (r"spans more than (\d+) months", r"时间跨度不得超过 \1 个月"),
    (r"batch year cannot be later", "获奖年度不能晚于获奖日期所在年份"),
    (r"personal ID number", CREDIT_CODE_ZH["personal_id"]),
    (r"check character", CREDIT_CODE_ZH["check_character"]),
    (r"credit code has 18 characters", CREDIT_CODE_ZH["length"]),
    (r"not allowed in a credit code", CREDIT_CODE_ZH["character"]),
    (r"credit code must be a string", CREDIT_CODE_ZH["type"]),
    (r"already appears as winners", "同一奖项中统一社会信用代码重复"),
    (r"Input should be 'general_contractor'", "单位角色应为：" + "、".join(ROLE_ZH.values())),
    (r"Input should be 'housing'", "工程类别应为：" + " 或 ".join(CATEGORY_ZH.values())),
    (r"should be a valid integer|Input should be a valid number", "应为整数"),
    (r"greater than or equal to (\d+)", r"不得小于 \1"),
    (r"less than or equal to (\d+)", r"不得大于 \1"),
    (r"at most (\d+) characters", r"长度不得超过 \1 个字符"),
    (r"must be 1\.\.(\d+) characters", r"长度应为 1 至 \1 个字符"),
    (r"at least 1 character", "不能为空"),
    (r"at most (\d+) records per batch", r"每批最多 \1 条"),
    (r"at most (\d+) items", r"不得超过 \1 项"),
    (r"at least 1 item", "至少需要一家获奖单位"),
    (r"should match pattern '\^\\d\{6\}\$'", "应为 6 位数字"),
    (r"should match pattern '\^https\?", "应为 http:// 或 https:// 开头的网址"),
    (r"control characters", "含有不可见的控制字符（仅允许制表符和换行）"),
    (
        r"not valid Unicode",
        "含有无法以 UTF-8 编码的字符（孤立的代理项，如 U+D800），请检查文本来源",
    ),
    (r"valid string", "应为文本"),
    (r"not in this authority's province", "项目所在地不在本省范围内"),
    (r"not a GB/T 2260 division code", "不是有效的行政区划代码，请从省、市、区县中选择"),
    (r"unknown (query )?parameter", "不是可接受的查询参数"),
    (r"unknown field", "不是可接受的字段"),
    (r"unknown authority_id", "省级主管部门编号不存在"),
    (r"must be true or false", "应为 true 或 false"),
    (r"needs authority_id", "按记录编号查询时须同时给出 authority_id"),
    (r"limit must be 1\.\.(\d+)", r"每页条数应为 1 至 \1"),
    (r"If-Match must be the version", '应为所读取的版本号，例如 "3"'),
    (r"must be one of", "取值不在允许范围内"),
    (r"format must be json", "只能为 json，或不填（直接跳转到文件）"),
    (r"must be between (\d{4}-\d{2}-\d{2}) and (\d{4}-\d{2}-\d{2})", r"应在 \1 至 \2 之间"),
    (r"needs at least (\d+) characters", r"至少需要 \1 个字符"),
    (r"reason must be at least (\d+) characters", r"说明理由至少 \1 个字"),
    (r"is over (\d+) characters", r"不得超过 \1 个字符"),
    (r"more than (\d+) awards match", r"匹配的获奖信息超过 \1 条，请输入更完整的名称"),
    (r"is not in (\d{4})", r"不在 \1 年内"),
    (r"also listed as a holiday", "该日期同时被列为节假日"),
    (r"cursor is malformed", "翻页游标无效"),
    (r"cannot change in a correction", "更正时不能修改"),
    (r"cannot be redacted", "该字段不能删除"),
    (r"must not repeat", "不得重复"),
    (r"must be a file name", "应为文件名，不能是路径"),
    (r"a reason is required", "驳回时必须说明理由"),
    (r"admin key is bound to no authority", "管理员密钥不绑定省级主管部门，请不要填写"),
    (r"provincial key needs one of", "省级密钥须绑定 33 个省级主管部门之一"),
    (r"the body must be a JSON object", "请求体应为 JSON 对象"),
    (r"send Accept:", "请在 Accept 请求头中接受 XLSX 文件"),
    (
        r"q cannot be combined with",
        "名称片段搜索（q）不能与统一社会信用代码、单位名称或记录编号同时使用",
    ),
    (r"q must be (\d+) to (\d+) characters", r"搜索内容应为 \1 至 \2 个字符"),
    (r"sort must be date or name", "排序方式应为 date（按日期）或 name（按名称）"),
    (r"sort=name needs q", "按名称排序（sort=name）须同时给出搜索内容 q"),
    # objections (issue 23)
    (r"must be absent for missing_award", "“奖项缺失”不填写获奖信息编号，请填写授奖的省级主管部门"),
    (r"needs a phone \(mainland mobile\) or an email", "手机号码和电子邮箱至少填写一项"),
    (r"at least 10 characters for upheld", "答复“原信息无误”须说明理由，不少于 10 个字"),
    # webhook subscriptions (issue 21)
    (r"url cannot be removed", "接收地址不能删除，可以修改为新的地址"),
    (
        r"send one of from_position or from_date",
        "请给出起始位置（from_position）或起始日期（from_date）之一",
    ),
    (r"unknown authority id", "省级主管部门编号不存在"),
)


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), zh) for pattern, zh in MESSAGE_ZH)


def field_message_zh(field: str | None, reason: str) -> str:
    """``字段 winners[1].credit_code：<reason>``; just the reason when no field is named."""
    return f"字段 {field}：{reason}" if field else reason


def reason_of(field: str | None, message_zh: str) -> str:
    """The reason alone, without the ``字段 …：`` prefix (a sheet shows the column itself)."""
    prefix = f"字段 {field}："
    return message_zh.removeprefix(prefix) if field else message_zh


def reason_zh(code: str, message: str) -> str:
    """The Chinese reason for an error ``code`` and its English ``message``."""
    for pattern, zh in _compiled():
        match = pattern.search(message)
        if match:
            return match.expand(zh)
    return CODE_ZH.get(code, GENERIC_ZH)


def message_zh_for(code: str, message: str, field: str | None = None) -> str:
    """The Chinese message of an error raised without its own ``message_zh``."""
    if code == "validation_error":
        return field_message_zh(field, reason_zh(code, message))
    return CODE_ZH.get(code) or field_message_zh(field, reason_zh(code, message))


def pydantic_reason_zh(error: Mapping[str, Any], field: str | None) -> str:
    """The Chinese reason of one pydantic error (an item of ``ValidationError.errors()``)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        cause = ctx.get("error")
        own = getattr(cause, "message_zh", None)
        return own or reason_zh("validation_error", str(cause or error.get("msg", "")))
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "不能为空"
    if kind == "literal_error" and field:
        leaf = field.rsplit(".", 1)[-1]
        if leaf == "role":
            return f"应为以下之一：{_ROLES}"
        if leaf == "category" or leaf.startswith("categories["):
            return f"应为以下之一：{_CATEGORIES}"
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        kind = f"string_{kind}"  # a text's length checked after trimming: characters, not items
    template = PYDANTIC_ZH.get(kind)
    if template is None:
        return reason_zh("validation_error", str(error.get("msg", "")))
    try:
        return template.format(**{k: v for k, v in ctx.items() if isinstance(k, str)})
    except (KeyError, IndexError, ValueError):
        return reason_zh("validation_error", str(error.get("msg", "")))


class ZhValueError(ValueError):
    """A ``ValueError`` raised inside a pydantic validator that knows its Chinese reason."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh
