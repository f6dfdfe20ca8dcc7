"""One hierarchy for every error a client can cause, mapped once to HTTP.

Services raise these; the API edge turns them into the SPEC §4 error shape
``{"error": {"code", "message", "message_zh", "field"?}, "errors"?: [...]}``.
Every error speaks English and Chinese (``domain/messages_zh.py`` gives the
Chinese of a raise site that does not say its own); one that found several
problems in a body lists them all in ``errors`` (the first is also ``error``).
Nothing here knows about HTTP frameworks, so the same errors serve the CLI,
the import worker and the scheduled jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.messages_zh import message_zh_for


@dataclass(frozen=True)
class ErrorDetail:
    """One problem of a request: what ``errors[i]`` of an error answer says."""

    code: str
    message: str
    message_zh: str
    field: str | None = None

    def to_dict(self) -> dict:
        item: dict = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        if self.field:
            item["field"] = self.field
        return item


class RegistryError(Exception):
    """Base of every expected, client-visible failure.

    ``details`` are all the problems found (the first is this error itself);
    empty when there was just one thing wrong.
    """

    status = 400
    code = "validation_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        message_zh: str | None = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.message_zh = message_zh or message_zh_for(self.code, message, field)
        self.details = tuple(details)

    def detail(self) -> ErrorDetail:
        """This error as one item of another's ``errors``."""
        return ErrorDetail(self.code, self.message, self.message_zh, self.field)

    def to_body(self, *, max_details: int | None = None) -> dict:
        """The SPEC §4 shape; ``errors`` lists at most ``max_details`` problems (the first ones)."""
        error: dict = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        if self.field:
            error["field"] = self.field
        body: dict = {"error": error}
        if self.details:
            body["errors"] = [item.to_dict() for item in self.details[:max_details]]
        return body


class ValidationError(RegistryError):
    status, code = 400, "validation_error"


class InvalidJsonError(RegistryError):
    status, code = 400, "invalid_json"


class InvalidCursorError(RegistryError):
    status, code = 400, "invalid_cursor"


class UnauthenticatedError(RegistryError):
    status, code = 401, "unauthenticated"


class ForbiddenError(RegistryError):
    status, code = 403, "forbidden"


class NotFoundError(RegistryError):
    status, code = 404, "not_found"


class ConflictError(RegistryError):
    """A state conflict; ``code`` says which (SPEC §4 lists them)."""

    status = 409

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        message_zh: str | None = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        self.code = code
        super().__init__(message, field=field, message_zh=message_zh, details=details)


class VersionMismatchError(RegistryError):
    status, code = 412, "version_mismatch"


class IfMatchRequiredError(RegistryError):
    status, code = 428, "if_match_required"


class PayloadTooLargeError(RegistryError):
    status, code = 413, "payload_too_large"


class BusinessRuleError(RegistryError):
    """A well-formed request that breaks a rule of the notice (422)."""

    status = 422

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        message_zh: str | None = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        self.code = code
        super().__init__(message, field=field, message_zh=message_zh, details=details)


class ThrottledError(RegistryError):
    """Too many requests: ``retry_after`` seconds until the client may try again."""

    status, code = 429, "throttled"

    def __init__(self, message: str, *, retry_after: int = 1, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class UnavailableError(RegistryError):
    """Storage stayed contended or unreachable after retries: try again."""

    status, code = 503, "unavailable"
