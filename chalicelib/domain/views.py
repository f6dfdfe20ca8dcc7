"""Response models (pydantic v2): what the API answers, for OpenAPI and for tests.

The services build plain dicts (cheap on the request path); these models
describe them so ``GET /v1/openapi.json`` documents every response and
schemathesis and the tests can check real answers against it. Objects allow
extra fields (``additionalProperties`` stays open): a client must ignore what
it does not know, and a new field is not a breaking change.

Optional fields that the API leaves out rather than sending ``null`` are typed
``X | SkipJsonSchema[None]``, so the schema says "a string when present".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.program_status import Status as ProgramStatus
from chalicelib.domain.schemas import Category, WinnerRole


class _View(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(_View):
    code: str = Field(description="Stable machine code, e.g. validation_error, invalid_cursor.")
    message: str = Field(description="In English.")
    message_zh: str = Field(description="In Chinese, e.g. 字段 winners[1].credit_code：…")
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="The offending field, e.g. winners[1].credit_code."
    )


class Error(_View):
    """Every error answer: ``{"error": {"code", "message", "message_zh", "field"?}, "errors"?}``."""

    error: ErrorDetail
    errors: list[ErrorDetail] | SkipJsonSchema[None] = Field(
        default=None, description="Every problem found in the body (the first is also error)."
    )


class Health(_View):
    status: Literal["ok"]


class Authority(_View):
    id: str = Field(pattern=r"^\d{6}(-[A-Z]+)?$")
    division_code: str = Field(pattern=r"^\d{6}$")
    name_zh: str
    name_en: str


class AuthorityList(_View):
    items: list[Authority]
    next_cursor: None


class AwardedProject(_View):
    name: str
    category: Category
    location_code: str | SkipJsonSchema[None] = None
    code: str | SkipJsonSchema[None] = None


class AwardWinner(_View):
    name: str
    credit_code: str
    role: WinnerRole
    project_manager: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Personal data: only the owning province and administrators read it "
        "(with their key); never in an anonymous answer, the feeds or the export.",
    )


class Redaction(_View):
    """An administrator erased these fields from the award, its history and change entries."""

    fields: list[str]
    at: datetime
    reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Only the owning province and administrators see it."
    )


class Timeliness(_View):
    status: Literal["on_time", "late", "pending"]
    working_days_late: int
    calendar: Literal["official", "provisional"]
    excused: bool | SkipJsonSchema[None] = Field(
        default=None, description="An administrator accepted the late push as justified."
    )
    excused_at: datetime | SkipJsonSchema[None] = None
    excused_reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Only the owning province and administrators see it."
    )


class _AwardFields(_View):
    id: str
    authority_id: str
    source_id: str
    program_id: str
    year: int
    honor: str
    awarded_on: date
    announcement_number: str | SkipJsonSchema[None] = None
    announcement_url: str | SkipJsonSchema[None] = None
    project: AwardedProject
    winners: list[AwardWinner] = Field(min_length=1)
    submitted_at: datetime
    deadline: date
    timeliness: Timeliness
    status: Literal["active", "revoked"]
    revoked_reason: str | SkipJsonSchema[None] = None
    revoked_at: datetime | SkipJsonSchema[None] = None
    revoked_document_number: str | SkipJsonSchema[None] = None
    program_status: str | SkipJsonSchema[None] = Field(
        default=None, description="Present when the programme is not approved."
    )
    redactions: list[Redaction] | SkipJsonSchema[None] = Field(
        default=None, description="Fields an administrator erased (POST /v1/awards/{id}/redact)."
    )
    created_at: datetime
    updated_at: datetime
    version: int


class AwardVersionView(_AwardFields):
    """An earlier version of an award, as it was, with when it was superseded."""

    superseded_at: datetime


class Award(_AwardFields):
    """An award record as the registry holds it (SPEC §3)."""

    history: list[AwardVersionView] | SkipJsonSchema[None] = Field(
        default=None, description="Earlier versions, oldest first (GET of one award)."
    )


class AwardList(_View):
    items: list[Award]
    next_cursor: str | None


class VerifiedAward(Award):
    enterprise_role: WinnerRole


class Verification(_View):
    credit_code: str
    as_of: datetime
    awards: list[VerifiedAward]
    revoked: list[VerifiedAward]
    next_cursor: str | None


class BatchResult(_View):
    index: int
    status: int
    id: str | SkipJsonSchema[None] = None
    error: ErrorDetail | SkipJsonSchema[None] = None
    errors: list[ErrorDetail] | SkipJsonSchema[None] = None


class BatchResults(_View):
    results: list[BatchResult]


class ProgramApproval(_View):
    issuer: str
    document_number: str
    approved_on: date


class ProgramDocument(_View):
    """An approval document: ``pending`` until its stored bytes are checked."""

    id: str
    filename: str
    content_type: Literal["application/pdf", "application/ofd"]
    size: int
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    status: Literal["pending", "verified", "rejected"]
    reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Why the check rejected it."
    )
    reason_code: str | SkipJsonSchema[None] = Field(
        default=None, description="e.g. not_pdf, size_mismatch, sha256_mismatch, too_large."
    )
    created_at: datetime | SkipJsonSchema[None] = None
    checked_at: datetime | SkipJsonSchema[None] = None


class UploadForm(_View):
    """An S3 presigned POST: send ``fields`` and then the file as ``multipart/form-data``."""

    url: str
    fields: dict[str, str]
    expires_in: int = Field(ge=1, description="Seconds the form stays valid.")


class DocumentUpload(_View):
    """The answer to a document declaration: where to upload its bytes."""

    document_id: str
    document: ProgramDocument
    upload: UploadForm


class StatusChange(_View):
    status: ProgramStatus
    by: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The id of the key that made the change (owner and administrators only).",
    )
    by_authority: str | SkipJsonSchema[None] = Field(
        default=None, description="The province, when a province made it (not public)."
    )
    by_role: Literal["admin"] | SkipJsonSchema[None] = Field(
        default=None, description="Present when an administrator made it (not public)."
    )
    at: datetime
    reason: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Why; the public sees only a withdrawal's reason, never a review's.",
    )
    effective_on: date | SkipJsonSchema[None] = Field(
        default=None, description="From when a withdrawal applies."
    )


class Program(_View):
    """An award programme (SPEC §3)."""

    id: str
    authority_id: str
    name: str
    organizer: str
    authority_relation: Literal["hosts", "supervises"]
    cycle: Literal["annual", "biennial", "irregular"]
    categories: list[Category] = Field(min_length=1)
    approval: ProgramApproval
    documents: list[ProgramDocument]
    status: ProgramStatus
    status_history: list[StatusChange]
    submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class ProgramList(_View):
    items: list[Program]
    next_cursor: str | None


class Change(_View):
    """One committed change; ``cursor`` resumes the feed right after it."""

    cursor: str
    authority_id: str
    seq: int = Field(ge=1, description="Gapless per authority.")
    entity: Literal["award", "program"]
    id: str
    op: Literal["create", "update", "revoke", "status", "redact"]
    version: int
    committed_at: datetime
    data: dict[str, Any] = Field(
        description="The entity as it was after the change, as the public sees it (no "
        "project manager, key ids or review reasons). A `redact` entry carries the award "
        "and `redacted_fields`: erase those fields from every copy you keep."
    )


class ChangePage(_View):
    items: list[Change]
    next_cursor: str = Field(description="Where to resume; never null.")
    has_more: bool


class FeedAuthor(_View):
    name: str


class FeedItem(_View):
    id: str
    url: str
    external_url: str | SkipJsonSchema[None] = None
    title: str
    content_text: str
    date_published: datetime
    date_modified: datetime
    authors: list[FeedAuthor]
    tags: list[str]
    language: str
    award: Award = Field(alias="_award")


class JsonFeed(_View):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with an ``_award`` extension."""

    version: Literal["https://jsonfeed.org/version/1.1"]
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str
    authors: list[FeedAuthor]
    items: list[FeedItem]
    next_url: str | SkipJsonSchema[None] = None


