"""The HTTP edge shared by every blueprint: errors, auth, bodies, responses.

Routes stay a few lines: ``@route(...)`` registers a handler on its blueprint with
its OpenAPI entry beside it (``api/doc.py``) and enforces that entry: it refuses query
parameters the entry does not declare, checks the key against ``auth``/``audience``,
and hands the handler typed values (the caller, the query as a dataclass, the body as
its pydantic model). It maps our error hierarchy to the SPEC §4 error shape and
storage trouble to 503, so no client input ends in a 500. The handler maps the
service's domain result to a status code.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import keyword
import re
import threading
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib import clock
from chalicelib.api.doc import Param, RouteDoc
from chalicelib.config import settings
from chalicelib.domain import schemas
from chalicelib.domain.china_time import china_date
from chalicelib.domain.errors import (
    ForbiddenError,
    InvalidJsonError,
    PayloadTooLargeError,
    RegistryError,
    UnauthenticatedError,
    UnavailableError,
    ValidationError,
)
from chalicelib.domain.messages_zh import message_zh_for
from chalicelib.domain.numbers import parse_ascii_int
from chalicelib.domain.principal import PROVINCIAL, Principal, Province
from chalicelib.observability import count, logger
from chalicelib.services import faults, keys

JSON_TYPE = "application/json; charset=utf-8"
# Longest digit strings read before ``int()``: a page size (leading zeros allowed) and a
# record version (DynamoDB numbers hold 38 digits; a version never comes near 18).
LIMIT_DIGITS = 6
VERSION_DIGITS = 18
Q = TypeVar("Q")


class RegistryApp(Chalice):
    """Chalice with a per-thread ``current_request``.

    Chalice keeps the request in a plain attribute: fine in Lambda (one request
    per container at a time) but a data race under ``chalice local``'s threaded
    server, where two concurrent pushes could read each other's body or key.
    """

    _request_local = threading.local()

    @property
    def current_request(self) -> Request | None:
        return getattr(self._request_local, "request", None)

    @current_request.setter
    def current_request(self, value: Request | None) -> None:
        self._request_local.request = value


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(
        body=text, status_code=status, headers={"Content-Type": JSON_TYPE, **(headers or {})}
    )


def error_response(error: RegistryError) -> Response:
    retry_after = getattr(error, "retry_after", 1)  # a throttled client's wait (rate limits)
    headers = {"Retry-After": str(retry_after)} if error.status in (429, 503) else None
    body = error.to_body(max_details=settings().max_error_details)
    return json_response(body, status=error.status, headers=headers)


def endpoint(app_or_bp: Any) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Wrap a view: our errors become their HTTP answer, storage faults a 503."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except RegistryError as error:
                count(f"Rejected_{error.code}")
                logger.info("request refused", extra={"code": error.code, "field": error.field})
                return error_response(error)
            except faults.STORAGE_FAULTS as exc:
                logger.warning("storage fault", extra={"fault": type(exc).__name__})
                return error_response(UnavailableError("storage is unavailable, try again"))

        return wrapper

    return decorate


# Every route's documentation, by its registered handler (what ``app.routes`` holds as
# ``view_function``): ``openapi.py`` builds the document from it.
ROUTE_DOCS: dict[Callable[..., Any], RouteDoc] = {}

# What a handler may ask for, by parameter name (besides its path parameters); the edge
# fills each from the request, once, before the handler runs.
INJECTED = frozenset({"principal", "query", "if_match", "body", "now"})


def route(
    bp: Any, method: str, path: str, **doc: Any
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a handler on ``bp`` with its documentation (the fields of ``RouteDoc``).

    What the route declares is what runs, before the handler:

    * the declared ``query`` parameters are the only ones accepted (an unknown one is a
      400 naming it rather than a silently unfiltered answer);
    * ``auth``/``audience``/``roles`` are enforced: ``required`` is a 401 without a key and
      a 403 for a role not allowed; ``optional`` authenticates a key when one is sent;
    * the handler's parameters say what it receives, typed: ``principal`` (a ``Principal``,
      or a ``Province`` on a provincial-only route; None on an optional one without a
      key), ``query`` (the declared parameters read into the annotated dataclass),
      ``if_match`` (the version in ``If-Match``, None without one), ``body`` (the JSON
      body validated into the annotated pydantic model; ``X | None`` when it may be
      empty) and ``now`` (when the request arrived).

    A handler that takes none of them (the older form) reads the request itself.
    """
    route_doc = RouteDoc(**doc)
    accepted = frozenset(param.name for param in route_doc.query)

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        takes = INJECTED & set(inspect.signature(view).parameters)
        wants = _Annotations(view)
        registered = route_doc
        if "body" in takes:
            registered = dataclasses.replace(route_doc, body_from=wants.body_model)

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Response:
            request = bp.current_request
            reject_lone_surrogates(request, kwargs)  # path parameters only, so far
            if "now" in takes:
                kwargs["now"] = received_at()
            if not route_doc.open_query:
                reject_unknown_params(request, accepted)
            principal = _caller(request, route_doc)
            for param in route_doc.path_params:
                kwargs[param.name] = read_param(param, kwargs[param.name])
            if "principal" in takes:
                kwargs["principal"] = principal
            if "query" in takes:
                query = read_query(request, route_doc.query, wants.hint("query"))
                request._registry_query = query  # read by middleware: routed_query()
                kwargs["query"] = query
            if "if_match" in takes:
                kwargs["if_match"] = if_match_version(request)
            if "body" in takes:
                kwargs["body"] = _read_body(request, wants)
            return view(*args, **kwargs)

        handler = endpoint(bp)(checked)
        ROUTE_DOCS[handler] = registered
        bp.route(path, methods=[method])(handler)
        return handler

    return decorate


