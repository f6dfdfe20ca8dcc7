"""Objections (异议): enterprises dispute a record; the routed province answers (issue 23)."""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT, Param
from chalicelib.api.http import json_response, route, source_ip
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal
from chalicelib.domain.queries import ObjectionFilter, ObjectionLookup
from chalicelib.services import objections

bp = Blueprint(__name__)

# ``domain.objections.NUMBER`` (not imported: it loads the calendar on a cold start).
NUMBER_PATH = {"number": r"^YY-(\d{4})-(\d{6})$"}
EVIDENCE_ID = r"^evd_[0-9A-HJKMNP-TV-Z]{26}$"
TOKEN = Param(
    "token",
    {"type": "string", "minLength": 16, "maxLength": 128},
    "The lookup token given once at filing (the public view); not needed with a key.",
    opaque=True,  # a wrong one, of any length, is the same 404 as an unknown number
)
STATE = Param(
    "state",
    {"type": "string", "enum": ["open", "answered"]},
    "Open or answered.",
    message="state must be one of open, answered",
)
OVERDUE = Param(
    "overdue",
    {"type": "string", "enum": ["true", "false"]},  # lower case only, as ever
    "Open and past the deadline.",
    parse=lambda text: text == "true",
)
NO_STORE = {"Cache-Control": "no-store"}
PRIVATE_DATA = (
    "Contact details and evidence are personal data: only the routed province and "
    "administrators read them (with their key); they are in no public answer, feed, export "
    "or webhook, and are erased 3 years after the objection closes."
)


@route(
    bp,
    "POST",
    "/objections",
    summary="File an objection to an award record (异议), without a key",
    audience="public",
    ok={201: "ObjectionFiledOut"},
    errors=(422, 429),
    description="`kind`: `wrong_facts` (信息有误) and `not_ours` (非本企业获奖) name the "
    "award (`award_id`, of which `credit_code` must be a winner); `missing_award` "
    "(奖项缺失) names the province that granted it (`authority_id`, no `award_id`); "
    "`other` names either. One of `contact.phone` (mainland mobile) and `contact.email` is "
    "required. The answer carries the objection `number` (YY-2026-000123) and the lookup "
    "`token`, shown only this once. At most 5 filings a day per source address and per "
    "credit code (429 with `Retry-After`). " + PRIVATE_DATA,
)
def file_objection(body: schemas.ObjectionIn, now: datetime) -> Response:
    answer = objections.file_objection(body, now, source_ip(bp.current_request))
    return json_response(answer, status=201, headers=NO_STORE)


@route(
    bp,
    "GET",
    "/objections",
    summary="Objections: a province the ones routed to it, an administrator all",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),
    ok={200: "ObjectionListOut"},
    auth="required",
    query=(AUTHORITY, STATE, OVERDUE, LIMIT, CURSOR),
    description="Newest number first. A province may pass only its own `authority_id`. "
    "Filters are checked on the items read (a page MAY be short and still carry a "
    "`next_cursor`).",
)
def list_objections(principal: Principal, query: ObjectionFilter, now: datetime) -> Response:
    return json_response(objections.list_objections(principal, query, now))


@route(
    bp,
    "GET",
    "/objections/{number}",
    summary="One objection: its state and answer with the token; everything with a key",
    audience="public",
    ok={200: "ObjectionOut"},
    auth="optional",
    query=(TOKEN,),
    errors=(429,),
    path_patterns=NUMBER_PATH,
    description="Without a key, `token` is required and the answer holds the state, the "
    "deadline and the province's answer, nothing else; an unknown number and a wrong token "
    "are the same 404. With the routed province's or an administrator's key: contact, "
    "evidence (verified files with short-lived links), history, working days left and the "
    "award changes since filing that could back a `corrected` answer.",
)
def get_objection(
    number: str, principal: Principal | None, query: ObjectionLookup, now: datetime
) -> Response:
    source = source_ip(bp.current_request)
    answer = objections.get_objection(principal, number, query.token, now, source)
    return json_response(answer, headers=NO_STORE)


@route(
    bp,
    "POST",
    "/objections/{number}/evidence",
    summary="Declare an evidence file (PDF, OFD, JPEG, PNG ≤ 10 MB) and get its upload form",
    audience="public",
    ok={201: "EvidenceUploadOut"},
    errors=(409, 422),
    path_patterns=NUMBER_PATH,
    description="With the lookup `token` in the body. At most 3 files; the form is an S3 "
    "presigned POST pinned to the declared type and size. Then call the check route.",
)
def request_evidence(number: str, body: schemas.EvidenceIn, now: datetime) -> Response:
    answer = objections.request_evidence(number, body, now)
    return json_response(answer, status=201, headers=NO_STORE)


@route(
    bp,
    "POST",
    "/objections/{number}/evidence/{evidence_id}/check",
    summary="Check an uploaded evidence file (magic bytes, size, SHA-256)",
    audience="public",
    ok={200: "EvidenceOut"},
    errors=(409,),
    path_patterns={**NUMBER_PATH, "evidence_id": EVIDENCE_ID},
    description="As for approval documents: `verified`, or `rejected` with `reason` (the "
    "file moved to quarantine); 409 `upload_missing` before the upload. Idempotent.",
)
def check_evidence(
    number: str, evidence_id: str, body: schemas.ObjectionTokenIn, now: datetime
) -> Response:
    answer = objections.check_evidence(number, evidence_id, body, now)
    return json_response(answer, headers=NO_STORE)


@route(
    bp,
    "POST",
    "/objections/{number}/answer",
    summary="Answer an objection: corrected or upheld (the province), transferred (admin)",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),
    ok={200: "ObjectionOut"},
    auth="required",
    errors=(409, 422),
    path_patterns=NUMBER_PATH,
    description="`corrected` names the award change made after filing by its `change_seq` "
    "(an update, revoke or new award of the answering province, checked: 422 "
    "`invalid_change`); `upheld` (原信息无误) needs a reply of at least 10 characters; "
    "`transferred` (administrators only) names the new `authority_id` and restarts the "
    "deadline. A second answer is 409 `invalid_state`.",
)
def answer_objection(
    number: str, principal: Principal, body: schemas.ObjectionAnswerIn, now: datetime
) -> Response:
    return json_response(objections.answer(principal, number, body, now))