# --- the audit, the calendar, feedback (SPEC §3, §5) -----------------------------------


class CalendarYear(_View):
    year: int
    source: Literal["loaded", "library", "provisional"] = Field(
        description="An administrator's arrangement, the maintained library, or unknown "
        "(counted Monday to Friday)."
    )
    holidays: list[date] = Field(description="Days off that would otherwise be working days.")
    workdays: list[date] = Field(description="Adjusted working days (调休) on a weekend.")
    loaded_at: datetime | SkipJsonSchema[None] = None
    revision: int | SkipJsonSchema[None] = None


class CalendarLoaded(CalendarYear):
    recomputed: int = Field(description="Records judged on a provisional count, now recomputed.")
    recompute_remaining: bool = Field(description="More remain; the daily audit finishes them.")


class FindingSubject(_View):
    type: Literal["award", "program", "authority", "calendar"]
    id: str


class FindingAction(_View):
    zh: str
    en: str


class Finding(_View):
    id: str = Field(description="Stable: the same fact is the same finding on every run.")
    kind: Literal[
        "late_push", "awarded_on_changed", "no_program_list", "silent_program", "calendar_missing"
    ]
    authority_id: str | None
    subject: FindingSubject
    detail: dict[str, Any]
    action: FindingAction = Field(description="What to do about it, in Chinese and English.")
    status: Literal["open", "closed"]
    opened_on: date
    closed_on: date | None
    close_reason: Literal["resolved", "excused", "reported"] | None
    alert_id: str | None


