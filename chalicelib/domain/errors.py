"""One hierarchy for every error a client can cause, mapped once to HTTP.

Services raise these; the API edge turns them into the SPEC §4 error shape
``{"error": {"code", "message", "field"?}}``. Nothing here knows about HTTP
frameworks, so the same errors serve the CLI and the scheduled jobs.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every expected, client-visible failure."""

    status = 400
    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_body(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


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

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code


class VersionMismatchError(RegistryError):
    status, code = 412, "version_mismatch"


class IfMatchRequiredError(RegistryError):
    status, code = 428, "if_match_required"


class PayloadTooLargeError(RegistryError):
    status, code = 413, "payload_too_large"


class BusinessRuleError(RegistryError):
    """A well-formed request that breaks a rule of the notice (422)."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code


class ThrottledError(RegistryError):
    status, code = 429, "throttled"


class UnavailableError(RegistryError):
    """Storage stayed contended or unreachable after retries: try again."""

    status, code = 503, "unavailable"
