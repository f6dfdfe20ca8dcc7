"""Real answers checked against what their route declares: status and shape.

Every ``api.call`` of the functional tests passes its answer here, so each route's
answers, as the tests provoke them, are validated against the shapes the OpenAPI
document publishes (``api/responses.py``, named by the route's ``ok``) and its error
answers against ``ErrorOut`` and the error statuses the document lists. A route that
builds an answer its declared shape does not describe fails the test that called it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from chalice import Chalice

from chalicelib.api import responses
from chalicelib.api.doc import RouteDoc
from chalicelib.api.http import ROUTE_DOCS
from chalicelib.api.openapi_document import _error_statuses, _shape


@cache
def _templates(app: Chalice) -> list[tuple[re.Pattern[str], str]]:
    """Route templates as patterns, literal segments first (``/v1/verify/print`` wins)."""
    found = []
    for template in app.routes:
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        found.append((re.compile(f"^{pattern}$"), template))
    return sorted(found, key=lambda item: (item[1].count("{"), item[1]))


def route_doc(app: Chalice, method: str, path: str) -> tuple[RouteDoc, bool] | None:
    """The documentation of the route answering ``method path``, and whether it has path
    parameters; None for a path or method no route serves."""
    bare = path.split("?", 1)[0]
    for pattern, template in _templates(app):
        if pattern.match(bare):
            entry = app.routes[template].get(method.upper())
            if entry is None:
                return None
            doc = ROUTE_DOCS.get(entry.view_function)
            return (doc, "{" in template) if doc is not None else None
    return None


def check_answer(
    app: Chalice, method: str, path: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    """AssertionError when the answer is not what the route declares."""
    found = route_doc(app, method, path)
    if found is None:
        return  # 404/405 of no route: Chalice's own, in our error shape (test_http_headers)
    doc, has_path_params = found
    content_type = headers.get("content-type", headers.get("Content-Type", ""))
    data: Any = json.loads(body) if body and "json" in content_type else None
    where = f"{method} {path} answered {status}"
    if status >= 400:
        assert status in _error_statuses(doc, has_path_params), f"{where}: undocumented status"
        if data is not None:
            responses.ErrorOut.model_validate(data)
        return
    assert status in doc.ok, f"{where}: not among its declared answers {sorted(doc.ok)}"
    answer = doc.ok[status]
    if isinstance(answer, str) and data is not None:
        try:
            _shape(answer).model_validate(data)
        except Exception as exc:
            raise AssertionError(f"{where}: not a {answer}: {exc}") from exc
