"""The authorities repository: the 33 authorities' items (and their change-sequence counters).

Loaded once (``services/authorities.py``); each item's ``seq`` is the authority's
change-feed head, bumped only by ``store/ledger.commit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.store.models import AuthorityRecord


def all_of() -> list[dict[str, Any]]:
    """Every stored authority's facts (``id``, ``division_code``, ``name_zh``, ``name_en``)."""
    return [
        {
            "id": item.id,
            "division_code": item.division_code,
            "name_zh": item.name_zh,
            "name_en": item.name_en,
        }
        for item in AuthorityRecord.batch_get(list(AUTHORITY_IDS))
    ]


def add_missing(authorities: Iterable[dict[str, Any]]) -> int:
    """Store the authorities not stored yet (sequence 0); an existing one, and its ``seq``,
    is kept. Returns how many were added."""
    wanted = list(authorities)
    existing = {item.id for item in AuthorityRecord.batch_get([a["id"] for a in wanted])}
    added = 0
    with AuthorityRecord.batch_write() as batch:
        for authority in wanted:
            if authority["id"] not in existing:
                batch.save(AuthorityRecord(**authority, seq=0))
                added += 1
    return added
