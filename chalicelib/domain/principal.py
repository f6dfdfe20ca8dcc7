"""Who is calling: a key's role and authority, as the HTTP edge hands it to a service.

A route declares who may call it (``route(auth=..., audience=..., roles=...)`` in
``api/http.py``) and the edge enforces that before the handler runs: a service receives
a ``Principal`` that already has a permitted role, or a ``Province`` on a route for
provincial keys only, whose ``authority_id`` is never None. Services check only what
needs data (is this object the caller's own?). Pure: no storage, so every blueprint
can import it at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
PROVINCIAL = "provincial"
ROLES = (ADMIN, PROVINCIAL)


@dataclass(frozen=True)
class Principal:
    """The holder of a key: ``role`` (``admin`` | ``provincial``) and, for a province, its
    ``authority_id``; ``key_id`` is what logs and audit entries name."""

    role: str
    authority_id: str | None
    key_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def owns(self, authority_id: str) -> bool:
        return self.role == PROVINCIAL and self.authority_id == authority_id


@dataclass(frozen=True)
class Province(Principal):
    """A provincial key: it always acts for one authority."""

    authority_id: str

    @classmethod
    def of(cls, principal: Principal) -> Province:
        """``principal`` as a province (the caller checked its role)."""
        if principal.role != PROVINCIAL or principal.authority_id is None:
            raise ValueError(f"not a provincial key: {principal.key_id}")
        return cls(role=PROVINCIAL, authority_id=principal.authority_id, key_id=principal.key_id)