def reject_lone_surrogates(request: Request, path_params: dict[str, Any]) -> None:
    """400 naming the path or query parameter that holds a lone surrogate (issue 19, L1).

    A browser's ``%ED%A0%80`` decodes to replacement characters, but a Lambda event is
    JSON and may carry ``"\\ud800"`` as is: echoed in an error message, it would make the
    answer itself unencodable.
    """
    params = {**path_params, **dict(request.query_params or {})}
    for name, value in params.items():
        if _SURROGATE.search(str(name)) or _SURROGATE.search(str(value)):
            shown = _SURROGATE.sub("?", str(name))[:64]
            raise ValidationError(
                f"{shown} is not valid Unicode text (a lone surrogate)",
                field=shown,
                message_zh=f"字段 {shown}：含有无法以 UTF-8 编码的字符（孤立的代理项，"
                "如 U+D800），请检查文本来源",
            )


class _Annotations:
    """A handler's annotations, evaluated on first use (a body's model loads then)."""

    def __init__(self, view: Callable[..., Any]) -> None:
        self._view = view
        self._hints: dict[str, Any] | None = None

    def hint(self, name: str) -> Any:
        if self._hints is None:
            self._hints = typing.get_type_hints(self._view)
        return self._hints[name]

    def body_model(self) -> type | None:
        """The body's model (``X`` of ``body: X`` or ``body: X | None``)."""
        hint = self.hint("body")
        models = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return models[0] if models else hint

    def body_optional(self) -> bool:
        return type(None) in typing.get_args(self.hint("body"))


def _caller(request: Request, doc: RouteDoc) -> Principal | None:
    """Who calls, as the route declares it: 401/403 here, before any handler runs."""
    if doc.auth == "none":
        return None
    principal = principal_of(request)
    if doc.auth == "optional" or (doc.public_if is not None and doc.public_if()):
        return principal
    if principal is None:
        raise UnauthenticatedError("this route needs an API key")
    roles = doc.allowed_roles
    if principal.role not in roles:
        if len(roles) == 1:
            raise ForbiddenError(f"this route is for the {roles[0]} role")
        raise ForbiddenError("this route is for provinces and administrators")
    return Province.of(principal) if roles == (PROVINCIAL,) else principal


