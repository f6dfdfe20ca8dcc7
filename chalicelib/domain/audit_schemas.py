"""Request schemas of the audit's routes: calendar, excuse, zero reports, feedback.

Same conventions as ``schemas.py`` (strict types, trimmed NFC text, unknown
fields refused); parse them with ``schemas.parse_model`` so a bad field is a
400 naming it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.domain.schemas import IsoDate, Text, _Schema

MAX_CALENDAR_DATES = 366


class CalendarIn(_Schema):
    """The State Council's arrangement of one year: days off and make-up working days."""

    holidays: Annotated[list[IsoDate], Field(max_length=MAX_CALENDAR_DATES)]
    workdays: Annotated[list[IsoDate], Field(max_length=MAX_CALENDAR_DATES)]


class ExcuseIn(_Schema):
    """Why an administrator accepts a late push as justified."""

    reason: Text(500)


class ZeroReportIn(_Schema):
    """ "No in-scope awards in this period" (零报告), filed by a province."""

    period_from: IsoDate
    period_to: IsoDate
    note: Text(1000)


class FeedbackIn(_Schema):
    """An idea or a problem reported to MOHURD's Construction Market Supervision Department."""

    subject: Text(200)
    body: Text(5000)


class AuditRunIn(_Schema):
    """Optional body of ``POST /v1/audit/run``: the China date to audit as (default today)."""

    date: IsoDate | None = None
