"""Signed verification receipts: what the registry answered, signed so it proves itself later.

A verifying office files the answer to ``verify`` (SPEC §1.5). A printed page
can be edited; a receipt cannot: it is a compact JWS (ES256) signed by a KMS
key whose public half the registry publishes (``/.well-known/jwks.json``),
so anyone can check it years later, offline, without trusting whoever
brought it. The answer itself comes from ``award_reads.verify`` (the same
consistent read as ``GET /v1/verify``), narrowed to public fields; the
receipt is stored (``receipts/<id>.jws``, kept 5 years by the bucket's
lifecycle rule) so its id alone finds it again.

Signing only reads: nothing here touches the write path, and a KMS failure
is a 503 on the receipt routes only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.domain import program_status, validity
from chalicelib.domain.authorities import AUTHORITIES
from chalicelib.domain.errors import NotFoundError, UnavailableError
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.jose import (
    compact_jws,
    der_to_raw_signature,
    signing_input,
    unverified_parts,
)
from chalicelib.domain.queries import VerifyQuery
from chalicelib.observability import logger
from chalicelib.services import award_reads, rate_limits, receipt_keys
from chalicelib.services.changes import encode_position
from chalicelib.services.export import read_position
from chalicelib.store import kms, objects
from chalicelib.store.models import Program

RECEIPT_TYPE = "application/jose"
RECEIPT_PREFIX = "receipts/"
ID_PREFIX = "rcp"
PAGE_SIZE = 100
POSITION_ATTEMPTS = 2
_AUTHORITY_NAMES = {authority.id: authority.name_zh for authority in AUTHORITIES}
# The rate-limit bucket of everything that signs a receipt (receipt and print routes).
RATE_BUCKET = "receipts"


def check_client_rate(source_ip: str, now: datetime) -> None:
    """429 when this client asked for more than ``receipt_rate_limit`` receipts or printed
    pages in the current window (both sign with KMS and store a receipt)."""
    config = settings()
    rate_limits.check_rate(
        RATE_BUCKET,
        rate_limits.client_key(source_ip),
        limit=config.receipt_rate_limit,
        window=config.receipt_rate_window_seconds,
        now=now,
    )


def _answer(credit_code: str | None) -> tuple[str, str, list[dict[str, Any]], bool]:
    """Every page of ``verify`` up to ``receipt_max_awards``: code, as_of, views, truncated."""
    first = answer = award_reads.verify(VerifyQuery(credit_code or "", PAGE_SIZE))
    views = answer["awards"] + answer["revoked"]
    while answer["next_cursor"] and len(views) < settings().receipt_max_awards:
        answer = award_reads.verify(
            VerifyQuery(first["credit_code"], PAGE_SIZE, cursor=answer["next_cursor"])
        )
        views += answer["awards"] + answer["revoked"]
    limit = settings().receipt_max_awards
    truncated = bool(answer["next_cursor"]) or len(views) > limit
    return first["credit_code"], first["as_of"], views[:limit], truncated


def _programs(views: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = sorted({view["program_id"] for view in views})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), award_reads.BATCH_GET_MAX):
        for program in Program.batch_get(ids[start : start + award_reads.BATCH_GET_MAX]):
            found[program.id] = program.content
    return found


def _validity(view: dict[str, Any]) -> dict[str, Any]:
    """The award's validity as every route states it (``domain.validity``)."""
    if view.get("validity"):
        return {k: view[k] for k in ("validity", "validity_detail") if k in view}
    program = {"status": view.get("program_status", program_status.APPROVED)}
    return validity.award_validity(view, program)


def receipt_award(view: dict[str, Any], program: dict[str, Any], code: str) -> dict[str, Any]:
    """One award as a receipt lists it: public fields only (no project managers)."""
    item: dict[str, Any] = {
        "id": view["id"],
        "version": view["version"],
        "status": view["status"],
        **_validity(view),
        "honor": view.get("honor"),
        "year": view.get("year"),
        "awarded_on": view.get("awarded_on"),
        "announcement_number": view.get("announcement_number"),
        "program": {
            "id": view["program_id"],
            "name": program.get("name"),
            "approval_document_number": (program.get("approval") or {}).get("document_number"),
            "status": view.get("program_status", program_status.APPROVED),
        },
        "authority": {
            "id": view["authority_id"],
            "name": _AUTHORITY_NAMES.get(view["authority_id"]),
        },
        "project_name": (view.get("project") or {}).get("name"),
        "enterprise_role": view.get("enterprise_role"),
    }
    if view["status"] == "revoked":
        item["revoked_at"] = view.get("revoked_at")
        item["revoked_reason"] = view.get("revoked_reason")
    return {key: value for key, value in item.items() if value is not None}