def _read_body(request: Request, wants: _Annotations) -> Any:
    """The body as the handler's model; None for an empty body where it is optional."""
    if wants.body_optional() and not (request.raw_body or b"").strip():
        return None
    model: Any = wants.body_model()  # a pydantic model class, by the handler's annotation
    return schemas.parse_model(
        model,
        json_body(request),
        today=china_date(received_at()),
        earliest_award=settings().backfill_from,
    )


def read_query(request: Request, params: tuple[Param, ...], into: type[Q]) -> Q:
    """The declared query parameters, read by their schemas, as an ``into`` dataclass.

    Each field of ``into`` is a parameter's name (``from`` → ``from_``); an absent one
    gets the schema's ``default`` (None when it has none).
    """
    raw = _query_params(request)
    values: dict[str, Any] = {}
    for param in params:
        text = raw.get(param.name)
        key = param.name + "_" if keyword.iskeyword(param.name) else param.name
        values[key] = (
            param.json_schema().get("default") if text is None else read_param(param, text)
        )
    return into(**values)


def read_param(param: Param, text: str) -> Any:
    """One parameter's value, checked against its schema: a 400 naming it otherwise."""
    schema = param.json_schema()
    name = param.name
    kind = schema.get("type")
    if kind == "integer":
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        return parse_ascii_int(
            text,
            field=name,
            max_digits=param.max_digits or (len(str(maximum)) if maximum else LIMIT_DIGITS),
            minimum=minimum,
            maximum=maximum,
            message=param.message or f"{name} must be {minimum}..{maximum}",
        )
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValidationError(param.message or f"{name} must be true or false", field=name)
        return lowered == "true"
    if "enum" in schema and text not in schema["enum"]:
        choices = " or ".join(str(choice) for choice in schema["enum"])
        raise ValidationError(param.message or f"{name} must be {choices}", field=name)
    shortest, longest = schema.get("minLength"), schema.get("maxLength")
    bounded = shortest is not None or longest is not None
    measured = not (param.folded or param.opaque)
    if bounded and measured and not (shortest or 0) <= len(text) <= (longest or len(text)):
        raise ValidationError(
            param.message or f"{name} must be {shortest or 0}..{longest} characters",
            field=name,
        )
    return param.parse(text) if param.parse is not None else text


def routed_query(request: Request) -> object | None:
    """The typed query the route read from ``request`` (None before, or on a route that
    takes none): what a middleware reads instead of parsing the query string again."""
    return getattr(request, "_registry_query", None)


def reject_unknown_params(request: Request, accepted: frozenset[str]) -> None:
    """400 ``validation_error`` naming the first query parameter not in ``accepted``."""
    for name in sorted(request.query_params or {}):
        if name not in accepted:
            allowed = ", ".join(sorted(accepted)) or "none"
            shown = name[:64]  # a name is client input: never echoed unbounded
            raise ValidationError(
                f"unknown query parameter {shown!r} (this route takes: {allowed})", field=shown
            )


def received_at() -> datetime:
    """When the request arrived (UTC): the push time of a record.

    Every route that stamps a time takes it from here; it reads the one clock
    (``chalicelib/clock.py``), which a test pins once for all routes.
    """
    return clock.now()


def source_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (``requestContext.identity.sourceIp``).

    Never ``X-Forwarded-For``, which a client writes itself: a rate limit keyed by it
    would be a limit the client chooses. ``chalice local`` says 127.0.0.1 for everyone.
    """
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


_NOT_YET = object()


def principal_of(request: Request) -> Principal | None:
    """The caller behind the request's key (None without one); one key lookup per request."""
    known = getattr(request, "_registry_principal", _NOT_YET)
    if known is not _NOT_YET:
        return cast("Principal | None", known)
    principal = keys.authenticate(request.headers.get("authorization"))
    if principal is not None:
        logger.append_keys(role=principal.role, authority_id=principal.authority_id)
    request._registry_principal = principal  # type: ignore[attr-defined]
    return principal


