"""The nightly export, scheduled at 02:00 China time (18:00 UTC the day before).

An operator re-runs a day by invoking the function with a scheduled-event
payload whose ``detail`` is ``{"force": true}`` (Chalice parses the event as a
CloudWatch event, so the usual fields must be there).
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.services.export import run_export


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    detail = raw.get("detail") if isinstance(raw, dict) else None
    force = isinstance(detail, dict) and detail.get("force") is True
    return run_export(clock.now(), force=force)
