"""The HTTP edge shared by every blueprint: errors, auth, bodies, responses.

Routes stay a few lines: ``@endpoint`` maps our error hierarchy to the SPEC §4
error shape and storage trouble to 503, so no client input ends in a 500.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Chalice, Response
from chalice.app import Request
from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.domain.errors import (
    InvalidJsonError,
    PayloadTooLargeError,
    RegistryError,
    UnavailableError,
    ValidationError,
)
from chalicelib.observability import count, logger
from chalicelib.services.keys import Principal, authenticate

JSON_TYPE = "application/json; charset=utf-8"


class RegistryApp(Chalice):
    """Chalice with a per-thread ``current_request``.

    Chalice keeps the request in a plain attribute: fine in Lambda (one request
    per container at a time) but a data race under ``chalice local``'s threaded
    server, where two concurrent pushes could read each other's body or key.
    """

    _request_local = threading.local()

    @property  # type: ignore[override]
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
    headers = {"Retry-After": "1"} if error.status in (429, 503) else None
    return json_response(error.to_body(), status=error.status, headers=headers)


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
            except (PynamoDBException, ClientError, BotoCoreError) as exc:
                logger.warning("storage fault", extra={"fault": type(exc).__name__})
                return error_response(UnavailableError("storage is unavailable, try again"))

        return wrapper

    return decorate


def received_at() -> datetime:
    """When the request arrived (UTC): the push time of a record."""
    return datetime.now(UTC)


def principal_of(request: Request) -> Principal | None:
    principal = authenticate(request.headers.get("authorization"))
    if principal is not None:
        logger.append_keys(role=principal.role, authority_id=principal.authority_id)
    return principal


def json_body(request: Request) -> Any:
    """The parsed JSON body: 413 over the limit, 400 ``invalid_json`` when it isn't JSON."""
    raw = request.raw_body or b""
    if len(raw) > settings().max_body_bytes:
        raise PayloadTooLargeError(f"the body is over {settings().max_body_bytes} bytes")
    if not raw.strip():
        raise InvalidJsonError("the body is empty; send a JSON object")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidJsonError(f"the body is not valid UTF-8 JSON: {exc}") from None


def query_params(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def limit_param(params: dict[str, str]) -> int:
    raw = params.get("limit")
    if raw is None:
        return settings().page_default
    if not raw.isdigit() or not 1 <= int(raw) <= settings().page_max:
        raise ValidationError(f"limit must be 1..{settings().page_max}", field="limit")
    return int(raw)


def if_match_version(request: Request) -> int | None:
    """The version in ``If-Match`` (``"3"``, ``3`` or ``W/"3"``); None when absent."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ValidationError('If-Match must be the version, e.g. "3"', field="If-Match")
    return int(text)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
