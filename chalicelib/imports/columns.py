"""The spreadsheet columns and their mapping to the award record (SPEC §3).

One place for the headers staff see, the API field each fills, and the
Chinese labels accepted for roles and categories (from ``domain/labels_zh``).
The reader, the template generator and ``MAPPING.md`` all follow this table,
so a header added here appears everywhere at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chalicelib.domain.labels_zh import CATEGORY_ZH, ROLE_ZH
from chalicelib.domain.schemas import CATEGORIES, WINNER_ROLES


@dataclass(frozen=True)
class Column:
    """One spreadsheet column.

    ``level`` is ``award`` (the same on every row of one award; may be left
    empty on its continuation rows) or ``winner`` (one value per row, one row
    per winning enterprise). ``path`` is the API field, with ``winners[i]`` for
    the enterprise on that row.
    """

    key: str
    header: str
    path: str
    level: str
    required: bool
    kind: str  # text | year | date | code | role | category | program_name
    aliases: tuple[str, ...] = ()
    example: str | int = ""
    note_zh: str = ""
    note_en: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "source_id",
        "记录编号",
        "source_id",
        "award",
        True,
        "code",
        ("源记录编号", "记录ID", "记录id", "编号"),
        "BJ-2019-0001",
        "本省对该奖项的唯一编号；同一奖项的多家获奖单位各占一行、编号相同",
        "your own id of the award; one row per winning enterprise, same id",
    ),
    Column(
        "program_id",
        "奖项编号",
        "program_id",
        "award",
        False,
        "code",
        ("奖项ID", "奖项id"),
        "prg_…",
        "平台上的奖项编号（prg_ 开头）；与“奖项”二选一，或用 --program-id 统一指定",
        "the programme id on the platform; or give 奖项 (its name) or --program-id",
    ),
    Column(
        "program_name",
        "奖项",
        "program_id",
        "award",
        False,
        "program_name",
        ("奖项名称", "评比表彰项目"),
        "北京市建设工程长城杯",
        "奖项名称，按本单位已提交的奖项清单匹配为奖项编号",
        "the programme's name, matched to its id among your submitted programmes",
    ),
    Column(
        "year",
        "获奖年度",
        "year",
        "award",
        True,
        "year",
        ("年度", "评选年度", "批次年度"),
        2019,
        "评选批次年度，如 2019",
        "the batch year, e.g. 2019",
    ),
    Column(
        "honor",
        "获奖等级",
        "honor",
        "award",
        True,
        "text",
        ("奖项等级", "等级", "荣誉"),
        "金质奖",
        "公布的奖项名称或等级，如 金质奖",
        "the title or grade as announced",
    ),
    Column(
        "awarded_on",
        "获奖日期",
        "awarded_on",
        "award",
        True,
        "date",
        ("公布日期", "发文日期", "表彰日期"),
        "2019-12-20",
        "公布文件的日期，不早于 2018-01-01；日期单元格或 YYYY-MM-DD",
        "the date of the announcing document, from 2018-01-01",
    ),
    Column(
        "announcement_number",
        "文号",
        "announcement_number",
        "award",
        False,
        "text",
        ("公布文号", "发文文号", "表彰文号"),
        "京建发〔2019〕45号",
        "公布文件的文号",
        "the announcing document's number",
    ),
    Column(
        "announcement_url",
        "公布网址",
        "announcement_url",
        "award",
        False,
        "text",
        ("公告链接", "链接"),
        "https://zjw.beijing.gov.cn/",
        "公布文件的网址（http/https）",
        "the announcement's web address",
    ),
    Column(
        "project_name",
        "项目名称",
        "project.name",
        "award",
        True,
        "text",
        ("工程名称", "获奖项目", "获奖工程"),
        "北京城市副中心综合交通枢纽",
        "获奖工程项目名称",
        "the project's name",
    ),
    Column(
        "category",
        "工程类别",
        "project.category",
        "award",
        True,
        "category",
        ("项目类别", "类别"),
        CATEGORY_ZH["housing"],
        " 或 ".join(CATEGORY_ZH.values()) + "（也可填 housing / municipal）",
        "housing or municipal (Chinese labels accepted)",
    ),
    Column(
        "location_code",
        "项目所在地代码",
        "project.location_code",
        "award",
        False,
        "code",
        ("所在地代码", "行政区划代码"),
        "110112",
        "项目所在地 6 位行政区划代码",
        "the 6-digit division code of the project's location",
    ),
    Column(
        "project_code",
        "项目编号",
        "project.code",
        "award",
        False,
        "code",
        ("项目代码", "全国平台项目编号"),
        "",
        "项目在全国建筑市场监管公共服务平台的编号",
        "the project's number on the national platform",
    ),
    Column(
        "winner_name",
        "获奖单位",
        "winners[i].name",
        "winner",
        True,
        "text",
        ("单位名称", "获奖企业", "企业名称"),
        "北京城建集团有限责任公司",
        "获奖企业名称，每行一家",
        "the winning enterprise, one per row",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        "winners[i].credit_code",
        "winner",
        True,
        "code",
        ("信用代码", "社会信用代码", "统一信用代码"),
        "91110000101116432M",
        "18 位统一社会信用代码；请设为文本格式，勿用数字格式",
        "the 18-character credit code; keep the column as text",
    ),
    Column(
        "role",
        "单位角色",
        "winners[i].role",
        "winner",
        True,
        "role",
        ("角色", "参建角色", "单位类型"),
        ROLE_ZH["general_contractor"],
        "、".join(ROLE_ZH.values()),
        "the enterprise's role (Chinese labels accepted)",
    ),
    Column(
        "project_manager",
        "项目经理",
        "winners[i].project_manager",
        "winner",
        False,
        "text",
        ("项目负责人",),
        "张三",
        "项目经理姓名（仅姓名）",
        "the project manager's name only",
    ),
)

BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
AWARD_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.level == "award")
WINNER_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.level == "winner")

# Label → code, the other way round from ``labels_zh``: what a cell may say.
ROLE_LABELS: dict[str, str] = {label: code for code, label in ROLE_ZH.items()}
CATEGORY_LABELS: dict[str, str] = {label: code for code, label in CATEGORY_ZH.items()}
# A few spellings staff use beside the template's labels.
_ROLE_SYNONYMS = {"总承包": "general_contractor", "施工": "general_contractor", "业主": "owner"}
_CATEGORY_SYNONYMS = {
    "房屋建筑工程": "housing",
    "市政基础设施工程": "municipal",
    "市政": "municipal",
}

assert set(ROLE_LABELS.values()) == set(WINNER_ROLES)
assert set(CATEGORY_LABELS.values()) == set(CATEGORIES)

_MARKS = re.compile(r"[\s*＊:：]|[（(](必填|选填|可选)[)）]")


def normalise_header(text: object) -> str:
    """``' 统一社会信用代码（必填）*'`` → ``'统一社会信用代码'``: headers staff retype vary."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = _MARKS.sub("", value)
    return value.lower()


_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key, _column.path.replace("[i]", ""), *_column.aliases):
        _HEADERS.setdefault(normalise_header(_name), _column.key)


def column_for(header: object) -> str | None:
    """The column key for a header cell (Chinese, alias or API name), or None."""
    return _HEADERS.get(normalise_header(header))


def _label(value: str, labels: dict[str, str], synonyms: dict[str, str]) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if text in labels.values():
        return text
    lowered = text.lower()
    if lowered in labels.values():
        return lowered
    return labels.get(text) or synonyms.get(text) or value


def role_code(value: str) -> str:
    """``施工总承包`` → ``general_contractor``; codes pass; unknown text is returned as is."""
    return _label(value, ROLE_LABELS, _ROLE_SYNONYMS)


def category_code(value: str) -> str:
    """``房屋建筑`` → ``housing``; codes pass; unknown text is returned as is."""
    return _label(value, CATEGORY_LABELS, _CATEGORY_SYNONYMS)
