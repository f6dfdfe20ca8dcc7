"""Benchmark: cold import of ``app`` in a fresh process vs. a bare Chalice + boto3 app.

What a Lambda cold start pays before the first request, minus the runtime's own
start-up: each sample is a new interpreter that times ``import app`` (our app,
with every blueprint, pynamodb models and powertools) or a one-route "hello"
app that imports ``chalice`` and ``boto3``, or the same app that also imports
the libraries ours builds on (pynamodb, powertools' Logger and Metrics,
pydantic's models) and no code of ours: the floor a cold start cannot go below. Median
of ``RUNS`` samples each, taken alternately.

    python -m bench.cold_import
"""

from __future__ import annotations

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
from pydantic import BaseModel, ConfigDict, Field

app = Chalice(app_name="libraries")


@app.route("/")
def index():
    return {"hello": "world"}
"""
_TIMED_IMPORT = (
    "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
)


def _sample(directory: Path) -> float:
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
        [sys.executable, "-c", _TIMED_IMPORT],
        cwd=directory,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        hello_dir, libraries_dir = Path(tmp, "hello"), Path(tmp, "libraries")
        hello_dir.mkdir()
        libraries_dir.mkdir()
        Path(hello_dir, "app.py").write_text(HELLO_APP)
        Path(libraries_dir, "app.py").write_text(LIBRARIES_APP)
        apps = {"ours": PROJECT_DIR, "hello": hello_dir, "libraries": libraries_dir}
        for directory in apps.values():
            _sample(directory)  # warm the file-system cache and write the .pyc files
        samples: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(RUNS):  # alternate, so both see the same background load
            for name, directory in apps.items():
                samples[name].append(_sample(directory))
    ours, ours_min = statistics.median(samples["ours"]), min(samples["ours"])
    hello, hello_min = statistics.median(samples["hello"]), min(samples["hello"])
    libraries = statistics.median(samples["libraries"])
    return [
        {
            "measure": "cold `import app`, Award Registry",
            "value": round(ours),
            "unit": "ms (median)",
            "notes": f"{RUNS} fresh processes; min {ours_min:.0f} ms",
        },
        {
            "measure": "cold `import app`, bare Chalice + boto3 hello",
            "value": round(hello),
            "unit": "ms (median)",
            "notes": f"{RUNS} fresh processes; min {hello_min:.0f} ms",
        },
        {
            "measure": "cold `import app`, the libraries alone (no app code)",
            "value": round(libraries),
            "unit": "ms (median)",
            "notes": f"chalice, boto3, pynamodb, powertools, pydantic; "
            f"{libraries / hello:.2f}× hello: the floor",
        },
        {
            "measure": "cold import, ours / hello",
            "value": round(ours / hello, 2),
            "unit": "×",
            "notes": f"the app's own cost ≈ {ours - hello:.0f} ms over the bare app",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
