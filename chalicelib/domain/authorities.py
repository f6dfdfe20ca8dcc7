"""The 33 pilot authorities that push award information to the registry.

Each is identified by the 6-digit GB/T 2260 code of its province-level division,
so a project's location code can be checked against the pushing province.
Two bodies do not fit that scheme and get conventional ids: the Beijing
Municipal Commission of Planning and Natural Resources (``110000-PNR``), which
runs its own award programmes beside the housing commission, and the Xinjiang
Production and Construction Corps housing bureau (``660000``, not a GB/T 2260
code; its projects lie in Xinjiang, division ``650000``). Hong Kong, Macao and
Taiwan are not in the pilot.

The list is code, not data: it changes only when the pilot does, and keeping it
immutable here lets every layer share it without a lookup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Authority:
    """A provincial body allowed to push awards, bound to API keys by ``id``."""

    id: str
    division_code: str
    name_zh: str
    name_en: str

    def to_dict(self) -> dict:
        """JSON-ready form, as listed by ``GET /v1/authorities``."""
        return asdict(self)


_DEPT = "Department of Housing and Urban-Rural Development of "
_COMMISSION = " Municipal Commission of Housing and Urban-Rural Development"

AUTHORITIES: tuple[Authority, ...] = (
    Authority("110000", "110000", "北京市住房和城乡建设委员会", "Beijing" + _COMMISSION),
    Authority(
        "110000-PNR",
        "110000",
        "北京市规划和自然资源委员会",
        "Beijing Municipal Commission of Planning and Natural Resources",
    ),
    Authority("120000", "120000", "天津市住房和城乡建设委员会", "Tianjin" + _COMMISSION),
    Authority("130000", "130000", "河北省住房和城乡建设厅", _DEPT + "Hebei Province"),
    Authority("140000", "140000", "山西省住房和城乡建设厅", _DEPT + "Shanxi Province"),
    Authority(
        "150000",
        "150000",
        "内蒙古自治区住房和城乡建设厅",
        _DEPT + "Inner Mongolia Autonomous Region",
    ),
    Authority("210000", "210000", "辽宁省住房和城乡建设厅", _DEPT + "Liaoning Province"),
    Authority("220000", "220000", "吉林省住房和城乡建设厅", _DEPT + "Jilin Province"),
    Authority("230000", "230000", "黑龙江省住房和城乡建设厅", _DEPT + "Heilongjiang Province"),
    Authority(
        "310000",
        "310000",
        "上海市住房和城乡建设管理委员会",
        "Shanghai Municipal Commission of Housing and Urban-Rural Development and Management",
    ),
    Authority("320000", "320000", "江苏省住房和城乡建设厅", _DEPT + "Jiangsu Province"),
    Authority("330000", "330000", "浙江省住房和城乡建设厅", _DEPT + "Zhejiang Province"),
    Authority("340000", "340000", "安徽省住房和城乡建设厅", _DEPT + "Anhui Province"),
    Authority("350000", "350000", "福建省住房和城乡建设厅", _DEPT + "Fujian Province"),
    Authority("360000", "360000", "江西省住房和城乡建设厅", _DEPT + "Jiangxi Province"),
    Authority("370000", "370000", "山东省住房和城乡建设厅", _DEPT + "Shandong Province"),
    Authority("410000", "410000", "河南省住房和城乡建设厅", _DEPT + "Henan Province"),
    Authority("420000", "420000", "湖北省住房和城乡建设厅", _DEPT + "Hubei Province"),
    Authority("430000", "430000", "湖南省住房和城乡建设厅", _DEPT + "Hunan Province"),
    Authority("440000", "440000", "广东省住房和城乡建设厅", _DEPT + "Guangdong Province"),
    Authority(
        "450000",
        "450000",
        "广西壮族自治区住房和城乡建设厅",
        _DEPT + "Guangxi Zhuang Autonomous Region",
    ),
    Authority("460000", "460000", "海南省住房和城乡建设厅", _DEPT + "Hainan Province"),
    Authority("500000", "500000", "重庆市住房和城乡建设委员会", "Chongqing" + _COMMISSION),
    Authority("510000", "510000", "四川省住房和城乡建设厅", _DEPT + "Sichuan Province"),
    Authority("520000", "520000", "贵州省住房和城乡建设厅", _DEPT + "Guizhou Province"),
    Authority("530000", "530000", "云南省住房和城乡建设厅", _DEPT + "Yunnan Province"),
    Authority("540000", "540000", "西藏自治区住房和城乡建设厅", _DEPT + "Tibet Autonomous Region"),
    Authority("610000", "610000", "陕西省住房和城乡建设厅", _DEPT + "Shaanxi Province"),
    Authority("620000", "620000", "甘肃省住房和城乡建设厅", _DEPT + "Gansu Province"),
    Authority("630000", "630000", "青海省住房和城乡建设厅", _DEPT + "Qinghai Province"),
    Authority(
        "640000",
        "640000",
        "宁夏回族自治区住房和城乡建设厅",
        _DEPT + "Ningxia Hui Autonomous Region",
    ),
    Authority(
        "650000",
        "650000",
        "新疆维吾尔自治区住房和城乡建设厅",
        _DEPT + "Xinjiang Uygur Autonomous Region",
    ),
    Authority(
        "660000",
        "650000",
        "新疆生产建设兵团住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau of Xinjiang Production and Construction Corps",
    ),
)
"""All pilot authorities, ordered by id."""

AUTHORITY_IDS: frozenset[str] = frozenset(a.id for a in AUTHORITIES)

_BY_ID = {a.id: a for a in AUTHORITIES}


def get_authority(authority_id: str) -> Authority | None:
    """Return the authority with ``authority_id``, or None if it is not in the pilot.

    Examples
    --------
    >>> get_authority("320000").name_zh
    '江苏省住房和城乡建设厅'
    """
    return _BY_ID.get(authority_id)


def division_prefix(authority_id: str) -> str:
    """Return the 2-digit province prefix a project location code must start with.

    Raises
    ------
    KeyError
        If ``authority_id`` is not a pilot authority.

    Examples
    --------
    >>> division_prefix("660000")
    '65'
    """
    authority = _BY_ID.get(authority_id)
    if authority is None:
        raise KeyError(f"unknown authority {authority_id!r}")
    return authority.division_code[:2]
