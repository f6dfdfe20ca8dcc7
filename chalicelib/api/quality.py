"""Data-quality findings (数据质量, issue 22): provinces their own, administrators all.

Never public: every route needs a key. The checks themselves run in the daily
audit (``services/quality.py``); an administrator's rescan runs them over every
award in the background.
"""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT, SHORT_PAGES, Param, _id_pattern
from chalicelib.api.http import json_response, route
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal
from chalicelib.domain.queries import QualityFilter
from chalicelib.services import quality_findings, quality_rescan

bp = Blueprint(__name__)

RULES = (
    "duplicate_award",
    "cross_province_duplicate",
    "name_drift",
    "before_approval",
    "cycle_mismatch",
    "announcement_reused",
    "registration_elsewhere",
)


def _one_of(name: str, values: tuple[str, ...], description: str) -> Param:
    """A filter taking one of ``values``; a bad one is a 400 listing them all."""
    return Param(
        name,
        {"type": "string", "enum": list(values)},
        description,
        message=f"{name} must be one of {', '.join(values)}",
    )


RULE = _one_of("rule", RULES, "One check's findings.")
SEVERITY = _one_of("severity", ("error", "warning", "info"), "One severity.")
STATE = _one_of(
    "state", ("open", "corrected", "explained", "accepted", "closed"), "Findings in one state."
)
FINDING_ID = r"^qf_[0-9a-f]{24}$"
RESCAN_ID = _id_pattern("rsc")


@route(
    bp,
    "GET",
    "/quality/findings",
    summary="Data-quality findings: a province its own, an administrator everyone's",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # an administrator reads every province's
    ok={200: "QualityFindingListOut"},
    auth="required",
    query=(RULE, SEVERITY, STATE, AUTHORITY, LIMIT, CURSOR),
    description="Each finding names its `rule` (duplicate_award, cross_province_duplicate, "
    "name_drift, before_approval, cycle_mismatch, announcement_reused, "
    "registration_elsewhere), `severity`, an explanation in Chinese and English, the "
    "records involved (public fields only) with the fields that differ, and its `state`. "
    "A province may pass only its own `authority_id` (another is 403). Severity and state "
    "are checked on the items read: " + SHORT_PAGES.replace("awards", "items"),
)
def list_findings(principal: Principal, query: QualityFilter) -> Response:
    return json_response(quality_findings.list_findings(principal, query))


@route(
    bp,
    "GET",
    "/quality/findings/{finding_id}",
    summary="One data-quality finding",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),
    ok={200: "QualityFindingOut"},
    auth="required",
    errors=(404,),
    path_patterns={"finding_id": FINDING_ID},
)
def get_finding(finding_id: str, principal: Principal) -> Response:
    return json_response(quality_findings.get_finding(principal, finding_id))


@route(
    bp,
    "POST",
    "/quality/findings/{finding_id}/resolve",
    summary="Answer a data-quality finding (province: corrected or explained; "
    "administrator: accept or reopen)",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),  # a province answers, an administrator accepts or reopens
    ok={200: "QualityFindingOut"},
    auth="required",
    errors=(404, 409),
    path_patterns={"finding_id": FINDING_ID},
    description="`corrected`: the province fixed the records; the next audit run checks "
    "them and closes the finding (or reopens it when they still match). `explained`: "
    "`reason` of at least 10 characters; an administrator then may `accept` it or `reopen` "
    "the finding. A move the finding's state does not allow is 409 `invalid_state`.",
)
def resolve_finding(
    finding_id: str, principal: Principal, body: schemas.QualityResolveIn, now: datetime
) -> Response:
    return json_response(quality_findings.resolve(principal, finding_id, body, now))


@route(
    bp,
    "POST",
    "/quality/rescan",
    summary="Run the data-quality checks over every award once, in the background",
    audience="admin",
    ok={202: "QualityRescanOut"},
    auth="required",
    description="For the first backfill: the daily audit checks only what changed. "
    "Answers the job at once; `GET /v1/quality/rescans/{id}` tells its progress.",
)
def start_rescan(principal: Principal, now: datetime) -> Response:
    return json_response(quality_rescan.start(principal, now), status=202)


@route(
    bp,
    "GET",
    "/quality/rescans/{rescan_id}",
    summary="A data-quality rescan's progress",
    audience="admin",
    ok={200: "QualityRescanOut"},
    auth="required",
    errors=(404,),
    path_patterns={"rescan_id": RESCAN_ID},
)
def rescan_status(rescan_id: str, principal: Principal) -> Response:
    return json_response(quality_rescan.status(principal, rescan_id))
