"""``GET /v1/openapi.json``: OpenAPI 3.1 generated from the app's routes and models.

The document is built once per container, on its first request, by
``openapi_document.build_openapi``; only ``servers`` depends on the request.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from chalice import Blueprint, Chalice, Response

from chalicelib.api.http import json_response, public_base_url, route

bp = Blueprint(__name__)


@lru_cache(maxsize=1)
def _cached_text(app: Chalice) -> str:
    # Measured cold-start lazy load: the builder imports every response shape and
    # pydantic's JSON Schema generator, which only this route needs.
    from chalicelib.api.openapi_document import build_openapi

    return json.dumps(build_openapi(app), ensure_ascii=False, separators=(",", ":"))


def openapi_document(app: Chalice, server_url: str) -> dict[str, Any]:
    document = json.loads(_cached_text(app))
    document["servers"] = [{"url": server_url}]
    return document


@route(
    bp,
    "GET",
    "/openapi.json",
    summary="This document (OpenAPI 3.1)",
    audience="public",
    ok={200: None},
    storage=False,
)
def openapi() -> Response:
    return json_response(openapi_document(bp.current_app, public_base_url()))