def json_body(request: Request) -> Any:
    """The parsed JSON body: 413 over the limit, 400 ``invalid_json`` when it isn't JSON.

    Whatever a body holds ends as a 4xx: ``[`` ten thousand times deep makes the
    decoder raise ``RecursionError`` (not a ``ValueError``), and a body nested
    deeper than ``max_json_depth`` is refused before any code walks it
    recursively (pydantic, the DynamoDB serialiser, ``json.dumps``).
    """
    config = settings()
    try:
        raw = request.raw_body or b""
        if isinstance(raw, str):  # chalice's type allows it; its events give bytes
            raw = raw.encode("utf-8")
    except UnicodeError:  # an event body (text) holding a lone surrogate
        raise InvalidJsonError("the body is not valid UTF-8") from None
    if len(raw) > config.max_body_bytes:
        raise PayloadTooLargeError(f"the body is over {config.max_body_bytes} bytes")
    if not raw.strip():
        raise InvalidJsonError("the body is empty; send a JSON object")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InvalidJsonError(f"the body is not valid UTF-8 JSON: {reason}") from None
    if not _nested_within(body, config.max_json_depth):
        raise InvalidJsonError(f"the body is nested more than {config.max_json_depth} levels deep")
    if b"\\u" in raw:  # only a \uXXXX escape can make a lone surrogate out of UTF-8 bytes
        where = _first_lone_surrogate(body)
        if where is not None:
            raise InvalidJsonError(
                f"the body is not valid Unicode text: {where} holds a lone surrogate "
                "(e.g. \\ud800), which cannot be encoded as UTF-8",
                field=where,
                message_zh=f"字段 {where}：含有无法以 UTF-8 编码的字符（孤立的代理项，"
                "如 U+D800），请检查文本来源",
            )
    return body


_SURROGATE = re.compile("[\ud800-\udfff]")


def _first_lone_surrogate(value: Any) -> str | None:
    """The path (``winners[0].name``) of the first string or key holding a lone surrogate.

    ``json.loads`` turns the escape ``"\\ud800"`` (valid JSON, valid UTF-8 bytes) into a
    Python string that no UTF-8 encoder accepts: stored, it fails DynamoDB's
    serialiser and every answer that contains it (issue 19, L1). Refused here, once,
    for every route that reads a body; the text schemas refuse it too (imports).
    """
    pending: list[tuple[Any, str]] = [(value, "")]
    while pending:
        node, path = pending.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return path or "body"
        elif isinstance(node, dict):
            for key, child in node.items():
                shown = _SURROGATE.sub("?", key)[:64]
                where = f"{path}.{shown}" if path else shown
                if _SURROGATE.search(key):
                    return where
                pending.append((child, where))
        elif isinstance(node, list):
            pending.extend((child, f"{path}[{n}]") for n, child in enumerate(node))
    return None


def _nested_within(value: Any, limit: int) -> bool:
    """Whether no array or object in ``value`` is deeper than ``limit`` (walked in a loop)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        pending.extend((child, depth + 1) for child in children)
    return True


def _query_params(request: Request) -> dict[str, str]:
    """The raw query string's values: read here only, into a route's declared ``query``."""
    return dict(request.query_params or {})


def if_match_version(request: Request) -> int | None:
    """The version in ``If-Match`` (``"3"``, ``3`` or ``W/"3"``); None when absent."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    return parse_ascii_int(
        text,
        field="If-Match",
        max_digits=VERSION_DIGITS,
        message='If-Match must be the version, e.g. "3"',
    )


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def public_base_url() -> str:
    """The root of every absolute link we write, e.g. ``https://registry.example.cn/api``.

    Only the ``PUBLIC_BASE_URL`` setting: never the ``Host`` or
    ``X-Forwarded-*`` headers, which a client chooses (a forged one would put
    its address in the QR code of a printed verification, or in a feed that
    shared caches keep for everyone). ``app.py`` checks it at cold start.
    """
    return settings().public_base_url


