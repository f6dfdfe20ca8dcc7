"""The 33 authorities: loaded once into DynamoDB, read in one BatchGet."""

from __future__ import annotations

from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.store import authorities as authority_store


def load_authorities() -> int:
    """Create missing authority items (idempotent; an existing ``seq`` is kept)."""
    return authority_store.add_missing(authority.to_dict() for authority in AUTHORITIES)


def list_authorities() -> list[dict]:
    return sorted(authority_store.all_of(), key=lambda item: item["id"])
