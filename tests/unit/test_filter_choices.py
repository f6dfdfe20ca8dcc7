"""The choices a list route declares are the domain's own (issue 20.2).

Since the edge reads these filters (``api/http.py``), the services no longer check
them against the domain's lists: a state or severity added to the domain must appear
in the route's declaration too, or the route would refuse it.
"""

from __future__ import annotations

from chalicelib.api import objections as objection_routes
from chalicelib.api import quality as quality_routes
from chalicelib.domain import objections as objection_rules
from chalicelib.domain import quality_rules


def test_the_quality_filters_offer_every_rule_severity_and_state():
    assert quality_routes.RULE.json_schema()["enum"] == list(quality_rules.RULES)
    assert quality_routes.SEVERITY.json_schema()["enum"] == list(quality_rules.SEVERITIES)
    assert quality_routes.STATE.json_schema()["enum"] == list(quality_rules.STATES)


def test_the_objection_state_filter_offers_open_and_answered():
    assert objection_routes.STATE.json_schema()["enum"] == [
        objection_rules.OPEN,
        objection_rules.ANSWERED,
    ]
