"""Property-based contract test: schemathesis drives the running stack from /v1/openapi.json.

Every public GET, every provincial route and the admin review routes get
generated requests, valid ones and invalid ones (wrong types, missing fields,
out-of-range values, odd strings), at most 25 per operation; each answer must
not be a 5xx, must use a documented status code, content type and headers,
and must match the documented response schema.

Generated ids name nothing, so every route would stop at 404. The routes of
approval documents and of the review are therefore also pointed at objects
that exist (a draft with a pending and a verified document, a submitted
programme): most generated requests then reach the route's own rules
(201, 409 ``upload_missing``, 422 ``too_many_documents``, 302, 200).

The operations are driven with ``operation.as_strategy`` under Hypothesis
directly: schemathesis' lazy pytest loader (needed because the stack starts in
a fixture) reads a node attribute pytest 9.2 no longer has.
"""

from __future__ import annotations

from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.helpers import bearer, submitted_program, verified_document
from tests.factories import award_body, credit_code, document_body, pdf_bytes, program_body
from tests.steps import Http, push

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# 25 requests per operation: 13 valid, 12 invalid.
EXAMPLES = {GenerationMode.POSITIVE: 13, GenerationMode.NEGATIVE: 12}
# The feed reads the newest awards of every shard, and moto's GSI queries read the whole
# table: ~2 s a request once the backfill test has stored its 5,000 awards (production
# DynamoDB has no such cost). Its one parameter needs few cases; the run stays bounded.
FEWER = {"GET /v1/feed.json": {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 5}}
GENERATED = object()  # keep the generated path parameter (which names nothing)
DOCUMENTS = r"/documents"
# Webhook subscriptions (issue 21): a generated `url` would be resolved by the SSRF guard
# (DNS traffic off 127.0.0.1) and a ping would POST to it. Their real answers are checked
# against the document in tests/functional/test_webhooks.py.
SUBSCRIPTIONS = r"/subscriptions"
DOCUMENTS_BEFORE = 8
# Running the audit is not a request Hypothesis can repeat: the first call audits the
# stack's whole backlog (thousands of changes once the backfill test ran, slow on a busy
# machine), a repeat of the same case finds nothing new or the date's lease held, so a
# failure could not be reproduced ("unreliable results"). Its real answers are checked
# against the document in tests/functional/audit/test_openapi_audit.py.
AUDIT_RUN = "POST /v1/audit/run"


BOUNDS = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}


def _call(label: str, headers: dict[str, str] | None, statuses: Counter):
    def call(case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
        statuses[(label, response.status_code)] += 1

    return call


def _pointed_at(strategy, real: dict[str, list]):
    """Cases whose path and query parameters name real things, mostly.

    A parameter the case carries is replaced by a value drawn from ``real``
    (``GENERATED`` keeps the generated one); the rest of the case stays as drawn.
    """
    if not real:
        return strategy
    picks = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in real.items()})

    def apply(drawn):
        case, chosen = drawn
        chosen = {k: v for k, v in chosen.items() if v is not GENERATED}
        path = {k: v for k, v in chosen.items() if k in (case.path_parameters or {})}
        query = {k: v for k, v in chosen.items() if k in (case.query or {})}
        if path:
            case.path_parameters = {**case.path_parameters, **path}
        if query:
            case.query = {**case.query, **query}
        return case

    return st.tuples(strategy, picks).map(apply)


def exercise(
    schema, headers: dict[str, str] | None = None, real: dict[str, list] | None = None
) -> tuple[Counter, list[str]]:
    """Run every operation of ``schema``; return the statuses seen and what failed."""
    statuses: Counter = Counter()
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in FEWER.get(operation.label, EXAMPLES).items():
            strategy = _pointed_at(operation.as_strategy(generation_mode=mode), real or {})
            run = settings(max_examples=examples, **BOUNDS)(
                given(case=strategy)(_call(operation.label, headers, statuses))
            )
            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no input
            except Exception as failure:  # Hypothesis re-raises the shrunk failing case
                problems.append(f"{operation.label} [{mode.value}]: {failure}")
    return statuses, problems


@pytest.fixture(scope="module")
def api_schema(stack):
    return schemathesis.openapi.from_url(stack.url("/v1/openapi.json"))


