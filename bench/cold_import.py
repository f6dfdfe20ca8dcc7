"""Benchmark: cold import of ``app`` in a fresh process vs. a bare Chalice + boto3 app.

What a Lambda cold start pays before the first request, minus the runtime's own
start-up: each sample is a new interpreter that times ``import app`` (our app,
with every blueprint, pynamodb models and powertools) or a one-route "hello"
app that imports ``chalice`` and ``boto3``, or the same app that also imports
the libraries ours imports at cold start (pynamodb, powertools' Logger and
Metrics) and no code of ours: the floor a cold start cannot go below. pydantic is
not in the floor: ``import app`` no longer imports it (request models load with the
first request that has a body, response shapes with the OpenAPI document), so a
fourth app, the floor plus pydantic, shows what that saves. Median of ``RUNS``
samples each, taken alternately.

    python -m bench.cold_import
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
RUNS = 20
HELLO_APP = """\
import boto3
from chalice import Chalice

app = Chalice(app_name="hello")


@app.route("/")
def index():
    return {"hello": "world"}
"""
LIBRARIES_APP = """\
import boto3
from aws_lambda_powertools import Logger, Metrics
from chalice import Chalice
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

app = Chalice(app_name="libraries")


@app.route("/")
def index():
    return {"hello": "world"}
"""
# The floor plus pydantic: what every cold start paid while the routes imported their
# request models (before the bodies were named, see chalicelib/domain/bodies.py).
PYDANTIC_APP = LIBRARIES_APP.replace(
    "from pynamodb.models import Model\n",
    "from pynamodb.models import Model\nfrom pydantic import BaseModel, ConfigDict, Field\n",
)
_TIMED_IMPORT = (
    "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
)
_IMPORTED = (
    "import json, sys; import app; "
    "print(json.dumps([sorted(m for m in sys.modules if m.startswith('chalicelib')), "
    "'pydantic' in sys.modules]))"
)


def _sample(directory: Path, code: str = _TIMED_IMPORT) -> float:
    return float(_run(directory, code))


def _run(directory: Path, code: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "PYTHON"))
    }
    env.update(
        {
            "AWS_DEFAULT_REGION": "cn-north-1",
            "STAGE": "prod",
            "PUBLIC_BASE_URL": "https://registry.example.cn/api",  # a cloud stage needs it
            "PYTHONPATH": str(directory),
        }
    )
    # As the stack sets it: a cloud stage refuses to start without it (nothing is fetched).
    env["SERVER_SECRET_ARN"] = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:bench"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=directory,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        apps = {"ours": PROJECT_DIR}
        for name, text in (
            ("hello", HELLO_APP),
            ("libraries", LIBRARIES_APP),
            ("pydantic", PYDANTIC_APP),
        ):
            apps[name] = Path(tmp, name)
            apps[name].mkdir()
            Path(apps[name], "app.py").write_text(text)
        for directory in apps.values():
            _sample(directory)  # warm the file-system cache and write the .pyc files
        samples: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(RUNS):  # alternate, so all see the same background load
            for name, directory in apps.items():
                samples[name].append(_sample(directory))
        ours_modules, ours_pydantic = json.loads(_run(PROJECT_DIR, _IMPORTED))
    ours, ours_min = statistics.median(samples["ours"]), min(samples["ours"])
    hello, hello_min = statistics.median(samples["hello"]), min(samples["hello"])
    libraries = statistics.median(samples["libraries"])
    with_pydantic = statistics.median(samples["pydantic"])
    return [
        {
            "measure": "cold `import app`, Award Registry",
            "value": round(ours),
            "unit": "ms (median)",
            "notes": f"{RUNS} fresh processes; min {ours_min:.0f} ms; {len(ours_modules)} "
            f"modules of ours; pydantic {'imported' if ours_pydantic else 'not imported'}",
        },
        {
            "measure": "cold `import app`, bare Chalice + boto3 hello",
            "value": round(hello),
            "unit": "ms (median)",
            "notes": f"{RUNS} fresh processes; min {hello_min:.0f} ms",
        },
        {
            "measure": "cold `import app`, the libraries alone (no app code): the floor",
            "value": round(libraries),
            "unit": "ms (median)",
            "notes": f"chalice, boto3, pynamodb, powertools (what ours imports at cold "
            f"start); {libraries / hello:.2f}× hello",
        },
        {
            "measure": "cold `import app`, the floor + pydantic",
            "value": round(with_pydantic),
            "unit": "ms (median)",
            "notes": f"{with_pydantic / hello:.2f}× hello; ours loads pydantic with the "
            "first request body, not at import",
        },
        {
            "measure": "cold import, ours / hello",
            "value": round(ours / hello, 2),
            "unit": "×",
            "notes": f"goal ≤ 1.3×; the app's own cost ≈ {ours - hello:.0f} ms over the bare "
            f"app, ≈ {ours - libraries:.0f} ms over the floor ({ours / libraries:.2f}×)",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
