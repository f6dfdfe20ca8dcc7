"""Spreadsheet import routes: declare and upload, start, follow, read the rejected rows."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import IMPORT_ID, Raw
from chalicelib.api.http import json_response, route
from chalicelib.api.templates import accepts_xlsx
from chalicelib.domain import schemas
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.media_types import XLSX
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.services import imports

bp = Blueprint(__name__)
_NO_STORE = {"Cache-Control": "no-store"}


@route(
    bp,
    "POST",
    "/imports",
    summary="Declare a spreadsheet of awards to import and get its upload form",
    audience="provincial",
    ok={201: "ImportUploadOut"},
    auth="required",
    errors=(409, 422),
    description="The backfill template as XLSX or CSV (UTF-8, UTF-8 with BOM or "
    "GB18030), at most 50,000 data rows (`IMPORT_MAX_ROWS`). Answers an S3 presigned "
    "POST under `imports/` pinned to the declared type and size; a size over the limit "
    "(20 MB) is 422 `file_too_large`; a province with 10 imports still open "
    "(`IMPORT_MAX_OPEN`) gets 409 `too_many_open_imports`. POST the file to `upload.url` "
    "with `upload.fields`, then call `.../start` within 24 hours. `program_id` is the "
    "programme of rows that name none.",
)
def request_import(principal: Province, body: schemas.ImportIn, now: datetime) -> Response:
    answer = imports.request_upload(principal, body, now)
    return json_response(answer, status=201, headers=_NO_STORE)


@route(
    bp,
    "GET",
    "/imports",
    summary="The province's imports of the last year (导入记录), newest first",
    audience="provincial",
    ok={200: "ImportListOut"},
    auth="required",
    description="File, time, the key that declared it (`key_id`), counts and state of "
    "each of the province's own imports of the last 366 days, at most 50, newest first; "
    "`next_cursor` is always null. Read from an index: an import declared a moment ago "
    "may show on the next read.",
)
def list_imports(principal: Province, now: datetime) -> Response:
    return json_response(imports.list_imports(principal, now), headers=_NO_STORE)


@route(
    bp,
    "POST",
    "/imports/{import_id}/start",
    summary="Check the uploaded spreadsheet and start the import",
    audience="provincial",
    ok={202: "ImportOut"},
    auth="required",
    errors=(404, 409, 422),
    path_patterns={"import_id": IMPORT_ID},
    description="Checks the stored file (size, type, SHA-256) and queues it (409 "
    "`invalid_state` once cancelled or expired): a "
    "worker reads it and pushes it in chunks of 100 awards through the same service "
    "as `POST /v1/awards/batch` (idempotent on `source_id`). 409 `upload_missing` "
    "before the upload; 422 with the check's code (`size_mismatch`, "
    "`sha256_mismatch`, ...) when the file is not what was declared. Idempotent.",
)
def start_import(import_id: str, principal: Province, now: datetime) -> Response:
    return json_response(imports.start(principal, import_id, now), status=202)


@route(
    bp,
    "GET",
    "/imports/{import_id}",
    roles=(PROVINCIAL, ADMIN),  # an administrator follows every province's imports
    summary="An import's status and counts",
    audience="provincial",
    ok={200: "ImportOut"},
    auth="required",
    errors=(404,),
    path_patterns={"import_id": IMPORT_ID},
    description="For the province that declared it and administrators (404 for "
    "anyone else). `status`: awaiting_upload, queued, running, done, failed, cancelled, "
    "expired. Every import ends: an open one past its time budget is failed "
    "(`error.code` `timed_out`) when it is next looked at; one never started within "
    "24 hours (`IMPORT_UPLOAD_HOURS`) is `expired`. Other failure codes: `too_many_rows` "
    "(over 50,000 data rows, `IMPORT_MAX_ROWS`), `too_large` (unpacked workbook or cells "
    "per row over the limit), `key_revoked`, `worker_failed`, `unreadable`. A final import "
    "keeps its SHA-256 and counts; its upload and chunk objects are deleted.",
)
def get_import(import_id: str, principal: Principal, now: datetime) -> Response:
    return json_response(imports.get_import(principal, import_id, now))


@route(
    bp,
    "POST",
    "/imports/{import_id}/cancel",
    summary="Cancel an import",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator may cancel any province's import
    ok={200: "ImportOut"},
    auth="required",
    errors=(404, 409),
    path_patterns={"import_id": IMPORT_ID},
    description="The province that declared it, or an administrator (404 for anyone "
    "else). An open import (awaiting_upload, queued, running) becomes `cancelled`: no "
    "further chunk is pushed (what was pushed stays) and its objects are deleted. "
    "Idempotent; 409 `invalid_state` once it is done, failed or expired.",
)
def cancel_import(import_id: str, principal: Principal, now: datetime) -> Response:
    return json_response(imports.cancel(principal, import_id, now))


@route(
    bp,
    "GET",
    "/imports/{import_id}/errors.xlsx",
    roles=(PROVINCIAL, ADMIN),
    summary="An import's rejected rows as an XLSX workbook for people (Chinese)",
    audience="provincial",
    ok={200: Raw((XLSX,))},
    auth="required",
    errors=(404,),
    path_patterns={"import_id": IMPORT_ID},
    description="Sheet 错误明细, one line per sheet row not imported (or warned about): "
    "行号, 本省编号, 列, 错误原因 (Chinese only, no codes), then every cell of that row as "
    "uploaded, under the sheet's own headers (rows pushed with a warning: reason only). "
    "Lines about the whole file come first, without 行号. Cells a spreadsheet would run "
    "as a formula start with an apostrophe. "
    f"Send `Accept: {XLSX}` or `*/*` (else 400, field `Accept`).",
)
def import_errors_xlsx(import_id: str, principal: Principal) -> Response:
    if not accepts_xlsx(bp.current_request.headers.get("accept")):
        raise ValidationError(
            f"send Accept: {XLSX} (or */*) to download the errors file", field="Accept"
        )
    return Response(
        body=imports.errors_xlsx(principal, import_id),
        status_code=200,
        headers={
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="{import_id}.errors.xlsx"',
        },
    )


@route(
    bp,
    "GET",
    "/imports/{import_id}/errors.csv",
    roles=(PROVINCIAL, ADMIN),
    summary="An import's rejected rows as CSV for people (Chinese)",
    audience="provincial",
    ok={200: Raw(("text/csv",))},
    auth="required",
    errors=(404,),
    path_patterns={"import_id": IMPORT_ID},
    description="The same lines as errors.xlsx (行号, 本省编号, 列, 错误原因, then the "
    "row's original cells under the sheet's own headers), UTF-8 with BOM. Cells that a "
    "spreadsheet would run as a formula start with an apostrophe.",
)
def import_errors(import_id: str, principal: Principal) -> Response:
    body = imports.errors_csv(principal, import_id)
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{import_id}.errors.csv"',
        },
    )
