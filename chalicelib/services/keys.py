"""API keys: issued once, stored only as an HMAC, checked on every request.

The application checks keys itself (SPEC §4): a revoked key fails on the very
next request, with our own 401 body, and routes where a key is optional
(public reads that show a province its own drafts) work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import china_date
from chalicelib.domain.errors import ForbiddenError, UnauthenticatedError
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import ADMIN, PROVINCIAL, ROLES, Principal
from chalicelib.observability import logger
from chalicelib.store import keys as key_store
from chalicelib.store.base import iso_utc, utc_now
from chalicelib.store.keys import ApiKey
from chalicelib.store.secrets import server_secret

KEY_PREFIX = "ark_"
# Who acted when no key did: the operator's command line (``python -m chalicelib.cli``),
# whose AWS credentials (CloudTrail) say which person it was.
CLI_ACTOR = "cli"


def key_hash(api_key: str) -> str:
    secret = server_secret().encode()
    return hmac.new(secret, f"api-key:{api_key}".encode(), hashlib.sha256).hexdigest()


def issue_key(
    *,
    role: str,
    authority_id: str | None = None,
    note: str | None = None,
    created_by: str = CLI_ACTOR,
) -> dict:
    """Create a key and return it once; only its HMAC is stored.

    ``created_by`` is the acting key's id (``POST /v1/keys``) or ``CLI_ACTOR``: stored
    and logged, so a key minted with a stolen admin key leaves a trace (issue 19, L2).
    """
    if role == PROVINCIAL and authority_id not in AUTHORITY_IDS:
        raise ValueError(f"unknown authority {authority_id!r}")
    if role == ADMIN:
        authority_id = None
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    key_id = new_id("key")
    key_store.add(
        key_hash=key_hash(api_key),
        key_id=key_id,
        role=role,
        authority_id=authority_id,
        created_at=iso_utc(utc_now()),
        note=note,
        created_by=created_by,
    )
    logger.info(
        "api key issued",
        extra={"key_id": key_id, "role": role, "authority_id": authority_id, "by": created_by},
    )
    # The key id is what logs and audit entries name: an operator revokes by it.
    return {"authority_id": authority_id, "role": role, "api_key": api_key, "key_id": key_id}


def revoke_record(
    record: ApiKey, *, by: str, note: str | None = None, now: datetime | None = None
) -> bool:
    """Mark the key revoked now, by ``by`` (a key id or ``CLI_ACTOR``), with ``note``.

    Never deleted. Idempotent: a key already revoked keeps its first revocation
    (when, by whom) and False is returned; ``record`` is then re-read as stored.
    """
    if record.revoked_at:
        return False
    if not key_store.mark_revoked(record, at=iso_utc(now or utc_now()), by=by, note=note):
        return False
    logger.info("api key revoked", extra={"key_id": record.key_id, "by": by})
    return True


def revoke_key(api_key: str, *, by: str = CLI_ACTOR, note: str | None = None) -> bool:
    """Mark the key revoked (kept, never deleted); False when it is unknown."""
    record = key_store.by_hash(key_hash(api_key))
    if record is None:
        return False
    revoke_record(record, by=by, note=note)
    return True


def find_key(key_id: str) -> ApiKey | None:
    """The key with this id, read consistently from its item; None when there is none.

    The table is keyed by the key's HMAC; the ``by_role`` index (role, key_id) finds
    an id with one small Query per role, never a Scan.
    """
    if not is_plausible_id(key_id, "key"):
        return None
    return key_store.by_id(key_id, ROLES)


def revoke_key_id(key_id: str, *, by: str = CLI_ACTOR, note: str | None = None) -> bool:
    """Revoke the key with this id (as logs name it); False when no key has it."""
    record = find_key(key_id)
    if record is None:
        return False
    revoke_record(record, by=by, note=note)
    return True


def authenticate(authorization: str | None) -> Principal | None:
    """The caller behind an ``Authorization`` header; None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("use Authorization: Bearer <api key>")
    if not token.startswith(KEY_PREFIX) or len(token) > 200:
        raise UnauthenticatedError("unknown or revoked API key")
    record = key_store.by_hash(key_hash(token))
    if record is None or record.revoked_at:
        raise UnauthenticatedError("unknown or revoked API key")
    _note_last_used(record)
    return Principal(role=record.role, authority_id=record.authority_id, key_id=record.key_id)


def _note_last_used(record: ApiKey) -> None:
    """Record the China date a key was used, at most one write per key and day.

    The item was just read, so on most requests this is a comparison and no
    write. On the first request of a day, one conditional UpdateItem (a
    concurrent request that got there first makes it a no-op). Never fails the
    request: a key that works is not refused because this bookkeeping failed.
    """
    today = china_date(utc_now()).isoformat()
    if record.last_used_on == today:
        return
    try:
        key_store.note_used(record, today)
    except key_store.BookkeepingFailed as exc:
        logger.warning("last-used day not recorded", extra={"fault": str(exc)})


def require(principal: Principal | None, role: str) -> Principal:
    """The principal if it has ``role``: 401 without a key, 403 with the wrong one.

    Routes enforce what they declare (``api/http.py``, ``route(auth=..., audience=...)``);
    this remains for callers outside a route (the import worker acts for a key).
    """
    if principal is None:
        raise UnauthenticatedError("this route needs an API key")
    if principal.role != role:
        raise ForbiddenError(f"this route is for the {role} role")
    return principal