@pytest.fixture(scope="module")
def province(stack):
    """Gansu's key and a draft with one verified and pending (never uploaded) documents.

    A programme takes 10 documents (the default): 8 are declared here, so the
    generated declarations meet both the 201 and the 422 ``too_many_documents``.
    """
    key = stack.issue_key("--authority", "620000")["api_key"]
    created = requests.post(
        stack.url("/v1/programs"), json=program_body(), headers=bearer(key), timeout=30
    )
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    verified = verified_document(stack, key, program_id)
    for _ in range(DOCUMENTS_BEFORE - 1):
        pending = requests.post(
            stack.url(f"/v1/programs/{program_id}/documents"),
            json=document_body(pdf_bytes()),
            headers=bearer(key),
            timeout=30,
        )
        assert pending.status_code == 201, pending.text
    return {
        "key": key,
        "program_id": program_id,
        "verified": verified,
        "pending": pending.json()["document_id"],
    }


@pytest.fixture(scope="module")
def published(stack):
    """Ningxia's submitted programme with one award: something for the public reads to find."""
    key = stack.issue_key("--authority", "640000")["api_key"]
    program_id = submitted_program(stack, key)
    body = award_body(program_id, "NX-SCHEMATHESIS-1")
    body["winners"] = [
        {"name": "宁夏建工集团有限公司", "credit_code": credit_code(640), "role": "owner"}
    ]
    pushed = push(Http(stack), key, body)
    return {
        "program_id": [program_id, GENERATED],
        "award_id": [pushed["id"], GENERATED],
        "credit_code": [credit_code(640), GENERATED],
    }


def test_public_reads_hold_their_contract(api_schema, published):
    statuses, problems = exercise(api_schema.include(tag="public", method="GET"), real=published)
    assert problems == [], "\n\n".join(problems)
    operations = {label for label, _ in statuses}
    assert {
        "GET /v1/changes",
        "GET /v1/feed.json",
        "GET /v1/awards/{award_id}",
        "GET /v1/exports/latest",
        "GET /v1/templates/awards.xlsx",
        "GET /v1/verify/print",
        "GET /",
        "GET /static/{name}",
        "GET /v1/programs/{program_id}/documents/{document_id}",
    } <= operations
    assert statuses["GET /v1/changes", 200] and statuses["GET /v1/changes", 400]
    assert statuses["GET /static/{name}", 200] and statuses["GET /static/{name}", 404]
    assert statuses["GET /v1/templates/awards.xlsx", 200]
    for found in ("/v1/awards/{award_id}", "/v1/programs/{program_id}", "/v1/verify/print"):
        assert statuses[f"GET {found}", 200], statuses  # real ones, checked against the schema


def test_provincial_routes_hold_their_contract(api_schema, province):
    headers = bearer(province["key"])
    statuses, problems = exercise(
        api_schema.include(tag="provincial")
        .exclude(path_regex=DOCUMENTS)
        .exclude(path_regex=SUBSCRIPTIONS),
        headers,
    )
    assert problems == [], "\n\n".join(problems)
    operations = {label for label, _ in statuses}
    assert {"POST /v1/awards", "PUT /v1/awards/{award_id}", "POST /v1/programs"} <= operations
    assert statuses["POST /v1/programs", 201], statuses  # valid bodies get through


def test_document_routes_hold_their_contract(api_schema, province):
    """Declaration and check (provincial) and download (the owner's key) on a real draft."""
    real = {
        "program_id": [province["program_id"]] * 3 + [GENERATED],
        "document_id": [province["verified"], province["pending"], GENERATED],
    }
    statuses, problems = exercise(
        api_schema.include(path_regex=DOCUMENTS), bearer(province["key"]), real
    )
    assert problems == [], "\n\n".join(problems)
    declare = "POST /v1/programs/{program_id}/documents"
    check = "POST /v1/programs/{program_id}/documents/{document_id}/check"
    download = "GET /v1/programs/{program_id}/documents/{document_id}"
    assert statuses[declare, 201] and statuses[declare, 422], statuses  # 10 at most
    assert statuses[check, 200] and statuses[check, 409] and statuses[check, 404], statuses
    assert statuses[download, 302] and statuses[download, 409], statuses


def test_admin_review_routes_hold_their_contract(stack, api_schema):
    owner = stack.issue_key("--authority", "630000")["api_key"]
    admin = stack.issue_key("--admin")["api_key"]
    real = {"program_id": [submitted_program(stack, owner), GENERATED]}
    admin_routes = api_schema.include(tag="admin").exclude(name=AUDIT_RUN)
    statuses, problems = exercise(admin_routes, bearer(admin), real)
    assert problems == [], "\n\n".join(problems)
    review = "POST /v1/programs/{program_id}/review"
    assert statuses[review, 200] and statuses[review, 409], statuses
    assert statuses["POST /v1/programs/{program_id}/withdraw", 404], statuses
    assert "GET /v1/audit/runs" in {label for label, _ in statuses}
    assert AUDIT_RUN not in {label for label, _ in statuses}
