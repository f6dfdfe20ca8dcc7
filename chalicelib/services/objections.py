"""Objections (异议, issue 23): filing, lookup, evidence, routing, answers, erasure.

An enterprise that finds its award missing, wrong or credited to someone else
files an objection without a key; it gets a number (``YY-2026-000123``) and a
lookup token shown once (only its HMAC is stored). The objection goes to the
province that pushed the award (or, for a missing award, the one named); that
province answers within 10 working days (``domain/objections.py``), which the
daily audit watches (``services/audit_objections.py``).

Who sees what:

- the public (with number and token): the state, the deadline and the answer,
  nothing else; a wrong token is a 404 like an unknown number, so numbers
  cannot be probed;
- the routed province and administrators (with their key): everything,
  contact details and evidence links included; another province: 404;
- nobody else, and no feed, export, webhook or change entry: objections are in
  their own table and never pass through the change feed.

Personal data (contact, evidence) is erased 3 years after the objection
closes (``erase_due``, run by the daily audit).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.config import settings
from chalicelib.domain import objections as rules
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import china_date
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.documents import Expected
from chalicelib.domain.errors import (
    BusinessRuleError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    UnavailableError,
    ValidationError,
)
from chalicelib.domain.ids import is_plausible_id, new_id
from chalicelib.domain.messages_zh import CODE_ZH, GENERIC_ZH
from chalicelib.domain.principal import Principal
from chalicelib.domain.queries import ObjectionFilter
from chalicelib.domain.timeliness import Deadline
from chalicelib.observability import logger
from chalicelib.services import calendars, rate_limits
from chalicelib.services.documents import inspect_upload
from chalicelib.store import awards as award_store
from chalicelib.store import ledger, objects, secrets
from chalicelib.store import objections as store
from chalicelib.store.base import iso_utc

if TYPE_CHECKING:
    from chalicelib.domain.schemas import (
        EvidenceIn,
        ObjectionAnswerIn,
        ObjectionIn,
        ObjectionTokenIn,
    )

EVIDENCE_UPLOAD_PREFIX = "evidence/"
EVIDENCE_VERIFIED_PREFIX = "verified/evidence/"
EVIDENCE_QUARANTINE_PREFIX = "quarantine/evidence/"
_CHECK_ATTEMPTS = 3
KEEP_NOTICE_ZH = "请妥善保存异议编号和查询码：查询码只显示这一次，凭二者查询办理结果。"
KEEP_NOTICE = "Keep the number and the token: the token is shown only this once."
NOT_FOUND_ZH = "异议编号或查询码不正确"


DAY, HOUR = 24 * 3600, 3600
# Day windows start at 00:00 China time: the shared limiter's windows start at multiples
# of their length since the epoch (00:00 UTC for a day), so the clock it is given is
# moved 8 hours on; the wait it reports (``retry_after``) is unchanged by the shift.
CHINA_OFFSET = timedelta(hours=8)


def _limit(
    bucket: str,
    client: str,
    limit: int,
    window: int,
    now: datetime,
    message_zh: str,
    *,
    field: str | None = None,
) -> None:
    """``rate_limits.check_rate`` with the objection pages' own words (429, ``message_zh``)."""
    shifted = now + CHINA_OFFSET if window % DAY == 0 else now
    try:
        rate_limits.check_rate(bucket, client, limit=limit, window=window, now=shifted)
    except ThrottledError as refused:
        raise ThrottledError(
            f"too many requests in {bucket}: at most {limit} per {window} seconds; "
            f"retry after {refused.retry_after} seconds",
            field=field,
            message_zh=message_zh,
            retry_after=refused.retry_after,
        ) from None


def _not_found(number: str) -> NotFoundError:
    """The one answer to an unknown number and to a wrong token (no probing)."""
    return NotFoundError(f"no objection {number[:32]} with this token", message_zh=NOT_FOUND_ZH)


def upload_key(number: str, evidence_id: str) -> str:
    return f"{EVIDENCE_UPLOAD_PREFIX}{number}/{evidence_id}"


def verified_key(number: str, evidence_id: str) -> str:
    return f"{EVIDENCE_VERIFIED_PREFIX}{number}/{evidence_id}"


