"""What OpenAPI says about each route: audience, key, parameters, body and answers.

The path list itself comes from the Chalice app (``app.routes``), so a route
cannot be missing from ``/v1/openapi.json``; this table adds what the route
table does not know. Bodies and answers are the pydantic models that validate
requests (``domain/schemas.py``) and describe responses (``domain/views.py``):
one source, no hand-kept schema. A route without an entry here is still
documented, generically, and tagged ``undocumented`` until someone adds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from chalicelib.api.templates import XLSX_TYPE as XLSX
from chalicelib.api.web import ASSETS, CONSOLE_ASSETS
from chalicelib.domain import program_status, views
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.names import PARTITION_CHARS
from chalicelib.domain.schemas import (
    AuditRunIn,
    AwardIn,
    BatchIn,
    CalendarIn,
    DocumentIn,
    ExcuseIn,
    FeedbackIn,
    ImportIn,
    KeyIn,
    ProgramIn,
    RedactIn,
    ReviewIn,
    RevokeIn,
    WithdrawIn,
    ZeroReportIn,
)

Audience = Literal["public", "provincial", "admin"]
Auth = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Raw:
    """A success answer that is not JSON: an HTML page, a static file, a spreadsheet."""

    media_types: tuple[str, ...]
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Redirect:
    """A 302 to ``Location`` (e.g. a presigned S3 URL); no body."""

    description: str


Answer = type[BaseModel] | Raw | Redirect | None


@dataclass(frozen=True)
class RouteDoc:
    """What OpenAPI says about one route.

    The error statuses listed are derived (see ``openapi._error_statuses``):
    400 when the route reads input (query, body, ``If-Match``), 401/403 from
    ``auth``, 404 with path parameters, 413/415 with a body, 503 when it reads
    storage; ``errors`` adds what the route's own rules return.
    """

    summary: str
    audience: Audience
    ok: dict[int, Answer]
    auth: Auth = "none"
    query: tuple[Param, ...] = ()
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    path_patterns: dict[str, str] = field(default_factory=dict)
    path_enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    media_type: str = "application/json"
    if_match: bool = False
    etag: bool = False
    description: str = ""
    storage: bool = True
    html_errors: tuple[int, ...] = ()


AWARD_ID = r"^awd_[0-9A-HJKMNP-TV-Z]{26}$"
PROGRAM_ID = r"^prg_[0-9A-HJKMNP-TV-Z]{26}$"
DOCUMENT_ID = r"^doc_[0-9A-HJKMNP-TV-Z]{26}$"
IMPORT_ID = r"^imp_[0-9A-HJKMNP-TV-Z]{26}$"
KEY_ID = r"^key_[0-9A-HJKMNP-TV-Z]{26}$"
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
HTML = Raw(("text/html",))
RECEIPT_ID = r"^rcp_[0-9A-HJKMNP-TV-Z]{26}$"
JOSE = Raw(
    ("application/jose",),
    {"type": "string", "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"},
)
JWKS = Raw(
    ("application/jwk-set+json",),
    {
        "type": "object",
        "required": ["keys"],
        "properties": {
            "keys": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kty", "crv", "x", "y", "kid", "alg"],
                    "properties": {
                        "kty": {"const": "EC"},
                        "crv": {"const": "P-256"},
                        "x": {"type": "string"},
                        "y": {"type": "string"},
                        "kid": {"type": "string"},
                        "alg": {"const": "ES256"},
                        "use": {"const": "sig"},
                    },
                },
            }
        },
    },
)
PERSONAL_DATA = (
    "Anonymous answers carry no `project_manager`, excuse reason or redaction reason; the "
    "owning province and administrators read them with their key."
)


def limit_param(page_default: int, page_max: int) -> Param:
    return Param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": page_max, "default": page_default},
        "Page size.",
    )


CURSOR = Param("cursor", {"type": "string"}, "`next_cursor` of the previous page (opaque, signed).")
SHORT_PAGES = (
    "A page reads at most max(10 × limit, 200) stored items, however many awards are stored. "
    "When it reaches that bound it answers the items found so far with a `next_cursor` "
    "placed after the last item read: a page MAY hold fewer than `limit` items, or none, "
    "and still have a `next_cursor`. Clients MUST keep paging while `next_cursor` is "
    "present; only its absence means the end. Each matching award is served exactly once "
    "across the pages."
)
AUTHORITY = Param(
    "authority_id", {"type": "string", "enum": sorted(AUTHORITY_IDS)}, "One authority's objects."
)


def route_docs(page_default: int, page_max: int) -> dict[tuple[str, str], RouteDoc]:
    """The table, keyed by ``(METHOD, path)`` exactly as Chalice registers the route."""
    limit = limit_param(page_default, page_max)
    award_path = {"award_id": AWARD_ID}
    program_path = {"program_id": PROGRAM_ID}
    return {
        ("GET", "/v1/health"): RouteDoc("Liveness", "public", {200: views.Health}, storage=False),
        ("GET", "/v1/authorities"): RouteDoc(
            "The 33 pilot authorities, in one page", "public", {200: views.AuthorityList}
        ),
        ("GET", "/v1/programs"): RouteDoc(
            "Award programmes, newest first",
            "public",
            {200: views.ProgramList},
            auth="optional",
            query=(
                AUTHORITY,
                Param(
                    "status",
                    {
                        "type": "string",
                        "enum": list(program_status.ALL),
                    },
                ),
                limit,
                CURSOR,
            ),
            description="The public sees submitted, approved and withdrawn programmes; "
            "with its key a province also sees its own drafts and rejected ones.",
        ),
        ("GET", "/v1/programs/{program_id}"): RouteDoc(
            "One programme",
            "public",
            {200: views.Program},
            auth="optional",
            errors=(404,),
            path_patterns=program_path,
            etag=True,
        ),
        ("POST", "/v1/programs"): RouteDoc(
            "Declare a programme (draft)",
            "provincial",
            {201: views.Program},
            auth="required",
            body=ProgramIn,
            errors=(422,),
            etag=True,
        ),
        ("PUT", "/v1/programs/{program_id}"): RouteDoc(
            "Revise a draft or rejected programme",
            "provincial",
            {200: views.Program},
            auth="required",
            body=ProgramIn,
            errors=(404, 409, 422),
            path_patterns=program_path,
            if_match=True,
            etag=True,
        ),
        ("POST", "/v1/programs/{program_id}/submit"): RouteDoc(
            "Submit a draft programme for review",
            "provincial",
            {200: views.Program},
            auth="required",
            errors=(404, 409),
            path_patterns=program_path,
            etag=True,
        ),
        ("POST", "/v1/awards"): RouteDoc(
            "Push an award record",
            "provincial",
            {201: views.Award, 200: views.Award},
            auth="required",
            body=AwardIn,
            errors=(404, 409, 422),
            etag=True,
            description="201 when created; 200 with the same id when the same source_id "
            "is pushed again with the same content; 409 source_id_conflict otherwise.",
        ),
        ("POST", "/v1/awards/batch"): RouteDoc(
            "Push up to 100 award records; each stands or falls on its own",
            "provincial",
            {200: views.BatchResults},
            auth="required",
            body=BatchIn,
        ),
        ("GET", "/v1/awards"): RouteDoc(
            "Awards, newest submitted_at first",
            "public",
            {200: views.AwardList},
            auth="optional",
            description=PERSONAL_DATA + " " + SHORT_PAGES,
            query=(
                AUTHORITY,
                Param("program_id", {"type": "string", "minLength": 1, "maxLength": 64}),
                Param("year", {"type": "integer", "minimum": 1000, "maximum": 9999}),
                Param("credit_code", {"type": "string"}, "A winner's unified social credit code."),
                Param(
                    "enterprise_name",
                    {"type": "string", "minLength": PARTITION_CHARS, "maxLength": 200},
                    f"The start of a winner's name (企业名称); full/half width, spaces and "
                    f"case do not matter; at least {PARTITION_CHARS} characters. A prefix "
                    "matching too many awards is refused (400): type more of the name.",
                ),
                Param(
                    "source_id",
                    {"type": "string", "minLength": 1, "maxLength": 128},
                    "The province's own id; needs authority_id.",
                ),
                Param("include_revoked", {"type": "boolean", "default": False}),
                limit,
                CURSOR,
            ),
        ),
        ("GET", "/v1/awards/{award_id}"): RouteDoc(
            "One award, revoked ones too, with its history",
            "public",
            {200: views.Award},
            auth="optional",
            description=PERSONAL_DATA,
            errors=(404,),
            path_patterns=award_path,
            etag=True,
        ),
        ("PUT", "/v1/awards/{award_id}"): RouteDoc(
            "Correct an award (If-Match: its version)",
            "provincial",
            {200: views.Award},
            auth="required",
            body=AwardIn,
            errors=(404, 409, 422),
            path_patterns=award_path,
            if_match=True,
            etag=True,
        ),
        ("POST", "/v1/awards/{award_id}/revoke"): RouteDoc(
            "Revoke an award",
            "provincial",
            {200: views.Award},
            auth="required",
            body=RevokeIn,
            errors=(404, 409),
            path_patterns=award_path,
            etag=True,
        ),
        ("GET", "/v1/verify"): RouteDoc(
            "An enterprise's awards by credit code, read consistently",
            "public",
            {200: views.Verification},
            auth="optional",
            description=PERSONAL_DATA + " " + SHORT_PAGES,
            query=(
                Param("credit_code", {"type": "string"}, "Unified social credit code.", True),
                limit,
                CURSOR,
            ),
        ),
        ("GET", "/v1/changes"): RouteDoc(
            "The change feed: every change after `since`, exactly once",
            "public",
            {200: views.ChangePage},
            query=(
                Param(
                    "since",
                    {"type": "string"},
                    "A `next_cursor` or any entry's `cursor`; none = from the beginning.",
                ),
                limit,
            ),
            description="Entries are gapless per authority (`seq`). Page with `next_cursor` "
            "while `has_more` is true; later, poll with the last `next_cursor`. A page reads "
            "at most `limit` + (authorities with new entries) stored entries, so it MAY hold "
            "fewer than `limit` items while `has_more` is true.",
        ),
        ("GET", "/v1/feed.json"): RouteDoc(
            "JSON Feed 1.1 of the latest awards",
            "public",
            {200: views.JsonFeed},
            query=(CURSOR,),
            media_type="application/feed+json",
            description="Pages like `GET /v1/awards` (`next_url` instead of `next_cursor`): "
            + SHORT_PAGES.replace("next_cursor", "next_url"),
        ),
        ("GET", "/v1/openapi.json"): RouteDoc(
            "This document (OpenAPI 3.1)", "public", {200: None}, storage=False
        ),
        ("POST", "/v1/programs/{program_id}/review"): RouteDoc(
            "Approve or reject a submitted programme",
            "admin",
            {200: views.Program},
            auth="required",
            body=ReviewIn,
            errors=(409,),
            path_patterns=program_path,
            etag=True,
            description="`reason` is required to reject. A rejected programme goes back "
            "to its province, which revises it (it becomes a draft) and submits it again.",
        ),
        ("POST", "/v1/programs/{program_id}/withdraw"): RouteDoc(
            "Withdraw an approved programme from a date",
            "admin",
            {200: views.Program},
            auth="required",
            body=WithdrawIn,
            errors=(409,),
            path_patterns=program_path,
            etag=True,
        ),
        ("POST", "/v1/programs/{program_id}/documents"): RouteDoc(
            "Declare an approval document of a draft and get its upload form",
            "provincial",
            {201: views.DocumentUpload},
            auth="required",
            body=DocumentIn,
            errors=(409, 422),
            path_patterns=program_path,
            description="Answers an S3 presigned POST pinned to the document's key, its "
            "content type and size. A size over the limit is 422 `document_too_large`, one "
            "document too many 422 `too_many_documents`; only a draft takes documents (409 "
            "`invalid_state`). Then POST the file to `upload.url` with `upload.fields` and "
            "call `.../check`.",
        ),
        ("POST", "/v1/programs/{program_id}/documents/{document_id}/check"): RouteDoc(
            "Check an uploaded document now: verified or rejected",
            "provincial",
            {200: views.ProgramDocument},
            auth="required",
            errors=(409,),
            path_patterns={**program_path, "document_id": DOCUMENT_ID},
            description="Checks the stored bytes (type by magic bytes, size, SHA-256) once; "
            "idempotent: a checked document is answered as it is. 409 `upload_missing` "
            "when nothing was uploaded yet.",
        ),
        ("GET", "/v1/programs/{program_id}/documents/{document_id}"): RouteDoc(
            "Download a verified approval document",
            "public",
            {302: Redirect("To a short-lived presigned GET of the document.")},
            auth="optional",
            errors=(403, 409),
            path_patterns={**program_path, "document_id": DOCUMENT_ID},
            description="For the owning province and administrators (403 for others, "
            "unless the registry makes approval documents public); 409 `invalid_state` "
            "while the document is not verified.",
        ),
        ("POST", "/v1/imports"): RouteDoc(
            "Declare a spreadsheet of awards to import and get its upload form",
            "provincial",
            {201: views.ImportUpload},
            auth="required",
            body=ImportIn,
            errors=(422,),
            description="The backfill template as XLSX or CSV (UTF-8, UTF-8 with BOM or "
            "GB18030). Answers an S3 presigned POST under `imports/` pinned to the declared "
            "type and size; a size over the limit (20 MB) is 422 `file_too_large`. POST the "
            "file to `upload.url` with `upload.fields`, then call `.../start`. `program_id` is "
            "the programme of rows that name none.",
        ),
        ("POST", "/v1/imports/{import_id}/start"): RouteDoc(
            "Check the uploaded spreadsheet and start the import",
            "provincial",
            {202: views.Import},
            auth="required",
            errors=(404, 409, 422),
            path_patterns={"import_id": IMPORT_ID},
            description="Checks the stored file (size, type, SHA-256) and queues it: a "
            "worker reads it and pushes it in chunks of 100 awards through the same service "
            "as `POST /v1/awards/batch` (idempotent on `source_id`). 409 `upload_missing` "
            "before the upload; 422 with the check's code (`size_mismatch`, "
            "`sha256_mismatch`, ...) when the file is not what was declared. Idempotent.",
        ),
        ("GET", "/v1/imports/{import_id}"): RouteDoc(
            "An import's status and counts",
            "provincial",
            {200: views.Import},
            auth="required",
            errors=(404,),
            path_patterns={"import_id": IMPORT_ID},
            description="For the province that declared it and administrators (404 for "
            "anyone else). `status`: awaiting_upload, queued, running, done, failed.",
        ),
        ("GET", "/v1/imports/{import_id}/errors.csv"): RouteDoc(
            "An import's rejected rows as CSV",
            "provincial",
            {200: Raw(("text/csv",))},
            auth="required",
            errors=(404,),
            path_patterns={"import_id": IMPORT_ID},
            description="UTF-8 with BOM, the backfill tool's columns: sheet, row, 记录编号, "
            "column, API field, code, reason in Chinese and English. Cells that a "
            "spreadsheet would run as a formula start with an apostrophe.",
        ),
        ("GET", "/v1/exports/latest"): RouteDoc(
            "The latest nightly export: links, counts, SHA-256",
            "public",
            {200: views.ExportLatest},
            errors=(404,),
            description="404 before the first export. The links expire after "
            "`links_expire_in` seconds: fetch this again for fresh ones.",
        ),
        ("POST", "/v1/exports/run"): RouteDoc(
            "Run the open-data export now; its links, as /v1/exports/latest shows them",
            "admin",
            {200: views.ExportLatest},
            auth="required",
            errors=(409,),
            description="Runs in the request (meant for a local stack or a pilot's data; "
            "the nightly schedule does the same). A re-run the same day writes beside the "
            "files `latest` names, never over them; a run still going is 409 `invalid_state`.",
        ),
        ("GET", "/v1/templates/awards.xlsx"): RouteDoc(
            "The backfill spreadsheet template",
            "public",
            {200: Raw((XLSX,), {"type": "string", "contentMediaType": XLSX})},
            errors=(400,),
            etag=True,
            storage=False,
            description=f"Send `Accept: {XLSX}` or `*/*` (else 400, field `Accept`).",
        ),
        ("GET", "/v1/verify/print"): RouteDoc(
            "The verification as a printable page (Chinese, A4, QR code)",
            "public",
            {200: HTML},
            query=(Param("credit_code", {"type": "string"}, "Unified social credit code.", True),),
            html_errors=(400,),
            description="The answer of `GET /v1/verify` on one page, with the time and a "
            "QR code back to the live answer. A bad code is a 400: an HTML page when the "
            "request accepts `text/html`, the JSON error otherwise.",
        ),
        ("GET", "/"): RouteDoc(
            "The public web page (Chinese)", "public", {200: HTML}, storage=False
        ),
        ("GET", "/favicon.ico"): RouteDoc(
            "The site icon (SVG)",
            "public",
            {200: Raw(("image/svg+xml",))},
            storage=False,
        ),
        ("GET", "/static/{name}"): RouteDoc(
            "The page's script, style sheet and icon",
            "public",
            {200: Raw(tuple(sorted({kind.split(";")[0] for kind in ASSETS.values()})))},
            path_enums={"name": tuple(sorted(ASSETS))},
            storage=False,
        ),
        ("GET", "/v1/verify/receipt"): RouteDoc(
            "A signed verification receipt (compact JWS, ES256, KMS key)",
            "public",
            {200: JOSE},
            query=(Param("credit_code", {"type": "string"}, "Unified social credit code.", True),),
            description="The answer of `GET /v1/verify` (every page, public fields only) "
            "signed by the registry's KMS key: credit code, enterprise names as pushed, each "
            "award with version, status and validity, programme name and approval document "
            "number, `iat`, `receipt_id` and the change-feed position it reflects. The header "
            "`kid` names the key in `/.well-known/jwks.json`. Stored 5 years under its id. "
            "503 `unavailable` when KMS is.",
        ),
        ("GET", "/v1/verify/receipts/{receipt_id}"): RouteDoc(
            "A receipt issued earlier, exactly as signed",
            "public",
            {200: JOSE},
            errors=(404,),
            path_patterns={"receipt_id": RECEIPT_ID},
        ),
        ("GET", "/v1/.well-known/jwks.json"): RouteDoc(
            "The receipt signing keys (JWK Set), retired ones included", "public", {200: JWKS}
        ),
        ("GET", "/.well-known/jwks.json"): RouteDoc(
            "The receipt signing keys at their well-known address", "public", {200: JWKS}
        ),
        ("GET", "/console"): RouteDoc(
            "The console for provincial staff (Chinese; every action through this API)",
            "provincial",
            {200: HTML},
            storage=False,
        ),
        ("GET", "/console/{name}"): RouteDoc(
            "The console's script and style sheet",
            "provincial",
            {200: Raw(tuple(sorted({kind.split(";")[0] for kind in CONSOLE_ASSETS.values()})))},
            path_enums={"name": tuple(sorted(CONSOLE_ASSETS))},
            storage=False,
        ),
        ("GET", "/verify/check"): RouteDoc(
            "Check a receipt in the browser (Chinese; WebCrypto against the JWKS)",
            "public",
            {200: HTML},
            storage=False,
        ),
        ("GET", "/v1/calendar/{year}"): RouteDoc(
            "A year's working-day calendar and where it comes from",
            "public",
            {200: views.CalendarYear},
            errors=(400,),
            path_patterns={"year": r"^\d{4}$"},
        ),
        ("PUT", "/v1/calendar/{year}"): RouteDoc(
            "Load the State Council's arrangement of a year",
            "admin",
            {200: views.CalendarLoaded},
            auth="required",
            body=CalendarIn,
            errors=(409,),
            path_patterns={"year": r"^\d{4}$"},
            description="Overrides the library for that year without a redeploy; records "
            "judged on a provisional count of the year are recomputed and published.",
        ),
        ("POST", "/v1/awards/{award_id}/redact"): RouteDoc(
            "Erase personal data from an award, its history and its change entries",
            "admin",
            {200: views.Award},
            auth="required",
            body=RedactIn,
            errors=(404, 422),
            path_patterns=award_path,
            etag=True,
            description="`fields` from the redactable list (`project_manager`; anything "
            "else is 422 `validation_error` naming `fields[i]`). The values leave the record, "
            "every earlier version and every change entry of the award; `redactions` gains "
            "`{fields, at, reason}` (the reason is not public); the version goes up by one "
            "(nothing else changes, and a re-push of the original content still answers 200); "
            "a change entry `op: redact` tells mirrors to erase their copies. Repeating the "
            "same request changes nothing and adds no entry. Answers the administrator's view "
            "with `history`.",
        ),
        ("POST", "/v1/awards/{award_id}/excuse"): RouteDoc(
            "Accept a late push as justified",
            "admin",
            {200: views.Award},
            auth="required",
            body=ExcuseIn,
            errors=(404, 409),
            path_patterns=award_path,
            etag=True,
        ),
        ("POST", "/v1/audit/run"): RouteDoc(
            "Run the daily audit now and return its report",
            "admin",
            {200: views.AuditReport},
            auth="required",
            body=AuditRunIn,
            errors=(409,),
            description="The body is optional; `date` audits as of that China date.",
        ),
        ("GET", "/v1/audit/runs"): RouteDoc(
            "Audit runs, newest first",
            "admin",
            {200: views.AuditRunList},
            auth="required",
            query=(limit, CURSOR),
        ),
        ("GET", "/v1/audit/runs/{run_id}"): RouteDoc(
            "One audit run with its report",
            "admin",
            {200: views.AuditRunWithReport},
            auth="required",
            errors=(404,),
        ),
        ("GET", "/v1/timeliness"): RouteDoc(
            "Timeliness of every authority, as of the last audit",
            "admin",
            {200: views.TimelinessTable},
            auth="required",
        ),
        ("GET", "/v1/timeliness/{authority_id}"): RouteDoc(
            "One authority's timeliness (the province itself or an administrator)",
            "provincial",
            {200: views.TimelinessOne},
            auth="required",
            errors=(404,),
        ),
        ("GET", "/v1/timeliness/{authority_id}/findings"): RouteDoc(
            "One authority's open audit findings, each with what to do",
            "provincial",
            {200: views.OpenFindingList},
            auth="required",
            errors=(404,),
            description="The province itself or an administrator; never public.",
        ),
        ("POST", "/v1/keys"): RouteDoc(
            "Issue an API key (shown once)",
            "admin",
            {201: views.ApiKeyCreated},
            auth="required",
            body=KeyIn,
            description="A provincial key needs `authority_id` (one of the 33); an admin key "
            "takes none. Only the key's HMAC is stored: the answer is the one time it is seen.",
        ),
        ("GET", "/v1/me"): RouteDoc(
            "Who the key belongs to (role, authority, key id)",
            "provincial",
            {200: views.Me},
            auth="required",
            description="The console signs in with it; an unknown or revoked key is a 401.",
        ),
        ("GET", "/v1/keys"): RouteDoc(
            "API keys, newest first (never the keys themselves)",
            "admin",
            {200: views.ApiKeyList},
            auth="required",
            query=(limit, CURSOR),
        ),
        ("POST", "/v1/keys/{key_id}/revoke"): RouteDoc(
            "Revoke an API key: its next request is refused (401)",
            "admin",
            {200: views.ApiKeyView},
            auth="required",
            errors=(404, 409),
            path_patterns={"key_id": KEY_ID},
            description="Idempotent: an already revoked key is answered as it is. The key "
            "you call with cannot be revoked with itself (409 `invalid_state`).",
        ),
        ("GET", "/v1/stats/pilot"): RouteDoc(
            "The pilot evaluation: per authority and national, per month",
            "admin",
            {200: views.PilotStats},
            auth="required",
            query=(
                Param("from", {"type": "string", "pattern": MONTH}, "First month (YYYY-MM)."),
                Param(
                    "to",
                    {"type": "string", "pattern": MONTH},
                    "Last month (YYYY-MM); default this month (China time).",
                ),
            ),
            description="Programmes approved, awards pushed, share on time and median working "
            "days late (as of the last daily audit), backfill by awarded year, and "
            "verifications served (verify and verify/print answers, counted per day). "
            "`from` defaults to 11 months before `to`; at most STATS_MAX_MONTHS months.",
        ),
        ("GET", "/v1/stats/public"): RouteDoc(
            "National totals: awards, authorities reporting, verifications served",
            "public",
            {200: views.PublicStats},
        ),
        ("POST", "/v1/feedback"): RouteDoc(
            "Report an idea or a problem to MOHURD",
            "provincial",
            {201: views.FeedbackItem},
            auth="required",
            body=FeedbackIn,
        ),
        ("GET", "/v1/feedback"): RouteDoc(
            "Feedback from the provinces, newest first",
            "admin",
            {200: views.FeedbackList},
            auth="required",
            query=(limit, CURSOR),
        ),
        ("POST", "/v1/zero-reports"): RouteDoc(
            "Declare no in-scope awards in a period (零报告)",
            "provincial",
            {201: views.ZeroReport},
            auth="required",
            body=ZeroReportIn,
        ),
        ("GET", "/v1/zero-reports"): RouteDoc(
            "Zero reports: a province its own, an administrator everyone's",
            "provincial",
            {200: views.ZeroReportList},
            auth="required",
            query=(AUTHORITY, limit, CURSOR),
            description="Ordered by authority, then latest period end first. A province may "
            "pass only its own `authority_id` (another is 403).",
        ),
    }
