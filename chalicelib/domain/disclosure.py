"""What each reader may see of an award or a programme (issue 10: personal data, nothing internal).

The services build one full view of a record; these functions cut it down for
the reader who asked, in one place, so no route can forget a field:

- ``public`` (no key, and every public channel: feed, change feed, print view,
  export) sees no project manager's name (personal data, PIPL), no excuse
  reason, no redaction reason, and in a programme's ``status_history`` neither
  who acted (key ids, role, province) nor a review reason; a withdrawal's
  reason stays, it is part of the public record.
- ``owner`` (the province the object belongs to) and ``admin`` see everything.

``REDACTABLE_FIELDS`` is the explicit list of what an administrator may erase
from an award (``POST /v1/awards/{id}/redact``) and how each is erased.
Pure Python: no storage here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from chalicelib.domain import program_status

Reader = Literal["public", "owner", "admin"]

PUBLIC: Reader = "public"
OWNER: Reader = "owner"
ADMIN: Reader = "admin"


class Caller(Protocol):
    """What a reader's key says (``services.keys.Principal``)."""

    @property
    def is_admin(self) -> bool: ...

    def owns(self, authority_id: str) -> bool: ...


def reader_of(caller: Caller | None, authority_id: str) -> Reader:
    """Who reads an object of ``authority_id``: its owner, an admin, or (anyone else) the public."""
    if caller is None:
        return PUBLIC
    if caller.is_admin:
        return ADMIN
    return OWNER if caller.owns(authority_id) else PUBLIC


# status_history keys that say who acted: never public.
_ACTOR_KEYS = ("by", "by_authority", "by_role")
# The only status whose reason is public: a withdrawal is announced with its reason.
_PUBLIC_REASON_STATUSES = frozenset({program_status.WITHDRAWN})


def _without_project_manager(content: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(content.get("winners"), list):
        return content
    return {
        **content,
        "winners": [
            {k: v for k, v in winner.items() if k != "project_manager"}
            if isinstance(winner, dict)
            else winner
            for winner in content["winners"]
        ],
    }


def _has_project_manager(content: dict[str, Any]) -> bool:
    winners = content.get("winners")
    return isinstance(winners, list) and any(
        isinstance(w, dict) and "project_manager" in w for w in winners
    )


# field name -> (erase it from a content/view dict, is it present in one)
REDACTABLE_FIELDS: dict[
    str, tuple[Callable[[dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], bool]]
] = {
    "project_manager": (_without_project_manager, _has_project_manager),
}


def erase(data: dict[str, Any], fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``data`` (an award's content or view) without the values of redactable ``fields``."""
    for name in fields:
        data = REDACTABLE_FIELDS[name][0](data)
    return data


def holds_any(data: dict[str, Any], fields: list[str] | tuple[str, ...]) -> bool:
    """Whether ``data`` still carries a value of one of ``fields``."""
    return any(REDACTABLE_FIELDS[name][1](data) for name in fields)


def award_for(view: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """The award view (with its ``history``, if any) as ``reader`` may see it.

    Examples
    --------
    >>> award_for({"winners": [{"name": "甲", "project_manager": "张三"}]}, "public")
    {'winners': [{'name': '甲'}]}
    """
    if reader != PUBLIC:
        return view
    shaped = _without_project_manager(view)
    timeliness = shaped.get("timeliness")
    if isinstance(timeliness, dict) and "excused_reason" in timeliness:
        shaped["timeliness"] = {k: v for k, v in timeliness.items() if k != "excused_reason"}
    if isinstance(shaped.get("redactions"), list):
        shaped["redactions"] = [
            {k: v for k, v in r.items() if k != "reason"} for r in shaped["redactions"]
        ]
    if isinstance(shaped.get("history"), list):
        shaped["history"] = [award_for(earlier, reader) for earlier in shaped["history"]]
    return shaped


def status_change_for(change: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """One ``status_history`` entry as ``reader`` may see it."""
    if reader != PUBLIC:
        return change
    hidden = set(_ACTOR_KEYS)
    if change.get("status") not in _PUBLIC_REASON_STATUSES:
        hidden.add("reason")
    return {k: v for k, v in change.items() if k not in hidden}


def program_for(view: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """The programme view as ``reader`` may see it (whether it may see it at all is
    ``programs.can_see``)."""
    if reader != PUBLIC or not isinstance(view.get("status_history"), list):
        return view
    return {
        **view,
        "status_history": [status_change_for(c, reader) for c in view["status_history"]],
    }
