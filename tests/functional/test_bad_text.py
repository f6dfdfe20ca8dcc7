"""Bad text is a 400 (issue 19, L1): lone surrogates and control characters, on every write route.

``"\\ud800"`` is valid JSON in valid UTF-8 bytes, but the string it makes cannot be
encoded as UTF-8: stored, it broke DynamoDB's serialiser (500/503) or, in a
programme name, every later answer that held it. The review's cases are
reproduced one by one; then Hypothesis puts a lone surrogate into a random
string (or key) of a valid body of every route that reads a body — the list
of routes is read from the app, so a new write route is covered or this fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import app
from chalicelib.api.http import ROUTE_DOCS
from tests.factories import award_body, document_body, pdf_bytes, program_body
from tests.steps import approved_program, push

PROGRAM = "{program}"
AWARD = "{award}"
SHA = "0" * 64
# A valid body of every route that reads one, by (method, path).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/programs"): program_body(),
    ("PUT", "/v1/programs/{program_id}"): program_body(),
    ("POST", "/v1/programs/{program_id}/review"): {"decision": "reject", "reason": "材料不全"},
    ("POST", "/v1/programs/{program_id}/withdraw"): {
        "reason": "奖项清理",
        "effective_on": "2025-01-01",
    },
    ("POST", "/v1/awards"): award_body(PROGRAM, "BAD-1"),
    ("POST", "/v1/awards/batch"): {"records": [award_body(PROGRAM, "BAD-2")]},
    ("PUT", "/v1/awards/{award_id}"): award_body(PROGRAM, "OK-1"),
    ("POST", "/v1/awards/{award_id}/revoke"): {"reason": "经复查不符合评选条件"},
    ("POST", "/v1/awards/{award_id}/redact"): {
        "fields": ["winners[0].project_manager"],
        "reason": "本人申请",
    },
    ("POST", "/v1/programs/{program_id}/documents"): document_body(pdf_bytes()),
    ("POST", "/v1/audit/run"): {"date": "2026-11-20"},
    ("PUT", "/v1/calendar/{year}"): {"holidays": ["2027-01-01"], "workdays": []},
    ("POST", "/v1/feedback"): {"subject": "系统建议", "body": "希望增加导出功能"},
    ("POST", "/v1/feedback/{feedback_id}/handle"): {"reply": "已收到"},
    ("POST", "/v1/zero-reports"): {
        "period_from": "2026-01-01",
        "period_to": "2026-03-31",
        "note": "本期无获奖",
    },
    ("POST", "/v1/awards/{award_id}/excuse"): {"reason": "系统故障"},
    ("POST", "/v1/imports"): {
        "filename": "奖项.csv",
        "content_type": "text/csv",
        "size": 100,
        "sha256": SHA,
    },
    ("POST", "/v1/keys"): {"role": "provincial", "authority_id": "110000", "note": "北京"},
    ("POST", "/v1/keys/{key_id}/revoke"): {"note": "密钥泄露"},
}
WRITE = ("POST", "PUT", "PATCH", "DELETE")


def _body_routes() -> list[tuple[str, str, str]]:
    """(method, path, audience) of every route whose documentation declares a body."""
    found = []
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            doc = ROUTE_DOCS.get(entry.view_function)
            if method in WRITE and doc is not None and doc.has_body:
                found.append((method, path, doc.audience))
    return sorted(found)


ROUTES = _body_routes()


def test_every_write_route_with_a_body_has_a_body_here():
    assert sorted((m, p) for m, p, _ in ROUTES) == sorted(BODIES)


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every string value and every key (``("key", …)``) in ``value``."""
    found: list[tuple] = []
    if isinstance(value, str):
        found.append(path)
    elif isinstance(value, dict):
        for key, child in value.items():
            found.append((*path, ("key", key)))
            found += _leaves(child, (*path, key))
    elif isinstance(value, list):
        for n, child in enumerate(value):
            found += _leaves(child, (*path, n))
    return found


def _inject(value: Any, path: tuple, bad: str, at: int) -> Any:
    """A copy of ``value`` with ``bad`` put into the string (or key) at ``path``."""
    if not path:
        return value[:at] + bad + value[at:]
    head, rest = path[0], path[1:]
    if isinstance(head, tuple):  # a key of this object
        key = head[1]
        return {(k[:at] + bad + k[at:] if k == key else k): v for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, rest, bad, at) if n == head else v for n, v in enumerate(value)]
    return {k: (_inject(v, rest, bad, at) if k == head else v) for k, v in value.items()}


@pytest.fixture
def world(api, keys):
    program = approved_program(api, keys["110000"], keys["admin"])
    award = push(api, keys["110000"], award_body(program, "OK-1"))["id"]
    key = api.call("GET", "/v1/me", key=keys["320000"]).data["key_id"]
    return {"program": program, "award": award, "key": key}


def _fill(body: Any, world: dict) -> Any:
    text = json.dumps(body, ensure_ascii=False)
    text = text.replace(PROGRAM, world["program"]).replace(AWARD, world["award"])
    return json.loads(text)


def _url(path: str, world: dict) -> str:
    return (
        path.replace("{program_id}", world["program"])
        .replace("{award_id}", world["award"])
        .replace("{year}", "2027")
        .replace("{feedback_id}", "fb_01JDZ0000000000000000000000")
        .replace("{key_id}", world["key"])
    )


