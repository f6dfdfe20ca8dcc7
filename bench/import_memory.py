"""Benchmark: the import worker's peak memory reading the largest sheet it accepts.

Issue 19 (M1): a 1.85 MB XLSX of a million rows took 1,333 MB in-process, more
than the worker function's 1,024 MB, so the worker was killed, retried and the
import stuck. Now a file holds at most ``IMPORT_MAX_ROWS`` (50,000) data rows;
this measures what reading such a file costs the worker: one 50,000-row XLSX
(one enterprise per award, so 50,000 awards and 500 chunks: the most work a
file can be) is declared, uploaded and started through the services, then
``import_work.split`` (read, check every award, write the chunks and queue
them) runs in a fresh child process whose peak RSS (``VmHWM``, reset just
before) is compared with the ``import_worker`` function's memory in
``.chalice/config.json``. Goal: at most 50 %.

The emulator (the project's moto launcher) runs in its own process, so the
peak is the worker's own, as in ``bench/export_memory.py``.

    python -m bench.import_memory
    python -m bench.run_all import_memory
"""

from __future__ import annotations

import gc
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.export_memory import _environment, _free_port, _memory_status, _reset_peak_rss

PROJECT_DIR = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOAL = 0.5  # of the function's memory


def _prepare(rows: int, directory: Path) -> tuple[str, int]:
    """A started import of a ``rows``-row XLSX (one winner per award); its id and size."""
    from chalicelib.domain import schemas
    from chalicelib.domain.principal import PROVINCIAL, Province
    from chalicelib.services import imports
    from chalicelib.services.keys import issue_key
    from chalicelib.services.setup import bootstrap
    from chalicelib.store import objects
    from tests.sheets import award_rows, write_xlsx

    bootstrap()
    key = issue_key(role=PROVINCIAL, authority_id="110000")
    principal = Province(role=PROVINCIAL, authority_id="110000", key_id=key["key_id"])
    program_id = "prg_BENCH11000000000000000000"
    rows_data = award_rows(rows, program_id=program_id, prefix="MEM", winners=1)
    content = write_xlsx(directory / "awards.xlsx", rows_data).read_bytes()
    del rows_data
    now = datetime.now(UTC)
    declared = imports.request_upload(
        principal,
        schemas.ImportIn(
            filename="awards.xlsx",
            content_type=XLSX,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        ),
        now,
    )
    import_id = declared["import_id"]
    objects.put_bytes(imports.upload_key(import_id), content, content_type=XLSX)
    started = imports.start(principal, import_id, now)
    assert started["status"] == "queued", started
    return import_id, len(content)


def _split(import_id: str) -> None:
    """In the child: one ``split`` of the import, its time and the process's peak RSS."""
    from chalicelib.services import import_work
    from chalicelib.store import objects, queue
    from chalicelib.store.imports import ImportJob

    # Clients made before the clock starts, as in a warm worker.
    ImportJob.describe_table()
    objects.head("imports/none")
    queue.queue_url()
    gc.collect()
    rss_before = _memory_status("VmRSS")
    _reset_peak_rss()
    started = time.perf_counter()
    outcome = import_work.split(import_id, datetime.now(UTC))
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "outcome": outcome,
                "seconds": elapsed,
                "rss_before_mb": rss_before / 2**20,
                "rss_peak_mb": _memory_status("VmHWM") / 2**20,
            }
        )
    )


def measure() -> dict[str, Any]:
    """Start an emulator, prepare the largest allowed import, split it in a child process."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "devtools.local_aws", "--port", str(port)],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _environment(endpoint, 5)
        from chalicelib.config import settings
        from devtools.local_aws import wait_until_ready

        wait_until_ready(endpoint)
        rows = settings().import_max_rows
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        with tempfile.TemporaryDirectory() as tmp:
            import_id, size = _prepare(rows, Path(tmp))
        code = f"from bench.import_memory import _split; _split({import_id!r})"
        child = subprocess.run(
            [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True
        )
        if child.returncode != 0:
            raise RuntimeError(child.stderr.strip().splitlines()[-1])
        return {"rows": rows, "size": size, **json.loads(child.stdout.strip().splitlines()[-1])}
    finally:
        server.terminate()
        server.wait(timeout=30)


def run() -> list[dict[str, Any]]:
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    function_mb = config["lambda_functions"]["import_worker"]["lambda_memory_size"]
    result = measure()
    rows = result["rows"]
    peak = result["rss_peak_mb"]
    share = peak / function_mb
    return [
        {
            "measure": f"import worker peak RSS reading the largest allowed sheet ({rows:,} rows)",
            "value": round(peak, 1),
            "unit": "MiB",
            "notes": f"{share:.0%} of the import_worker function's {function_mb} MB "
            f"(goal ≤ {GOAL:.0%}: {'met' if share <= GOAL else 'NOT met'}); "
            f"XLSX {result['size'] / 2**20:.1f} MiB, {rows:,} awards × 1 enterprise; "
            f"RSS before {result['rss_before_mb']:.0f} MiB; read, checked and cut into "
            f"{result['outcome'].get('chunks')} chunks in {result['seconds']:.0f} s "
            "(emulator in another process)",
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
