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

Since routes load their services and pydantic on first use (the one lazy seam,
``chalicelib/lazy.py``), a change that only moves an import from
``import app`` to the first request would look like a saving there. So three more
rows, taken in the same rounds (every ``FIRST_REQUEST_EVERY``-th: each needs moto's
import), time ``import app`` + the first ``GET /v1/verify`` or ``POST /v1/awards``
through ``chalice.test.Client`` on in-process moto, against a fair baseline: a
bare Chalice + boto3 app whose first request makes its DynamoDB client and does one
Query (verify's credit-code Query) on the same emulator (issue 20: verify ≤ 1.5×,
a push ≤ 2× that baseline). The tables, a key, a programme and one award are made once in another
process and restored from a pickle of moto's backends before the clock starts
(making them here would import most of ``chalicelib`` before the clock).

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
RUNS = int(os.environ.get("COLD_IMPORT_RUNS", "20"))  # fewer for a quick look
FIRST_REQUEST_EVERY = 2  # rounds: the first-request rows get 10 samples (seconds each)
HELLO_APP = """\
import boto3
from chalice import Chalice

app = Chalice(app_name="hello")


@app.route("/")
def index():
    return {"hello": "world"}
"""
HELLO_CONFIG = '{"version": "2.0", "app_name": "hello", "stages": {"local": {}}}'
# The fair baseline of a first request (issue 20): a bare Chalice + boto3 app whose first
# request makes its client on first use (as the chalice todo-app does) and does one
# DynamoDB Query, the credit-code Query verify starts with, on the same in-process moto.
BASELINE_APP = """\
import os

import boto3
from chalice import Chalice

app = Chalice(app_name="baseline")
_dynamodb = None


def dynamodb():
    global _dynamodb
    if _dynamodb is None:
        _dynamodb = boto3.client("dynamodb")
    return _dynamodb


@app.route("/")
def index():
    code = app.current_request.query_params["credit_code"]
    answer = dynamodb().query(
        TableName=os.environ["TABLE_PREFIX"] + "-awards",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "CC#" + code}},
        ConsistentRead=True,
    )
    return {"credit_code": code, "count": answer["Count"]}
"""
BASELINE_CONFIG = HELLO_CONFIG.replace('"hello"', '"baseline"')
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
# request models (before they were deferred, see chalicelib/lazy.py).
PYDANTIC_APP = LIBRARIES_APP.replace(
    "from pynamodb.models import Model\n",
    "from pynamodb.models import Model\nfrom pydantic import BaseModel, ConfigDict, Field\n",
)
_TIMED_IMPORT = (
    "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
)
# The modules of ours whose code ran (a deferred one is in sys.modules, not yet run).
_IMPORTED = (
    "import json, sys; import app; from chalicelib.lazy import is_loaded; "
    "print(json.dumps([sorted(m for m, v in sys.modules.items() "
    "if m.startswith('chalicelib') and is_loaded(v)), 'pydantic' in sys.modules]))"
)


def _sample(directory: Path, code: str = _TIMED_IMPORT) -> float:
    return float(_run(directory, code))


def _first_request(directory: Path, state: Path, request: str) -> tuple[float, float]:
    """``import app`` + its first request, in a fresh process on the saved emulator state:
    wall-clock and CPU milliseconds."""
    code = _FIRST_REQUEST.format(state=str(state), request=request, prefix=_LOCAL_TABLE_PREFIX)
    wall, cpu = _run(directory, code, in_process_aws=True).split()
    return float(wall), float(cpu)


def _run(directory: Path, code: str, *, in_process_aws: bool = False) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "PYTHON"))
    }
    if in_process_aws:  # bench/_inprocess.py sets the rest (the local stage, fake keys)
        env["PYTHONPATH"] = str(PROJECT_DIR)  # the app itself comes from the cwd
    else:
        env.update(
            {
                "AWS_DEFAULT_REGION": "cn-north-1",
                "STAGE": "prod",
                "PUBLIC_BASE_URL": "https://registry.example.cn/api",  # a cloud stage needs it
                "PYTHONPATH": str(directory),
                # As the stack sets it: a cloud stage refuses to start without it (nothing
                # is fetched).
                "SERVER_SECRET_ARN": "arn:aws-cn:secretsmanager:cn-north-1:123456789012"
                ":secret:bench",
            }
        )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=directory,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


