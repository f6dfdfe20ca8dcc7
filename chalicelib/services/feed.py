"""The public JSON Feed 1.1 of the latest awards (SPEC §1.4 public display and sharing).

A feed reader or a provincial portal subscribes to ``/v1/feed.json`` and sees
the newest active awards first, each with a stable ``id`` (the award id, so a
correction updates an item instead of adding one), RFC 3339 dates, a Chinese
summary, and the whole record under the ``_award`` extension for machines.
The list is the same as ``GET /v1/awards`` (the same sharded index, the same
signed cursor), so ``next_url`` pages back through every active award.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalicelib.config import settings
from chalicelib.domain import validity
from chalicelib.domain.authorities import get_authority
from chalicelib.domain.labels_zh import CATEGORY_ZH, PROGRAM_STATUS_ZH, ROLE_ZH, VALIDITY_ZH
from chalicelib.domain.queries import AwardFilter
from chalicelib.services.award_reads import list_awards
from chalicelib.services.programs import public_names

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_TITLE = "全国建筑市场评比表彰奖项信息"
FEED_DESCRIPTION = (
    "各省级住房和城乡建设主管部门推送的工程质量类评比表彰获奖信息（最新获奖记录在前）。"
    "数据来源：建筑市场评比表彰奖项信息归集共享平台。"
)
PUBLISHER = "中华人民共和国住房和城乡建设部建筑市场监管司"


def _authority_name(authority_id: str) -> str:
    authority = get_authority(authority_id)
    return authority.name_zh if authority else authority_id


def item_title(award: dict[str, Any]) -> str:
    """项目名称 + 荣誉, e.g. ``北京城市副中心综合交通枢纽（金质奖）``."""
    return f"{award['project']['name']}（{award['honor']}）"


def item_text(award: dict[str, Any], program_name: str | None) -> str:
    """A plain Chinese summary a person can read in any feed reader."""
    project = award["project"]
    prize = f"{program_name}“{award['honor']}”" if program_name else f"“{award['honor']}”"
    lines = [
        f"{_authority_name(award['authority_id'])}公布："
        f"{project['name']}（{CATEGORY_ZH.get(project['category'], project['category'])}）"
        f"获{award['year']}年度{prize}。",
    ]
    published = f"公布日期：{award['awarded_on']}"
    if award.get("announcement_number"):
        published += f"；文号：{award['announcement_number']}"
    lines.append(published + "。")
    winners = "、".join(
        f"{w['name']}（{ROLE_ZH.get(w['role'], w['role'])}，统一社会信用代码{w['credit_code']}）"
        for w in award["winners"]
    )
    lines.append(f"获奖单位：{winners}。")
    detail = award.get("validity_detail") or {}
    if award.get("validity") == validity.PROGRAM_WITHDRAWN:
        lines.append(
            f"注：所属奖项{VALIDITY_ZH[validity.PROGRAM_WITHDRAWN]}"
            f"（自 {detail.get('effective_on') or '—'} 起；原因：{detail.get('reason') or '—'}），"
            "该获奖信息不作为有效获奖信息。"
        )
    elif award.get("program_status"):
        status = PROGRAM_STATUS_ZH.get(award["program_status"], award["program_status"])
        lines.append(f"注：所属奖项的状态为“{status}”。")
    return "\n".join(lines)


def feed_item(award: dict[str, Any], base: str, program_name: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": award["id"],
        "url": f"{base}/v1/awards/{quote(award['id'])}",
        "title": item_title(award),
        "content_text": item_text(award, program_name),
        "date_published": award["submitted_at"],
        "date_modified": award["updated_at"],
        "authors": [{"name": _authority_name(award["authority_id"])}],
        "tags": [CATEGORY_ZH.get(award["project"]["category"], award["project"]["category"])],
        "language": "zh-CN",
        "_award": award,
    }
    if award.get("announcement_url"):
        item["external_url"] = award["announcement_url"]
    return item


def json_feed(base: str, cursor: str | None = None) -> dict[str, Any]:
    """The feed document; ``base`` is the public root URL (no trailing slash)."""
    page = list_awards(AwardFilter(limit=settings().feed_size, cursor=cursor))
    awards = page["items"]
    names = public_names({award["program_id"] for award in awards})
    feed_url = f"{base}/v1/feed.json"
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": FEED_TITLE,
        "home_page_url": f"{base}/",
        "feed_url": feed_url,
        "description": FEED_DESCRIPTION,
        "language": "zh-CN",
        "authors": [{"name": PUBLISHER}],
        "items": [feed_item(award, base, names.get(award["program_id"])) for award in awards],
    }
    if page["next_cursor"]:
        document["next_url"] = f"{feed_url}?cursor={quote(page['next_cursor'])}"
    return document
