"""GET /v1/openapi.json: generated from the routes and models, valid OpenAPI 3.1."""

from __future__ import annotations

import pytest
from chalice import Chalice
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from chalicelib.api.openapi import REF_TEMPLATE, build_openapi
from chalicelib.domain.schemas import AwardIn, ProgramIn
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program


@pytest.fixture
def document(api):
    response = api.call("GET", "/v1/openapi.json", headers={"Host": "registry.example.cn"})
    assert response.status_code == 200
    return response.data


def assert_matches(document, schema_name, data):
    """Validate ``data`` against ``#/components/schemas/<schema_name>`` of the document."""
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == [], errors


def test_every_route_of_the_app_is_in_the_document(document):
    from app import app

    routes = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes == documented
    assert {"/v1/changes", "/v1/feed.json", "/v1/openapi.json", "/v1/awards"} <= set(
        document["paths"]
    )


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()
    assert document["servers"] == [{"url": "https://registry.example.cn"}]


def test_request_bodies_are_the_models_that_validate_requests(document):
    schemas = document["components"]["schemas"]
    for model in (AwardIn, ProgramIn):
        generated = model.model_json_schema(ref_template=REF_TEMPLATE)
        assert schemas[model.__name__]["required"] == generated["required"]
        assert schemas[model.__name__]["properties"].keys() == generated["properties"].keys()
    push = document["paths"]["/v1/awards"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AwardIn"
    }
    winner = schemas["Winner"]
    assert winner["properties"]["role"]["enum"][0] == "general_contractor"
    assert schemas["AwardIn"]["properties"]["winners"]["maxItems"] == 40


def test_keys_are_declared_where_needed(document):
    paths = document["paths"]
    assert paths["/v1/awards"]["post"]["security"] == [{"bearerAuth": []}]
    assert paths["/v1/awards"]["get"]["security"] == []
    assert paths["/v1/programs"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"401", "403", "413"} <= set(paths["/v1/awards"]["post"]["responses"])
    put = paths["/v1/awards/{award_id}"]["put"]
    assert {"412", "428"} <= set(put["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in put["parameters"])


def test_errors_share_one_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["code", "message"]
    assert detail["properties"]["field"] == {
        "description": "The offending field, e.g. winners[1].credit_code.",
        "title": "Field",
        "type": "string",
    }
    e404 = document["components"]["responses"]["E404"]
    assert e404["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_real_answers_match_the_documented_schemas(api, keys, document):
    program_id = submitted_program(api, keys["110000"])
    body = award_body(program_id)
    pushed = api.call("POST", "/v1/awards", body, key=keys["110000"])
    assert_matches(document, "Award", pushed.data)
    award_id = pushed.data["id"]
    revoked = api.call(
        "POST", f"/v1/awards/{award_id}/revoke", {"reason": "撤销"}, key=keys["110000"]
    )
    assert_matches(document, "Award", revoked.data)
    assert_matches(document, "Award", api.call("GET", f"/v1/awards/{award_id}").data)
    listed = api.call("GET", "/v1/awards?include_revoked=true").data
    assert listed["items"]
    assert_matches(document, "AwardList", listed)
    verified = api.call("GET", f"/v1/verify?credit_code={credit_code(1)}").data
    assert verified["revoked"]
    assert_matches(document, "Verification", verified)
    assert_matches(document, "ChangePage", api.call("GET", "/v1/changes").data)
    assert_matches(document, "JsonFeed", api.call("GET", "/v1/feed.json").data)
    assert_matches(document, "ProgramList", api.call("GET", "/v1/programs").data)
    assert_matches(document, "Program", api.call("GET", f"/v1/programs/{program_id}").data)
    assert_matches(document, "AuthorityList", api.call("GET", "/v1/authorities").data)
    batch = api.call(
        "POST", "/v1/awards/batch", {"records": [body, {"source_id": 1}]}, key=keys["110000"]
    )
    assert_matches(document, "BatchResults", batch.data)
    assert_matches(document, "Error", api.call("GET", "/v1/changes?since=x").data)
    with pytest.raises(AssertionError):
        assert_matches(document, "Award", {**pushed.data, "status": "deleted"})


def test_a_route_without_docs_is_still_listed_and_marked():
    app = Chalice("probe")

    @app.route("/v1/things/{thing_id}", methods=["POST"])
    def make_thing(thing_id):
        return {}

    document = build_openapi(app)
    operation = document["paths"]["/v1/things/{thing_id}"]["post"]
    assert operation["tags"] == ["undocumented"]
    assert operation["parameters"][0]["name"] == "thing_id"
    OpenAPIV31SpecValidator({**document, "servers": [{"url": "http://x"}]}).validate()
