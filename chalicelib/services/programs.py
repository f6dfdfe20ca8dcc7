"""Award programmes: a province declares them, administrators review them.

States (SPEC §3): draft → submitted → approved | rejected; rejected → draft
when the province revises it; approved → withdrawn. Programmes that are
classified or not disclosable are refused before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import program_status, schemas
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.disclosure import program_for, reader_of
from chalicelib.domain.errors import (
    ConflictError,
    ForbiddenError,
    IfMatchRequiredError,
    NotFoundError,
    VersionMismatchError,
)
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.principal import ADMIN, Principal, Province
from chalicelib.domain.queries import ProgramFilter
from chalicelib.store import ledger, secrets
from chalicelib.store import programs as program_store
from chalicelib.store.base import iso_utc

if TYPE_CHECKING:
    from chalicelib.store.programs import Program


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


def public_names(program_ids: Iterable[str]) -> dict[str, str]:
    """Public names of these programmes (those that have one)."""
    names: dict[str, str] = {}
    for program in program_store.get_many(program_ids).values():
        name = public_name(program)
        if name:
            names[program.id] = name
    return names


def facts_of(program: Program) -> dict[str, Any]:
    """``{"status", "status_history"}``: what ``domain.validity`` reads to judge its awards."""
    return {"status": program.status, "status_history": program.status_history}


def program_facts(program_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{id: facts_of(programme)}`` of these programmes (those that exist)."""
    return {pid: facts_of(p) for pid, p in program_store.get_many(program_ids).items()}


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
    program = program_store.get(program_id)
    if program is None or not can_see(principal, program):
        raise NotFoundError(f"no programme {program_id}")
    return program


def stored(program_id: str) -> Program:
    """The programme (read consistently), whoever asks; 404 when there is none."""
    program = program_store.get(program_id)
    if program is None:
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
    program = program_store.new(
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
    program_store.add(program)
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
        program_store.save_if_unchanged(program)
    except ledger.CommitConflict:
        raise VersionMismatchError("the programme changed meanwhile", field="If-Match") from None
    return program_view(program)


def _revise_rejected(
    program_id: str, principal: Principal, expected: int | None, content: dict, now: datetime
) -> dict:
    """rejected → draft is a status change: recorded in the change feed like the others."""

    def attempt() -> dict:
        # Re-read on every attempt: a changed version is a 412, a busy sequence a retry.
        program = stored(program_id)
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
    program_store.commit(program, change, at)
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
        program = stored(program_id)
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


def list_programs(query: ProgramFilter, principal: Principal | None) -> dict[str, Any]:
    """Programmes newest first, each visible to this caller (SPEC §4 rules)."""
    authority_id, status, limit = query.authority_id, query.status, query.limit
    viewer = "public"
    if principal is not None:
        viewer = ADMIN if principal.is_admin else f"p:{principal.authority_id}"
    scope = scope_of("programs", {"authority_id": authority_id, "status": status, "v": viewer})
    secret = secrets.server_secret()
    before = None
    if query.cursor:
        before = decode_cursor(query.cursor, secret=secret, scope=scope)["before"]
    rows = program_store.page(authority_id, before, limit + 1)
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
