"""Bulk open data: where the latest nightly export is; an administrator runs one now."""

from __future__ import annotations

from datetime import datetime

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


@route(
    bp,
    "POST",
    "/exports/run",
    summary="Run the open-data export now; its links, as /v1/exports/latest shows them",
    audience="admin",
    ok={200: "ExportLatestOut"},
    auth="required",
    errors=(409,),
    description="Runs in the request (meant for a local stack or a pilot's data; "
    "the nightly schedule does the same). A re-run the same day writes beside the "
    "files `latest` names, never over them; a run still going is 409 `invalid_state`.",
)
def run_export(now: datetime) -> Response:
    answer = export.run_now(now)
    return json_response(answer, headers={"Cache-Control": "no-store"})
