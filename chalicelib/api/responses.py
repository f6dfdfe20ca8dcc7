"""The HTTP answer shapes (pydantic v2): what the API answers, for OpenAPI and for tests.

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


def public_name(model: type) -> str:
    """The name a shape has in the OpenAPI document: ``AwardOut`` is ``Award`` there."""
    return model.__name__.removesuffix("Out")


class _Out(BaseModel):
    # defer_build: no route builds these at import (measured cold start); the OpenAPI
    # document and the tests build them on first use.
    model_config = ConfigDict(extra="allow", defer_build=True, model_title_generator=public_name)


class ErrorDetailOut(_Out):
    code: str = Field(description="Stable machine code, e.g. validation_error, invalid_cursor.")
    message: str = Field(description="In English.")
    message_zh: str = Field(description="In Chinese, e.g. 字段 winners[1].credit_code：…")
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="The offending field, e.g. winners[1].credit_code."
    )


class ErrorOut(_Out):
    """Every error answer: ``{"error": {"code", "message", "message_zh", "field"?}, "errors"?}``."""

    error: ErrorDetailOut
    errors: list[ErrorDetailOut] | SkipJsonSchema[None] = Field(
        default=None, description="Every problem found in the body (the first is also error)."
    )


class HealthOut(_Out):
    status: Literal["ok"]


class AuthorityOut(_Out):
    id: str = Field(pattern=r"^\d{6}(-[A-Z]+)?$")
    division_code: str = Field(pattern=r"^\d{6}$")
    name_zh: str
    name_en: str


class AuthorityListOut(_Out):
    items: list[AuthorityOut]
    next_cursor: None


class LocationOut(_Out):
    """A GB/T 2260 code with its names (``domain/places.py``); an unknown part is null."""

    code: str = Field(pattern=r"^\d{6}$")
    province: str | None
    city: str | None
    county: str | None
    name: str | None = Field(description="The names joined as written: 江苏省南京市浦口区.")


class AwardedProjectOut(_Out):
    name: str
    category: Category
    location_code: str | SkipJsonSchema[None] = None
    location: LocationOut | SkipJsonSchema[None] = Field(
        default=None, description="location_code with its province, city and county names."
    )
    code: str | SkipJsonSchema[None] = None


class AwardWinnerOut(_Out):
    name: str
    credit_code: str
    role: WinnerRole
    project_manager: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Personal data: only the owning province and administrators read it "
        "(with their key); never in an anonymous answer, the feeds or the export.",
    )


class RedactionOut(_Out):
    """An administrator erased these fields from the award, its history and change entries."""

    fields: list[str]
    at: datetime
    reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Only the owning province and administrators see it."
    )


class TimelinessOut(_Out):
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


class _AwardFieldsOut(_Out):
    id: str
    authority_id: str
    source_id: str
    program_id: str
    year: int
    honor: str
    awarded_on: date
    announcement_number: str | SkipJsonSchema[None] = None
    announcement_url: str | SkipJsonSchema[None] = None
    project: AwardedProjectOut
    winners: list[AwardWinnerOut] = Field(min_length=1)
    submitted_at: datetime
    deadline: date
    timeliness: TimelinessOut
    status: Literal["active", "revoked"]
    revoked_reason: str | SkipJsonSchema[None] = None
    revoked_at: datetime | SkipJsonSchema[None] = None
    revoked_document_number: str | SkipJsonSchema[None] = None
    program_status: str | SkipJsonSchema[None] = Field(
        default=None, description="Present when the programme is not approved."
    )
    redactions: list[RedactionOut] | SkipJsonSchema[None] = Field(
        default=None, description="Fields an administrator erased (POST /v1/awards/{id}/redact)."
    )
    created_at: datetime
    updated_at: datetime
    version: int


class ValidityDetailOut(_Out):
    """Why an award is not ``valid``: the revocation, or the programme's withdrawal."""

    reason: str | None = None
    revoked_at: datetime | None = None
    effective_on: date | None = Field(
        default=None, description="When the programme's withdrawal took effect."
    )
    withdrawn_at: datetime | None = None
    granted_before_withdrawal: bool | None = Field(
        default=None,
        description="Awarded before the withdrawal's effective date: historically granted, "
        "still flagged program_withdrawn and never counted as valid.",
    )


