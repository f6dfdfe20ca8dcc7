"""Request bodies, validated by their model's name: pydantic loads with the first body.

The request models (``domain/schemas.py``) are pydantic, and importing pydantic
with them is the largest import a route that reads no body would pay for on a
cold start (measured with ``python -X importtime -c "import app"``; see ``make
bench``, cold import). So routes and services name a model (``"AwardIn"``) and
this module imports the schemas on the first request that has a body; a
container serving only reads never imports pydantic.
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
