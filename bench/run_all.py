"""Run every benchmark, print one table, write ``bench/RESULTS.md`` (``make bench``).

A benchmark is any module ``bench/<name>.py`` (not starting with ``_``) that
exposes ``run() -> list[dict]``; each dict is one row with ``measure``,
``value``, ``unit`` and optional ``notes`` (other keys are appended to the
notes). Each module runs in a fresh interpreter, so one that mocks AWS
in-process, starts servers or sets environment variables cannot disturb the
next, and a failing one becomes a row saying so instead of ending the run.

    python -m bench.run_all                      # all of them
    python -m bench.run_all cold_import verify_requests
    python -m bench.run_all --list

Benchmarks are never tests: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
NOT_BENCHMARKS = {"__init__", "run_all"}
COLUMNS = ("bench", "measure", "value", "unit", "notes")


def discover() -> list[str]:
    """Module names under ``bench/`` that may hold a ``run()`` (checked when run)."""
    return sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in NOT_BENCHMARKS and not path.stem.startswith("_")
    )


def _run_one_here(name: str, out: Path) -> int:
    """Child side: import ``bench.<name>``, call ``run()``, write its rows as JSON."""
    import importlib

    module = importlib.import_module(f"bench.{name}")
    run = getattr(module, "run", None)
    if not callable(run):
        out.write_text(json.dumps({"skipped": "no run() function"}))
        return 0
    rows = run()
    out.write_text(json.dumps({"rows": rows}, ensure_ascii=False, default=str))
    return 0


def run_one(name: str) -> tuple[list[dict[str, Any]], float]:
    """Parent side: run one benchmark in a fresh interpreter; rows and seconds taken."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        result = subprocess.run(
            [sys.executable, "-m", "bench.run_all", "--one", name, "--out", str(out)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if result.returncode != 0 or not out.exists():
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return [{"measure": "(failed)", "value": "", "unit": "", "notes": tail[0]}], seconds
        answer = json.loads(out.read_text())
    if "skipped" in answer:
        return [], seconds
    return [dict(row) for row in answer["rows"]], seconds


def _cell(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---|---:|---|---|",
    ]
    for row in rows:
        extra = {k: v for k, v in row.items() if k not in COLUMNS}
        notes = row.get("notes", "")
        if extra:
            notes = "; ".join([notes, *(f"{k}={v}" for k, v in extra.items())]).strip("; ")
        cells = [row.get("bench", ""), row.get("measure", ""), row.get("value", "")]
        cells += [row.get("unit", ""), notes]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """What the numbers were measured on: they mean little without it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "n/a"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "n/a"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, {memory}".strip(", "),
        "system": platform.platform(),
        "python": platform.python_version(),
        "load average at start (1/5/15 min)": load,
        "commit": commit,
    }


def write_results(rows: list[dict[str, Any]], facts: dict[str, str], seconds: dict) -> None:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run_all`); numbers from one run on the",
        "machine below, not assertions. Re-run to compare; the local-stack rows measure",
        "the emulator (moto + chalice local), not AWS.",
        "",
        *(f"- **{key}**: {value}" for key, value in facts.items()),
        "- **time per benchmark**: "
        + ", ".join(f"{name} {secs:.0f} s" for name, secs in seconds.items()),
        "",
        table(rows),
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        return _run_one_here(args.one, args.out)
    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; see --list")
    facts = machine()
    rows: list[dict[str, Any]] = []
    seconds: dict[str, float] = {}
    for name in args.names or available:
        print(f"running bench.{name} ...", file=sys.stderr, flush=True)
        found, seconds[name] = run_one(name)
        rows.extend({"bench": name, **row} for row in found)
    print(table(rows))
    if not args.no_write:
        write_results(rows, facts, seconds)
        print(f"\nwritten to {RESULTS.relative_to(PROJECT_DIR)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