class _ValidityOut(_Out):
    validity: Literal["valid", "revoked", "program_withdrawn"] = Field(
        description="One rule everywhere (domain/validity.py): revoked wins; an active award "
        "of a withdrawn programme is program_withdrawn, whatever its date."
    )
    validity_detail: ValidityDetailOut | SkipJsonSchema[None] = Field(
        default=None, description="Present unless valid: the revocation or the withdrawal."
    )


class AwardVersionOut(_AwardFieldsOut):
    """An earlier version of an award, as it was, with when it was superseded."""

    superseded_at: datetime


class AwardOut(_AwardFieldsOut, _ValidityOut):
    """An award record as the registry holds it (SPEC §3), with its validity."""

    history: list[AwardVersionOut] | SkipJsonSchema[None] = Field(
        default=None, description="Earlier versions, oldest first (GET of one award)."
    )


class AwardListOut(_Out):
    items: list[AwardOut]
    next_cursor: str | None
    total: int | SkipJsonSchema[None] = Field(
        default=None,
        description="With q only: how many awards match (as indexed). A lower bound when "
        "total_is_lower_bound is true (shown as e.g. 200+).",
    )
    total_is_lower_bound: bool | SkipJsonSchema[None] = Field(
        default=None,
        description="With q only: true when the first page stopped at its read bound "
        "before it had counted every match.",
    )


class VerifiedAwardOut(AwardOut):
    enterprise_role: WinnerRole


class VerificationOut(_Out):
    credit_code: str
    as_of: datetime
    awards: list[VerifiedAwardOut]
    revoked: list[VerifiedAwardOut]
    next_cursor: str | None


class BatchResultOut(_Out):
    index: int
    status: int
    id: str | SkipJsonSchema[None] = None
    error: ErrorDetailOut | SkipJsonSchema[None] = None
    errors: list[ErrorDetailOut] | SkipJsonSchema[None] = None


class BatchResultsOut(_Out):
    results: list[BatchResultOut]


class ProgramApprovalOut(_Out):
    issuer: str
    document_number: str
    approved_on: date


class DocumentLinkOut(_Out):
    """A verified document's short-lived link (``format=json``), for a page that shows it inline."""

    url: str = Field(description="A presigned GET of the document; expires after `expires_in`.")
    expires_in: int = Field(description="Seconds the link stays valid.")


class ProgramDocumentOut(_Out):
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


class UploadFormOut(_Out):
    """An S3 presigned POST: send ``fields`` and then the file as ``multipart/form-data``."""

    url: str
    fields: dict[str, str]
    expires_in: int = Field(ge=1, description="Seconds the form stays valid.")


class DocumentUploadOut(_Out):
    """The answer to a document declaration: where to upload its bytes."""

    document_id: str
    document: ProgramDocumentOut
    upload: UploadFormOut


class StatusChangeOut(_Out):
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


class ProgramOut(_Out):
    """An award programme (SPEC §3)."""

    id: str
    authority_id: str
    name: str
    organizer: str
    authority_relation: Literal["hosts", "supervises"]
    cycle: Literal["annual", "biennial", "irregular"]
    categories: list[Category] = Field(min_length=1)
    approval: ProgramApprovalOut
    documents: list[ProgramDocumentOut]
    status: ProgramStatus
    status_history: list[StatusChangeOut]
    submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class ProgramListOut(_Out):
    items: list[ProgramOut]
    next_cursor: str | None


class ChangeOut(_Out):
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
        "and `redacted_fields`: erase those fields from every copy you keep. An award's data "
        "carries its `validity` as of the entry (a programme's `withdrawn` status entry "
        "re-marks that programme's awards `program_withdrawn`) and `project.location`."
    )


class ChangePageOut(_Out):
    items: list[ChangeOut]
    next_cursor: str = Field(description="Where to resume; never null.")
    has_more: bool


class FeedAuthorOut(_Out):
    name: str


class FeedItemOut(_Out):
    id: str
    url: str
    external_url: str | SkipJsonSchema[None] = None
    title: str
    content_text: str
    date_published: datetime
    date_modified: datetime
    authors: list[FeedAuthorOut]
    tags: list[str]
    language: str
    award: AwardOut = Field(alias="_award")


