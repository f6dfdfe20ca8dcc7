"""Typed query filters: what a list route's query string means, read once at the edge.

``api/http.py`` reads a route's declared ``Param``s (their schemas hold the limits:
ranges, lengths, choices) into one of these dataclasses and hands it to the service, so
a service gets values (``year: int``, ``include_revoked: bool``) and re-checks nothing
the route declared. What needs a domain rule (a credit code's check character, a name
folded before it is measured, a signed cursor) is still checked by that rule, in the
service. Field names are the parameters' names. Pure: imported at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass

# The years a working-day calendar may be read or loaded for (``/v1/calendar/{year}``).
CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Page:
    """A list with no filter (``GET /v1/keys``, ``GET /v1/audit/runs``): a page at a time."""

    limit: int
    cursor: str | None = None


@dataclass(frozen=True)
class ChangesQuery:
    """``GET /v1/changes``: the entries after ``since`` (a cursor; none: the beginning)."""

    limit: int
    since: str | None = None


@dataclass(frozen=True)
class AwardFilter:
    """``GET /v1/awards``: the filters, the name search (``q``, ``sort``) and the page."""

    limit: int
    authority_id: str | None = None
    program_id: str | None = None
    year: int | None = None
    credit_code: str | None = None
    enterprise_name: str | None = None
    source_id: str | None = None
    include_revoked: bool = False
    q: str | None = None
    sort: str = "date"
    cursor: str | None = None


@dataclass(frozen=True)
class ProgramFilter:
    """``GET /v1/programs``: one authority's, or one status, a page at a time."""

    limit: int
    authority_id: str | None = None
    status: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class FeedbackFilter:
    """``GET /v1/feedback``: one authority's (a province: its own), China dates of arrival
    ``from``..``to`` as sent (``YYYY-MM-DD``, read by the date rule)."""

    limit: int
    authority_id: str | None = None
    from_: str | None = None
    to: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class ZeroReportFilter:
    """``GET /v1/zero-reports``: one authority's (a province: its own), a page at a time."""

    limit: int
    authority_id: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class MonthRange:
    """``GET /v1/stats/pilot``: ``from``..``to`` as sent (``YYYY-MM``, read by the month rule)."""

    from_: str | None = None
    to: str | None = None


@dataclass(frozen=True)
class VerifyQuery:
    """``GET /v1/verify`` (and the pages a printout or a receipt reads): one enterprise."""

    credit_code: str | None
    limit: int
    cursor: str | None = None


@dataclass(frozen=True)
class CreditCodeQuery:
    """``GET /v1/verify/receipt`` and ``/v1/verify/print``: one enterprise, every page of
    its verify answer (the code as sent: the credit-code rule checks it, as verify does)."""

    credit_code: str | None = None


@dataclass(frozen=True)
class FeedQuery:
    """``GET /v1/feed.json``: the page after ``cursor`` (none: the latest awards)."""

    cursor: str | None = None


@dataclass(frozen=True)
class DocumentLinkQuery:
    """``GET /v1/programs/{id}/documents/{document_id}``: ``format=json`` answers the link
    as JSON instead of redirecting to it."""

    format: str | None = None


@dataclass(frozen=True)
class ObjectionFilter:
    """``GET /v1/objections``: one authority's (a province: its own), open or answered,
    overdue or not, a page at a time."""

    limit: int
    authority_id: str | None = None
    state: str | None = None
    overdue: bool | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class ObjectionLookup:
    """``GET /v1/objections/{number}``: the lookup token given at filing (not needed with
    a key); compared by the service, never measured, so a wrong one of any length is a 404."""

    token: str | None = None


@dataclass(frozen=True)
class QualityFilter:
    """``GET /v1/quality/findings``: one check, severity, state or authority (a province:
    its own), a page at a time."""

    limit: int
    rule: str | None = None
    severity: str | None = None
    state: str | None = None
    authority_id: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class SubscriptionFilter:
    """``GET /v1/subscriptions``: one owner's (a province: its own), a page at a time."""

    limit: int
    authority_id: str | None = None
    cursor: str | None = None
