"""A module imported on its first use: the one way a blueprint defers its services.

Every Lambda of the app (each HTTP cold start, the schedules, the queue and stream
workers) imports ``app.py``, and with it every blueprint. A blueprint imports what
its handlers call (``services/…`` and, through them, the stores, the domain rules,
pydantic's request models); a cold start that serves one route needs only that
route's share. So a blueprint names its services with ``lazy_module`` and the
first request that calls one imports it (measured: ``make bench``, cold import).

The import stays visible to readers, type checkers and the import-cycle check::

    if TYPE_CHECKING:
        from chalicelib.services import audit
    else:  # measured cold-start lazy load (chalicelib/lazy.py)
        audit = lazy_module("chalicelib.services.audit")
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name``; the first attribute read imports it.

    Attribute reads go to the module itself, so a test that patches
    ``chalicelib.services.audit.run`` patches what the blueprint calls. Setting an
    attribute on the stand-in is refused (it would patch nothing).
    """

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for the module ``name`` (dotted, absolute) that imports it on first use."""
    return LazyModule(name)
