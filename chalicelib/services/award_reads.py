"""Public reads of awards: lists, one award, and verification by credit code.

The filters are checked here; which index serves them, how the shards merge and
the read bound of a page are the store's (``store/award_pages.py``). Every page
reads at most ``Settings.read_bound(limit)`` stored items, so it may be short (even
empty) and still carry a cursor. A page position is a ``feed_key``
(``submitted_at#id``), kept here in a signed cursor bound to the filters.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain.china_time import china_date
from chalicelib.domain.credit_code import InvalidCreditCodeError, validate_credit_code
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import award_for, reader_of
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.messages_zh import CREDIT_CODE_ZH, field_message_zh
from chalicelib.domain.names import (
    PARTITION_CHARS,
    fold_name,
)
from chalicelib.domain.places import with_location
from chalicelib.domain.queries import AwardFilter, VerifyQuery
from chalicelib.domain.validity import with_validity
from chalicelib.services.award_search import search_records
from chalicelib.services.keys import Principal
from chalicelib.services.programs import program_facts
from chalicelib.store import award_pages, secrets
from chalicelib.store.awards import award_history, award_view, load_record
from chalicelib.store.base import iso_utc

NAME_QUERY_MAX_CHARS = 200


def _credit_code(raw: str | None, *, field: str = "credit_code") -> str:
    if raw is None or not raw.strip():
        raise ValidationError("credit_code is required", field=field)
    try:
        return validate_credit_code(raw, today=china_date(clock.now()))
    except InvalidCreditCodeError as exc:
        raise ValidationError(
            f"credit_code: {exc}",
            field=field,
            message_zh=field_message_zh(field, CREDIT_CODE_ZH[exc.reason]),
        ) from None


def credit_code_param(raw: str | None) -> str:
    """The ``credit_code`` query parameter checked and normalised, or the 400 verify gives."""
    return _credit_code(raw)


def with_program_status(
    views: list[dict[str, Any]], known: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each award with what a verifier must see beside it: its programme's status when not
    approved, its ``validity`` (``domain.validity``: one rule everywhere) and the names of
    its project's place (``domain.places``).

    ``known``: programme facts already read (verify reads them with the records, in the
    same BatchGetItem); only the other programmes are fetched (one BatchGet per 100).
    """
    found = dict(known or {})
    found.update(program_facts({view["program_id"] for view in views} - set(found)))
    for view in views:
        program = found.get(view["program_id"])
        status = program and program["status"]
        if status and status != "approved":
            view["program_status"] = status
        with_validity(view, program)
        with_location(view)
    return views


def finished(
    view: dict[str, Any], known: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One award as a write answers it to its owner or an admin (with its programme's status).

    ``known``: the programme's facts when the write read them already (one read per fact).
    """
    return with_program_status([view], known)[0]


def for_reader(views: list[dict[str, Any]], principal: Principal | None) -> list[dict[str, Any]]:
    """Each award as this caller may see it (its owner and admins see everything)."""
    return [award_for(view, reader_of(principal, view["authority_id"])) for view in views]


def get_award(award_id: str, principal: Principal | None = None) -> dict[str, Any]:
    record = load_record(award_id)
    return award_answer(award_view(record), award_history(award_id), principal)


def award_answer(
    view: dict[str, Any], history: list[dict[str, Any]], principal: Principal | None = None
) -> dict[str, Any]:
    """``GET /v1/awards/{id}``'s answer for one version of an award and its earlier ones.

    Webhook deliveries (``services/webhook_delivery.py``) send the anonymous answer of the
    version an event committed, built here so they cannot drift from the route.
    """
    view = finished(dict(view))
    view["history"] = history
    return for_reader([view], principal)[0]


def _enterprise_name(raw: str) -> str:
    folded = fold_name(raw)
    if len(folded) < PARTITION_CHARS:
        raise ValidationError(
            f"enterprise_name needs at least {PARTITION_CHARS} characters", field="enterprise_name"
        )
    if len(folded) > NAME_QUERY_MAX_CHARS:
        raise ValidationError(
            f"enterprise_name is over {NAME_QUERY_MAX_CHARS} characters", field="enterprise_name"
        )
    return folded


def list_awards(query: AwardFilter, principal: Principal | None = None) -> dict[str, Any]:
    """One page of ``GET /v1/awards``: ``query`` is read and bounded by the route."""
    authority_id, program_id, source_id = query.authority_id, query.program_id, query.source_id
    year, include_revoked, limit = query.year, query.include_revoked, query.limit
    if source_id is not None and authority_id is None:
        raise ValidationError("source_id needs authority_id", field="authority_id")
    code = _credit_code(query.credit_code) if query.credit_code is not None else None
    name = _enterprise_name(query.enterprise_name) if query.enterprise_name is not None else None
    filters: dict[str, Any] = {
        "authority_id": authority_id,
        "program_id": program_id,
        "source_id": source_id,
        "year": year,
        "credit_code": code,
        "enterprise_name": name,
        "include_revoked": include_revoked,
    }
    if query.q is not None:  # any part of a winner or project name: the search index
        found = search_records(query, filters)
        views = with_program_status([award_view(record) for record in found.records])
        return {
            "items": for_reader(views, principal),
            "next_cursor": found.next_cursor,
            "total": found.total,
            "total_is_lower_bound": found.total_is_lower_bound,
        }
    if query.sort == "name":  # sort=date is this order; no other list has a name order
        raise ValidationError("sort=name needs q (a search by name)", field="sort")
    secret = secrets.server_secret()
    scope = scope_of("awards", filters)
    before = None
    if query.cursor:
        before = decode_cursor(query.cursor, secret=secret, scope=scope)["before"]

    listed = award_pages.page(filters, before, limit)
    next_cursor = None
    if listed.position is not None:
        next_cursor = encode_cursor({"before": listed.position}, secret=secret, scope=scope)
    views = with_program_status([award_view(record) for record in listed.records])
    return {"items": for_reader(views, principal), "next_cursor": next_cursor}


def verify(query: VerifyQuery, principal: Principal | None = None) -> dict[str, Any]:
    """What a local authority checks instead of asking for paper proof (SPEC §1.5)."""
    code = _credit_code(query.credit_code)
    limit = query.limit
    secret = secrets.server_secret()
    scope = scope_of("verify", {"credit_code": code})
    before = None
    if query.cursor:
        before = decode_cursor(query.cursor, secret=secret, scope=scope)["before"]
    as_of = iso_utc(clock.now())
    found = award_pages.verify_page(code, before, limit)
    position = found.position
    views = for_reader(
        with_program_status([award_view(r) for r in found.records], known=found.programs),
        principal,
    )
    for view in views:
        view["enterprise_role"] = next(
            w["role"] for w in view["winners"] if w["credit_code"] == code
        )
    next_cursor = None
    if position is not None:
        next_cursor = encode_cursor({"before": position}, secret=secret, scope=scope)
    return {
        "credit_code": code,
        "as_of": as_of,
        "awards": [v for v in views if v["status"] == "active"],
        "revoked": [v for v in views if v["status"] == "revoked"],
        "next_cursor": next_cursor,
    }