class AlertResult(_View):
    alert_id: str
    authority_id: str | None
    status: Literal["pending", "sent", "failed"]


class FeedbackItem(_View):
    id: str
    authority_id: str
    subject: str
    body: str
    created_at: datetime


class FeedbackList(_View):
    items: list[FeedbackItem]
    next_cursor: str | None


class ZeroReport(_View):
    id: str
    authority_id: str
    period_from: date
    period_to: date
    note: str
    created_at: datetime


class ZeroReportList(_View):
    items: list[ZeroReport]
    next_cursor: str | None


class AuditReport(_View):
    run_id: str
    date: date
    trigger: Literal["schedule", "admin"]
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]
    findings_new: list[Finding]
    findings_open: list[Finding]
    findings_closed: list[Finding]
    feedback: list[FeedbackItem]
    alerts: list[AlertResult]
    calendar: dict[str, Any]
    positions: dict[str, int]
    report_keys: dict[str, str]


class AuditRun(_View):
    id: str
    date: date
    trigger: Literal["schedule", "admin"]
    started_at: datetime
    finished_at: datetime
    summary: dict[str, Any]
    report_keys: dict[str, str]


class AuditRunWithReport(AuditRun):
    report: AuditReport


class AuditRunList(_View):
    items: list[AuditRun]
    next_cursor: str | None


class TimelinessRow(_View):
    authority_id: str
    name_zh: str
    name_en: str
    pushes: int
    on_time: int
    late: int
    excused: int
    pending: int
    not_judged: int
    on_time_rate: float | None = Field(description="(on time + excused) / judged pushes.")
    median_working_days_late: float | None


class TimelinessOne(TimelinessRow):
    as_of: str | None = Field(description="The audit run the counters are as of.")


class TimelinessTable(_View):
    items: list[TimelinessRow]
    next_cursor: None
    as_of: str | None


class ApiKeyView(_View):
    """An API key as administrators see it: never the key nor its hash."""

    key_id: str
    role: Literal["admin", "provincial"]
    authority_id: str | None
    note: str | None
    created_at: datetime
    last_used_on: date | None = Field(description="China date of its last use (one a day).")
    revoked_at: datetime | None


class ApiKeyCreated(_View):
    key_id: str
    api_key: str = Field(description="The key itself: shown this once, never again.")
    role: Literal["admin", "provincial"]
    authority_id: str | None
    note: str


class ApiKeyList(_View):
    items: list[ApiKeyView]
    next_cursor: str | None


class PilotRow(_View):
    programs_approved: int = Field(ge=0)
    awards_pushed: int = Field(ge=0, description="By the month of the first push (China time).")
    on_time: int = Field(ge=0, description="Pushed on time, or late and excused.")
    late: int = Field(ge=0)
    pending: int = Field(ge=0, description="Judged on a provisional calendar: not in the share.")
    on_time_share: float | None = Field(description="on_time / (on_time + late).")
    median_working_days_late: float | None


class PilotMonth(PilotRow):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")