def quarantine_key(number: str, evidence_id: str) -> str:
    return f"{EVIDENCE_QUARANTINE_PREFIX}{number}/{evidence_id}"


def _deadline(item: store.Objection) -> Deadline:
    return Deadline(date.fromisoformat(item.deadline), item.deadline_official == "true")


# --- views -------------------------------------------------------------------------------


def _answer_view(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    if not answer:
        return None
    view = {
        "outcome": answer["outcome"],
        "outcome_zh": rules.OUTCOME_ZH[answer["outcome"]],
        "reply": answer["reply"],
        "answered_at": answer["at"],
    }
    if answer.get("change"):
        view["change"] = answer["change"]
    return view


def public_view(item: store.Objection) -> dict[str, Any]:
    """What the token holder reads: state, deadline and answer (nothing personal)."""
    return {
        "number": item.number,
        "kind": item.kind,
        "kind_zh": rules.KIND_ZH[item.kind],
        "award_id": item.award_id,
        "authority_id": item.authority_id,
        "state": item.state,
        "state_zh": rules.STATE_ZH[item.state],
        "filed_at": item.filed_at,
        "deadline": item.deadline,
        "answer": _answer_view(item.answer),
    }


def _evidence_view(number: str, evidence: dict[str, Any], *, links: bool) -> dict[str, Any]:
    view = {
        k: evidence[k]
        for k in ("id", "filename", "content_type", "size", "sha256", "status", "reason")
        if evidence.get(k) is not None
    }
    if evidence.get("reason_code"):
        view["reason_zh"] = CODE_ZH.get(evidence["reason_code"], GENERIC_ZH)
    if links and evidence.get("status") == "verified":
        view["url"] = objects.presigned_get(
            verified_key(number, evidence["id"]),
            seconds=settings().download_url_seconds,
            content_type=evidence["content_type"],
        )
    return view


def full_view(item: store.Objection, today: date, *, links: bool = True) -> dict[str, Any]:
    """The routed province's and administrators' view: contact, evidence links, history."""
    calendar = calendars.workday_calendar()
    deadline = _deadline(item)
    view = {
        **public_view(item),
        "credit_code": item.credit_code,
        "description": item.description,
        "contact": item.contact,
        "evidence": [_evidence_view(item.number, e, links=links) for e in item.evidence or []],
        "deadline_official": deadline.official,
        "history": item.history,
        "erased_at": item.erased_at,
        "version": item.version,
    }
    if item.state == rules.OPEN:
        view["working_days_left"] = rules.working_days_left(deadline, today, calendar)
        view["overdue"] = rules.is_overdue(deadline, today=today)
    else:
        view["overdue"] = False
    return view


# --- filing ------------------------------------------------------------------------------


def _route(body: ObjectionIn) -> tuple[str, str | None]:
    """The authority an objection goes to, and the award it names (checked)."""
    if body.kind == "missing_award":
        if body.award_id is not None:
            raise ValidationError(
                "award_id must be absent for missing_award: name the province in authority_id",
                field="award_id",
                message_zh="字段 award_id：“奖项缺失”不填写获奖信息编号，请填写授奖的省级主管部门",
            )
        if body.authority_id is None:
            raise ValidationError(
                "authority_id is required for missing_award",
                field="authority_id",
                message_zh="字段 authority_id：“奖项缺失”须选择授奖的省级主管部门",
            )
    needs_award = body.kind in rules.AWARD_KINDS or (
        body.kind == "other" and body.authority_id is None
    )
    if needs_award and body.award_id is None:
        raise ValidationError(
            "award_id is required for this kind",
            field="award_id",
            message_zh="字段 award_id：必填，请填写有异议的获奖信息编号",
        )
    if body.award_id is not None:
        try:
            record = award_store.load_record(body.award_id)
        except NotFoundError:
            raise BusinessRuleError(
                "unknown_award",
                f"there is no award {body.award_id[:64]}",
                field="award_id",
                message_zh="字段 award_id：没有这条获奖信息，请核对编号",
            ) from None
        codes = {w.get("credit_code") for w in (record.content or {}).get("winners") or []}
        if body.credit_code not in codes:
            raise BusinessRuleError(
                "not_a_winner",
                "the credit code is not among this award's winners",
                field="credit_code",
                message_zh="字段 credit_code：该统一社会信用代码不是这条获奖信息的获奖单位；"
                "如属奖项缺失，请选择“奖项缺失”",
            )
        return record.authority_id, body.award_id
    if body.authority_id not in AUTHORITY_IDS:
        raise ValidationError(
            "unknown authority_id",
            field="authority_id",
            message_zh="字段 authority_id：省级主管部门编号不存在",
        )
    return body.authority_id, None


def file_objection(body: ObjectionIn, now: datetime, source: str) -> dict[str, Any]:
    """``POST /v1/objections``: route, limit, number and store; the token once."""
    today = china_date(now)
    if body.contact.phone is None and body.contact.email is None:
        raise ValidationError(
            "contact needs a phone (mainland mobile) or an email",
            field="contact.phone",
            message_zh="字段 contact.phone：手机号码和电子邮箱至少填写一项",
        )
    authority_id, award_id = _route(body)
    policy = settings().objections
    _limit(
        "objection-file-address",
        rate_limits.client_key(source),
        policy.filings_per_address_per_day,
        DAY,
        now,
        f"同一网络地址每天最多提交 {policy.filings_per_address_per_day} 件异议，请明天再试",
    )
    _limit(
        "objection-file-code",
        rate_limits.client_key(body.credit_code),
        policy.filings_per_credit_code_per_day,
        DAY,
        now,
        f"同一统一社会信用代码每天最多提交 {policy.filings_per_credit_code_per_day} 件异议，"
        "请明天再试",
        field="credit_code",
    )
    deadline = rules.answer_deadline(
        today, calendars.workday_calendar(), policy.answer_working_days
    )
    token = rules.new_token()
    at = iso_utc(now)
    contact = {k: v for k, v in body.contact.model_dump().items() if v is not None}

    def build(number: str) -> store.Objection:
        return store.Objection(
            pk=store.Objection.key(today.year),
            sk=number,
            number=number,
            kind=body.kind,
            credit_code=body.credit_code,
            award_id=award_id,
            authority_id=authority_id,
            description=body.description,
            state=rules.OPEN,
            filed_at=at,
            filed_on=today.isoformat(),
            routed_on=today.isoformat(),
            deadline=deadline.due_on.isoformat(),
            deadline_official="true" if deadline.official else "false",
            token_hash=rules.token_hash(token, secrets.server_secret()),
            contact=contact,
            evidence=[],
            history=[{"action": "filed", "at": at, "authority_id": authority_id}],
            open_pk=store.OPEN_PK,
        )

    item = ledger.until_committed(lambda: store.file_new(today.year, build))
    logger.info("objection filed", extra={"number": item.number, "authority_id": authority_id})
    return {
        **public_view(item),
        "token": token,
        "notice": KEEP_NOTICE,
        "notice_zh": KEEP_NOTICE_ZH,
    }


# --- the token holder --------------------------------------------------------------------


def _with_token(number: str, token: str | None) -> store.Objection:
    item = store.get(number)
    secret = secrets.server_secret()
    if item is None or not rules.token_matches(token, item.token_hash, secret):
        raise _not_found(number)
    return item


def lookup(number: str, token: str | None, now: datetime, source: str) -> dict[str, Any]:
    """``GET /v1/objections/{number}?token=``: the state and the answer, for the token holder."""
    policy = settings().objections
    _limit(
        "objection-lookup-address",
        rate_limits.client_key(source),
        policy.lookups_per_address_per_hour,
        HOUR,
        now,
        "查询过于频繁，请稍后再试",
    )
    return public_view(_with_token(number, token))


def request_evidence(number: str, body: EvidenceIn, now: datetime) -> dict[str, Any]:
    """``POST /v1/objections/{number}/evidence``: declare a file, get its presigned upload."""
    _with_token(number, body.token)
    policy = settings().objections
    if body.size > policy.max_evidence_bytes:
        raise BusinessRuleError(
            "evidence_too_large",
            f"an evidence file may be at most {policy.max_evidence_bytes} bytes",
            field="size",
            message_zh="字段 size：证明材料每个文件不得超过 "
            f"{policy.max_evidence_bytes // (1024 * 1024)} MB",
        )
    at = iso_utc(now)
    evidence_id = new_id("evd")
    evidence: dict[str, Any] = {
        "id": evidence_id,
        "filename": body.filename,
        "content_type": body.content_type,
        "size": body.size,
        "sha256": body.sha256,
        "status": "pending",
        "created_at": at,
    }

    def attempt() -> None:
        current = store.get(number)
        assert current is not None
        if current.state != rules.OPEN:
            raise ConflictError(
                "invalid_state",
                "the objection is answered; it takes no more evidence",
                message_zh="该异议已答复，不能再上传证明材料",
            )
        if len(current.evidence or []) >= policy.max_evidence:
            raise BusinessRuleError(
                "too_many_evidence",
                f"an objection holds at most {policy.max_evidence} evidence files",
                field="evidence",
                message_zh=f"每件异议最多上传 {policy.max_evidence} 个证明材料",
            )
        current.evidence = [*(current.evidence or []), evidence]
        current.history = [*current.history, {"action": "evidence", "at": at, "id": evidence["id"]}]
        ledger.save_if_unchanged(current)

    ledger.until_committed(attempt)
    post = objects.presigned_post(
        upload_key(number, evidence_id),
        content_type=body.content_type,
        size=body.size,
        seconds=settings().upload_url_seconds,
    )
    return {
        "evidence_id": evidence_id,
        "evidence": _evidence_view(number, evidence, links=False),
        "upload": {
            "url": post["url"],
            "fields": post["fields"],
            "expires_in": settings().upload_url_seconds,
        },
    }


def _find_evidence(item: store.Objection, evidence_id: str) -> dict[str, Any]:
    for evidence in item.evidence or []:
        if evidence.get("id") == evidence_id:
            return evidence
    raise NotFoundError(f"no evidence {evidence_id[:64]} on this objection")


def check_evidence(
    number: str, evidence_id: str, body: ObjectionTokenIn, now: datetime
) -> dict[str, Any]:
    """``POST /v1/objections/{number}/evidence/{id}/check``: judge the stored file once.

    The same check as an approval document (magic bytes, size, SHA-256): a
    verified file is copied where only the routed province's links read it, a
    rejected one moved to quarantine. Idempotent; 409 ``upload_missing`` before
    the upload.
    """
    _with_token(number, body.token)
    if not is_plausible_id(evidence_id, "evd"):
        raise NotFoundError(f"no evidence {evidence_id[:64]} on this objection")
    max_bytes = settings().objections.max_evidence_bytes
    for _ in range(_CHECK_ATTEMPTS):
        item = store.get(number)
        assert item is not None
        evidence = _find_evidence(item, evidence_id)
        if evidence.get("status") != "pending":
            return _evidence_view(number, evidence, links=False)
        expected = Expected(evidence["content_type"], int(evidence["size"]), evidence["sha256"])
        source = upload_key(number, evidence_id)
        try:
            verdict, etag = inspect_upload(expected, source, max_bytes=max_bytes)
            if verdict.ok:
                objects.copy(source, verified_key(number, evidence_id), if_match=etag)
            else:
                tags = {"registry-status": "rejected", "reason": verdict.code or "rejected"}
                objects.copy(source, quarantine_key(number, evidence_id), if_match=etag, tags=tags)
                objects.delete(source)
        except (objects.PreconditionFailed, objects.NotFound):
            continue  # replaced while read: judge the new bytes
        return _record_verdict(number, evidence_id, verdict, now)
    raise UnavailableError("the upload kept changing while it was checked; try again")


def _record_verdict(number: str, evidence_id: str, verdict: Any, now: datetime) -> dict:
    at = iso_utc(now)

    def attempt() -> dict[str, Any]:
        item = store.get(number)
        assert item is not None
        evidence = _find_evidence(item, evidence_id)
        if evidence.get("status") != "pending":
            return _evidence_view(number, evidence, links=False)
        checked = {**evidence, "status": "verified" if verdict.ok else "rejected", "checked_at": at}
        if not verdict.ok:
            checked["reason"] = verdict.reason
            checked["reason_code"] = verdict.code
        item.evidence = [checked if e.get("id") == evidence_id else e for e in item.evidence]
        ledger.save_if_unchanged(item)
        return _evidence_view(number, checked, links=False)

    return ledger.until_committed(attempt)


# --- the routed province and administrators ----------------------------------------------


def _visible(principal: Principal, number: str) -> store.Objection:
    """The objection if the caller may read it; 404 otherwise (another province's too)."""
    item = store.get(number)
    if item is None or not (principal.is_admin or principal.owns(item.authority_id)):
        raise NotFoundError(f"no objection {number[:32]}")
    return item


def get_objection(
    principal: Principal | None, number: str, token: str | None, now: datetime, source: str
) -> dict[str, Any]:
    """``GET /v1/objections/{number}``: the full view with a key, the public one with a token."""
    if principal is None:
        return lookup(number, token, now, source)
    item = _visible(principal, number)
    view = full_view(item, china_date(now))
    if item.state == rules.OPEN:
        view["changes_since_filing"] = _changes_since_filing(item)
    return view


def _changes_since_filing(item: store.Objection) -> list[dict[str, Any]]:
    """Award changes of the routed province since filing that could back ``corrected``."""
    if item.award_id is None:
        return []
    found = []
    for entry in store.award_changes_after(item.award_id, item.authority_id, item.filed_at):
        if (
            rules.change_problem(
                entry,
                authority_id=item.authority_id,
                filed_at=item.filed_at,
                award_id=item.award_id,
                credit_code=item.credit_code,
            )
            is None
        ):
            found.append({k: entry[k] for k in ("seq", "op", "entity_id", "committed_at")})
    return found


def list_objections(principal: Principal, query: ObjectionFilter, now: datetime) -> dict[str, Any]:
    """``GET /v1/objections``: a province its own, an administrator all; newest number first.

    Filters ``state`` (open | answered), ``overdue``, ``authority_id`` (administrators; a
    province may pass only its own), read at the edge. The filters are checked on the
    items read, at most ``read_bound(limit)`` per page (README "Short pages").
    """
    wanted, state, overdue, limit = query.authority_id, query.state, query.overdue, query.limit
    if not principal.is_admin:
        if wanted is not None and wanted != principal.authority_id:
            raise ForbiddenError("a province lists only its own objections")
        wanted = principal.authority_id
    # The filters as sent (``overdue`` as its text): cursors stay bound as they were.
    overdue_text = None if overdue is None else ("true" if overdue else "false")
    config = settings()
    scope = scope_of(
        "objections", {"authority_id": wanted, "state": state, "overdue": overdue_text}
    )
    before: str | None = None
    if query.cursor:
        position = decode_cursor(query.cursor, secret=secrets.server_secret(), scope=scope)
        before = position.get("before") if isinstance(position, dict) else None
        if not isinstance(before, str) or rules.parse_number(before) is None:
            raise ValidationError("the cursor is malformed", field="cursor")
    today = china_date(now)
    budget = config.read_bound(limit)
    found: list[store.Objection] = []
    last_read: str | None = None
    exhausted = False
    parsed = rules.parse_number(before) if before else None
    year = parsed[0] if parsed else today.year
    first_year = 2021
    while len(found) <= limit and budget > 0:
        size = min(budget, max(limit + 1 - len(found), 25))
        if wanted is not None:
            rows, more = store.of_authority(wanted, before=before, size=size)
        else:
            rows, more = store.of_year(year, before=before, size=size)
        budget -= size
        for row in rows:
            last_read = row.sk
            if state is not None and row.state != state:
                continue
            if overdue is not None:
                late = row.state == rules.OPEN and rules.is_overdue(_deadline(row), today=today)
                if late != overdue:
                    continue
            found.append(row)
            if len(found) > limit:
                break
        if len(found) > limit:
            break
        if rows:
            before = rows[-1].sk
        if not more:
            if wanted is not None or year <= first_year:
                exhausted = True
                break
            year -= 1
            before = rules.format_number(year, 999999) + "~"
    next_before = None
    if len(found) > limit:
        found = found[:limit]
        next_before = found[-1].sk
    elif not exhausted and last_read is not None:
        next_before = last_read
    next_cursor = (
        encode_cursor({"before": next_before}, secret=secrets.server_secret(), scope=scope)
        if next_before
        else None
    )
    return {
        "items": [full_view(item, today, links=False) for item in found],
        "next_cursor": next_cursor,
    }


def answer(
    principal: Principal, number: str, body: ObjectionAnswerIn, now: datetime
) -> dict[str, Any]:
    """``POST /v1/objections/{number}/answer``: corrected, upheld or (admin) transferred."""
    if body.outcome == "transferred":
        if not principal.is_admin:
            raise ForbiddenError(
                "only administrators transfer an objection",
                message_zh="只有管理员可以转交异议",
            )
        return _transfer(principal, number, body, now)
    if principal.is_admin:
        raise ForbiddenError(
            "the routed province answers; administrators may only transfer",
            message_zh="异议由承办的省级主管部门答复；管理员只能转交",
        )
    if body.outcome == "upheld" and len(body.reply) < 10:
        raise ValidationError(
            "reply must have at least 10 characters for upheld",
            field="reply",
            message_zh="字段 reply：答复“原信息无误”须说明理由，不少于 10 个字",
        )
    change_seq = body.change_seq
    if body.outcome == "corrected" and change_seq is None:
        raise ValidationError(
            "change_seq is required for corrected: the seq of the award change made",
            field="change_seq",
            message_zh="字段 change_seq：答复“已更正”须指明所做的获奖信息变更（变更序号）",
        )
    at = iso_utc(now)
    today = china_date(now)

    def attempt() -> dict[str, Any]:
        item = _visible(principal, number)
        _require_open(item)
        change = None
        if body.outcome == "corrected" and change_seq is not None:
            change = _checked_change(item, change_seq)
        deadline = _deadline(item)
        on_time = today <= deadline.due_on
        days = rules.working_days_to_answer(
            date.fromisoformat(item.routed_on), today, calendars.workday_calendar()
        )
        item.answer = {
            "outcome": body.outcome,
            "reply": body.reply,
            "at": at,
            "by": principal.key_id,
            "on_time": on_time,
            "working_days": days,
            **({"change": change} if change else {}),
        }
        item.state = rules.ANSWERED
        item.answered_at = at
        item.open_pk = None
        item.erase_pk = store.ERASE_PK
        erase = rules.erase_on(today, settings().objections.erase_after_years)
        item.erase_on = erase.isoformat()
        item.history = [
            *item.history,
            {
                "action": "answered",
                "outcome": body.outcome,
                "at": at,
                "authority_id": item.authority_id,
                **({"change_seq": change["seq"]} if change else {}),
            },
        ]
        moves = [
            (
                item.authority_id,
                {
                    "answered": 1,
                    "answered_on_time": int(on_time),
                    "corrected": int(body.outcome == "corrected"),
                },
            ),
            (store.ObjectionStats.days_key(item.authority_id, days), {"answers": 1}),
        ]
        store.save_with_stats(item, moves)
        return full_view(item, today)

    return ledger.until_committed(attempt)


def _require_open(item: store.Objection) -> None:
    if item.state != rules.OPEN:
        raise ConflictError(
            "invalid_state",
            f"objection {item.number} is already answered",
            message_zh="该异议已经答复，不能再次答复",
        )


def _checked_change(item: store.Objection, seq: int) -> dict[str, Any]:
    entry = store.change_entry(item.authority_id, seq)
    problem = (
        "there is no change with this seq in your change feed"
        if entry is None
        else rules.change_problem(
            entry,
            authority_id=item.authority_id,
            filed_at=item.filed_at,
            award_id=item.award_id,
            credit_code=item.credit_code,
        )
    )
    if problem is not None:
        raise BusinessRuleError(
            "invalid_change",
            problem,
            field="change_seq",
            message_zh="字段 change_seq：所指的变更不能证明已更正（须是受理异议后对该获奖信息的"
            "更正、撤销，或新报送的含该企业的获奖信息）",
        )
    assert entry is not None
    return {
        "authority_id": entry["authority_id"],
        "seq": entry["seq"],
        "op": entry["op"],
        "award_id": entry["entity_id"],
        "committed_at": entry["committed_at"],
    }


def _transfer(
    principal: Principal, number: str, body: ObjectionAnswerIn, now: datetime
) -> dict[str, Any]:
    target = body.authority_id
    if target is None:
        raise ValidationError(
            "authority_id is required to transfer",
            field="authority_id",
            message_zh="字段 authority_id：转交须选择接收的省级主管部门",
        )
    if target not in AUTHORITY_IDS:
        raise ValidationError("unknown authority_id", field="authority_id")
    at = iso_utc(now)
    today = china_date(now)
    policy = settings().objections

    def attempt() -> dict[str, Any]:
        item = _visible(principal, number)
        _require_open(item)
        if item.authority_id == target:
            raise ConflictError(
                "invalid_state",
                f"the objection is already with {target}",
                field="authority_id",
                message_zh="该异议已由该单位承办",
            )
        source = item.authority_id
        deadline = rules.answer_deadline(
            today, calendars.workday_calendar(), policy.answer_working_days
        )
        item.authority_id = target
        item.routed_on = today.isoformat()
        item.deadline = deadline.due_on.isoformat()
        item.deadline_official = "true" if deadline.official else "false"
        item.history = [
            *item.history,
            {
                "action": "transferred",
                "at": at,
                "from": source,
                "authority_id": target,
                "reply": body.reply,
            },
        ]
        store.save_with_stats(item, [(source, {"transferred_away": 1}), (target, {"received": 1})])
        return full_view(item, today)

    return ledger.until_committed(attempt)


# --- erasure (the daily audit) -----------------------------------------------------------


def erase_due(today: date, now: datetime) -> list[str]:
    """Erase contact and evidence of objections closed long enough ago; their numbers.

    As a redaction erases: the fields go, the objection stays with an ``erased``
    history entry; the evidence files are purged, every stored version of them.
    """
    at = iso_utc(now)
    erased = []
    for due in store.due_for_erasure(today.isoformat()):

        def attempt(number: str = due.number) -> None:
            item = store.get(number)
            if item is None or not item.erase_pk:
                return
            # for good: every version and delete marker (a plain delete in the versioned
            # bucket would keep the bytes as a noncurrent version)
            for prefix in (
                EVIDENCE_UPLOAD_PREFIX,
                EVIDENCE_VERIFIED_PREFIX,
                EVIDENCE_QUARANTINE_PREFIX,
            ):
                objects.purge(f"{prefix}{number}/")
            item.contact = None
            item.evidence = [{"id": e["id"], "status": "erased"} for e in item.evidence or []]
            item.erased_at = at
            item.erase_pk = None
            item.erase_on = None
            item.history = [*item.history, {"action": "erased", "at": at}]
            ledger.save_if_unchanged(item)

        ledger.until_committed(attempt)
        erased.append(due.number)
    return erased


# --- statistics --------------------------------------------------------------------------


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def at(position: int) -> int:
        seen = 0
        for days, count in ordered:
            seen += count
            if position < seen:
                return days
        return ordered[-1][0]

    if total % 2:
        return float(at(total // 2))
    return (at(total // 2 - 1) + at(total // 2)) / 2


def authority_stats(today: date) -> dict[str, dict[str, Any]]:
    """Per routed province: open, overdue, received, answered (on time), corrected, median."""
    counters, days = store.all_stats()
    open_by: dict[str, list[store.Objection]] = {}
    for item in store.open_objections():
        open_by.setdefault(item.authority_id, []).append(item)
    rows = {}
    for authority_id in AUTHORITY_IDS:
        counter = counters.get(authority_id)
        waiting = open_by.get(authority_id, [])
        answered = int(counter.answered or 0) if counter else 0
        on_time = int(counter.answered_on_time or 0) if counter else 0
        corrected = int(counter.corrected or 0) if counter else 0
        rows[authority_id] = {
            "received": int(counter.received or 0) if counter else 0,
            "open": len(waiting),
            "overdue": sum(rules.is_overdue(_deadline(i), today=today) for i in waiting),
            "answered": answered,
            "answered_on_time": on_time,
            "corrected": corrected,
            "on_time_share": round(on_time / answered, 4) if answered else None,
            "corrected_share": round(corrected / answered, 4) if answered else None,
            "median_working_days_to_answer": _median(days.get(authority_id, {})),
        }
    return rows