def _state(api, keys) -> tuple:
    """What a write would leave behind: the change feed, the keys, imports, feedback."""
    changes = api.call("GET", "/v1/changes?limit=100").data["items"]
    key_list = api.call("GET", "/v1/keys?limit=100", key=keys["admin"]).data["items"]
    feedback = api.call("GET", "/v1/feedback", key=keys["admin"]).data["items"]
    return len(changes), len(key_list), len(feedback)


@pytest.mark.parametrize(("method", "path", "audience"), ROUTES, ids=lambda v: str(v))
def test_a_lone_surrogate_anywhere_in_a_body_is_a_400_and_nothing_is_stored(
    api, keys, world, method, path, audience
):
    key = keys["admin"] if audience == "admin" else keys["110000"]
    body = _fill(BODIES[(method, path)], world)
    url = _url(path, world)
    leaves = _leaves(body)
    before = _state(api, keys)

    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        where=st.sampled_from(leaves),
        bad=st.characters(categories=["Cs"]),
        at=st.integers(min_value=0, max_value=8),
    )
    def refused(where: tuple, bad: str, at: int) -> None:
        sent = _inject(body, where, bad, at)
        raw = json.dumps(sent)  # ensure_ascii: the surrogate travels as "\udXXX"
        assert "\\ud" in raw
        answer = api.call(method, url, raw=raw, key=key, headers={"If-Match": '"1"'})
        assert answer.status_code == 400, (where, answer.body)
        error = answer.data["error"]
        assert error["code"] in ("invalid_json", "validation_error")
        assert error["message_zh"] and "UTF-8" in error["message_zh"]

    refused()
    assert _state(api, keys) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/v1/awards", lambda w: award_body(w["program"], "S-1"), "winners[0].name"),
        (
            "POST",
            "/v1/awards/batch",
            lambda w: {"records": [award_body(w["program"], "S-2")]},
            "records[0].winners[0].name",
        ),
        ("POST", "/v1/imports", lambda w: BODIES[("POST", "/v1/imports")], "filename"),
        ("POST", "/v1/keys", lambda w: BODIES[("POST", "/v1/keys")], "note"),
        ("POST", "/v1/programs", lambda w: program_body(), "name"),
    ],
    ids=["award", "batch", "import-filename", "key-note", "program-name"],
)
def test_the_reviews_cases_are_400_naming_the_field(api, keys, world, method, path, body, field):
    sent = body(world)
    target: Any = sent
    *parents, leaf = field.replace("[", ".").replace("]", "").split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[leaf] = target[leaf] + "\udc00"
    key = keys["admin"] if path == "/v1/keys" else keys["110000"]
    answer = api.call(method, path, raw=json.dumps(sent), key=key)
    assert answer.status_code == 400, answer.body
    assert answer.data["error"]["code"] == "invalid_json"
    assert answer.data["error"]["field"] == field
    assert answer.data["error"]["message_zh"].startswith(f"字段 {field}：")
    # The province's own list still answers (the review's dropped connection).
    listed = api.call("GET", "/v1/programs?authority_id=110000", key=keys["110000"])
    assert listed.status_code == 200 and len(listed.data["items"]) == 1


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_in_names_are_a_validation_error(api, keys, world, control):
    body = award_body(world["program"], "C-1")
    body["winners"][0]["name"] = f"北京城建{control}集团"
    answer = api.call("POST", "/v1/awards", body, key=keys["110000"])
    assert answer.status_code == 400
    error = answer.data["error"]
    assert (error["code"], error["field"]) == ("validation_error", "winners[0].name")
    assert "控制字符" in error["message_zh"]
    program = api.call(
        "POST", "/v1/programs", program_body(name=f"长城{control}杯"), key=keys["110000"]
    )
    assert program.status_code == 400 and program.data["error"]["field"] == "name"


def test_tab_and_newline_stay_allowed_in_text(api, keys, world):
    body = award_body(world["program"], "T-1")
    body["project"]["name"] = "北京城市副中心\t综合交通枢纽\n（一期）"
    assert api.call("POST", "/v1/awards", body, key=keys["110000"]).status_code == 201


def _lambda_event(path: str, path_params: dict | None, query: dict | None) -> dict:
    """An API Gateway event as Lambda gets it: JSON, so it may hold "\\ud800" as is."""
    from chalice.config import Config
    from chalice.local import LocalGateway

    event = LocalGateway(app, Config()).event_converter.create_lambda_event(
        "GET", path, {"host": "registry.example.cn"}, b""
    )
    event["pathParameters"] = path_params
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()}
    return event


@pytest.mark.parametrize(
    ("path", "path_params", "query", "field"),
    [
        ("/v1/awards/awd_x", {"award_id": "awd_\ud800"}, None, "award_id"),
        ("/v1/awards", None, {"authority_id": "110000", "source_id": "B-\udc00"}, "source_id"),
    ],
)
def test_a_lone_surrogate_in_a_path_or_query_parameter_is_a_400(
    client, path, path_params, query, field
):
    from chalice.local import LambdaContext

    answer = app(_lambda_event(path, path_params, query), LambdaContext("api_handler", 1024))
    assert answer["statusCode"] == 400
    error = json.loads(answer["body"])["error"]
    assert (error["code"], error["field"]) == ("validation_error", field)
    answer["body"].encode("utf-8")  # the answer itself is valid UTF-8