class JsonFeedOut(_Out):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with an ``_award`` extension."""

    version: Literal["https://jsonfeed.org/version/1.1"]
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str
    authors: list[FeedAuthorOut]
    items: list[FeedItemOut]
    next_url: str | SkipJsonSchema[None] = None


# --- the audit, the calendar, feedback (SPEC §3, §5) -----------------------------------


class CalendarYearOut(_Out):
    year: int
    source: Literal["loaded", "library", "provisional"] = Field(
        description="An administrator's arrangement, the maintained library, or unknown "
        "(counted Monday to Friday)."
    )
    holidays: list[date] = Field(description="Days off that would otherwise be working days.")
    workdays: list[date] = Field(description="Adjusted working days (调休) on a weekend.")
    loaded_at: datetime | SkipJsonSchema[None] = None
    revision: int | SkipJsonSchema[None] = None


class CalendarLoadedOut(CalendarYearOut):
    recomputed: int = Field(description="Records judged on a provisional count, now recomputed.")
    recompute_remaining: bool = Field(description="More remain; the daily audit finishes them.")


class FindingSubjectOut(_Out):
    type: Literal["award", "program", "authority", "calendar", "objection"]
    id: str


class FindingActionOut(_Out):
    zh: str
    en: str


class FindingOut(_Out):
    id: str = Field(description="Stable: the same fact is the same finding on every run.")
    kind: Literal[
        "late_push",
        "awarded_on_changed",
        "no_program_list",
        "silent_program",
        "calendar_missing",
        "objection_overdue",
    ]
    authority_id: str | None
    subject: FindingSubjectOut
    detail: dict[str, Any]
    action: FindingActionOut = Field(description="What to do about it, in Chinese and English.")
    status: Literal["open", "closed"]
    opened_on: date
    closed_on: date | None
    close_reason: Literal["resolved", "excused", "reported"] | None
    alert_id: str | None


class AlertResultOut(_Out):
    alert_id: str
    authority_id: str | None
    status: Literal["pending", "sent", "failed"]


class FeedbackItemOut(_Out):
    """Feedback as sent (what an audit report lists)."""

    id: str
    authority_id: str
    subject: str
    body: str
    created_at: datetime


class FeedbackReplyOut(_Out):
    reply: str
    handled_at: datetime


class FeedbackOut(FeedbackItemOut):
    """Feedback with its handling: the latest reply, and every reply given."""

    state: Literal["open", "handled"]
    reply: str | None = Field(description="The latest reply; null while open.")
    handled_at: datetime | None = Field(description="When the latest reply was given.")
    replies: list[FeedbackReplyOut] = Field(description="Every reply, oldest first.")


class FeedbackListOut(_Out):
    items: list[FeedbackOut]
    next_cursor: str | None


class ZeroReportOut(_Out):
    id: str
    authority_id: str
    period_from: date
    period_to: date
    note: str
    created_at: datetime


class ZeroReportListOut(_Out):
    items: list[ZeroReportOut]
    next_cursor: str | None


class AuditReportOut(_Out):
    run_id: str
    date: date
    trigger: Literal["schedule", "admin"]
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]
    findings_new: list[FindingOut]
    findings_open: list[FindingOut]
    findings_closed: list[FindingOut]
    feedback: list[FeedbackItemOut]
    alerts: list[AlertResultOut]
    calendar: dict[str, Any]
    positions: dict[str, int]
    report_keys: dict[str, str]


class AuditRunOut(_Out):
    id: str
    date: date
    trigger: Literal["schedule", "admin"]
    started_at: datetime
    finished_at: datetime
    summary: dict[str, Any]
    report_keys: dict[str, str]


class AuditRunWithReportOut(AuditRunOut):
    report: AuditReportOut


class AuditRunListOut(_Out):
    items: list[AuditRunOut]
    next_cursor: str | None


class TimelinessRowOut(_Out):
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
    # Objections (issue 23): live, not as of the audit run.
    objections_open: int = Field(description="Objections routed here waiting for an answer.")
    objections_overdue: int = Field(description="Open objections past their answer deadline.")
    median_working_days_to_answer: float | None = Field(
        description="Median working days from routing to the answer, over answered objections."
    )


class TimelinessOneOut(TimelinessRowOut):
    as_of: str | None = Field(description="The audit run the counters are as of.")


class TimelinessTableOut(_Out):
    items: list[TimelinessRowOut]
    next_cursor: None
    as_of: str | None


class ApiKeyOut(_Out):
    """An API key as administrators see it: never the key nor its hash."""

    key_id: str
    role: Literal["admin", "provincial"]
    authority_id: str | None
    note: str | None
    created_at: datetime
    created_by: str | None = Field(
        description="Who issued it: the acting admin key's id, or `cli` (the operator's "
        "command line); null for keys issued before this was recorded."
    )
    last_used_on: date | None = Field(description="China date of its last use (one a day).")
    revoked_at: datetime | None
    revoked_by: str | None = Field(
        description="Who revoked it: the acting admin key's id, or `cli`; null while valid."
    )
    revoke_note: str | None = Field(description="The note given with the revocation.")


class ApiKeyCreatedOut(_Out):
    key_id: str
    api_key: str = Field(description="The key itself: shown this once, never again.")
    role: Literal["admin", "provincial"]
    authority_id: str | None
    note: str


class ApiKeyListOut(_Out):
    items: list[ApiKeyOut]
    next_cursor: str | None


class PilotRowOut(_Out):
    programs_approved: int = Field(ge=0)
    awards_pushed: int = Field(ge=0, description="By the month of the first push (China time).")
    on_time: int = Field(ge=0, description="Pushed on time, or late and excused.")
    late: int = Field(ge=0)
    pending: int = Field(ge=0, description="Judged on a provisional calendar: not in the share.")
    on_time_share: float | None = Field(description="on_time / (on_time + late).")
    median_working_days_late: float | None


class PilotMonthOut(PilotRowOut):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")


class PilotNationalMonthOut(PilotMonthOut):
    verifications: int = Field(
        ge=0,
        description="Verifications served: distinct (client, credit code, China day) "
        "among successful verify and verify/print answers.",
    )


class PilotNationalTotalsOut(PilotRowOut):
    verifications: int = Field(ge=0)


class PilotNationalOut(_Out):
    months: list[PilotNationalMonthOut]
    totals: PilotNationalTotalsOut
    backfill: dict[str, int] = Field(description="Active awards by awarded year since 2018.")


class PilotObjectionsOut(_Out):
    """Objections (issue 23) since the pilot began: counts and shares of the answered."""

    received: int = Field(ge=0)
    open: int = Field(ge=0)
    overdue: int = Field(ge=0)
    answered: int = Field(ge=0)
    answered_on_time: int = Field(ge=0)
    corrected: int = Field(ge=0)
    on_time_share: float | None = Field(description="Answered on time / answered.")
    corrected_share: float | None = Field(description="Answered corrected / answered.")


class PilotAuthorityOut(_Out):
    authority_id: str
    name_zh: str
    name_en: str
    months: list[PilotMonthOut]
    totals: PilotRowOut
    backfill: dict[str, int] = Field(description="Active awards by awarded year since 2018.")
    objections: PilotObjectionsOut


class VerificationDayOut(_Out):
    date: date
    count: int = Field(ge=1)


class PilotVerificationsOut(_Out):
    total: int = Field(ge=0)
    daily: list[VerificationDayOut] = Field(description="Days with answers, China dates.")


class PilotStatsOut(_Out):
    from_: str = Field(alias="from")
    to: str
    as_of: str | None = Field(description="The audit run the award numbers are as of.")
    months: list[str]
    national: PilotNationalOut
    authorities: list[PilotAuthorityOut]
    verifications: PilotVerificationsOut
    objections: PilotObjectionsOut = Field(description="National objection totals.")
    webhooks: PilotWebhooksOut | SkipJsonSchema[None] = None


class PublicStatsOut(_Out):
    awards: int = Field(ge=0, description="Active awards in the registry.")
    provinces_reporting: int = Field(ge=0, description="Authorities that pushed an award.")
    verifications: int = Field(
        ge=0,
        description="Verifications served: distinct (client, credit code, China day) "
        "among successful verify and verify/print answers.",
    )
    as_of: str | None


class ExportCountsOut(_Out):
    awards: int = Field(ge=0)
    active: int = Field(ge=0)
    revoked: int = Field(ge=0)
    csv_rows: int = Field(ge=0, description="One row per award-winner.")
    programs: int = Field(ge=0)


class ExportFileOut(_Out):
    name: str = Field(description="awards.jsonl.gz, awards.csv or programs.jsonl.gz.")
    url: str = Field(description="A short-lived presigned GET.")
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    records: int = Field(ge=0)


class ExportLatestOut(_Out):
    """The latest nightly export: links (short-lived), counts and SHA-256 of its files."""

    export_date: date = Field(description="China date of the run.")
    generated_at: datetime
    position: dict[str, int] = Field(
        description="Each authority's change-feed seq the export is consistent with."
    )
    counts: ExportCountsOut
    manifest_url: str
    links_expire_in: int = Field(ge=1, description="Seconds the links stay valid.")
    files: list[ExportFileOut]


class ImportFailureOut(_Out):
    """Why an import failed as a whole (the file, not a row)."""

    code: str
    message: str
    message_zh: str | SkipJsonSchema[None] = None


class ImportOut(_Out):
    """A spreadsheet import and its progress (counts are awards; ``rows`` are sheet rows)."""

    import_id: str
    authority_id: str
    status: Literal[
        "awaiting_upload", "queued", "running", "done", "failed", "cancelled", "expired"
    ]
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
    deadline_at: datetime | SkipJsonSchema[None] = Field(
        default=None, description="Past this instant an open import is failed (timed_out)."
    )
    max_rows: int = Field(description="Most data rows one file may hold.")
    error: ImportFailureOut | SkipJsonSchema[None] = None
    key_id: str | SkipJsonSchema[None] = Field(
        default=None, description="The key that declared it."
    )


class ImportListOut(_Out):
    """A province's imports of the last year, newest first (``GET /v1/imports``)."""

    items: list[ImportOut]
    next_cursor: None


