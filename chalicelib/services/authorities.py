"""The 33 authorities: loaded once into DynamoDB, read in one BatchGet."""

from __future__ import annotations

from chalicelib.domain.authorities import AUTHORITIES, AUTHORITY_IDS
from chalicelib.store.models import AuthorityRecord


def load_authorities() -> int:
    """Create missing authority items (idempotent; an existing ``seq`` is kept)."""
    existing = {item.id for item in AuthorityRecord.batch_get(list(AUTHORITY_IDS))}
    created = 0
    with AuthorityRecord.batch_write() as batch:
        for authority in AUTHORITIES:
            if authority.id not in existing:
                batch.save(AuthorityRecord(**authority.to_dict(), seq=0))
                created += 1
    return created


def list_authorities() -> list[dict]:
    items = AuthorityRecord.batch_get(list(AUTHORITY_IDS))
    return sorted(
        (
            {
                "id": item.id,
                "division_code": item.division_code,
                "name_zh": item.name_zh,
                "name_en": item.name_en,
            }
            for item in items
        ),
        key=lambda item: item["id"],
    )
