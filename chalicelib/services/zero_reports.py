"""Zero reports (零报告): a province declares that it made no in-scope awards in a period.

The audit does not flag a programme's silence for days a zero report covers
(``domain.audit_rules.gap_covered``). Reports are kept as filed; a later one
may extend or overlap an earlier one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.china_time import china_date
from chalicelib.domain.cursor import decode_cursor, encode_cursor, scope_of
from chalicelib.domain.errors import (
    ForbiddenError,
    InvalidCursorError,
    ValidationError,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import PROVINCIAL, Principal, Province
from chalicelib.domain.queries import ZeroReportFilter
from chalicelib.store import secrets, submissions
from chalicelib.store.base import iso_utc
from chalicelib.store.submissions import ZeroReport, zero_reports_of


def zero_report_view(report: ZeroReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "authority_id": report.authority_id,
        "period_from": report.period_from,
        "period_to": report.period_to,
        "note": report.note,
        "created_at": report.created_at,
    }


def file_zero_report(
    principal: Province, body: schemas.ZeroReportIn, now: datetime
) -> dict[str, Any]:
    today = china_date(now)
    earliest = settings().backfill_from
    if body.period_from < earliest:
        raise ValidationError(
            f"period_from must be on or after {earliest.isoformat()}", field="period_from"
        )
    if body.period_to < body.period_from:
        raise ValidationError("period_to must not be before period_from", field="period_to")
    if body.period_to > today:
        raise ValidationError(
            f"period_to must not be after today ({today.isoformat()}, China time)",
            field="period_to",
        )
    report_id = new_id("zro")
    report = submissions.add_zero_report(
        principal.authority_id,
        report_id=report_id,
        period_to=body.period_to.isoformat(),
        period_from=body.period_from.isoformat(),
        note=body.note,
        created_at=iso_utc(now),
        created_by=principal.key_id,
    )
    return zero_report_view(report)


def list_zero_reports(principal: Principal, query: ZeroReportFilter) -> dict:
    """``GET /v1/zero-reports``: a province its own reports, an administrator everyone's.

    Ordered by authority, then latest period end first. An administrator's
    unfiltered list walks the authorities in code order, one Query each, so a
    page costs at most one Query per authority (33) however many reports exist;
    the cursor holds the authority and the last sort key, signed for the filter.
    """
    wanted, limit = query.authority_id, query.limit
    if principal.is_admin:
        authorities = [wanted] if wanted else sorted(AUTHORITY_IDS)
    elif principal.role == PROVINCIAL and principal.authority_id:
        if wanted is not None and wanted != principal.authority_id:
            raise ForbiddenError("a province lists only its own zero reports")
        authorities = [principal.authority_id]
    else:
        raise ForbiddenError("this route is for provinces and administrators")
    secret = secrets.server_secret()
    scope = scope_of("zero-reports", {"authority_id": wanted})
    start, before = 0, None
    if query.cursor:
        position = decode_cursor(query.cursor, secret=secret, scope=scope)
        if not isinstance(position, dict) or position.get("authority_id") not in authorities:
            raise InvalidCursorError("the cursor is not for these reports", field="cursor")
        start, before = authorities.index(position["authority_id"]), position.get("before")
    items: list[ZeroReport] = []
    for authority_id in authorities[start:]:
        items += zero_reports_of(authority_id, before=before, limit=limit + 1 - len(items))
        before = None
        if len(items) > limit:
            break
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = encode_cursor(
            {"authority_id": last.authority_id, "before": last.sk}, secret=secret, scope=scope
        )
    return {"items": [zero_report_view(item) for item in items], "next_cursor": next_cursor}


def periods_ending_on_or_after(authority_id: str, day: date) -> list[tuple[date, date]]:
    """The authority's zero-report periods that end on or after ``day``.

    Sorted by their end in the key, so a Query reads only these, however many
    older reports the authority filed.
    """
    reports = submissions.zero_reports_ending_from(authority_id, day.isoformat())
    return [(date.fromisoformat(r.period_from), date.fromisoformat(r.period_to)) for r in reports]
