"""A structural validator for JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

No maintained validator for 1.1 exists on PyPI, so the tests carry this one:
the required fields and the type of every field the spec defines. Keys the
spec does not define must be extensions (start with ``_``), which catches a
misspelt field that a feed reader would silently ignore.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

VERSION = "https://jsonfeed.org/version/1.1"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

_FEED_FIELDS = {
    "version": str,
    "title": str,
    "home_page_url": "url",
    "feed_url": "url",
    "description": str,
    "user_comment": str,
    "next_url": "url",
    "icon": "url",
    "favicon": "url",
    "authors": "authors",
    "language": str,
    "expired": bool,
    "hubs": list,
    "items": list,
}
_ITEM_FIELDS = {
    "id": str,
    "url": "url",
    "external_url": "url",
    "title": str,
    "content_html": str,
    "content_text": str,
    "summary": str,
    "image": "url",
    "banner_image": "url",
    "date_published": "date",
    "date_modified": "date",
    "authors": "authors",
    "tags": "tags",
    "language": str,
    "attachments": list,
}
_AUTHOR_FIELDS = {"name": str, "url": "url", "avatar": "url"}


def _check(where: str, value: Any, kind: Any) -> list[str]:
    if kind == "url":
        parsed = urlparse(value) if isinstance(value, str) else None
        if not parsed or parsed.scheme not in ("http", "https") or not parsed.netloc:
            return [f"{where}: not an absolute http(s) URL: {value!r}"]
        return []
    if kind == "date":
        if not isinstance(value, str) or not _RFC3339.match(value):
            return [f"{where}: not an RFC 3339 date-time: {value!r}"]
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return []
    if kind == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            return [f"{where}: tags must be a list of strings"]
        return []
    if kind == "authors":
        if not isinstance(value, list) or not value:
            return [f"{where}: authors must be a non-empty list"]
        errors = []
        for index, author in enumerate(value):
            errors += _object(f"{where}[{index}]", author, _AUTHOR_FIELDS, required=())
            if isinstance(author, dict) and not set(author) & set(_AUTHOR_FIELDS):
                errors.append(f"{where}[{index}]: an author needs name, url or avatar")
        return errors
    if kind is bool:
        return [] if isinstance(value, bool) else [f"{where}: must be a boolean"]
    if not isinstance(value, kind) or isinstance(value, bool):
        return [f"{where}: must be {kind.__name__}, got {type(value).__name__}"]
    return []


def _object(
    where: str, value: Any, fields: dict[str, Any], *, required: tuple[str, ...]
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: must be an object"]
    errors = [f"{where}: {name} is required" for name in required if name not in value]
    for key, item in value.items():
        if key.startswith("_"):
            if not isinstance(item, dict):
                errors.append(f"{where}.{key}: an extension must be an object")
            continue
        if key not in fields:
            errors.append(f"{where}: {key} is not a JSON Feed 1.1 field (extensions start with _)")
            continue
        errors += _check(f"{where}.{key}", item, fields[key])
    return errors


def feed_errors(feed: Any) -> list[str]:
    """Every way ``feed`` is not a JSON Feed 1.1 document (empty when it is one)."""
    errors = _object("feed", feed, _FEED_FIELDS, required=("version", "title", "items"))
    if not isinstance(feed, dict):
        return errors
    if feed.get("version") != VERSION:
        errors.append(f"feed.version must be {VERSION}")
    ids = []
    for index, item in enumerate(feed.get("items") or []):
        where = f"items[{index}]"
        errors += _object(where, item, _ITEM_FIELDS, required=("id",))
        if isinstance(item, dict):
            if "content_html" not in item and "content_text" not in item:
                errors.append(f"{where}: content_html or content_text is required")
            ids.append(item.get("id"))
    if len(ids) != len(set(map(str, ids))):
        errors.append("item ids must be unique")
    return errors
