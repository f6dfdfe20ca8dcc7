"""Approval-document routes: ask for an upload, check it, download it."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import DOCUMENT_ID, PROGRAM_PATH, Param, Redirect
from chalicelib.api.http import (
    json_response,
    route,
)
from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.principal import Principal, Province
from chalicelib.domain.queries import DocumentLinkQuery
from chalicelib.services import documents

bp = Blueprint(__name__)


@route(
    bp,
    "POST",
    "/programs/{program_id}/documents",
    summary="Declare an approval document of a draft and get its upload form",
    audience="provincial",
    ok={201: "DocumentUploadOut"},
    auth="required",
    errors=(409, 422),
    path_patterns=PROGRAM_PATH,
    description="Answers an S3 presigned POST pinned to the document's key, its "
    "content type and size. A size over the limit is 422 `document_too_large`, one "
    "document too many 422 `too_many_documents`; only a draft takes documents (409 "
    "`invalid_state`). Then POST the file to `upload.url` with `upload.fields` and "
    "call `.../check`.",
)
def request_upload(
    program_id: str, principal: Province, body: schemas.DocumentIn, now: datetime
) -> Response:
    answer = documents.request_upload(principal, program_id, body, now)
    return json_response(answer, status=201, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "POST",
    "/programs/{program_id}/documents/{document_id}/check",
    summary="Check an uploaded document now: verified or rejected",
    audience="provincial",
    ok={200: "ProgramDocumentOut"},
    auth="required",
    errors=(409,),
    path_patterns={**PROGRAM_PATH, "document_id": DOCUMENT_ID},
    description="Checks the stored bytes (type by magic bytes, size, SHA-256) once; "
    "idempotent: a checked document is answered as it is. 409 `upload_missing` "
    "when nothing was uploaded yet.",
)
def check_document(
    program_id: str, document_id: str, principal: Province, now: datetime
) -> Response:
    document = documents.check_by_owner(principal, program_id, document_id, now)
    return json_response(document)


@route(
    bp,
    "GET",
    "/programs/{program_id}/documents/{document_id}",
    summary="Download a verified approval document",
    audience="public",
    ok={
        302: Redirect("To a short-lived presigned GET of the document."),
        200: "DocumentLinkOut",
    },
    auth="optional",
    query=(
        Param(
            "format",
            {"type": "string", "enum": ["json"]},
            "`json`: answer the short-lived link as JSON instead of redirecting to it.",
            message="format must be json (or left out for a redirect)",
        ),
    ),
    errors=(403, 409),
    path_patterns={**PROGRAM_PATH, "document_id": DOCUMENT_ID},
    description="For the owning province and administrators (403 for others, "
    "unless the registry makes approval documents public); 409 `invalid_state` "
    "while the document is not verified. With `format=json` the answer is 200 "
    "`{url, expires_in}`: a page that shows the document inline (the console's "
    "review queue) needs the link itself, and a script cannot read a redirect's "
    "`Location`.",
)
def download_document(
    program_id: str, document_id: str, principal: Principal | None, query: DocumentLinkQuery
) -> Response:
    url = documents.download_url(principal, program_id, document_id)
    if query.format == "json":
        answer = {"url": url, "expires_in": settings().download_url_seconds}
        return json_response(answer, headers={"Cache-Control": "no-store"})
    return Response(
        body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"}
    )
