"""A bad value of a declared query parameter is a 400 naming it, with the words of the rule.

Issue 20.2 (typed at the edge): these routes read their filters into typed queries at
the edge (``api/http.py``, ``domain/queries.py``) instead of in each service. The
answers were pinned here before that move and must not change: same status, same
field, same message (and so the same ``message_zh``).
"""

from __future__ import annotations

import pytest

UNKNOWN_SUBSCRIPTION = "sub_" + "0" * 26


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/v1/objections?state=closed", "state", "state must be one of open, answered"),
        ("/v1/objections?overdue=yes", "overdue", "overdue must be true or false"),
        ("/v1/objections?overdue=TRUE", "overdue", "overdue must be true or false"),
        ("/v1/objections?authority_id=999999", "authority_id", "unknown authority_id"),
        ("/v1/objections?limit=0", "limit", "limit must be 1..100"),
        (
            "/v1/quality/findings?severity=fatal",
            "severity",
            "severity must be one of error, warning, info",
        ),
        (
            "/v1/quality/findings?state=new",
            "state",
            "state must be one of open, corrected, explained, accepted, closed",
        ),
        ("/v1/quality/findings?authority_id=110001", "authority_id", "unknown authority_id"),
        ("/v1/quality/findings?limit=101", "limit", "limit must be 1..100"),
        (
            "/v1/subscriptions?authority_id=beijing",
            "authority_id",
            "authority_id must be one of the 33 authority ids",
        ),
        ("/v1/subscriptions?limit=abc", "limit", "limit must be 1..100"),
        (
            f"/v1/subscriptions/{UNKNOWN_SUBSCRIPTION}/deliveries?limit=0",
            "limit",
            "limit must be 1..100",
        ),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(api, keys, path, field, message):
    answer = api.call("GET", path, key=keys["admin"])

    assert answer.status_code == 400, answer.body
    error = answer.data["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "validation_error",
        field,
        message,
    )
    assert error["message_zh"]


def test_the_rule_of_a_quality_finding_names_the_rules(api, keys):
    answer = api.call("GET", "/v1/quality/findings?rule=nonsense", key=keys["admin"])

    assert answer.status_code == 400
    assert answer.data["error"]["message"] == (
        "rule must be one of duplicate_award, cross_province_duplicate, name_drift, "
        "before_approval, cycle_mismatch, announcement_reused, registration_elsewhere"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/v1/objections?overdue=true&state=open&authority_id=110000",
        "/v1/objections?overdue=false",
        "/v1/quality/findings?severity=error&state=open&rule=name_drift&authority_id=110000",
        "/v1/subscriptions?authority_id=110000&limit=5",
    ],
)
def test_good_filter_values_are_read(api, keys, path):
    answer = api.call("GET", path, key=keys["admin"])

    assert answer.status_code == 200, answer.body
    assert answer.data["items"] == []
