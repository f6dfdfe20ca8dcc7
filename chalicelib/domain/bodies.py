"""The older way to read a body: a request model named by a string (``"AwardIn"``).

Kept so a route or service written the older way (``body="AwardIn"`` on the route,
``parse_body("AwardIn", json_body(request))`` in the service) still runs after a merge.
A route now declares its body in the handler (``body: schemas.AwardIn``) and the edge
(``api/http.py``) validates it; the service receives the model. The lazy seam
(``chalicelib/lazy.py``) keeps pydantic off the cold start either way.
``tests/unit/test_route_edge.py`` and ``test_cold_start.py`` fail while any module of
``chalicelib`` still uses this form.
"""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


def _schemas() -> ModuleType:
    # Measured cold-start lazy load: pydantic and the request models, only with a body.
    from chalicelib.domain import schemas

    return schemas


def request_model(name: str) -> type[BaseModel]:
    """The request model called ``name`` in ``domain/schemas.py`` (e.g. ``"AwardIn"``)."""
    schemas = _schemas()
    model = getattr(schemas, name, None)
    if not (isinstance(model, type) and issubclass(model, schemas.BaseModel)):
        raise LookupError(f"no request model {name!r} in chalicelib/domain/schemas.py")
    return model


def parse_body(
    name: str,
    data: Any,
    *,
    today: date | None = None,
    earliest_award: date | None = None,
    prefix: str = "",
) -> Any:
    """``schemas.parse_model`` with the model called ``name``: the model, or our error."""
    return _schemas().parse_model(
        request_model(name), data, today=today, earliest_award=earliest_award, prefix=prefix
    )