class ImportUploadOut(_Out):
    """The answer to an import declaration: where to upload the spreadsheet."""

    import_id: str
    import_: ImportOut = Field(alias="import")
    upload: UploadFormOut


class MeOut(_Out):
    """Who a key belongs to (``GET /v1/me``): what the console shows after sign-in."""

    role: Literal["admin", "provincial"]
    authority_id: str | None = Field(description="The province; null for an administrator.")
    key_id: str


class OpenFindingListOut(_Out):
    """An authority's open audit findings, newest first (``GET /v1/timeliness/{id}/findings``)."""

    items: list[FindingOut]
    next_cursor: None
    truncated: bool = Field(description="More open findings than FINDINGS_READ_MAX.")


# --- Objections (issue 23) ---------------------------------------------------------------

ObjectionKind = Literal["wrong_facts", "not_ours", "missing_award", "other"]


class ObjectionChangeOut(_Out):
    """The award change a ``corrected`` answer names (an entry of the change feed)."""

    authority_id: str
    seq: int
    op: str
    award_id: str
    committed_at: datetime


class ObjectionAnswerOut(_Out):
    outcome: Literal["corrected", "upheld"]
    outcome_zh: str
    reply: str
    answered_at: datetime
    change: ObjectionChangeOut | SkipJsonSchema[None] = None


