"""What a cold start imports: ``import app`` leaves out what no route needs at import.

A fresh interpreter imports ``app`` as Lambda does (a cloud stage's settings) and
lists what got imported. pydantic, the request models, the working-day calendar,
QR codes, spreadsheets and the services of the routes load with the first request
that needs them (``domain/bodies.py``, ``chalicelib/lazy.py``); an eager import of
one of them here puts it back on every cold start (see ``make bench``, cold import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.api.doc import RouteDoc
from chalicelib.domain.bodies import request_model
from chalicelib.lazy import lazy_module

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFERRED = (
    "pydantic",
    "chalicelib.domain.schemas",
    "chalicelib.api.responses",
    "chinese_calendar",
    "chalicelib.domain.workdays",
    "zoneinfo",
    "segno",
    "openpyxl",
    "chalicelib.services.audit",
    "chalicelib.services.awards",
    "chalicelib.jobs.export",
)
_LIST_IMPORTS = "import json, sys; import app; print(json.dumps(sorted(sys.modules)))"


def _modules_after_import_app() -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(
        {
            "AWS_DEFAULT_REGION": "cn-north-1",
            "STAGE": "prod",
            "PUBLIC_BASE_URL": "https://registry.example.cn/api",
            "SERVER_SECRET_ARN": "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:t",
            "PYTHONPATH": str(PROJECT_DIR),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", _LIST_IMPORTS],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_app_leaves_out_what_no_route_needs_at_import():
    modules = _modules_after_import_app()
    assert "app" in modules and "chalicelib.api.awards" in modules  # it did import the app
    assert [name for name in DEFERRED if name in modules] == []


def test_a_route_names_its_body_model_rather_than_importing_it():
    class AwardIn:  # what ``from chalicelib.domain.schemas import AwardIn`` would pass
        pass

    with pytest.raises(TypeError, match="body='AwardIn'"):
        RouteDoc(summary="push", audience="provincial", ok={201: "AwardOut"}, body=AwardIn)


def test_a_lazy_module_imports_on_first_read_and_refuses_patching_the_stand_in():
    stand_in = lazy_module("json")
    assert "not imported yet" in repr(stand_in)
    assert stand_in.dumps([1]) == "[1]"
    assert "(imported)" in repr(stand_in)
    with pytest.raises(AttributeError):
        stand_in.dumps = None  # patch chalicelib.services.x itself, not a blueprint's stand-in


def test_an_unknown_body_model_name_is_a_clear_error():
    with pytest.raises(LookupError, match="no request model 'FeedbackIm'"):
        request_model("FeedbackIm")
