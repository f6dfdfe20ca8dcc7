"""The HTTP edge (``api/http.py``): a route's declaration is what runs before its handler.

A tiny app of its own (no AWS): the key check is replaced by a table of fake keys.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from datetime import datetime

import pytest
from chalice import Blueprint, Chalice, Response
from chalice.test import Client

from chalicelib.api.doc import LIMIT, Param
from chalicelib.api.http import (
    ROUTE_DOCS,
    json_body,
    json_response,
    principal_of,
    route,
    routed_query,
)
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal, Province
from chalicelib.services import keys

KEYS = {
    "ark_admin": Principal(role=ADMIN, authority_id=None, key_id="key_a"),
    "ark_bj": Principal(role=PROVINCIAL, authority_id="110000", key_id="key_b"),
}


@dataclass(frozen=True)
class Page:
    limit: int
    year: int | None = None
    include_revoked: bool = False
    sort: str = "date"


bp = Blueprint(__name__)


@route(bp, "POST", "/feedback", summary="s", audience="provincial", ok={201: None}, auth="required")
def send(principal: Province, body: schemas.FeedbackIn, now: datetime) -> Response:
    return json_response(
        {"by": principal.authority_id, "subject": body.subject, "now": now.isoformat()}, status=201
    )


@route(
    bp,
    "GET",
    "/page",
    summary="s",
    audience="public",
    ok={200: None},
    auth="optional",
    query=(
        Param("year", {"type": "integer", "minimum": 1000, "maximum": 9999}),
        Param("include_revoked", {"type": "boolean", "default": False}),
        Param("sort", {"type": "string", "enum": ["date", "name"], "default": "date"}),
        LIMIT,
    ),
)
def page(principal: Principal | None, query: Page) -> Response:
    return json_response({"who": principal and principal.role, "query": query.__dict__})


@dataclass(frozen=True)
class Lookup:
    token: str | None = None
    overdue: bool | None = None


@route(
    bp,
    "GET",
    "/lookup",
    summary="s",
    audience="public",
    ok={200: None},
    query=(
        Param("token", {"type": "string", "minLength": 16, "maxLength": 128}, opaque=True),
        Param("overdue", {"type": "string", "enum": ["true", "false"]}, parse="true".__eq__),
    ),
)
def lookup(query: Lookup) -> Response:
    seen = routed_query(bp.current_request) is query  # what a middleware reads after
    return json_response({"query": query.__dict__, "seen": seen})


@route(
    bp,
    "GET",
    "/mine",
    summary="s",
    audience="provincial",
    roles=(PROVINCIAL, ADMIN),
    ok={200: None},
    auth="required",
)
def mine(principal: Principal) -> Response:
    return json_response({"role": principal.role})


@route(
    bp, "POST", "/old", summary="s", audience="admin", ok={200: None}, auth="required", body="KeyIn"
)
def old_style() -> Response:
    """Declared the older way: reads the request itself; the declared auth still runs."""
    request = bp.current_request
    principal = principal_of(request)
    assert principal is not None
    return json_response({"role": principal.role, "body": json_body(request)})


APP = Chalice(app_name="edge")  # once: a blueprint registered in a second app loses methods
APP.register_blueprint(bp)


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(keys, "authenticate", lambda header: KEYS.get((header or "")[7:]))
    with Client(APP) as test_client:
        yield test_client


def call(client, method, path, key=None, body=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    response = client.http.request(
        method, path, headers=headers, body=json.dumps(body) if body is not None else b""
    )
    return response.status_code, json.loads(response.body)


def test_a_required_key_is_checked_before_the_body_and_the_role_is_enforced(client):
    assert call(client, "POST", "/feedback", body={"bad": 1})[0] == 401
    status, answer = call(client, "POST", "/feedback", key="ark_admin", body={"bad": 1})
    assert status == 403 and answer["error"]["message"] == "this route is for the provincial role"


def test_the_handler_gets_a_province_and_its_validated_body(client):
    sent = {"subject": " 接口建议 ", "body": "希望提供批量撤销接口"}
    status, answer = call(client, "POST", "/feedback", key="ark_bj", body=sent)
    assert status == 201
    assert answer["by"] == "110000" and answer["subject"] == "接口建议"  # trimmed by the model
    status, answer = call(client, "POST", "/feedback", key="ark_bj", body={"subject": "x"})
    assert status == 400 and answer["error"]["field"] == "body"


def test_declared_query_parameters_arrive_typed_with_their_defaults(client):
    status, answer = call(client, "GET", "/page?year=2024&include_revoked=TRUE&limit=007")
    assert status == 200 and answer["who"] is None
    assert answer["query"] == {"limit": 7, "year": 2024, "include_revoked": True, "sort": "date"}
    assert call(client, "GET", "/page", key="ark_bj")[1]["query"]["limit"] == 20


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=99999", "year", "year must be 1000..9999"),
        ("year=٢٠٢٤", "year", "year must be 1000..9999"),
        ("include_revoked=yes", "include_revoked", "include_revoked must be true or false"),
        ("sort=size", "sort", "sort must be date or name"),
        ("limit=0", "limit", "limit must be 1..100"),
        ("colour=red", "colour", None),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(client, query, field, message):
    status, answer = call(client, "GET", f"/page?{query}")
    assert status == 400 and answer["error"]["field"] == field
    if message:
        assert answer["error"]["message"] == message


def test_an_administrator_may_call_a_provincial_route_that_declares_it(client):
    assert call(client, "GET", "/mine", key="ark_admin") == (200, {"role": "admin"})
    assert call(client, "GET", "/mine")[0] == 401


def test_a_route_declared_the_older_way_still_runs_with_its_auth_enforced(client):
    assert call(client, "POST", "/old", key="ark_bj", body={})[0] == 403
    status, answer = call(client, "POST", "/old", key="ark_admin", body={"role": "admin"})
    assert (status, answer["body"]) == (200, {"role": "admin"})
    doc = next(doc for handler, doc in ROUTE_DOCS.items() if handler.__name__ == "old_style")
    assert doc.body_model() is schemas.KeyIn


def test_the_body_model_comes_from_the_annotation_and_a_class_on_body_is_refused():
    doc = next(doc for handler, doc in ROUTE_DOCS.items() if handler.__name__ == "send")
    assert doc.has_body and doc.body_model() is schemas.FeedbackIn
    with pytest.raises(TypeError, match=r"body: schemas\.AwardIn"):
        route(bp, "POST", "/x", summary="s", audience="admin", ok={}, body=schemas.AwardIn)


def test_every_route_of_the_app_takes_its_body_typed():
    """A route merged from an older branch (``body="AwardIn"`` + ``json_body`` + a service's
    ``parse_body``) still runs; written the new way it declares ``body: schemas.X``."""
    import app  # noqa: F401  (registers every route)

    named = sorted(
        f"{handler.__module__}.{handler.__name__}: body={doc.body!r}"
        for handler, doc in ROUTE_DOCS.items()
        if doc.body is not None and handler.__module__.startswith("chalicelib.")
    )
    assert named == []


def test_an_opaque_parameter_is_not_measured_and_parse_types_an_admitted_text(client):
    status, answer = call(client, "GET", "/lookup?token=short&overdue=false")
    assert status == 200 and answer == {
        "query": {"token": "short", "overdue": False},
        "seen": True,
    }
    assert call(client, "GET", "/lookup?overdue=true")[1]["query"]["overdue"] is True
    status, answer = call(client, "GET", "/lookup?overdue=TRUE")  # the enum, as declared
    assert status == 400 and answer["error"]["message"] == "overdue must be true or false"


def test_every_route_of_the_app_that_declares_a_query_takes_it_typed():
    """Its parameters arrive as the ``query`` dataclass, read once at the edge: no handler
    reads the query string itself."""
    import app  # noqa: F401  (registers every route)

    untyped = sorted(
        f"{handler.__module__}.{handler.__name__}"
        for handler, doc in ROUTE_DOCS.items()
        if doc.query
        and handler.__module__.startswith("chalicelib.")
        and "query" not in inspect.signature(handler).parameters
    )
    assert untyped == []
