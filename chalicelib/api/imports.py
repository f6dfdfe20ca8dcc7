"""Spreadsheet import routes: declare and upload, start, follow, read the rejected rows."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, json_response, principal_of, received_at
from chalicelib.services import imports

bp = Blueprint(__name__)
_NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/imports", methods=["POST"])
@endpoint(bp)
def request_import() -> Response:
    request = bp.current_request
    answer = imports.request_upload(principal_of(request), json_body(request), received_at())
    return json_response(answer, status=201, headers=_NO_STORE)


@bp.route("/imports/{import_id}/start", methods=["POST"])
@endpoint(bp)
def start_import(import_id: str) -> Response:
    principal = principal_of(bp.current_request)
    return json_response(imports.start(principal, import_id, received_at()), status=202)


@bp.route("/imports/{import_id}", methods=["GET"])
@endpoint(bp)
def get_import(import_id: str) -> Response:
    return json_response(imports.get_import(principal_of(bp.current_request), import_id))


@bp.route("/imports/{import_id}/errors.csv", methods=["GET"])
@endpoint(bp)
def import_errors(import_id: str) -> Response:
    body = imports.errors_csv(principal_of(bp.current_request), import_id)
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{import_id}.errors.csv"',
        },
    )
