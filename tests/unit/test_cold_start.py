"""What a cold start imports: ``import app`` leaves out what no route needs at import.

A fresh interpreter imports ``app`` as Lambda does (a cloud stage's settings) and
lists the modules whose code ran. pydantic, the request models, the working-day
calendar, QR codes, spreadsheets and the services of the routes load with the first
request that needs them, through the one lazy seam (``chalicelib/lazy.py``, installed by
``app.py``); reading a name from a deferred module at import (``from
chalicelib.services.awards import push`` in a blueprint, ``body=schemas.AwardIn`` in a
decorator) puts it back on every cold start (see ``make bench``, cold import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib import lazy

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
# The modules whose code ran: a deferred module is in sys.modules, not yet executed.
_LIST_IMPORTS = (
    "import json, sys; import app; from chalicelib.lazy import is_loaded; "
    "print(json.dumps(sorted(name for name, module in sys.modules.items() if is_loaded(module))))"
)


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


def test_a_deferred_module_runs_on_its_first_read_as_the_same_module(tmp_path, monkeypatch):
    package = tmp_path / "edge_lazy_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "heavy.py").write_text(
        "import sys\nsys.modules['edge_lazy_probe'].ran = True\nX = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(lazy, "DEFERRED_PACKAGES", ("edge_lazy_probe.",))
    monkeypatch.setattr(lazy.sys, "meta_path", list(lazy.sys.meta_path))
    lazy.defer_imports()
    try:
        import edge_lazy_probe
        from edge_lazy_probe import heavy

        assert not lazy.is_loaded(heavy) and not hasattr(edge_lazy_probe, "ran")
        assert heavy.X == 1  # the first read runs it
        assert lazy.is_loaded(heavy) and edge_lazy_probe.ran
        assert lazy.sys.modules["edge_lazy_probe.heavy"] is heavy
    finally:
        for name in ("edge_lazy_probe.heavy", "edge_lazy_probe"):
            lazy.sys.modules.pop(name, None)


def test_no_module_of_ours_uses_the_old_per_module_stand_ins():
    """One seam: ``lazy_module`` + a ``TYPE_CHECKING`` twin, or a body named by a string,
    in a blueprint merged from an older branch is written the new way (see README,
    "How it is built")."""
    offenders = []
    for path in sorted((PROJECT_DIR / "chalicelib").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "lazy.py" and "lazy_module(" in text:
            offenders.append(f"{path.relative_to(PROJECT_DIR)}: lazy_module")
        if path.name != "bodies.py" and "parse_body(" in text:  # a body named by a string
            offenders.append(f"{path.relative_to(PROJECT_DIR)}: parse_body")
    assert offenders == []


def test_a_deferred_module_that_fails_raises_its_error_on_every_read(tmp_path, monkeypatch):
    package = tmp_path / "edge_lazy_broken"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "broken.py").write_text("X = 1\nraise RuntimeError('half-written')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(lazy, "DEFERRED_PACKAGES", ("edge_lazy_broken.",))
    monkeypatch.setattr(lazy.sys, "meta_path", list(lazy.sys.meta_path))
    lazy.defer_imports()
    try:
        from edge_lazy_broken import broken

        for _ in range(2):  # the real error each time, never a half-run module
            with pytest.raises(RuntimeError, match="half-written"):
                broken.X  # noqa: B018
    finally:
        for name in ("edge_lazy_broken.broken", "edge_lazy_broken"):
            lazy.sys.modules.pop(name, None)
