"""Signed verification receipts: what the registry answered, signed so it proves itself later.

A verifying office files the answer to ``verify`` (SPEC §1.5). A printed page
can be edited; a receipt cannot: it is a compact JWS (ES256) signed by a KMS
key whose public half the registry publishes (``/.well-known/jwks.json``),
so anyone can check it years later, offline, without trusting whoever
brought it. The answer itself comes from ``award_reads.verify`` (the same
consistent read as ``GET /v1/verify``), narrowed to public fields; the
receipt is stored (``receipts/<id>.jws``, kept 5 years by the bucket's
lifecycle rule) so its id alone finds it again.

Bounded work, once (issue 19, M4): the change-feed position is read first
(one BatchGet of 33 items); when this credit code was already answered at
exactly that position, the receipt signed then is handed back — no read of
the awards, no KMS call, no new object. Otherwise the answer is read once,
signed and stored, and claimed for its position. The printed page
(``verify_print``) is rendered from the same ``Verification``: page and
receipt show one read. Both routes are rate limited per client
(``check_client_rate``).

Signing only reads: nothing here touches the write path, and a KMS failure
is a 503 on the receipt routes only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from chalicelib.services.programs import public_name
from chalicelib.store import kms
from chalicelib.store import programs as program_store
from chalicelib.store import receipts as receipt_store
from chalicelib.store.faults import STORAGE_FAULTS

RECEIPT_TYPE = receipt_store.RECEIPT_TYPE
ID_PREFIX = "rcp"
# Bumped when what a receipt lists changes: an answer signed in an older shape is not reused.
PAYLOAD_FORMAT = 2
PAGE_SIZE = 100
# Why a receipt may not be signed or stored: the printed page then goes out unsigned.
_UNSIGNED: tuple[type[Exception], ...] = (UnavailableError, *STORAGE_FAULTS)
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


@dataclass(frozen=True)
class Verification:
    """One answer to "which awards does this enterprise have?", as signed (or not).

    ``payload`` is what the receipt signs (public fields only); ``jws`` and
    ``receipt_id`` are None when signing was unavailable and the caller accepted
    an unsigned answer (the printed page). ``reused``: the receipt was signed
    earlier for the same answer (same credit code, same change-feed position).
    """

    payload: dict[str, Any]
    receipt_id: str | None
    jws: str | None
    reused: bool


def _answer(credit_code: str) -> tuple[str, str, list[dict[str, Any]], bool]:
    """Every page of ``verify`` up to ``receipt_max_awards``: code, as_of, views, truncated."""
    first = answer = award_reads.verify(VerifyQuery(credit_code, PAGE_SIZE))
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
    """``{id: {"name", "approval"}}``: the name the public knows (never a draft's)."""
    found = program_store.get_many(view["program_id"] for view in views)
    return {
        program_id: {"name": public_name(program), "approval": program.content.get("approval")}
        for program_id, program in found.items()
    }


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
        "project_location_code": (view.get("project") or {}).get("location_code"),
        "enterprise_role": view.get("enterprise_role"),
    }
    if view["status"] == "revoked":
        item["revoked_at"] = view.get("revoked_at")
        item["revoked_reason"] = view.get("revoked_reason")
        item["revoked_document_number"] = view.get("revoked_document_number")
    return {key: value for key, value in item.items() if value is not None}


def _names(views: list[dict[str, Any]], code: str) -> list[str]:
    """The enterprise's names as the provinces pushed them, newest award first."""
    names: list[str] = []
    for view in sorted(views, key=lambda v: v.get("submitted_at", ""), reverse=True):
        for winner in view.get("winners", []):
            if winner.get("credit_code") == code and winner.get("name") not in names:
                names.append(winner["name"])
    return names


def _consistent_answer(
    credit_code: str, before: dict[str, int] | None = None
) -> tuple[Any, dict[str, int], bool]:
    """The answer, the change-feed position it reflects (every authority), and whether exact.

    The heads are read before and after the (consistent) read: everything up
    to the first position is in the answer; when both agree, nothing later is.
    ``before`` is a position just read by the caller (saves the first read).
    """
    position = before or read_position()
    for attempt in range(POSITION_ATTEMPTS):
        if attempt:
            position = read_position()
        answer = _answer(credit_code)
        after = read_position()
        if position == after:
            break
    return answer, position, position == after


def _issuer() -> str:
    config = settings()
    return config.public_base_url or f"urn:award-registry:{config.stage}"


