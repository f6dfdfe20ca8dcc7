"""Award programmes: a province declares them, administrators review them.

States (SPEC §3): draft → submitted → approved | rejected; rejected → draft
when the province revises it; approved → withdrawn. Programmes that are
classified or not disclosable are refused before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import program_status, schemas
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import program_for, reader_of
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    IfMatchRequiredError,
    NotFoundError,
    ValidationError,
    VersionMismatchError,
)
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import ADMIN, Principal, Province
from chalicelib.store import ledger
from chalicelib.store.base import iso_utc
from chalicelib.store.models import Program


def program_view(program: Program) -> dict[str, Any]:
    return {
        "id": program.id,
        "authority_id": program.authority_id,
        **program.content,
        "documents": program.documents or [],
        "status": program.status,
        "status_history": program.status_history,
        "submitted_at": program.submitted_at,
        "created_at": program.created_at,
        "updated_at": program.updated_at,
        "version": program.version,
    }


def program_view_for(program: Program, principal: Principal | None) -> dict[str, Any]:
    """The programme as this caller may see it: the public sees no key ids nor review reasons."""
    return program_for(program_view(program), reader_of(principal, program.authority_id))


def public_name(program: Program) -> str | None:
    """The name the public knows the programme by: its current name in a public state,
    else the name it last had in one (None if it never was public)."""
    if program.status in program_status.PUBLIC:
        return program.content.get("name")
    return program.public_name


def public_names(program_ids: list[str] | set[str]) -> dict[str, str]:
    """Public names of these programmes (those that have one), in BatchGets of 100."""
    ids = sorted(program_ids)
    names: dict[str, str] = {}
    for start in range(0, len(ids), 100):
        for program in Program.batch_get(ids[start : start + 100]):
            name = public_name(program)
            if name:
                names[program.id] = name
    return names


def program_facts(program_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{id: {"status", "status_history"}}`` of these programmes: what ``domain.validity``
    reads to judge their awards. One BatchGet per 100 programmes."""
    ids = sorted(set(program_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 100):
        for program in Program.batch_get(ids[start : start + 100]):
            found[program.id] = {"status": program.status, "status_history": program.status_history}
    return found


def program_change(program: Program, op: str, version: int) -> ledger.Change:
    """The change-feed entry of a programme at ``version``.

    The feed is public: a programme the public may not see (draft, rejected)
    appears only as its id and status, so a consumer can drop it, never its content.
    """
    view = {**program_view(program), "version": version}
    if program.status not in program_status.PUBLIC:
        view = {key: view[key] for key in ("id", "authority_id", "status", "updated_at", "version")}
    return ledger.Change("program", program.id, op, version, view)


def can_see(principal: Principal | None, program: Program) -> bool:
    if program.status in program_status.PUBLIC:
        return True
    if principal is None:
        return False
    return principal.is_admin or principal.owns(program.authority_id)


def get_program(program_id: str, principal: Principal | None) -> Program:
    """The programme if this caller may see it; 404 otherwise (no existence leak)."""
    if not is_plausible_id(program_id, "prg"):
        raise NotFoundError(f"no programme {program_id[:64]}")
    try:
        program = Program.get(program_id, consistent_read=True)
    except Program.DoesNotExist:
        raise NotFoundError(f"no programme {program_id}") from None
    if not can_see(principal, program):
        raise NotFoundError(f"no programme {program_id}")
    return program


def read_program(program_id: str, principal: Principal | None) -> dict[str, Any]:
    """``GET /v1/programs/{id}``: the programme as this caller may see it, or 404."""
    return program_view_for(get_program(program_id, principal), principal)


def owned_program(program_id: str, principal: Principal) -> Program:
    """A programme the calling province may change: another's → 403 or 404."""
    program = get_program(program_id, principal)
    if not principal.owns(program.authority_id):
        raise ForbiddenError("this programme belongs to another authority")
    return program


def _content(program: schemas.ProgramIn) -> dict[str, Any]:
    # A classified or undisclosable programme never gets here: ProgramIn refuses it (422)
    # before validating anything else, so nothing of it is kept or logged.
    return program.model_dump(mode="json", exclude_none=True, exclude={"classified", "disclosable"})


def _history_entry(status: str, principal: Principal, at: str, reason: str | None = None) -> dict:
    entry = {"status": status, "by": principal.key_id, "at": at}
    if principal.authority_id:
        entry["by_authority"] = principal.authority_id
    else:
        entry["by_role"] = principal.role
    if reason:
        entry["reason"] = reason
    return entry


def create_program(principal: Province, program_in: schemas.ProgramIn, now: datetime) -> dict:
    content = _content(program_in)
    at = iso_utc(now)
    program = Program(
        id=new_id("prg"),
        authority_id=principal.authority_id,
        status="draft",
        content=content,
        status_history=[_history_entry("draft", principal, at)],
        documents=[],
        created_at=at,
        updated_at=at,
        listing_key=f"{at}#",
    )
    program.listing_key = f"{at}#{program.id}"
    program.save()
    return program_view(program)


def _check_version(program: Program, expected: int | None) -> None:
    if expected is None:
        raise IfMatchRequiredError("send If-Match with the version you read", field="If-Match")
    if expected != program.version:
        raise VersionMismatchError(
            f"the programme is at version {program.version}, not {expected}", field="If-Match"
        )


def update_program(
    principal: Province,
    program_id: str,
    expected: int | None,
    program_in: schemas.ProgramIn,
    now: datetime,
) -> dict:
    """Revise a draft; revising a rejected programme returns it to draft."""
    program = owned_program(program_id, principal)
    _check_version(program, expected)
    if program.status not in program_status.EDITABLE:
        raise ConflictError(
            "invalid_state", f"a {program.status} programme cannot be edited", field="status"
        )
    content = _content(program_in)
    if program.status == "rejected":
        return _revise_rejected(program_id, principal, expected, content, now)
    program.content = content
    program.updated_at = iso_utc(now)
    try:
        ledger.save_if_unchanged(program)
    except ledger.CommitConflict:
        raise VersionMismatchError("the programme changed meanwhile", field="If-Match") from None
    return program_view(program)


def _revise_rejected(
    program_id: str, principal: Principal, expected: int | None, content: dict, now: datetime
) -> dict:
    """rejected → draft is a status change: recorded in the change feed like the others."""

    def attempt() -> dict:
        # Re-read on every attempt: a changed version is a 412, a busy sequence a retry.
        program = Program.get(program_id, consistent_read=True)
        _check_version(program, expected)
        at = iso_utc(now)
        program.content = content
        program.status = "draft"
        program.status_history = [*program.status_history, _history_entry("draft", principal, at)]
        program.updated_at = at
        return publish(program, "status", at)

    return ledger.until_committed(attempt)


def publish(program: Program, op: str, at: str) -> dict:
    """Save ``program`` as its next version with its change entry; its view.

    ``ledger.CommitConflict`` when a concurrent writer won.
    """
    version = program.version + 1
    view = {**program_view(program), "version": version}
    change = program_change(program, op, version)
    ledger.commit(program.authority_id, change, at, lambda tx: tx.save(program))
    return view


def transition(
    program_id: str,
    principal: Principal,
    *,
    allowed_from: frozenset[str] | set[str],
    to: str,
    now: datetime,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict:
    """Move a programme to ``to`` and publish the change, atomically.

    Re-reads the programme on every attempt, so a concurrent change either
    wins the race (and this one sees the new state) or loses it cleanly.
    """

    def attempt() -> dict:
        program = Program.get(program_id, consistent_read=True)
        if program.status not in allowed_from:
            raise ConflictError(
                "invalid_state",
                f"a {program.status} programme cannot become {to}",
                field="status",
            )
        at = iso_utc(now)
        program.status = to
        program.status_history = [
            *program.status_history,
            {**_history_entry(to, principal, at, reason), **(extra or {})},
        ]
        program.updated_at = at
        if to == "submitted":
            program.submitted_at = at
        if to in program_status.PUBLIC:
            program.public_name = program.content.get("name")
        return publish(program, "status", at)

    return ledger.until_committed(attempt)


def submit_program(principal: Province, program_id: str, now: datetime) -> dict:
    """Submit a draft; it needs a verified approval document (a verified one stays so)."""
    program = owned_program(program_id, principal)
    if program.status == "draft" and not any(
        document.get("status") == "verified" for document in program.documents or []
    ):
        raise ConflictError(
            "document_required",
            "upload the approval document and have it checked before submitting",
            field="documents",
        )
    return transition(program_id, principal, allowed_from={"draft"}, to="submitted", now=now)


def list_programs(
    principal: Principal | None, params: dict[str, str], limit: int
) -> dict[str, Any]:
    """Programmes newest first, each visible to this caller (SPEC §4 rules)."""
    authority_id = params.get("authority_id")
    status = params.get("status")
    if authority_id is not None and authority_id not in AUTHORITY_IDS:
        raise ValidationError("unknown authority_id", field="authority_id")
    if status is not None and status not in program_status.ALL:
        raise ValidationError(
            f"status must be one of {', '.join(program_status.ALL)}", field="status"
        )
    viewer = "public"
    if principal is not None:
        viewer = ADMIN if principal.is_admin else f"p:{principal.authority_id}"
    scope = scope_of("programs", {"authority_id": authority_id, "status": status, "v": viewer})
    secret = settings().server_secret
    before = None
    if params.get("cursor"):
        before = decode_cursor(params["cursor"], secret=secret, scope=scope)["before"]
    condition = Program.listing_key < before if before else None
    if authority_id:
        rows = Program.by_authority.query(
            authority_id, condition, scan_index_forward=False, page_size=limit + 1
        )
    else:
        rows = Program.by_listing.query(
            "program", condition, scan_index_forward=False, page_size=limit + 1
        )
    items: list[Program] = []
    more = False
    for program in rows:
        if status and program.status != status:
            continue
        if not can_see(principal, program):
            continue
        if len(items) == limit:
            more = True
            break
        items.append(program)
    next_cursor = None
    if more:
        next_cursor = encode_cursor({"before": items[-1].listing_key}, secret=secret, scope=scope)
    return {"items": [program_view_for(p, principal) for p in items], "next_cursor": next_cursor}
