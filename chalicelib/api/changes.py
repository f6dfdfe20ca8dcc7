"""The change feed provinces and mirrors pull: ``GET /v1/changes?since=&limit=``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.doc import LIMIT, Param
from chalicelib.api.http import json_response, route
from chalicelib.domain.queries import ChangesQuery
from chalicelib.services import changes

bp = Blueprint(__name__)


@route(
    bp,
    "GET",
    "/changes",
    summary="The change feed: every change after `since`, exactly once",
    audience="public",
    ok={200: "ChangePageOut"},
    query=(
        Param(
            "since",
            {"type": "string"},
            "A `next_cursor` or any entry's `cursor`; none = from the beginning.",
        ),
        LIMIT,
    ),
    description="Entries are gapless per authority (`seq`). Page with `next_cursor` "
    "while `has_more` is true; later, poll with the last `next_cursor`. A page reads "
    "at most `limit` + (authorities with new entries) stored entries, so it MAY hold "
    "fewer than `limit` items while `has_more` is true.",
)
def list_changes(query: ChangesQuery) -> Response:
    return json_response(changes.list_changes(query))
