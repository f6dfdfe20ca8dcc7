"""Health and the authorities list."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, route
from chalicelib.services import authorities as authority_list

bp = Blueprint(__name__)


@route(
    bp,
    "GET",
    "/health",
    summary="Liveness",
    audience="public",
    ok={200: "HealthOut"},
    storage=False,
)
def health() -> Response:
    return json_response({"status": "ok"})


@route(
    bp,
    "GET",
    "/authorities",
    summary="The 33 pilot authorities, in one page",
    audience="public",
    ok={200: "AuthorityListOut"},
)
def authorities() -> Response:
    return json_response({"items": authority_list.list_authorities(), "next_cursor": None})