# Cache-Control of anonymous, successful reads; everything else is not stored.
PUBLIC_MAX_AGE = "public, max-age=60"
CACHE_BY_ROUTE = {
    "/v1/openapi.json": "public, max-age=300",
    "/v1/verify": "no-store",
    "/v1/verify/print": "no-store",
    "/v1/changes": "no-store",
}
PRIVATE = "private, no-store"

# Content-Security-Policy. A page runs only its own files (plus the inline blocks whose
# hashes a route adds), is never framed (clickjacking), posts forms only to us; any other
# answer (JSON, CSV links, redirects) loads nothing at all.
PAGE_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def page_policy(*, styles: tuple[str, ...] = (), scripts: tuple[str, ...] = ()) -> str:
    """``PAGE_POLICY`` that also allows inline blocks by their ``sha256-…`` source hashes.

    The printable verification keeps its style and one line of script inline so a
    copy saved to disk (what a verifying office files) still prints as it should.
    """
    policy = PAGE_POLICY
    if styles:
        policy += "; style-src 'self' " + " ".join(f"'{h}'" for h in styles)
    if scripts:
        policy += "; script-src 'self' " + " ".join(f"'{h}'" for h in scripts)
    return policy


def _is_html(response: Response) -> bool:
    return str(response.headers.get("Content-Type", "")).startswith("text/html")


def edge_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: CORS and caching headers for every route, decided in one place.

    Anonymous GETs are public data: any origin may read them
    (``Access-Control-Allow-Origin: *``, so provincial portals can call the
    API from a browser) and shared caches may keep successful answers a
    minute (``/v1/verify`` and ``/v1/changes`` excepted: a verifier and a
    feed consumer need the answer of now). Anything sent with a key, any
    write and any error is ``private, no-store``/``no-store``: a key can see
    drafts the public cannot, and ``Vary: Authorization`` keeps a cache from
    handing the public copy to a keyed request or the other way round.

    It also puts Chalice's own refusals (405, 415, an unexpected 500) in our
    error shape, so a client parses one shape whatever went wrong.

    Every answer says ``X-Content-Type-Options: nosniff`` and carries a
    Content-Security-Policy: ``PAGE_POLICY`` on HTML (a route may set a
    stricter-or-equal one with hashes), ``API_POLICY`` on everything else.
    """
    response = _in_our_error_shape(get_response(request))
    headers = response.headers
    anonymous_read = request.method in ("GET", "HEAD") and not request.headers.get("authorization")
    if anonymous_read:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        if 200 <= response.status_code < 300:
            headers.setdefault("Cache-Control", CACHE_BY_ROUTE.get(request.path, PUBLIC_MAX_AGE))
        else:
            headers.setdefault("Cache-Control", "no-store")
    else:
        headers["Cache-Control"] = PRIVATE
    headers["Vary"] = "Authorization"
    headers["X-Content-Type-Options"] = "nosniff"
    if _is_html(response):
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers without CSP 2
    else:
        headers.setdefault("Content-Security-Policy", API_POLICY)
    return response


_CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "InternalServerError": "internal_error",
}


def _in_our_error_shape(response: Response) -> Response:
    """Chalice's own answers (405, 415, an unexpected 500) in the SPEC §4 error shape."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return response
    name = str(body["Code"])
    code = _CHALICE_CODES.get(name) or (
        re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().removesuffix("_error")
    )
    message = str(body["Message"])
    response.body = json.dumps(
        {"error": {"code": code, "message": message, "message_zh": message_zh_for(code, message)}},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    response.headers["Content-Type"] = JSON_TYPE
    return response
