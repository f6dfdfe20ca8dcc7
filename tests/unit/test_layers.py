"""The store is the only door to storage (issue 20): what the upper layers may not import.

Services and routes speak in the store's functions and its named faults
(``store/faults.py``); boto3, botocore, pynamodb and the pynamodb models stay
below them. Read from the source (every import, at module level or inside a
function), so a deferred import cannot slip past. The edge still answers any storage
fault nobody handled, named by the store or not, as 503 ``unavailable``
(``store.faults.STORAGE_FAULTS``, which routes read through ``services/faults.py``),
and nothing else as one.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from chalice import Blueprint, Chalice, Response
from chalice.test import Client
from pynamodb.exceptions import GetError

from chalicelib.api.http import json_response, route
from chalicelib.store import objects

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
UPPER_LAYERS = ("services", "api")
FORBIDDEN = ("boto3", "botocore", "pynamodb", "chalicelib.store.models")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` of ``source`` names (relative ones
    resolved against ``package``), with each name imported from it as a possible module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def forbidden_in(modules: set[str]) -> list[str]:
    return sorted(
        name for name in modules for bad in FORBIDDEN if name == bad or name.startswith(bad + ".")
    )


def _upper_layer_files() -> list[Path]:
    return sorted(path for layer in UPPER_LAYERS for path in (CHALICELIB / layer).rglob("*.py"))


@pytest.mark.parametrize(
    "source",
    [
        "from botocore.exceptions import ClientError",
        "import boto3",
        "def f():\n    from pynamodb.exceptions import PutError",
        "from chalicelib.store.models import AwardRecord",
        "from chalicelib.store import models",
        "from ..store import models",
    ],
)
def test_the_check_sees_each_way_of_importing_a_forbidden_module(source):
    assert forbidden_in(imported_modules(source, "chalicelib.services")) != []


def test_the_check_lets_the_store_repositories_and_faults_through():
    source = "from chalicelib.store import awards, objects\nfrom chalicelib.store.faults import X"
    assert forbidden_in(imported_modules(source, "chalicelib.services")) == []


def test_no_route_imports_the_store():
    """Routes reach storage, and learn of its faults, through a service (``services/faults``)."""
    strays = {}
    for path in sorted((CHALICELIB / "api").rglob("*.py")):
        package = ".".join(path.relative_to(CHALICELIB.parent).with_suffix("").parts[:-1])
        found = imported_modules(path.read_text(encoding="utf-8"), package)
        store = [name for name in found if name.startswith("chalicelib.store")]
        if store:
            strays[path.name] = store
    assert strays == {}


def test_no_service_or_route_imports_boto3_botocore_pynamodb_or_the_models():
    files = _upper_layer_files()
    assert len(files) > 40  # it did find the layers
    strays = {}
    for path in files:
        package = ".".join(path.relative_to(CHALICELIB.parent).with_suffix("").parts[:-1])
        bad = forbidden_in(imported_modules(path.read_text(encoding="utf-8"), package))
        if bad:
            strays[str(path.relative_to(CHALICELIB.parent))] = bad
    assert strays == {}  # go through a repository in chalicelib/store (and its named faults)


# --- what the edge makes of a storage fault nobody handled -------------------------------

bp = Blueprint(__name__)
FAULTS = {
    "named": objects.PreconditionFailed("exports/2026-11-21/run.json"),
    "client": ClientError({"Error": {"Code": "SlowDown"}}, "PutObject"),
    "pynamodb": GetError("boom"),
}


@route(bp, "GET", "/fault/{kind}", summary="s", audience="public", ok={200: None})
def fault(kind: str) -> Response:
    if kind == "bug":
        raise KeyError(kind)  # not storage: stays a 500, so a bug is not hidden as a 503
    if kind in FAULTS:
        raise FAULTS[kind]
    return json_response({"kind": kind})


APP = Chalice(app_name="layers")
APP.register_blueprint(bp)


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_a_storage_fault_nobody_handled_is_a_503_never_a_500(kind):
    with Client(APP) as client:
        response = client.http.get(f"/fault/{kind}")
    assert response.status_code == 503
    assert json.loads(response.body)["error"]["code"] == "unavailable"


def test_a_fault_that_is_not_storage_is_not_answered_as_one():
    with Client(APP) as client:
        assert client.http.get("/fault/none").status_code == 200
        assert client.http.get("/fault/bug").status_code == 500
