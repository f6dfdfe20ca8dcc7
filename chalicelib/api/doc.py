"""What a route says about itself in OpenAPI: audience, key, parameters, body, answers.

Each route declares its ``RouteDoc`` beside its handler (``http.route(...)``), so
the documentation cannot drift from the code, and the query parameters declared
here are the only ones the route accepts (and how the edge reads them). The body is
declared by the handler's ``body:`` annotation (``route`` reads it); an answer is named
by its shape in ``api/responses.py`` (``"AwardOut"``), imported when
``/v1/openapi.json`` is built. This module holds the shapes and the few parameters and
patterns several routes share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from chalicelib.config import settings
from chalicelib.domain.authorities import AUTHORITY_IDS
from chalicelib.domain.principal import ADMIN, PROVINCIAL

Audience = Literal["public", "provincial", "admin"]
Auth = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class Param:
    """A query parameter; ``schema`` may be a function when it depends on settings.

    The schema is also how the edge reads the value (``api/http.py``, a handler's
    ``query``): an ``integer`` is ASCII digits within ``minimum``..``maximum``, a
    ``boolean`` is ``true``/``false``, an ``enum`` one of its values, a ``string`` within
    ``minLength``..``maxLength`` (unless ``folded``: its length counts after the domain
    rule folds it, and that rule checks it; or ``opaque``: a secret the service compares,
    whose wrong length must answer as a wrong value does). ``message`` replaces the
    generic 400 text; ``parse`` turns a text the schema admitted into its value's type
    (``overdue``: the enum ``true``/``false`` into a bool).
    """

    name: str
    schema: dict[str, Any] | Callable[[], dict[str, Any]]
    description: str = ""
    required: bool = False
    message: str = ""
    folded: bool = False
    max_digits: int | None = None  # an integer's longest text (default: its maximum's)
    opaque: bool = False
    parse: Callable[[str], Any] | None = None

    def json_schema(self) -> dict[str, Any]:
        return self.schema() if callable(self.schema) else self.schema


@dataclass(frozen=True)
class Raw:
    """A success answer that is not JSON: an HTML page, a static file, a spreadsheet."""

    media_types: tuple[str, ...]
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Redirect:
    """A 302 to ``Location`` (e.g. a presigned S3 URL); no body."""

    description: str


# A JSON answer is named by its shape in ``api/responses.py`` (e.g. ``"AwardOut"``): that
# module (some 60 pydantic classes) is imported only when the OpenAPI document is built,
# not on a route's cold start (measured: the largest import of our own).
Answer = str | Raw | Redirect | None


@dataclass(frozen=True)
class RouteDoc:
    """What OpenAPI says about one route.

    The error statuses listed are derived (see ``openapi_document._error_statuses``):
    400 when the route reads input (query, body, ``If-Match``) or refuses unknown query
    parameters (every route but an ``open_query`` page), 401/403 from
    ``auth``, 404 with path parameters, 413/415 with a body, 503 when it reads
    storage; ``errors`` adds what the route's own rules return.

    ``query`` is also the set of query parameters the route accepts: any other
    is a 400 ``validation_error`` naming it, unless ``open_query`` (a human page,
    whose address may carry a browser's or a mail client's own parameters).
    """

    summary: str
    audience: Audience
    ok: dict[int, Answer]
    auth: Auth = "none"
    query: tuple[Param, ...] = ()
    # Older form: the request model's name (``"AwardIn"``). A route declares its body in
    # the handler instead (``body: schemas.AwardIn``), which sets ``body_from``.
    body: str | None = None
    errors: tuple[int, ...] = ()
    path_patterns: dict[str, str] = field(default_factory=dict)
    path_enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    media_type: str = "application/json"
    if_match: bool = False
    etag: bool = False
    description: str = ""
    storage: bool = True
    html_errors: tuple[int, ...] = ()
    open_query: bool = False
    # Who may call a route with ``auth="required"`` (not in OpenAPI: its tag is the
    # audience): by default the audience's role; ``(PROVINCIAL, ADMIN)`` where an
    # administrator may call a provincial route too.
    roles: tuple[str, ...] = ()
    # Path parameters the edge reads by their schema before the body (a 400 naming one),
    # handed to the handler typed (``year: int``); their OpenAPI entry is ``path_patterns``.
    path_params: tuple[Param, ...] = ()
    # A setting that makes a keyed route public (``PUBLIC_TIMELINESS``): while it says so,
    # ``auth="required"`` is enforced as ``optional``.
    public_if: Callable[[], bool] | None = None
    # Set by ``route(...)`` from the handler's ``body:`` annotation (resolved when first
    # asked: the model's module loads then).
    body_from: Callable[[], type | None] | None = None

    def __post_init__(self) -> None:
        if self.body is not None and not isinstance(self.body, str):
            raise TypeError(
                "body= is not how a route takes a body: declare it in the handler, "
                "`def push(body: schemas.AwardIn)`, and the edge parses it"
            )

    @property
    def allowed_roles(self) -> tuple[str, ...]:
        """The roles a key needs on this route (any role when the audience is public)."""
        if self.roles:
            return self.roles
        return (self.audience,) if self.audience != "public" else (ADMIN, PROVINCIAL)

    @property
    def has_body(self) -> bool:
        return self.body is not None or self.body_from is not None

    def body_model(self) -> type | None:
        """The request model of the body (imports it), or None."""
        if self.body_from is not None:
            return self.body_from()
        if self.body is not None:  # the older form, a model named by a string
            from chalicelib.domain.bodies import request_model

            return request_model(self.body)
        return None


def _id_pattern(prefix: str) -> str:
    return rf"^{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}$"


AWARD_ID = _id_pattern("awd")
PROGRAM_ID = _id_pattern("prg")
DOCUMENT_ID = _id_pattern("doc")
IMPORT_ID = _id_pattern("imp")
KEY_ID = _id_pattern("key")
RECEIPT_ID = _id_pattern("rcp")
FEEDBACK_ID = _id_pattern("fbk")
AWARD_PATH = {"award_id": AWARD_ID}
PROGRAM_PATH = {"program_id": PROGRAM_ID}
HTML = Raw(("text/html",))

PERSONAL_DATA = (
    "Anonymous answers carry no `project_manager`, excuse reason or redaction reason; the "
    "owning province and administrators read them with their key."
)
SHORT_PAGES = (
    "A page reads at most max(10 × limit, 200) stored items, however many awards are stored. "
    "When it reaches that bound it answers the items found so far with a `next_cursor` "
    "placed after the last item read: a page MAY hold fewer than `limit` items, or none, "
    "and still have a `next_cursor`. Clients MUST keep paging while `next_cursor` is "
    "present; only its absence means the end. Each matching award is served exactly once "
    "across the pages."
)


def _limit_schema() -> dict[str, Any]:
    config = settings()
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": config.page_max,
        "default": config.page_default,
    }


# Up to 6 digits: leading zeros are accepted (``limit=020``), as ever.
LIMIT = Param("limit", _limit_schema, "Page size.", max_digits=6)
CURSOR = Param("cursor", {"type": "string"}, "`next_cursor` of the previous page (opaque, signed).")
AUTHORITY = Param(
    "authority_id",
    {"type": "string", "enum": sorted(AUTHORITY_IDS)},
    "One authority's objects.",
    message="unknown authority_id",
)
CREDIT_CODE = Param("credit_code", {"type": "string"}, "Unified social credit code.", True)
