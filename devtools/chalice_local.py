"""``chalice local`` with a listen backlog that survives a burst of clients.

Chalice's threaded dev server keeps ``socketserver``'s default backlog of 5,
so 50 simultaneous pushes (a province's platform retrying in parallel) get
connection resets before our code runs. This runs the very same
``chalice local`` command with a larger backlog; nothing else changes.

    python -m devtools.chalice_local --stage local --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import sys

from chalice.cli import main as chalice_main
from chalice.local import ThreadedHTTPServer

ThreadedHTTPServer.request_queue_size = 256


def main(argv: list[str] | None = None) -> int:
    sys.argv = ["chalice", "local", *(sys.argv[1:] if argv is None else argv)]
    return chalice_main()


if __name__ == "__main__":
    sys.exit(main())