# The first request: tables, key, programme and one award made beforehand in another
# process (``_write_state``) and restored from a pickle of moto's backends before the
# clock starts, so what is timed is the app's import, what the route loads on first
# use (lazy services, pydantic for a body) and the request on in-process moto.
_LOCAL_TABLE_PREFIX = "award-registry-local"  # what the Client's local stage sets
_STATE_BACKENDS = ("dynamodb", "s3", "sns", "secretsmanager")  # the two routes' services
_FIRST_REQUEST = """\
import bench._inprocess  # the fake AWS environment, moto before any botocore client
import json, os, pickle, sys, time
os.environ["TABLE_PREFIX"] = {prefix!r}
from devtools.moto_patches import apply_patches
apply_patches()
import moto
from moto.backends import get_backend
mock = moto.mock_aws()
mock.start()
with open({state!r}, "rb") as file:
    state = pickle.load(file)
for name, accounts in state["backends"].items():
    backends = get_backend(name)
    for account, regions in accounts.items():
        dict.__setitem__(backends, account, regions)
from chalice.test import Client
method, path, body, status = state["requests"][{request!r}]
headers = {{"Content-Type": "application/json"}}
if body:  # a province's push; verify is public, asked without a key
    headers["Authorization"] = "Bearer " + state["key"]
loaded = [m for m in sys.modules if m == "app" or m.startswith(("chalicelib", "pydantic"))]
assert not loaded, loaded  # nothing of the timed part is imported yet
t, c = time.perf_counter(), time.process_time()
import app
with Client(app.app, stage_name="local", project_dir=os.getcwd()) as client:
    send = getattr(client.http, method)
    response = send(path, headers=headers, body=body) if body else send(path, headers=headers)
elapsed = (time.perf_counter() - t) * 1000
cpu = (time.process_time() - c) * 1000
assert response.status_code == status, (response.status_code, response.body)
print(elapsed, cpu)
"""