def answer_key(code: str, position: dict[str, int]) -> str:
    """What identifies one answer: the code, every authority's feed position, the shape."""
    question = {
        "format": PAYLOAD_FORMAT,
        "iss": _issuer(),
        "max_awards": settings().receipt_max_awards,
        "credit_code": code,
        "position": dict(sorted(position.items())),
    }
    text = json.dumps(question, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_payload(
    credit_code: str, receipt_id: str, now: datetime, before: dict[str, int] | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """The claims of a receipt, and the full feed position they reflect (when exact)."""
    (code, as_of, views, truncated), full_position, exact = _consistent_answer(credit_code, before)
    position = {a: s for a, s in sorted(full_position.items()) if s > 0}
    programs = _programs(views)
    payload = {
        "iss": _issuer(),
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
    return payload, full_position if exact else {}


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
    except STORAGE_FAULTS as exc:
        logger.warning("receipt signing failed", extra={"fault": type(exc).__name__})
        raise UnavailableError("receipt signing is unavailable, try again") from None
    logger.warning("receipt signed by an unlisted key")
    raise UnavailableError("receipt signing is unavailable, try again")


def _kid(jws: str) -> str:
    return unverified_parts(jws)[0].get("kid", "")


def verification(
    credit_code: str | None, now: datetime, *, unsigned_ok: bool = False
) -> Verification:
    """The signed answer for ``credit_code`` at ``now``: reused when nothing changed since.

    A bad code raises the same 400 as ``GET /v1/verify``. When signing is unavailable,
    a 503 — or, with ``unsigned_ok`` (the printed page), the answer unsigned.
    """
    code = award_reads.credit_code_param(credit_code)
    position = read_position()
    try:
        reused, stale = _earlier_receipt(answer_key(code, position))
    except STORAGE_FAULTS as exc:
        if not unsigned_ok:
            raise
        logger.warning("stored receipts unreadable", extra={"fault": type(exc).__name__})
        reused, stale = None, False
    if reused is not None:
        return reused
    receipt_id = new_id(ID_PREFIX)
    payload, exact_position = build_payload(code, receipt_id, now, before=position)
    try:
        jws = _signed(payload)
        receipt_store.put_receipt(receipt_id, jws)
    except _UNSIGNED as exc:
        if not unsigned_ok:
            raise
        logger.warning("answered without a receipt", extra={"fault": type(exc).__name__})
        return Verification(payload=payload, receipt_id=None, jws=None, reused=False)
    if exact_position:
        # Another request for the same answer may have claimed it a moment ago: both
        # receipts are valid and stored; later requests get the first one.
        try:
            receipt_store.claim_answer(answer_key(code, exact_position), receipt_id, replace=stale)
        except STORAGE_FAULTS as exc:  # the receipt stands; only reuse is lost
            logger.warning("receipt not recorded for reuse", extra={"fault": type(exc).__name__})
    logger.info("receipt issued", extra={"receipt_id": receipt_id, "kid": _kid(jws)})
    return Verification(payload=payload, receipt_id=receipt_id, jws=jws, reused=False)


def _earlier_receipt(key: str) -> tuple[Verification | None, bool]:
    """The receipt that signed this answer before, if it is still stored and its key is
    still the one receipts are signed with (after a rotation the answer is signed anew;
    the key list is read afresh here, not from another container's cache). The flag says
    a receipt was recorded but is not to be handed out (its key retired)."""
    earlier = receipt_store.receipt_for_answer(key)
    jws = receipt_store.get_receipt(earlier) if earlier is not None else None
    if jws is None:
        return None, False
    live = [entry for entry in receipt_keys.load_keys(fresh=True) if not entry.get("retired_at")]
    if not live or _kid(jws) != live[-1]["kid"]:
        return None, True
    logger.info("receipt reused", extra={"receipt_id": earlier})
    payload = unverified_parts(jws)[1]
    answer = Verification(payload=payload, receipt_id=earlier, jws=jws, reused=True)
    return answer, False


def issue_receipt(credit_code: str | None, now: datetime) -> dict[str, Any]:
    """``GET /v1/verify/receipt``: ``{receipt_id, jws, payload, reused}`` (503 without KMS)."""
    answer = verification(credit_code, now)
    return {
        "receipt_id": answer.receipt_id,
        "jws": answer.jws,
        "payload": answer.payload,
        "reused": answer.reused,
    }


def stored_receipt(receipt_id: str) -> str:
    """A receipt issued earlier, exactly as signed."""
    if not is_plausible_id(receipt_id, ID_PREFIX):
        raise NotFoundError("no such receipt")
    jws = receipt_store.get_receipt(receipt_id)
    if jws is None:
        raise NotFoundError("no such receipt")
    return jws