def _names(views: list[dict[str, Any]], code: str) -> list[str]:
    """The enterprise's names as the provinces pushed them, newest award first."""
    names: list[str] = []
    for view in sorted(views, key=lambda v: v.get("submitted_at", ""), reverse=True):
        for winner in view.get("winners", []):
            if winner.get("credit_code") == code and winner.get("name") not in names:
                names.append(winner["name"])
    return names


def _consistent_answer(credit_code: str | None) -> tuple[Any, dict[str, int], bool]:
    """The answer and the change-feed position it reflects.

    The heads are read before and after the (consistent) read: everything up
    to the first position is in the answer; when both agree, nothing later is.
    """
    for _ in range(POSITION_ATTEMPTS):
        before = read_position()
        answer = _answer(credit_code)
        after = read_position()
        if before == after:
            break
    return answer, {a: s for a, s in sorted(before.items()) if s > 0}, before == after


def build_payload(credit_code: str | None, receipt_id: str, now: datetime) -> dict[str, Any]:
    """The claims of a receipt (a bad code raises the same 400 as ``GET /v1/verify``)."""
    (code, as_of, views, truncated), position, exact = _consistent_answer(credit_code)
    programs = _programs(views)
    config = settings()
    return {
        "iss": config.public_base_url or f"urn:award-registry:{config.stage}",
        "jti": receipt_id,
        "receipt_id": receipt_id,
        "iat": int(now.timestamp()),
        "as_of": as_of,
        "credit_code": code,
        "enterprise_names": _names(views, code),
        "awards": [receipt_award(v, programs.get(v["program_id"], {}), code) for v in views],
        "award_count": len(views),
        "truncated": truncated,
        "feed_position": position,
        "feed_position_exact": exact,
        "feed_cursor": encode_position(position),
    }


def _signed(payload: dict[str, Any]) -> str:
    """Sign through the alias; the key KMS used names the ``kid`` (re-signed if it moved)."""
    guess = receipt_keys.current_key()
    if guess is None:
        raise UnavailableError("no receipt signing key is listed; run bootstrap-receipt-key")
    key_id = settings().receipt_key_id
    try:
        for _ in range(2):
            header = {"alg": "ES256", "typ": "JOSE", "kid": guess["kid"]}
            data = signing_input(header, payload)
            der, key_arn = kms.sign_digest(key_id, hashlib.sha256(data).digest())
            signer = receipt_keys.key_for_arn(key_arn)
            if signer is None:
                break
            if signer["kid"] == guess["kid"]:
                return compact_jws(data, der_to_raw_signature(der))
            guess = signer  # the alias moved (a rotation): sign again under the right kid
    except (ClientError, BotoCoreError) as exc:
        logger.warning("receipt signing failed", extra={"fault": type(exc).__name__})
        raise UnavailableError("receipt signing is unavailable, try again") from None
    logger.warning("receipt signed by an unlisted key")
    raise UnavailableError("receipt signing is unavailable, try again")


def _kid(jws: str) -> str:
    return unverified_parts(jws)[0].get("kid", "")


def issue_receipt(credit_code: str | None, now: datetime) -> dict[str, Any]:
    """Read, sign and store a receipt issued at ``now``; returns ``{receipt_id, jws, payload}``."""
    receipt_id = new_id(ID_PREFIX)
    payload = build_payload(credit_code, receipt_id, now)
    jws = _signed(payload)
    objects.put_bytes(
        f"{RECEIPT_PREFIX}{receipt_id}.jws",
        jws.encode("ascii"),
        content_type=RECEIPT_TYPE,
        if_none_match=True,
    )
    logger.info("receipt issued", extra={"receipt_id": receipt_id, "kid": _kid(jws)})
    return {"receipt_id": receipt_id, "jws": jws, "payload": payload}


def stored_receipt(receipt_id: str) -> str:
    """A receipt issued earlier, exactly as signed."""
    if not is_plausible_id(receipt_id, ID_PREFIX):
        raise NotFoundError("no such receipt")
    body = objects.get_bytes(f"{RECEIPT_PREFIX}{receipt_id}.jws")
    if body is None:
        raise NotFoundError("no such receipt")
    return body.decode("ascii")