class PilotNationalMonth(PilotMonth):
    verifications: int = Field(ge=0, description="verify and verify/print answers served.")


class PilotNationalTotals(PilotRow):
    verifications: int = Field(ge=0)


class PilotNational(_View):
    months: list[PilotNationalMonth]
    totals: PilotNationalTotals
    backfill: dict[str, int] = Field(description="Active awards by awarded year since 2018.")


class PilotAuthority(_View):
    authority_id: str
    name_zh: str
    name_en: str
    months: list[PilotMonth]
    totals: PilotRow
    backfill: dict[str, int] = Field(description="Active awards by awarded year since 2018.")


class VerificationDay(_View):
    date: date
    count: int = Field(ge=1)


class PilotVerifications(_View):
    total: int = Field(ge=0)
    daily: list[VerificationDay] = Field(description="Days with answers, China dates.")


class PilotStats(_View):
    from_: str = Field(alias="from")
    to: str
    as_of: str | None = Field(description="The audit run the award numbers are as of.")
    months: list[str]
    national: PilotNational
    authorities: list[PilotAuthority]
    verifications: PilotVerifications


class PublicStats(_View):
    awards: int = Field(ge=0, description="Active awards in the registry.")
    provinces_reporting: int = Field(ge=0, description="Authorities that pushed an award.")
    verifications: int = Field(ge=0, description="verify and verify/print answers served.")
    as_of: str | None


class ExportCounts(_View):
    awards: int = Field(ge=0)
    active: int = Field(ge=0)
    revoked: int = Field(ge=0)
    csv_rows: int = Field(ge=0, description="One row per award-winner.")
    programs: int = Field(ge=0)


class ExportFile(_View):
    name: str = Field(description="awards.jsonl.gz, awards.csv or programs.jsonl.gz.")
    url: str = Field(description="A short-lived presigned GET.")
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    records: int = Field(ge=0)


class ExportLatest(_View):
    """The latest nightly export: links (short-lived), counts and SHA-256 of its files."""

    export_date: date = Field(description="China date of the run.")
    generated_at: datetime
    position: dict[str, int] = Field(
        description="Each authority's change-feed seq the export is consistent with."
    )
    counts: ExportCounts
    manifest_url: str
    links_expire_in: int = Field(ge=1, description="Seconds the links stay valid.")
    files: list[ExportFile]


class ImportFailure(_View):
    """Why an import failed as a whole (the file, not a row)."""

    code: str
    message: str
    message_zh: str | SkipJsonSchema[None] = None


class Import(_View):
    """A spreadsheet import and its progress (counts are awards; ``rows`` are sheet rows)."""

    import_id: str
    authority_id: str
    status: Literal["awaiting_upload", "queued", "running", "done", "failed"]
    filename: str
    content_type: str
    size: int
    sha256: str
    program_id: str | SkipJsonSchema[None] = None
    sheet: str | SkipJsonSchema[None] = None
    rows: int | SkipJsonSchema[None] = Field(default=None, description="Data rows read.")
    awards: int | SkipJsonSchema[None] = Field(default=None, description="Awards in the file.")
    chunks: int | SkipJsonSchema[None] = None
    chunks_done: int
    pushed: int = Field(description="Awards created.")
    unchanged: int = Field(description="Awards already in the registry with the same content.")
    rejected: int = Field(description="Awards (or loose rows) refused; see errors.csv.")
    created_at: datetime
    started_at: datetime | SkipJsonSchema[None] = None
    finished_at: datetime | SkipJsonSchema[None] = None
    error: ImportFailure | SkipJsonSchema[None] = None


class ImportUpload(_View):
    """The answer to an import declaration: where to upload the spreadsheet."""

    import_id: str
    import_: Import = Field(alias="import")
    upload: UploadForm


class Me(_View):
    """Who a key belongs to (``GET /v1/me``): what the console shows after sign-in."""

    role: Literal["admin", "provincial"]
    authority_id: str | None = Field(description="The province; null for an administrator.")
    key_id: str


class OpenFindingList(_View):
    """An authority's open audit findings, newest first (``GET /v1/timeliness/{id}/findings``)."""

    items: list[Finding]
    next_cursor: None
    truncated: bool = Field(description="More open findings than FINDINGS_READ_MAX.")
