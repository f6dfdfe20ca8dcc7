"""Property-based contract test: schemathesis drives the running stack from /v1/openapi.json.

Every public GET and every provincial route gets generated requests, valid
ones and invalid ones (wrong types, missing fields, out-of-range values, odd
strings), at most 25 per operation; each answer must not be a 5xx, must use a
documented status code and content type, and must match the documented
response schema.

The operations are driven with ``operation.as_strategy`` under Hypothesis
directly: schemathesis' lazy pytest loader (needed because the stack starts in
a fixture) reads a node attribute pytest 9.2 no longer has.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# 25 requests per operation: 13 valid, 12 invalid.
EXAMPLES = {GenerationMode.POSITIVE: 13, GenerationMode.NEGATIVE: 12}


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


def exercise(schema, headers: dict[str, str] | None = None) -> tuple[Counter, list[str]]:
    """Run every operation of ``schema``; return the statuses seen and what failed."""
    statuses: Counter = Counter()
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            strategy = operation.as_strategy(generation_mode=mode)
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


def test_public_reads_hold_their_contract(api_schema):
    statuses, problems = exercise(api_schema.include(tag="public", method="GET"))
    assert problems == [], "\n\n".join(problems)
    operations = {label for label, _ in statuses}
    assert {"GET /v1/changes", "GET /v1/feed.json", "GET /v1/awards/{award_id}"} <= operations
    assert statuses["GET /v1/changes", 200] and statuses["GET /v1/changes", 400]


def test_provincial_routes_hold_their_contract(stack, api_schema):
    key = stack.issue_key("--authority", "620000")["api_key"]
    statuses, problems = exercise(
        api_schema.include(tag="provincial"), {"Authorization": f"Bearer {key}"}
    )
    assert problems == [], "\n\n".join(problems)
    operations = {label for label, _ in statuses}
    assert {"POST /v1/awards", "PUT /v1/awards/{award_id}", "POST /v1/programs"} <= operations
    assert statuses["POST /v1/programs", 201], statuses  # valid bodies get through