class ObjectionPublicOut(_Out):
    """What the token holder reads: the state, the deadline and the answer, nothing else."""

    number: str = Field(pattern=r"^YY-\d{4}-\d{6}$", examples=["YY-2026-000123"])
    kind: ObjectionKind
    kind_zh: str
    award_id: str | None
    authority_id: str = Field(description="The province the objection is routed to.")
    state: Literal["open", "answered"]
    state_zh: str
    filed_at: datetime
    deadline: date = Field(description="Last China date of an on-time answer.")
    answer: ObjectionAnswerOut | None


class ObjectionFiledOut(ObjectionPublicOut):
    token: str = Field(description="The lookup token: shown only in this answer.")
    notice: str
    notice_zh: str


class EvidenceOut(_Out):
    id: str
    filename: str | SkipJsonSchema[None] = None
    content_type: str | SkipJsonSchema[None] = None
    size: int | SkipJsonSchema[None] = None
    sha256: str | SkipJsonSchema[None] = None
    status: Literal["pending", "verified", "rejected", "erased"]
    reason: str | SkipJsonSchema[None] = None
    reason_zh: str | SkipJsonSchema[None] = None
    url: str | SkipJsonSchema[None] = Field(
        default=None, description="Short-lived link (verified files, routed province/admin)."
    )


class EvidenceUploadOut(_Out):
    evidence_id: str
    evidence: EvidenceOut
    upload: UploadFormOut


class ObjectionOut(ObjectionPublicOut):
    """With a key (the routed province, administrators): everything, personal data included."""

    credit_code: str | SkipJsonSchema[None] = None
    description: str | SkipJsonSchema[None] = None
    contact: dict[str, str] | SkipJsonSchema[None] | None = None
    evidence: list[EvidenceOut] | SkipJsonSchema[None] = None
    deadline_official: bool | SkipJsonSchema[None] = None
    working_days_left: int | SkipJsonSchema[None] = None
    overdue: bool | SkipJsonSchema[None] = None
    history: list[dict[str, Any]] | SkipJsonSchema[None] = None
    changes_since_filing: list[dict[str, Any]] | SkipJsonSchema[None] = None


