"""Request schemas (pydantic v2): the single source of validation and of OpenAPI.

The API, the batch route and the backfill tool validate through these models,
so a spreadsheet row is judged exactly as a pushed record. Text is trimmed and
NFC-normalised; types are strict (a year is a JSON number, a date an ISO
string) because a province's platform that sends ``"2021"`` for a year has a
bug we should show it, not hide.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from chalicelib import clock
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import china_date
from chalicelib.domain.credit_code import InvalidCreditCodeError, validate_credit_code
from chalicelib.domain.errors import BusinessRuleError, ErrorDetail, ValidationError
from chalicelib.domain.messages_zh import (
    CREDIT_CODE_ZH,
    ZhValueError,
    field_message_zh,
    pydantic_reason_zh,
)

Category = Literal["housing", "municipal"]
WinnerRole = Literal[
    "general_contractor",
    "specialty_contractor",
    "design",
    "survey",
    "supervision",
    "owner",
    "other",
]
CATEGORIES: tuple[str, ...] = ("housing", "municipal")
M = TypeVar("M", bound=BaseModel)
WINNER_ROLES: tuple[str, ...] = get_args(WinnerRole)

# Control characters a text may not hold: C0 but tab, line feed and carriage return (a
# CRLF line break), DEL and C1. Lone surrogates (``"\ud800"`` in JSON) are no Unicode
# text at all: they cannot be encoded as UTF-8, so DynamoDB, S3 and every answer would fail.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The notice collects awards produced since 2018-01-01; config.backfill_from may move it.
DEFAULT_EARLIEST_AWARD = date(2018, 1, 1)


def _clean_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the strict str type reports the wrong type
    if _SURROGATE.search(value):
        raise ValueError("is not valid Unicode text (a lone surrogate cannot be encoded as UTF-8)")
    value = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real date") from None


def _today(info: ValidationInfo) -> date:
    context = info.context or {}
    return context.get("today") or china_date(clock.now())


# A trimmed, NFC-normalised, non-empty string: ``Annotated[Text, Field(max_length=200)]``.
Text = Annotated[
    str,
    BeforeValidator(_clean_text),
    Field(min_length=1, strict=True),
]


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _check_credit_code(value: str, info: ValidationInfo) -> str:
    try:
        return validate_credit_code(value, today=_today(info))
    except InvalidCreditCodeError as exc:
        raise ZhValueError(str(exc), CREDIT_CODE_ZH[exc.reason]) from None


CreditCode = Annotated[str, Field(strict=True), AfterValidator(_check_credit_code)]


class _Schema(BaseModel):
    # defer_build: a model's validator is built on its first request, not at import, so
    # a container serving reads never builds the write models (measured cold start).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Winner(_Schema):
    name: Annotated[Text, Field(max_length=200)]
    credit_code: CreditCode
    role: WinnerRole
    project_manager: Annotated[Text, Field(max_length=50)] | None = None


class Project(_Schema):
    name: Annotated[Text, Field(max_length=300)]
    category: Category
    location_code: Annotated[str, Field(strict=True, pattern=r"^\d{6}$")] | None = None
    code: Annotated[Text, Field(max_length=64)] | None = None


class AwardIn(_Schema):
    """An award record as a province pushes it (SPEC §3)."""

    source_id: Annotated[Text, Field(max_length=128)]
    program_id: Annotated[Text, Field(max_length=64)]
    # awarded_on before year: the year check reads it.
    awarded_on: IsoDate
    year: Annotated[StrictInt, Field(ge=2000, le=2100)]
    honor: Annotated[Text, Field(max_length=100)]
    announcement_number: Annotated[Text, Field(max_length=100)] | None = None
    announcement_url: (
        Annotated[str, Field(strict=True, max_length=2048, pattern=r"^https?://\S+$")] | None
    ) = None
    project: Project
    winners: Annotated[list[Winner], Field(min_length=1, max_length=40)]

    @field_validator("awarded_on")
    @classmethod
    def _awarded_on_in_range(cls, value: date, info: ValidationInfo) -> date:
        today = _today(info)
        earliest = (info.context or {}).get("earliest_award") or DEFAULT_EARLIEST_AWARD
        if value < earliest:
            raise ValueError(f"must be on or after {earliest.isoformat()}")
        if value > today:
            raise ValueError(f"must not be after today ({today.isoformat()}, China time)")
        return value

    @field_validator("year")
    @classmethod
    def _year_not_after_award(cls, value: int, info: ValidationInfo) -> int:
        awarded_on = info.data.get("awarded_on")
        if awarded_on is not None and value > awarded_on.year:
            raise ValueError("the batch year cannot be later than the year of awarded_on")
        return value

    def canonical_hash(self) -> str:
        """SHA-256 of the canonical form: NFC text, sorted keys, nulls dropped."""
        return canonical_hash(self.model_dump(mode="json", exclude_none=True))

    def duplicate_winners(self) -> list[tuple[int, int, str]]:
        """``(index, first index, credit code)`` of every winner whose code appeared before."""
        seen: dict[str, int] = {}
        found = []
        for index, winner in enumerate(self.winners):
            first = seen.setdefault(winner.credit_code, index)
            if first != index:
                found.append((index, first, winner.credit_code))
        return found


class Approval(_Schema):
    issuer: Annotated[Text, Field(max_length=200)]
    document_number: Annotated[Text, Field(max_length=100)]
    approved_on: IsoDate

    @field_validator("approved_on")
    @classmethod
    def _approved_by_now(cls, value: date, info: ValidationInfo) -> date:
        """A programme cannot have been approved in the future (a 2030 typo is caught)."""
        today = _today(info)
        if value > today:
            raise ValueError(f"must not be after today ({today.isoformat()}, China time)")
        return value


class ProgramIn(_Schema):
    """An award programme a provincial authority hosts or supervises (SPEC §3)."""

    name: Annotated[Text, Field(max_length=200)]
    organizer: Annotated[Text, Field(max_length=200)]
    authority_relation: Literal["hosts", "supervises"]
    cycle: Literal["annual", "biennial", "irregular"]
    categories: Annotated[list[Category], Field(min_length=1, max_length=2)]
    approval: Approval
    classified: StrictBool = False
    disclosable: StrictBool = True

    @model_validator(mode="before")
    @classmethod
    def _refuse_undisclosable(cls, data: Any) -> Any:
        """422 ``program_not_disclosable`` before any other check: nothing of it is kept."""
        if isinstance(data, dict) and (
            data.get("classified") is True or data.get("disclosable") is False
        ):
            raise BusinessRuleError(  # not a ValueError: pydantic lets it through as is
                "program_not_disclosable",
                "classified awards and awards that may not be made public are not collected",
                field="classified" if data.get("classified") is True else "disclosable",
            )
        return data

    @field_validator("categories")
    @classmethod
    def _distinct_categories(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("categories must not repeat")
        return sorted(value)


class RevokeIn(_Schema):
    reason: Annotated[Text, Field(max_length=500)]
    document_number: Annotated[Text, Field(max_length=100)] | None = None


class RedactIn(_Schema):
    """Which fields of an award an administrator erases, and why (kept, never public)."""

    fields: Annotated[
        list[Annotated[Text, Field(max_length=50)]], Field(min_length=1, max_length=10)
    ]
    reason: Annotated[Text, Field(max_length=500)]


class BatchIn(_Schema):
    records: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=100)]


def _plain_filename(value: str) -> str:
    if any(sep in value for sep in ("/", "\\")) or value in (".", ".."):
        raise ValueError("must be a file name, not a path")
    return value


class _UploadIn(_Schema):
    """A file about to be uploaded: its name, type (narrowed by each kind), size and SHA-256."""

    filename: Annotated[Annotated[Text, Field(max_length=255)], AfterValidator(_plain_filename)]
    content_type: str
    # The upper limit is a business rule (422, from the configuration): see services.documents.
    size: Annotated[StrictInt, Field(ge=1)]
    sha256: Annotated[str, Field(strict=True, pattern=r"^[0-9a-fA-F]{64}$")]

    @field_validator("sha256")
    @classmethod
    def _lower_hex(cls, value: str) -> str:
        return value.lower()


class DocumentIn(_UploadIn):
    """An approval document a province is about to upload (SPEC §4)."""

    content_type: Literal["application/pdf", "application/ofd"]


class ImportIn(_UploadIn):
    """A spreadsheet of awards (the backfill template, XLSX or CSV) about to be uploaded.

    Declared like an approval document (name, type, size, SHA-256), so the
    same checks apply to the stored bytes; ``program_id`` is the programme of
    rows that name none (the tool's ``--program-id``).
    """

    content_type: Literal[
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ]
    program_id: Annotated[Text, Field(max_length=64)] | None = None
    # Data quality (issue 22): leave out rows repeating an earlier row's programme, year,
    # project and winner (跳过重复记录); without it they are pushed, with a warning.
    skip_duplicates: StrictBool = False


class ReviewIn(_Schema):
    """An administrator's decision on a submitted programme; rejecting needs a reason."""

    # The reason rule lives in the model, not the service, so the OpenAPI body
    # states it too (if/then below) and the error names ``reason``.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        json_schema_extra={
            "if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
            "then": {"required": ["reason"], "properties": {"reason": {"type": "string"}}},
        },
    )

    decision: Literal["approve", "reject"]
    reason: Annotated[Text, Field(max_length=500)] | None = Field(
        default=None, validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _reason_to_reject(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("decision") == "reject":
            raise ValueError("a reason is required to reject a programme")
        return value


class WithdrawIn(_Schema):
    """Withdraw an approved programme (e.g. after an award clean-up) from ``effective_on``."""

    reason: Annotated[Text, Field(max_length=500)]
    effective_on: IsoDate


# --- the audit's routes: calendar, excuse, zero reports, feedback, run -------------

MAX_CALENDAR_DATES = 366


class CalendarIn(_Schema):
    """The State Council's arrangement of one year: days off and make-up working days."""

    holidays: Annotated[list[IsoDate], Field(max_length=MAX_CALENDAR_DATES)]
    workdays: Annotated[list[IsoDate], Field(max_length=MAX_CALENDAR_DATES)]


class ExcuseIn(_Schema):
    """Why an administrator accepts a late push as justified."""

    reason: Annotated[Text, Field(max_length=500)]


class ZeroReportIn(_Schema):
    """ "No in-scope awards in this period" (零报告), filed by a province."""

    period_from: IsoDate
    period_to: IsoDate
    note: Annotated[Text, Field(max_length=1000)]


class FeedbackIn(_Schema):
    """An idea or a problem reported to MOHURD's Construction Market Supervision Department."""

    subject: Annotated[Text, Field(max_length=200)]
    body: Annotated[Text, Field(max_length=5000)]


class FeedbackHandleIn(_Schema):
    """An administrator's reply to a feedback item, which the province reads in its console."""

    reply: Annotated[Text, Field(max_length=2000)]


class AuditRunIn(_Schema):
    """Optional body of ``POST /v1/audit/run``: the China date to audit as (default today)."""

    date: IsoDate | None = None


class QualityResolveIn(_Schema):
    """An answer to a data-quality finding (issue 22).

    A province: ``corrected`` (the next audit run checks the records) or
    ``explained`` with a ``reason`` (at least 10 characters). An administrator:
    ``accept`` an explanation or ``reopen`` an answered finding.
    """

    action: Literal["corrected", "explained", "accept", "reopen"]
    reason: Annotated[Text, Field(max_length=1000)] | None = None


class KeyIn(_Schema):
    """A new API key (``POST /v1/keys``): an administrator's, or a province's.

    A provincial key is bound to one of the 33 authorities; an administrator's
    to none. ``note`` says who holds it, so a list of keys can be read by a person.
    """

    role: Literal["admin", "provincial"]
    authority_id: Annotated[str, Field(strict=True, max_length=16)] | None = Field(
        default=None, validate_default=True
    )
    note: Annotated[Text, Field(max_length=200)]

    @field_validator("authority_id")
    @classmethod
    def _bound_to_one_authority(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if role == "admin" and value is not None:
            raise ValueError("an admin key is bound to no authority: leave it out")
        if role == "provincial" and value not in AUTHORITY_IDS:
            raise ValueError("a provincial key needs one of the 33 authority ids")
        return value


class KeyRevokeIn(_Schema):
    """Optional body of ``POST /v1/keys/{key_id}/revoke``: why (stored with who revoked)."""

    note: Annotated[Text, Field(max_length=200)] | None = None


# Fields the server owns: a client may send back what it read, we ignore them.
SERVER_FIELDS = frozenset(
    {
        "id",
        "authority_id",
        "submitted_at",
        "deadline",
        "timeliness",
        "status",
        "status_history",
        "history",
        "created_at",
        "updated_at",
        "version",
        "program_status",
        "revoked_reason",
        "revoked_at",
        "revoked_document_number",
        "documents",
    }
)


def canonical_hash(data: Any) -> str:
    def normalise(value: Any) -> Any:
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, dict):
            return {k: normalise(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [normalise(v) for v in value]
        return value

    text = json.dumps(normalise(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_path(loc: tuple[Any, ...]) -> str:
    """``("winners", 1, "credit_code")`` → ``winners[1].credit_code``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: dict) -> str:
    message = error.get("msg", "invalid value")
    if error.get("type") == "value_error" and message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if error.get("type") == "extra_forbidden":
        message = "unknown field"
    if error.get("type") == "missing":
        message = "is required"
    if error.get("type") in ("too_short", "too_long") and isinstance(error.get("input"), str):
        ctx = error.get("ctx") or {}  # a text's length, checked after trimming
        if error["type"] == "too_long":
            message = f"should have at most {ctx.get('max_length')} characters"
        elif ctx.get("min_length") == 1:
            message = "should have at least 1 character"
        else:
            message = f"should have at least {ctx.get('min_length')} characters"
    return message


def parse_model(
    model: type[M],
    data: Any,
    *,
    today: date | None = None,
    earliest_award: date | None = None,
    prefix: str = "",
) -> M:
    """Validate ``data`` or raise our ``ValidationError`` naming every bad field.

    The error is the first problem; its ``details`` list them all, so a client
    (or a spreadsheet row) learns everything to fix at once, in English and Chinese.
    ``today`` (China date) and ``earliest_award`` (policy) come from the caller so
    the rules stay testable and the policy dates stay in the config module.
    """
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object", field=prefix or None)
    if model in (AwardIn, ProgramIn):
        data = {k: v for k, v in data.items() if k not in SERVER_FIELDS}
    context = {"today": today, "earliest_award": earliest_award}
    try:
        return model.model_validate(data, context=context)
    except PydanticValidationError as exc:
        problems = [_detail(error, prefix) for error in exc.errors(include_url=False)]
        first = problems[0]
        raise ValidationError(
            first.message, field=first.field, message_zh=first.message_zh, details=problems
        ) from None


def _detail(error: Any, prefix: str) -> ErrorDetail:
    """One pydantic error as ``{code, field, message, message_zh}``."""
    path = field_path(tuple(error["loc"]))
    if prefix:
        path = f"{prefix}.{path}" if path else prefix
    field = path or None
    message_zh = field_message_zh(field, pydantic_reason_zh(error, field))
    return ErrorDetail(
        "validation_error", f"{path or 'body'}: {_message(error)}", message_zh, field
    )


# --- Objections (issue 23) ---------------------------------------------------------------


def _mobile(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "").removeprefix("+86")
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ZhValueError(
            "phone must be a mainland mobile number (11 digits starting with 1)",
            "应为中国大陆手机号码（以 1 开头的 11 位数字）",
        )
    return digits


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}", value):
        raise ZhValueError("email is not an e-mail address", "电子邮箱格式不正确")
    return value


class ObjectionContactIn(_Schema):
    """Who the province may call back: private, never in any public answer."""

    name: Annotated[Text, Field(max_length=50)]
    phone: Annotated[Annotated[Text, Field(max_length=20)], AfterValidator(_mobile)] | None = None
    email: Annotated[Annotated[Text, Field(max_length=254)], AfterValidator(_email)] | None = None


class ObjectionIn(_Schema):
    """An enterprise's objection to (or about) a record (``POST /v1/objections``).

    ``award_id`` names the disputed award (``wrong_facts``, ``not_ours``, and
    optionally ``other``); ``authority_id`` names the province that granted a
    missing award (``missing_award``, or ``other`` without an award). One of
    ``contact.phone`` and ``contact.email`` is required (checked with the rest
    of the routing rules, naming the field).
    """

    kind: Literal["wrong_facts", "not_ours", "missing_award", "other"]
    credit_code: CreditCode
    award_id: Annotated[str, Field(strict=True, max_length=64)] | None = None
    authority_id: Annotated[str, Field(strict=True, max_length=16)] | None = None
    description: Annotated[Text, Field(min_length=10, max_length=2000)]
    contact: ObjectionContactIn


class EvidenceIn(_UploadIn):
    """A file the objecting enterprise is about to upload, with its lookup token."""

    token: Annotated[str, Field(strict=True, min_length=1, max_length=128)]
    content_type: Literal["application/pdf", "application/ofd", "image/jpeg", "image/png"]


class ObjectionTokenIn(_Schema):
    """The lookup token alone (the evidence check)."""

    token: Annotated[str, Field(strict=True, min_length=1, max_length=128)]


class ObjectionAnswerIn(_Schema):
    """The routed province's answer; ``transferred`` (administrators) names ``authority_id``.

    ``corrected`` names the award change made after filing by its ``change_seq``
    (the ``seq`` of the entry in the answering authority's change feed).
    """

    outcome: Literal["corrected", "upheld", "transferred"]
    reply: Annotated[Text, Field(max_length=2000)]
    change_seq: Annotated[StrictInt, Field(ge=1)] | None = None
    authority_id: Annotated[str, Field(strict=True, max_length=16)] | None = None


# --- Webhook subscriptions (issue 21) ---------------------------------------------------

WebhookEvent = Literal[
    "award.created", "award.updated", "award.revoked", "award.redacted", "program.status_changed"
]
WebhookUrl = Annotated[str, Field(strict=True, min_length=1, max_length=2048)]


def _authority_ids(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [a for a in value if a not in AUTHORITY_IDS]
    if unknown:
        raise ValueError(f"unknown authority id {unknown[0][:16]!r}")
    return sorted(set(value))


AuthorityIds = Annotated[
    list[Annotated[str, Field(strict=True, max_length=16)]] | None,
    Field(min_length=1, max_length=len(AUTHORITY_IDS)),
    AfterValidator(_authority_ids),
]
WebhookEvents = Annotated[
    list[WebhookEvent] | None,
    Field(min_length=1, max_length=5),
    AfterValidator(lambda value: sorted(set(value)) if value is not None else None),
]


class SubscriptionIn(_Schema):
    """A new webhook subscription. ``authority_ids``/``events`` left out: all of them.

    ``owner_authority_id``: the platform's authority; an administrator names it, a
    province may leave it out (its own) but not name another.
    """

    url: WebhookUrl
    description: Annotated[Text, Field(max_length=200)] | None = None
    authority_ids: AuthorityIds = None
    events: WebhookEvents = None
    owner_authority_id: Annotated[str, Field(strict=True, max_length=16)] | None = None


class SubscriptionPatchIn(_Schema):
    """What ``PATCH /v1/subscriptions/{id}`` may change (fields left out stay as they are;
    ``authority_ids``/``events`` set to null mean all)."""

    url: WebhookUrl | None = None
    description: Annotated[Text, Field(max_length=200)] | None = None
    authority_ids: AuthorityIds = None
    events: WebhookEvents = None
    state: Literal["active", "paused"] | None = None


class ReplayIn(_Schema):
    """Re-send every matching event after a change-feed position (a ``since`` cursor, as in
    ``GET /v1/changes`` and each delivery's ``position``), or from a China date on."""

    from_position: Annotated[str, Field(strict=True, max_length=4096)] | None = None
    from_date: IsoDate | None = None
