"""The one place where the app defers imports: ``defer_imports()``, called first by ``app.py``.

Every Lambda of the app (each HTTP cold start, the schedules, the queue and stream
workers) imports ``app.py``, and with it every blueprint. A blueprint imports what its
handlers call (``services/…`` and, through them, the stores, the domain rules,
pydantic's request models), but a cold start that serves one route needs only that
route's share (measured: ``make bench``, cold import; pydantic alone is ~70 ms).

So the code imports normally everywhere (readers, mypy and the import-cycle check see
every import as written) and this module decides, in one place, which modules load on
first use: once ``defer_imports()`` ran, importing a module matched by ``DEFERRED``
binds a module object whose code runs on the first attribute read (``awards.push``,
``schemas.AwardIn``). Binding the module is free; reading a name from it is not, so:

* import a deferred module as a module (``from chalicelib.services import awards``),
  not a name from it (``from chalicelib.services.awards import push`` loads it at once);
* a route names its body's model in the handler's annotation
  (``body: schemas.AwardIn``, a string under ``from __future__ import annotations``),
  which ``api/http.py`` resolves on the route's first call;
* a name that every route needs at import (``Principal``, the filters of
  ``api/queries.py``) lives in a module that is not deferred.

``tests/unit/test_cold_start.py`` checks what ``import app`` leaves out. Without
``defer_imports()`` (tests importing a service, the CLI, the backfill tool) nothing is
deferred and everything behaves the same, only eagerly.

The loader is CPython 3.13's thread-safe ``importlib.util.LazyLoader`` (3.11's lets a
second thread read a half-loaded module; ``chalice local`` serves requests in threads).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Sequence
from typing import Any

# What loads on first use: the services and jobs behind the routes, the spreadsheet
# readers, and the pydantic modules (request models, answer shapes, the OpenAPI builder).
DEFERRED_PACKAGES = ("chalicelib.services.", "chalicelib.jobs.", "chalicelib.imports.")
DEFERRED_MODULES = frozenset(
    {
        "chalicelib.domain.schemas",
        "chalicelib.api.responses",
        "chalicelib.api.openapi_document",
    }
)


def is_deferred(name: str) -> bool:
    """Whether ``defer_imports()`` makes the module ``name`` load on first use."""
    return name in DEFERRED_MODULES or name.startswith(DEFERRED_PACKAGES)


class _LazyModule(types.ModuleType):
    """A module whose code runs on its first attribute read (then an ordinary module)."""

    def __getattribute__(self, attr: str) -> Any:
        spec = object.__getattribute__(self, "__spec__")
        state = spec.loader_state
        with state["lock"]:
            # The first thread to take the lock loads; the others then read the result.
            if object.__getattribute__(self, "__class__") is _LazyModule:
                module_class = state["__class__"]
                if state["is_loading"]:  # a re-entrant read while its own code runs
                    return module_class.__getattribute__(self, attr)
                state["is_loading"] = True
                namespace = module_class.__getattribute__(self, "__dict__")
                before = state["__dict__"]
                # What was set on the stand-in before loading wins, as with an eager import.
                set_early = {
                    key: value
                    for key, value in namespace.items()
                    if key not in before or namespace[key] is not before[key]
                }
                try:
                    spec.loader.exec_module(self)
                except BaseException:
                    # As a failed import: the error now, and the next read tries again
                    # (rather than a half-run module answering AttributeError forever).
                    state["is_loading"] = False
                    raise
                namespace.update(set_early)
                self.__class__ = module_class
        return getattr(self, attr)

    def __delattr__(self, attr: str) -> None:
        self.__getattribute__(attr)
        delattr(self, attr)


class _DeferringLoader(importlib.abc.Loader):
    """Wraps a module's own loader: creates the module, runs its code on first read."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        assert module.__spec__ is not None
        module.__spec__.loader = self.loader
        module.__loader__ = self.loader
        module.__spec__.loader_state = {
            "__dict__": module.__dict__.copy(),
            "__class__": module.__class__,
            "lock": threading.RLock(),
            "is_loading": False,
        }
        module.__class__ = _LazyModule


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds a ``DEFERRED`` module with the other finders and defers its loader."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if not is_deferred(fullname):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if (
            spec.submodule_search_locations is not None  # a package: its children need it
            or not isinstance(loader, importlib.abc.Loader)
            or not hasattr(loader, "exec_module")
        ):
            return spec
        spec.loader = _DeferringLoader(loader)
        return spec


_FINDER = _DeferringFinder()


def defer_imports() -> None:
    """From now on, modules matched by ``DEFERRED`` load on first use (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def lazy_module(name: str) -> types.ModuleType:
    """Deprecated (the per-module stand-in of before): import ``name`` normally instead.

    Kept so a blueprint written the old way still runs; ``tests/unit/test_cold_start.py``
    fails while any module of ``chalicelib`` calls it.
    """
    return importlib.import_module(name)


def is_loaded(module: types.ModuleType) -> bool:
    """Whether the code of ``module`` ran (False for a deferred one not read yet)."""
    return object.__getattribute__(module, "__class__") is not _LazyModule
