"""The Chinese label of each code the registry shows people: one spelling per term.

The API speaks in codes (``general_contractor``, ``housing``, ``submitted``);
people read Chinese. The print view, the JSON feed, the audit alerts, the
backfill template and reader, and the public page (``web/app.js``, which keeps
a copy checked against this module by ``tests/unit/test_labels_zh.py``) all
take their labels from here, so a term reads the same wherever it appears.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType

from chalicelib.domain.china_time import CHINA_TZ

# Winning enterprise's role (``winners[].role``).
ROLE_ZH: Mapping[str, str] = MappingProxyType(
    {
        "general_contractor": "施工总承包",
        "specialty_contractor": "专业承包",
        "design": "设计",
        "survey": "勘察",
        "supervision": "监理",
        "owner": "建设单位",
        "other": "其他",
    }
)

# Project category (``project.category``, ``categories`` of a programme).
CATEGORY_ZH: Mapping[str, str] = MappingProxyType(
    {"housing": "房屋建筑", "municipal": "市政基础设施"}
)

# How often a programme awards (``cycle``).
CYCLE_ZH: Mapping[str, str] = MappingProxyType(
    {"annual": "每年", "biennial": "每两年", "irregular": "不定期"}
)

# How the housing and construction department relates to the organiser.
RELATION_ZH: Mapping[str, str] = MappingProxyType({"hosts": "主办", "supervises": "主管"})

# A programme's status (``domain/program_status.py``).
PROGRAM_STATUS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "draft": "草稿",
        "submitted": "已报送，待审核",
        "approved": "已审核通过",
        "rejected": "未通过审核",
        "withdrawn": "已撤销设立",
    }
)

# Whether an award stands (``domain/validity.py``).
VALIDITY_ZH: Mapping[str, str] = MappingProxyType(
    {"valid": "有效", "revoked": "已撤销", "program_withdrawn": "奖项已撤销设立"}
)

# A push's timeliness (``timeliness.status``) and the league table's columns.
TIMELINESS_ZH: Mapping[str, str] = MappingProxyType(
    {"on_time": "按时", "late": "逾期", "pending": "待定"}
)

# What each kind of audit finding is called in alerts and reports.
FINDING_KIND_ZH: Mapping[str, str] = MappingProxyType(
    {
        "late_push": "获奖信息晚报",
        "awarded_on_changed": "推送后更改公布日期",
        "no_program_list": "未报送奖项清单",
        "silent_program": "奖项超周期未推送",
        "calendar_missing": "工作日历缺失",
        "objection_overdue": "异议超期未答复",
    }
)

# An approval document's check (``documents[].status``).
DOC_STATUS_ZH: Mapping[str, str] = MappingProxyType(
    {"pending": "待核验", "verified": "已核验", "rejected": "未通过核验"}
)

# A spreadsheet import's state (``/v1/imports``).
IMPORT_STATUS_ZH: Mapping[str, str] = MappingProxyType(
    {
        "awaiting_upload": "等待上传",
        "queued": "排队中",
        "running": "导入中",
        "done": "已完成",
        "failed": "失败",
        "cancelled": "已取消",
        "expired": "已过期",
    }
)

# Objections (异议, issue 23): what an enterprise disputes, where it stands, how it ended.
OBJECTION_KIND_ZH: Mapping[str, str] = MappingProxyType(
    {
        "wrong_facts": "信息有误",
        "not_ours": "非本企业获奖",
        "missing_award": "奖项缺失",
        "other": "其他",
    }
)
OBJECTION_STATE_ZH: Mapping[str, str] = MappingProxyType({"open": "待答复", "answered": "已答复"})
OBJECTION_OUTCOME_ZH: Mapping[str, str] = MappingProxyType(
    {"corrected": "已更正", "upheld": "原信息无误", "transferred": "已转交"}
)

# Advice the pages and the audit give in the same words (one way to ask for an excuse).
ADVICE_ZH: Mapping[str, str] = MappingProxyType(
    {
        "excuse": "确有正当理由的，请在控制台“及时性”栏目的“意见反馈”中说明迟报原因，"
        "由住房和城乡建设部管理员认定为合理迟报。",
        "pending": "按临时工作日历计为迟报；国务院公布该年节假日安排后自动重新判定，无需处理。",
        "excused": "管理员已认定为合理迟报，无需处理。",
    }
)


def script() -> str:
    """Every table above as one browser script (``GET /static/labels.js``).

    The pages have no build step; rather than each keeping a copy, every page
    loads this script first and reads ``LABELS.ROLE_ZH`` and the rest from it,
    so a label is written once, here.
    """
    tables = {
        name: dict(value)
        for name, value in globals().items()
        if name.endswith("_ZH") and isinstance(value, Mapping)
    }
    tables["CHINA_TZ"] = CHINA_TZ.tzname(None)  # type: ignore[assignment]
    payload = json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=True)
    return (
        "// The Chinese labels of chalicelib/domain/labels_zh.py (served, not copied).\n"
        f'"use strict";\nconst LABELS = Object.freeze({payload});\n'
    )
