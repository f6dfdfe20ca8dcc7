"""GET /v1/openapi.json: generated from the routes and models, valid OpenAPI 3.1."""

from __future__ import annotations

import pytest
from chalice import Chalice
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from chalicelib.api.openapi_document import REF_TEMPLATE, build_openapi
from chalicelib.api.templates import XLSX_TYPE
from chalicelib.domain.schemas import AwardIn, DocumentIn, ProgramIn, ReviewIn, WithdrawIn
from tests.factories import award_body, credit_code, document_body, pdf_bytes
from tests.functional.helpers import draft_program, submitted_program, upload


@pytest.fixture
def document(api, public_base_url):
    response = api.call("GET", "/v1/openapi.json", headers={"Host": "evil.example"})
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
    undocumented = [
        f"{method.upper()} {path}"
        for path, ops in document["paths"].items()
        for method, operation in ops.items()
        if "undocumented" in operation["tags"]
    ]
    assert undocumented == [], "declare these routes with @route(...) of chalicelib/api/http.py"
    audiences = {"public", "provincial", "admin"}
    assert all(
        len(operation["tags"]) == 1 and operation["tags"][0] in audiences
        for ops in document["paths"].values()
        for operation in ops.values()
    )


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()
    assert document["servers"] == [{"url": "https://registry.example.cn/api"}]  # not the Host


