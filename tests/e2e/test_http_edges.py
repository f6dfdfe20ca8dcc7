"""The HTTP edge over real HTTP on the local stack: links, security headers, odd input.

Links come from ``PUBLIC_BASE_URL`` (the stack sets it to its own address) whatever
``Host`` or ``X-Forwarded-*`` a client sends; every answer says ``nosniff`` and carries
a Content-Security-Policy; a method a path does not serve is a 405 in the error shape
(``chalice local`` alone answers 501); and a Hypothesis fuzz of numbers, bodies and
methods never gets a 5xx.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.helpers import bearer
from tests.factories import credit_code

FORGED = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "Forwarded": "host=evil.example;proto=http",
}
FUZZ = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}
SERVED = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}


@pytest.fixture(scope="module")
def province(stack) -> str:
    return stack.issue_key("--authority", "110000")["api_key"]


def test_links_are_the_stacks_own_address_whatever_host_is_sent(stack):
    code = credit_code(7701)
    for headers in ({}, FORGED):
        feed = requests.get(stack.url("/v1/feed.json"), headers=headers, timeout=30)
        assert feed.json()["feed_url"] == stack.url("/v1/feed.json")
        document = requests.get(stack.url("/v1/openapi.json"), headers=headers, timeout=30)
        assert document.json()["servers"] == [{"url": stack.api_url}]
        page = requests.get(
            stack.url(f"/v1/verify/print?credit_code={code}"),
            headers={**headers, "Accept": "text/html"},
            timeout=30,
        )
        assert page.status_code == 200
        live = re.search(r'<a class="url" id="live-url" href="([^"]*)">', page.text)[1]
        assert live == stack.url(f"/?credit_code={code}")  # the public page with its answer
        for answer in (feed, document, page):
            assert "evil.example" not in answer.text


def test_html_answers_carry_a_page_policy_and_every_answer_says_nosniff(stack):
    for path in ("/", f"/v1/verify/print?credit_code={credit_code(7702)}"):
        page = requests.get(stack.url(path), headers={"Accept": "text/html"}, timeout=30)
        csp = page.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/static/app.js", "/static/style.css", "/v1/health", "/v1/nothing-here-x"):
        answer = requests.get(stack.url(path), timeout=30)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path


@pytest.mark.parametrize("path", ["/v1/nothing-here-x", "/consol", "/v1/awards/a/b/c"])
def test_a_mistyped_path_is_a_404_in_the_error_shape_with_chinese(stack, path):
    for headers in ({}, {"Authorization": "Bearer ark_x"}):
        answer = requests.get(stack.url(path), headers=headers, timeout=30)
        assert answer.status_code == 404, answer.text
        error = answer.json()["error"]
        assert error["code"] == "not_found" and error["message_zh"] == "所请求的对象不存在"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL", "LOCK", "PATCH"])
def test_a_method_a_path_does_not_serve_is_405_in_the_error_shape(stack, method):
    for path in ("/v1/awards", "/", "/v1/verify/print", "/v1/calendar/2026"):
        response = requests.request(method, stack.url(path), timeout=30)
        assert response.status_code == 405, (method, path, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_5000_digit_number_or_a_100k_deep_body_is_a_400_naming_what(stack, province):
    huge = "9" * 5000
    for path, field in (
        (f"/v1/awards?limit={huge}", "limit"),
        (f"/v1/changes?limit={huge}", "limit"),
        (f"/v1/calendar/{huge}", "year"),
    ):
        response = requests.get(stack.url(path), timeout=30)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["field"] == field
    put = requests.put(
        stack.url("/v1/awards/awd_01J00000000000000000000000"),
        json={},
        headers={**bearer(province), "If-Match": f'"{huge}"'},
        timeout=30,
    )
    assert put.status_code == 400 and put.json()["error"]["field"] == "If-Match"
    deep = requests.post(
        stack.url("/v1/programs"),
        data="[" * 100_000,
        headers={**bearer(province), "Content-Type": "application/json"},
        timeout=30,
    )
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "invalid_json"


def _no_5xx(response: requests.Response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url[:200])
    if response.status_code >= 400 and response.status_code != 403:
        assert "error" in response.json(), response.text[:200]
        assert set(response.json()) <= {"error", "errors"}, response.text[:200]


numbers = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=0, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["²", "٢٠٢٤", "１２", "1_0", "-1", "+1", " 1", "0x10", "1e3", "00000000001"]),
)
# Nested arrays and objects, as JSON text: shallow ones reach the schema, deep ones are refused.
nested = st.integers(min_value=1, max_value=150_000).flatmap(
    lambda depth: st.sampled_from(
        ["[" * depth, "[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth]
    )
)
bodies = st.one_of(
    nested,
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=4), children, max_size=3)
        ),
        max_leaves=40,
    ).map(json.dumps),
    st.binary(max_size=64).map(lambda raw: raw.decode("latin-1")),
)
methods = st.from_regex(r"\A[A-Z]{3,12}\Z").filter(lambda method: method not in SERVED)


@settings(max_examples=60, **FUZZ)
@given(limit=numbers, year=numbers)
def test_fuzzed_numbers_in_query_and_path_never_get_a_5xx(stack, limit, year):
    for path in (
        f"/v1/awards?limit={quote(limit)}",
        f"/v1/changes?limit={quote(limit)}",
        f"/v1/awards?year={quote(year)}",
        f"/v1/calendar/{quote(year, safe='')}",
    ):
        _no_5xx(requests.get(stack.url(path), timeout=30))


@settings(max_examples=40, **FUZZ)
@given(version=numbers)
def test_fuzzed_if_match_never_gets_a_5xx(stack, province, version):
    wire = f'"{version}"'.encode().decode("latin-1")  # UTF-8 bytes, as they arrive
    header = "".join(c for c in wire if c >= " " and c != "\x7f")  # no control characters
    response = requests.put(
        stack.url("/v1/awards/awd_01J00000000000000000000000"),
        json={},
        headers={**bearer(province), "If-Match": header},
        timeout=30,
    )
    _no_5xx(response)


@settings(max_examples=60, **FUZZ)
@given(body=bodies)
def test_fuzzed_bodies_never_get_a_5xx(stack, province, body):
    response = requests.post(
        stack.url("/v1/programs"),
        data=body.encode("utf-8", "surrogatepass"),
        headers={**bearer(province), "Content-Type": "application/json"},
        timeout=30,
    )
    _no_5xx(response)
    assert response.status_code != 201  # none of these is a programme


@settings(max_examples=30, **FUZZ)
@given(method=methods)
def test_fuzzed_methods_are_405_in_the_error_shape(stack, method):
    response = requests.request(method, stack.url("/v1/awards"), timeout=30)
    assert response.status_code == 405, (method, response.text[:200])
    assert response.json()["error"]["code"] == "method_not_allowed"
