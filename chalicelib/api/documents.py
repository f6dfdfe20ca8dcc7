"""Approval-document routes: ask for an upload, check it, download it."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, json_body, json_response, principal_of, received_at
from chalicelib.services import documents

bp = Blueprint(__name__)


@bp.route("/programs/{program_id}/documents", methods=["POST"])
@endpoint(bp)
def request_upload(program_id: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    answer = documents.request_upload(principal, program_id, json_body(request), received_at())
    return json_response(answer, status=201, headers={"Cache-Control": "no-store"})


@bp.route("/programs/{program_id}/documents/{document_id}/check", methods=["POST"])
@endpoint(bp)
def check_document(program_id: str, document_id: str) -> Response:
    principal = principal_of(bp.current_request)
    document = documents.check_by_owner(principal, program_id, document_id, received_at())
    return json_response(document)


@bp.route("/programs/{program_id}/documents/{document_id}", methods=["GET"])
@endpoint(bp)
def download_document(program_id: str, document_id: str) -> Response:
    principal = principal_of(bp.current_request)
    url = documents.download_url(principal, program_id, document_id)
    return Response(
        body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"}
    )