def test_request_bodies_are_the_models_that_validate_requests(document):
    schemas = document["components"]["schemas"]
    for model in (AwardIn, ProgramIn, DocumentIn, ReviewIn, WithdrawIn):
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
    # anonymous or with a key (the owner and admins also read project managers)
    assert paths["/v1/awards"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert paths["/v1/changes"]["get"]["security"] == []
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
    assert detail["required"] == ["code", "message", "message_zh"]
    assert error["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ErrorDetail"}
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


def body_schema(document, method, path):
    return document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def test_document_and_review_routes_take_the_models_their_services_validate_with(document):
    paths = document["paths"]
    program = "/v1/programs/{program_id}"
    assert body_schema(document, "post", f"{program}/documents") == {
        "$ref": "#/components/schemas/DocumentIn"
    }
    assert body_schema(document, "post", f"{program}/review") == {
        "$ref": "#/components/schemas/ReviewIn"
    }
    assert body_schema(document, "post", f"{program}/withdraw") == {
        "$ref": "#/components/schemas/WithdrawIn"
    }
    declare = paths[f"{program}/documents"]["post"]
    assert declare["tags"] == ["provincial"] and declare["security"] == [{"bearerAuth": []}]
    assert {"201", "400", "401", "403", "404", "409", "413", "415", "422"} <= set(
        declare["responses"]
    )
    assert "200" not in declare["responses"]
    check = paths[f"{program}/documents/{{document_id}}/check"]["post"]
    assert "requestBody" not in check and all(p["in"] == "path" for p in check["parameters"])
    assert "400" in check["responses"]  # an unknown query parameter
    assert {"200", "404", "409"} <= set(check["responses"])
    for action in ("review", "withdraw"):
        operation = paths[f"{program}/{action}"]["post"]
        assert operation["tags"] == ["admin"] and "409" in operation["responses"]


def test_a_rejection_without_reason_is_refused_by_the_document_and_by_the_api(api, keys, document):
    """The reason rule is in ReviewIn, so the schema a client reads says what the API does."""
    root = {"$ref": "#/components/schemas/ReviewIn", "components": document["components"]}
    validator = Draft202012Validator(root)
    assert not validator.is_valid({"decision": "reject"})
    assert validator.is_valid({"decision": "reject", "reason": "批准文件不符"})
    assert validator.is_valid({"decision": "approve"})
    program_id = submitted_program(api, keys["110000"])
    path = f"/v1/programs/{program_id}/review"
    refused = api.call("POST", path, {"decision": "reject"}, key=keys["admin"])
    assert refused.status_code == 400 and refused.data["error"]["field"] == "reason"


def test_non_json_answers_say_what_they_are(document):
    paths = document["paths"]
    download = paths["/v1/programs/{program_id}/documents/{document_id}"]["get"]
    found = download["responses"]["302"]
    assert "content" not in found and found["headers"]["Location"]["required"] is True
    assert download["tags"] == ["public"] and download["security"] == [{}, {"bearerAuth": []}]
    assert {"401", "403", "404", "409"} <= set(download["responses"])
    template = paths["/v1/templates/awards.xlsx"]["get"]
    assert list(template["responses"]["200"]["content"]) == [XLSX_TYPE]
    assert set(template["responses"]) == {"200", "400"}  # no storage read: no 503
    printed = paths["/v1/verify/print"]["get"]
    assert list(printed["responses"]["200"]["content"]) == ["text/html"]
    assert set(printed["responses"]["400"]["content"]) == {"application/json", "text/html"}
    assert (
        printed["parameters"][0]["name"] == "credit_code" and printed["parameters"][0]["required"]
    )
    assert list(paths["/"]["get"]["responses"]) == ["200"]
    assets = paths["/static/{name}"]["get"]
    assert assets["parameters"][0]["schema"]["enum"] == [
        "app.js",
        "areas.json",
        "check.js",
        "common.js",
        "favicon.svg",
        "labels.js",
        "objection.css",  # the objection pages (issue 23)
        "objection.js",
        "style.css",
    ]
    assert set(assets["responses"]["200"]["content"]) == {
        "application/json",
        "text/css",
        "text/javascript",
        "image/svg+xml",
    }
    icon = paths["/favicon.ico"]["get"]
    assert list(icon["responses"]["200"]["content"]) == ["image/svg+xml"]
    # A route refuses query parameters it does not declare (400); a human page ignores them.
    assert "400" in paths["/v1/health"]["get"]["responses"]
    assert "400" not in paths["/"]["get"]["responses"]
    assert "400" not in icon["responses"]
    names = [p for p in paths["/v1/awards"]["get"]["parameters"] if p["name"] == "enterprise_name"]
    assert names and names[0]["schema"]["minLength"] == 2


def test_document_export_and_review_answers_match_their_schemas(client, api, keys, document):
    key = keys["110000"]
    program_id = draft_program(api, key)
    content = pdf_bytes()
    declared = upload(api, key, program_id, document_body(content), content)
    assert_matches(document, "DocumentUpload", declared)
    path = f"/v1/programs/{program_id}/documents/{declared['document_id']}"
    checked = api.call("POST", f"{path}/check", key=key)
    assert checked.data["status"] == "verified"
    assert_matches(document, "ProgramDocument", checked.data)
    downloaded = api.call("GET", path, key=key)
    assert downloaded.status_code == 302 and downloaded.headers["Location"].startswith("http")
    assert api.call("POST", f"/v1/programs/{program_id}/submit", key=key).status_code == 200
    review = f"/v1/programs/{program_id}/review"
    approved = api.call("POST", review, {"decision": "approve"}, key=keys["admin"])
    assert_matches(document, "Program", approved.data)
    withdrawn = api.call(
        "POST",
        f"/v1/programs/{program_id}/withdraw",
        {"reason": "奖项清理", "effective_on": "2024-06-01"},
        key=keys["admin"],
    )
    assert withdrawn.status_code == 200
    assert_matches(document, "Program", withdrawn.data)
    assert withdrawn.data["status_history"][-1]["effective_on"] == "2024-06-01"
    assert_matches(document, "Error", api.call("GET", "/v1/exports/latest").data)
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    assert client.lambda_.invoke("nightly_export", event).payload["status"] == "done"
    latest = api.call("GET", "/v1/exports/latest")
    assert latest.status_code == 200 and latest.data["files"]
    assert_matches(document, "ExportLatest", latest.data)
    assert_matches(document, "Error", api.call("GET", "/static/secret.py").data)