def _write_state(path: str) -> None:
    """In its own process: bootstrap moto, a key, a programme, one award; pickle the backends.

    The timed processes restore this instead of bootstrapping themselves: making the
    tables imports most of ``chalicelib``, which would then not be timed.
    """
    import pickle

    import bench._inprocess as inprocess  # sets the env before moto, first

    os.environ["TABLE_PREFIX"] = _LOCAL_TABLE_PREFIX
    from moto.backends import get_backend

    from tests.factories import award_body, credit_code

    code = credit_code(700_001)
    with inprocess.local_app() as api:
        key = inprocess.provincial_key("110000")
        program_id = inprocess.submitted_program(api, key)
        held = award_body(program_id, source_id="COLD-1")
        held["winners"][0]["credit_code"] = code
        assert api.call("POST", "/v1/awards", held, key=key).status == 201
        state = {
            "backends": {name: dict(get_backend(name)) for name in _STATE_BACKENDS},
            "key": key,
            "requests": {
                "verify": ("get", f"/v1/verify?credit_code={code}", None, 200),
                "award": ("post", "/v1/awards", json.dumps(award_body(program_id, "COLD-2")), 201),
                "hello": ("get", "/", None, 200),
                "baseline": ("get", f"/?credit_code={code}", None, 200),
            },
        }
        with open(path, "wb") as file:
            pickle.dump(state, file)
    print(path)


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
        Path(apps["hello"], ".chalice").mkdir()  # the test Client reads the stage's config
        Path(apps["hello"], ".chalice", "config.json").write_text(HELLO_CONFIG)
        baseline = Path(tmp, "baseline")  # first-request rows only (its import is hello's)
        Path(baseline, ".chalice").mkdir(parents=True)
        Path(baseline, "app.py").write_text(BASELINE_APP)
        Path(baseline, ".chalice", "config.json").write_text(BASELINE_CONFIG)
        state = Path(tmp, "state.pickle")
        _run(
            PROJECT_DIR,
            f"from bench.cold_import import _write_state; _write_state({str(state)!r})",
            in_process_aws=True,
        )
        # (making the state imported, and wrote the .pyc files of, what the routes load)
        first = {"verify": PROJECT_DIR, "award": PROJECT_DIR, "baseline": baseline}
        for directory in apps.values():
            _sample(directory)  # warm the file-system cache and write the .pyc files
        _first_request(baseline, state, "baseline")  # its .pyc too
        samples: dict[str, list[float]] = {name: [] for name in apps}
        first_samples: dict[str, list[float]] = {request: [] for request in first}
        first_cpu: dict[str, list[float]] = {request: [] for request in first}
        for round_ in range(RUNS):  # alternate, so all see the same background load
            for name, directory in apps.items():
                samples[name].append(_sample(directory))
            if round_ % FIRST_REQUEST_EVERY == 0:  # each takes seconds (moto's import)
                for request, directory in first.items():
                    wall, cpu = _first_request(directory, state, request)
                    first_samples[request].append(wall)
                    first_cpu[request].append(cpu)
        ours_modules, ours_pydantic = json.loads(_run(PROJECT_DIR, _IMPORTED))
    ours, ours_min = statistics.median(samples["ours"]), min(samples["ours"])
    hello, hello_min = statistics.median(samples["hello"]), min(samples["hello"])
    libraries = statistics.median(samples["libraries"])
    with_pydantic = statistics.median(samples["pydantic"])
    firsts = {request: statistics.median(times) for request, times in first_samples.items()}
    cpus = {request: statistics.median(times) for request, times in first_cpu.items()}
    first_n = len(first_samples["baseline"])
    base = firsts["baseline"]
    harness = (
        f"{first_n} fresh processes on in-process moto, the tables, a key and one award "
        "restored before the clock; chalice (the test Client), boto3 and moto are loaded "
        "before the clock in all three, so compare with the baseline row, not the import rows"
    )
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
            "measure": "cold `import app` + first `GET /v1/verify?credit_code=…`, ours",
            "value": round(firsts["verify"]),
            "unit": "ms (median)",
            "notes": f"{harness}; min {min(first_samples['verify']):.0f} ms",
        },
        {
            "measure": "cold `import app` + first `POST /v1/awards` (a body: pydantic), ours",
            "value": round(firsts["award"]),
            "unit": "ms (median)",
            "notes": f"as the verify row; min {min(first_samples['award']):.0f} ms",
        },
        {
            "measure": "cold `import app` + first request, the baseline: bare Chalice + boto3, "
            "one DynamoDB Query",
            "value": round(base),
            "unit": "ms (median)",
            "notes": "as the verify row; its route makes a boto3 DynamoDB client on first use "
            "and does one consistent Query (verify's credit-code Query); "
            f"min {min(first_samples['baseline']):.0f} ms",
        },
        {
            "measure": "cold first `GET /v1/verify`, ours / baseline",
            "value": round(firsts["verify"] / base, 2),
            "unit": "×",
            "notes": f"goal ≤ 1.5× — {'met' if firsts['verify'] <= 1.5 * base else 'NOT met'}; "
            f"ours − baseline = {firsts['verify'] - base:.0f} ms; CPU time "
            f"{cpus['verify']:.0f} / {cpus['baseline']:.0f} ms = "
            f"{cpus['verify'] / cpus['baseline']:.2f}× (what a busy machine cannot inflate)",
        },
        {
            "measure": "cold first `POST /v1/awards`, ours / baseline",
            "value": round(firsts["award"] / base, 2),
            "unit": "×",
            "notes": f"goal ≤ 2× — {'met' if firsts['award'] <= 2 * base else 'NOT met'}; "
            f"ours − baseline = {firsts['award'] - base:.0f} ms; CPU time "
            f"{cpus['award']:.0f} / {cpus['baseline']:.0f} ms = "
            f"{cpus['award'] / cpus['baseline']:.2f}×",
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
