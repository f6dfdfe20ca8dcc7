"""Search by a middle fragment of a name over real HTTP: the local worker feeds the index.

``make run`` and the local stack run ``devtools/search_worker.py`` beside the API;
an award pushed here is found by ``q`` once the worker indexed it, so the test
polls with a deadline (the search is eventually consistent by design).
"""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.e2e.helpers import submitted_program
from tests.factories import award_body, credit_code
from tests.steps import Http, push

DEADLINE_SECONDS = 20


def _search_until(stack: Any, params: dict[str, str], wanted: str) -> dict:
    """Search until ``wanted`` is among the items or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        response = requests.get(stack.url("/v1/awards"), params=params, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        if wanted in [item["id"] for item in body["items"]] or time.monotonic() > deadline:
            return body
        time.sleep(0.1)  # a poll interval, not a wait for a fixed outcome


def test_a_pushed_award_is_found_by_middle_fragments_of_its_names(stack):
    key = stack.issue_key("--authority", "110000")["api_key"]
    program_id = submitted_program(stack, key)
    body = award_body(
        program_id,
        source_id="E2E-SEARCH-1",
        project={"name": "北京城市副中心检索样例交通枢纽", "category": "housing"},
        winners=[
            {
                "name": "北京城建检索样例集团有限责任公司",
                "credit_code": credit_code(31),
                "role": "general_contractor",
            }
        ],
    )
    award_id = push(Http(stack), key, body)["id"]

    by_winner = _search_until(stack, {"q": "城建检索样例集团"}, award_id)
    assert award_id in [item["id"] for item in by_winner["items"]]
    assert by_winner["total"] >= 1 and by_winner["total_is_lower_bound"] is False
    by_project = _search_until(stack, {"q": "副中心检索样例", "sort": "name"}, award_id)
    assert award_id in [item["id"] for item in by_project["items"]]
    # The prefix search keeps its meaning: a middle fragment is not a prefix.
    prefix = requests.get(
        stack.url("/v1/awards"), params={"enterprise_name": "城建检索样例集团"}, timeout=30
    ).json()
    assert award_id not in [item["id"] for item in prefix["items"]]
    # Verification by credit code reads the awards table itself: found at once, not via the index.
    verified = requests.get(
        stack.url("/v1/verify"), params={"credit_code": credit_code(31)}, timeout=30
    ).json()
    assert award_id in [item["id"] for item in verified["awards"]]


def test_a_one_character_query_is_a_400_naming_q(stack):
    response = requests.get(stack.url("/v1/awards"), params={"q": "城"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "q"
