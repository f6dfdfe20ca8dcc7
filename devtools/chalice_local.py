"""``chalice local`` with a listen backlog that survives a burst of clients, and every method.

Chalice's threaded dev server keeps ``socketserver``'s default backlog of 5,
so 50 simultaneous pushes (a province's platform retrying in parallel) get
connection resets before our code runs. Its request handler also only
defines ``do_GET`` … ``do_OPTIONS``, so ``http.server`` answers any other
method (``TRACE``, ``PROPFIND``, …) with its own HTML 501; here every
method reaches the app, which answers 405 ``method_not_allowed`` in the
error shape, as in the cloud. A path no route matches gets chalice local's
403 ``{"message": "Missing Authentication Token"}``; here it is the 404
``not_found`` in the error shape, with ``message_zh``, as the cloud's gateway
response for missing routes answers (``infra/resources.json``,
``MISSING_AUTHENTICATION_TOKEN``). This runs the very same ``chalice local``
command with those three changes; nothing else changes.

    python -m devtools.chalice_local --stage local --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import json
import sys

from chalice.cli import main as chalice_main
from chalice.local import ChaliceRequestHandler, LocalGateway, ThreadedHTTPServer

from chalicelib.domain.messages_zh import CODE_ZH

ThreadedHTTPServer.request_queue_size = 256


def _any_method(self: ChaliceRequestHandler, name: str) -> object:
    """``do_<METHOD>`` for a method Chalice does not list: the same handler as for GET."""
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]

_handle_request = LocalGateway.handle_request


def _not_found(path: str) -> dict:
    """What API Gateway answers for a path no route matches (our gateway response)."""
    body = {
        "error": {
            "code": "not_found",
            "message": f"no route matches {path.split('?')[0][:200]}",
            "message_zh": CODE_ZH["not_found"],
        }
    }
    return {
        "statusCode": 404,
        "headers": {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        },
        "multiValueHeaders": {},
        "body": json.dumps(body, ensure_ascii=False),
    }


def _handle_known_paths(
    self: LocalGateway, method: str, path: str, headers: dict, body: bytes | None
) -> dict:
    try:
        self.event_converter._route_matcher.match_route(path)
    except ValueError:
        return _not_found(path)
    return _handle_request(self, method, path, headers, body)


LocalGateway.handle_request = _handle_known_paths  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    sys.argv = ["chalice", "local", *(sys.argv[1:] if argv is None else argv)]
    return chalice_main()


if __name__ == "__main__":
    sys.exit(main())
