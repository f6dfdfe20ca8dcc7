"""Names of places by GB/T 2260 code (``project.location_code`` 320111: 江苏省 南京市 浦口区).

People read names, not codes. The names come from a maintained data package
(``chalicelib/data/areas``: @vant/area-data, MIT, vendored as JSON with its
licence), never from a table typed here. The file is read on first use and
cached per container, so a cold start that serves no award never pays for it.

Abolished codes stay valid in records (SPEC §3): a code the data no longer
knows keeps its code and gets the names that are still known (at least the
province), the others ``None``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

AREAS_FILE = Path(__file__).resolve().parent.parent / "data" / "areas" / "areas.json"


@cache
def _areas() -> dict[str, dict[str, str]]:
    return json.loads(AREAS_FILE.read_text("utf-8"))


def _parts(code: str) -> dict[str, str | None]:
    areas = _areas()
    return {
        "province": areas["province"].get(code[:2] + "0000"),
        "city": areas["city"].get(code[:4] + "00") if code[2:] != "0000" else None,
        "county": areas["county"].get(code) if code[4:] != "00" else None,
    }


def _joined(parts: dict[str, str | None]) -> str | None:
    names: list[str] = []
    for key in ("province", "city", "county"):
        name = parts[key]
        # "省直辖县级行政区划" is a grouping, not a place anyone writes in an address.
        if name and name not in names and "直辖" not in name:
            names.append(name)
    return "".join(names) or None


def location(code: str) -> dict[str, str | None]:
    """``{"code", "province", "city", "county", "name"}`` for a 6-digit division code.

    A province code names only the province, a prefecture code the province and
    the city; an unknown part is ``None``. ``name`` joins them as people write
    them (``江苏省南京市浦口区``; ``北京市通州区``, the municipality named once).

    Examples
    --------
    >>> location("320111")["name"], location("320111")["county"]
    ('江苏省南京市浦口区', '浦口区')
    >>> location("110000")
    {'code': '110000', 'province': '北京市', 'city': None, 'county': None, 'name': '北京市'}
    """
    parts = _parts(code)
    return {"code": code, **parts, "name": _joined(parts)}


def location_name(code: str) -> str | None:
    """The joined names of ``code`` (None when nothing is known of it)."""
    return _joined(_parts(code))


def with_location(award: dict[str, Any]) -> dict[str, Any]:
    """``award`` with ``project.location`` (code and names) beside ``project.location_code``."""
    project = award.get("project")
    if isinstance(project, dict) and isinstance(project.get("location_code"), str):
        award["project"] = {**project, "location": location(project["location_code"])}
    return award
