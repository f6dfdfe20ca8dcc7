"""``chalice local`` with a listen backlog that survives a burst of clients, and every method.

Chalice's threaded dev server keeps ``socketserver``'s default backlog of 5,
so 50 simultaneous pushes (a province's platform retrying in parallel) get
connection resets before our code runs. Its request handler also only
defines ``do_GET`` … ``do_OPTIONS``, so ``http.server`` answers any other
method (``TRACE``, ``PROPFIND``, …) with its own HTML 501; here every
method reaches the app, which answers 405 ``method_not_allowed`` in the
error shape, as in the cloud. This runs the very same ``chalice local``
command with those two changes; nothing else changes.

    python -m devtools.chalice_local --stage local --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import sys

from chalice.cli import main as chalice_main
from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer

ThreadedHTTPServer.request_queue_size = 256


def _any_method(self: ChaliceRequestHandler, name: str) -> object:
    """``do_<METHOD>`` for a method Chalice does not list: the same handler as for GET."""
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    sys.argv = ["chalice", "local", *(sys.argv[1:] if argv is None else argv)]
    return chalice_main()


if __name__ == "__main__":
    sys.exit(main())