class ObjectionListOut(_Out):
    items: list[ObjectionOut]
    next_cursor: str | None


# --- Webhook subscriptions (issue 21) ---------------------------------------------------


class LastDeliveryOut(_Out):
    at: datetime
    event_id: str
    status_code: int | None
    state: Literal["pending", "delivered", "failed"]


class SubscriptionOut(_Out):
    """A webhook subscription (never its secret)."""

    id: str
    owner_authority_id: str
    url: str
    description: str | None
    authority_ids: list[str] | None = Field(description="null: all 33 authorities.")
    events: list[str] | None = Field(description="null: every event type.")
    state: Literal["active", "paused", "deleted"]
    paused_reason: Literal["owner", "gone", "failing"] | None = Field(
        description="owner: paused by its owner; gone: the receiver answered 410; failing: "
        "no success for 3 days (administrators alerted)."
    )
    paused_at: datetime | None
    failing_since: datetime | None
    pending: int = Field(ge=0, description="Deliveries waiting (in order).")
    next_attempt_at: datetime | None
    last_delivery: LastDeliveryOut | None
    delivered: int = Field(ge=0)
    position: str = Field(description="How far the feed has been queued (a `since` cursor).")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then deliveries are also signed with the previous secret."
    )
    created_at: datetime
    updated_at: datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(
        pattern=r"^whsec_[A-Za-z0-9+/=]{32,}$", description="Shown this once: keep it."
    )


class SubscriptionListOut(_Out):
    items: list[SubscriptionOut]
    next_cursor: str | None


class DeliveryOut(_Out):
    event_id: str = Field(description="The webhook-id: the same on every retry and replay.")
    type: str
    position: str = Field(description="The change-feed position right after the event.")
    authority_id: str
    entity_id: str
    committed_at: datetime
    state: Literal["pending", "delivered", "failed"]
    attempts: int = Field(ge=0)
    last_status_code: int | None
    last_error: str | None = Field(max_length=200)
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    replay: bool


class DeliveryListOut(_Out):
    items: list[DeliveryOut]
    next_cursor: str | None


class ReplayOut(_Out):
    queued: int = Field(ge=0, description="New deliveries queued.")
    next_position: str | None = Field(description="Replay again from here for the rest.")


class PingOut(_Out):
    webhook_id: str
    status_code: int | None = Field(description="The receiver's answer; null: none came.")
    ok: bool
    error: str | None


class DeliveryLagOut(_Out):
    p50: float | None = Field(description="Seconds from a change's commit to its receipt.")
    p95: float | None
    samples: int = Field(ge=0)


class PilotWebhooksOut(_Out):
    """Who receives pushes (webhook subscriptions, issue 21), read when asked."""

    provinces_receiving: int = Field(
        ge=0, description="Authorities with an active subscription delivering without failures."
    )
    share_of_provinces_receiving: float | None
    receiving_authority_ids: list[str]
    subscriptions_active: int = Field(ge=0)
    subscriptions_paused: int = Field(ge=0)
    delivery_lag_seconds: DeliveryLagOut


# --- data quality (issue 22) ----------------------------------------------------------------


class QualityFindingOut(_Out):
    id: str = Field(description="Stable: one rule, one group of records, one authority.")
    rule: Literal[
        "duplicate_award",
        "cross_province_duplicate",
        "name_drift",
        "before_approval",
        "cycle_mismatch",
        "announcement_reused",
        "registration_elsewhere",
    ]
    severity: Literal["error", "warning", "info"]
    explanation: dict[str, str] = Field(description="`zh` and `en`.")
    authority_id: str
    state: Literal["open", "corrected", "explained", "accepted", "closed"]
    records: list[dict[str, Any]] = Field(
        description="The awards involved (public fields), each with `differing` fields."
    )
    detail: dict[str, Any]
    opened_on: date
    updated_on: date
    closed_on: date | None
    close_reason: str | None
    resolution: dict[str, Any] | None
    history: list[dict[str, Any]]


class QualityFindingListOut(_Out):
    items: list[QualityFindingOut]
    next_cursor: str | None


class QualityRescanOut(_Out):
    id: str
    state: Literal["queued", "running", "done", "failed"]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    awards_done: int
    findings_opened: int
    progress: float = Field(description="0 to 1.")
    error: str | None
