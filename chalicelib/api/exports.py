"""Bulk open data: where the latest nightly export is."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, route
from chalicelib.services import export

bp = Blueprint(__name__)


@route(
    bp,
    "GET",
    "/exports/latest",
    summary="The latest nightly export: links, counts, SHA-256",
    audience="public",
    ok={200: "ExportLatestOut"},
    errors=(404,),
    description="404 before the first export. The links expire after "
    "`links_expire_in` seconds: fetch this again for fresh ones.",
)
def latest_export() -> Response:
    # The links inside expire: a cache may keep the answer only briefly.
    return json_response(export.latest_export(), headers={"Cache-Control": "max-age=60"})
