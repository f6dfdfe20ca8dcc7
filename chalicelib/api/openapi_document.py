"""The OpenAPI 3.1 document of ``GET /v1/openapi.json``, generated from the routes and models.

Imported only when the document is first requested (see ``api/openapi.py``): it
imports every response shape and pydantic's JSON Schema generator, which no
other route needs.

Paths come from ``app.routes`` (every route, nothing hand-listed); what each
route takes and answers comes from the ``RouteDoc`` it declared beside its handler
(``http.route(...)``, gathered in ``http.ROUTE_DOCS``) and the pydantic models it names
(request bodies in ``domain/schemas.py``, answers in ``api/responses.py``), whose
JSON Schema (2020-12, the dialect of OpenAPI 3.1) pydantic writes under
``#/components/schemas``. The document is built once per container; only
``servers`` depends on the request (host and stage).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Chalice
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from chalicelib.api import responses
from chalicelib.api.doc import Answer, Raw, Redirect, RouteDoc
from chalicelib.api.http import ROUTE_DOCS

REF_TEMPLATE = "#/components/schemas/{model}"
# Each (model, mode)'s ``$ref`` (keys as pydantic's ``models_json_schema`` types them).
ModelRefs = Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]
BEARER = "bearerAuth"

ERROR_RESPONSES: dict[int, str] = {
    400: "Malformed JSON (`invalid_json`), a schema or format error (`validation_error`, "
    "naming the `field`), a query parameter the route does not take (`validation_error`, "
    "naming it) or a bad cursor (`invalid_cursor`).",
    401: "No, unknown or revoked API key (`unauthenticated`).",
    403: "Wrong role, or another authority's object (`forbidden`).",
    404: "Unknown id, or an object this caller may not see (`not_found`).",
    409: "State conflict (`source_id_conflict`, `document_required`, `award_revoked`, "
    "`invalid_state`, `upload_missing`).",
    412: "Stale `If-Match` (`version_mismatch`).",
    413: "Body over 1 MB (`payload_too_large`).",
    415: "A body that is not `application/json` (`unsupported_media_type`).",
    422: "Business rule (`program_not_disclosable`, `out_of_scope`, `duplicate_winner`, "
    "`document_too_large`, `too_many_documents`).",
    428: "Missing `If-Match` (`if_match_required`).",
    429: "Throttled (`throttled`); retry after `Retry-After`.",
    503: "Transient storage conflict or outage (`unavailable`); retry after `Retry-After`.",
}

INFO = {
    "title": "Award Registry API (建筑市场评比表彰奖项信息归集共享)",
    "version": "1",
    "description": (
        "The national platform for collecting and sharing construction-market award "
        "information. Provinces push programmes and award records with a Bearer API key; "
        "the public reads, verifies by credit code and follows the change feed. Errors are "
        '`{"error": {"code", "message", "message_zh", "field"?}}` (English and Chinese); '
        "a body with several problems lists them all in `errors: [{code, message, "
        "message_zh, field?}]`."
    ),
}


class _SchemaGenerator(GenerateJsonSchema):
    """pydantic's JSON Schema without ``"default": null`` on fields that are left out.

    Fields typed ``X | SkipJsonSchema[None] = None`` are absent rather than null
    in our answers; a null default would contradict their ``type``.
    """

    def normalize_name(self, name: str) -> str:
        """``AwardOut`` is ``Award`` in the document (see ``responses.public_name``)."""
        return super().normalize_name(name.removesuffix("Out"))

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> dict[str, Any]:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


def _shape(name: str) -> type[BaseModel]:
    """The response shape a route names (``"AwardOut"``) in ``api/responses.py``."""
    shape = getattr(responses, name, None)
    if not (isinstance(shape, type) and issubclass(shape, BaseModel)):
        raise LookupError(f"no response shape {name!r} in chalicelib/api/responses.py")
    return shape


def _error_statuses(doc: RouteDoc, has_path_params: bool) -> list[int]:
    """The error statuses a route can answer, derived from what it takes."""
    statuses = set(doc.errors)
    # Every route but a human page refuses a query parameter it does not declare.
    if doc.query or doc.has_body or doc.if_match or not doc.open_query:
        statuses.add(400)
    if doc.storage:
        statuses.add(503)
    if doc.auth == "required":
        statuses |= {401, 403}
    elif doc.auth == "optional":
        statuses.add(401)
    if has_path_params:
        statuses.add(404)
    if doc.has_body:
        statuses |= {413, 415}
    if doc.if_match:
        statuses |= {412, 428}
    return sorted(statuses)


def _security(auth: str) -> list[dict[str, list[str]]]:
    if auth == "required":
        return [{BEARER: []}]
    if auth == "optional":
        return [{}, {BEARER: []}]
    return []


def _models(docs: list[RouteDoc]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (responses.ErrorOut, "serialization"): None
    }
    for doc in docs:
        body = doc.body_model()
        if body is not None:
            wanted[(body, "validation")] = None
        for answer in doc.ok.values():
            if isinstance(answer, str):
                wanted[(_shape(answer), "serialization")] = None
    return list(wanted)


STATUS_TEXT = {200: "OK", 201: "Created", 302: "Found"}


def _success(
    status: int,
    answer: Answer,
    doc: RouteDoc,
    refs: ModelRefs,
) -> dict[str, Any]:
    """The documented success answer: a JSON model, a raw body, or a redirect."""
    if isinstance(answer, Redirect):
        return {
            "description": answer.description,
            "headers": {
                "Location": {
                    "description": "Where to fetch it.",
                    "required": True,
                    "schema": {"type": "string", "format": "uri"},
                }
            },
        }
    if isinstance(answer, Raw):
        content = {media: {"schema": answer.schema} for media in answer.media_types}
    else:
        schema = (
            refs[(_shape(answer), "serialization")] if answer is not None else {"type": "object"}
        )
        content = {doc.media_type: {"schema": schema}}
    response: dict[str, Any] = {"description": STATUS_TEXT.get(status, "OK"), "content": content}
    if doc.etag:
        response["headers"] = {
            "ETag": {"description": "The version, quoted.", "schema": {"type": "string"}}
        }
    return response


def _error(status: int, doc: RouteDoc, error_ref: dict[str, Any]) -> dict[str, Any]:
    if status not in doc.html_errors:
        return {"$ref": f"#/components/responses/E{status}"}
    return {
        "description": ERROR_RESPONSES[status] + " An HTML page when the request accepts "
        "`text/html`.",
        "content": {
            "application/json": {"schema": error_ref},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def _operation(
    view_name: str,
    view_args: list[str],
    doc: RouteDoc,
    refs: ModelRefs,
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1}
            | ({"pattern": doc.path_patterns[name]} if name in doc.path_patterns else {})
            | ({"enum": list(doc.path_enums[name])} if name in doc.path_enums else {}),
        }
        for name in view_args
    ]
    for param in doc.query:
        parameters.append(
            {
                "name": param.name,
                "in": "query",
                "required": param.required,
                "schema": param.json_schema(),
                **({"description": param.description} if param.description else {}),
            }
        )
    if doc.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": 'The version you read, e.g. `"3"` (the ETag).',
            }
        )
    answers: dict[str, Any] = {
        str(status): _success(status, answer, doc, refs) for status, answer in doc.ok.items()
    }
    for status in _error_statuses(doc, bool(view_args)):
        answers[str(status)] = _error(status, doc, refs[(responses.ErrorOut, "serialization")])
    operation: dict[str, Any] = {
        "operationId": view_name,
        "summary": doc.summary,
        "tags": [doc.audience],
        "security": _security(doc.auth),
        "responses": answers,
    }
    if doc.description:
        operation["description"] = doc.description
    if parameters:
        operation["parameters"] = parameters
    body = doc.body_model()
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(body, "validation")]}},
        }
    return operation


def _undocumented(method: str, view_name: str, view_args: list[str]) -> dict[str, Any]:
    """A route registered without ``http.route(...)``: listed, with what the route table tells."""
    operation: dict[str, Any] = {
        "operationId": view_name,
        "summary": view_name.replace("_", " "),
        "tags": ["undocumented"],
        "security": [{}, {BEARER: []}],
        "responses": {
            "default": {"description": "See the SPEC.", "content": {"*/*": {"schema": {}}}}
        },
    }
    if view_args:
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in view_args
        ]
    if method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return operation


def build_openapi(app: Chalice) -> dict[str, Any]:
    """The document without ``servers`` (those depend on the request)."""
    docs = {
        (method, path): ROUTE_DOCS[entry.view_function]
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if entry.view_function in ROUTE_DOCS
    }
    model_refs, definitions = models_json_schema(
        _models(list(docs.values())), ref_template=REF_TEMPLATE, schema_generator=_SchemaGenerator
    )
    paths: dict[str, dict[str, Any]] = {}
    seen_ids: set[str] = set()
    for path in sorted(app.routes):
        for method, entry in sorted(app.routes[path].items()):
            operation_id = entry.view_name
            if operation_id in seen_ids:
                operation_id = f"{method.lower()}_{operation_id}"
            seen_ids.add(operation_id)
            doc = docs.get((method, path))
            paths.setdefault(path, {})[method.lower()] = (
                _operation(operation_id, entry.view_args, doc, model_refs)
                if doc is not None
                else _undocumented(method, operation_id, entry.view_args)
            )
    error_ref = model_refs[(responses.ErrorOut, "serialization")]
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "tags": [
            {"name": "public", "description": "No key needed."},
            {"name": "provincial", "description": "A provincial authority's key."},
            {"name": "admin", "description": "A MOHURD administrator's key."},
        ],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "API key (`python -m chalicelib.cli issue-key`), "
                    "`Authorization: Bearer <key>`.",
                }
            },
            "responses": {
                f"E{status}": {
                    "description": text,
                    "content": {"application/json": {"schema": error_ref}},
                }
                for status, text in ERROR_RESPONSES.items()
            },
        },
    }
