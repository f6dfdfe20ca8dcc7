"""Benchmark: the nightly export's memory stays flat as the dataset grows.

For each size it resets the emulator, writes that many awards (two winners
each, spread over 31 provinces, each with an approved programme; one in
twenty corrected once) straight through the store layer as change-feed
entries in batches (the export reads nothing else), then runs ``run_export``
in a fresh child process under ``tracemalloc`` and prints a markdown table.
tracemalloc sees only Python's allocator, not zlib's compressor state or buffers
held in C, so the child also reports its peak RSS over the export (``VmHWM``, reset
just before it; ``ru_maxrss`` keeps the parent's peak across fork + exec): the process
holds nothing but the export (seeding is done here, the other size in its own
child), and the ratio of the two sizes' RSS is a second check that memory is flat.

    python -m bench.export_memory                       # 10,000 and 100,000 awards
    python -m bench.export_memory --sizes 2000 20000
    python -m bench.run_all export_memory               # make bench: 5,000 vs 50,000 and the ratio

The emulator (the project's moto launcher) runs in another child process, so the
peak measured is the export's own: in-process moto would add its own
copies, which grow with the data and which S3 and DynamoDB do not have
(moto joins every multipart part into one bytes object on completion, and
sorts the whole table for every Query page).

It takes a while (about 15 minutes for 100,000 on two cores): the emulator
sorts the whole table for every Query page, so its cost grows with the square
of the feed's length, which DynamoDB's does not. Export times here are the
emulator's, not the cloud's; the memory column is the point.

``make bench`` (5,000 vs 50,000 awards, part size 5 MiB, 2-core box)::

    | awards | CSV rows | awards.csv | export time | peak memory |
    |-------:|---------:|-----------:|------------:|------------:|
    |  5,000 |   10,000 |    3.8 MiB |         7 s |     2.2 MiB |
    | 50,000 |  100,000 |   38.5 MiB |       115 s |     2.5 MiB |

Before (10.2 vs 14.5 MiB, 1.42×) three things grew with the data, found with
``tracemalloc`` snapshots by line at two sizes: each file's part buffer (up to
a whole part in memory, then a copy of it: a 5k export never filled one, a 50k
export always did), DynamoDB's 1 MB Query pages once a province holds more
than a page, and botocore's 1 MiB reads of a file body while hashing and
sending a part. Now parts are gathered in a temporary file and sent in 64 KiB
reads, and the feed is read in pages of ``EXPORT_PAGE_ITEMS`` (50) entries: what
is left is the page, the two gzip compressors and the CSV text buffer.

This is a manual benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
PROVINCES = [f"{code}0000" for code in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36)]
PROVINCES += [f"{code}0000" for code in (37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61)]
PROVINCES += ["620000", "630000", "640000", "650000"]


def _append_change(feed: Any, seq: dict[str, int], record: Any, op: str) -> None:
    """The change entry the write path would have committed for ``record`` at its version."""
    from chalicelib.store.awards import award_view
    from chalicelib.store.models import ChangeEntry

    seq[record.authority_id] += 1
    feed.save(
        ChangeEntry(
            authority_id=record.authority_id,
            seq=seq[record.authority_id],
            entity="award",
            entity_id=record.id,
            op=op,
            version=record.version,
            committed_at=record.updated_at,
            data=award_view(record),
        )
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(endpoint: str, part_mib: int) -> None:
    os.environ.update(
        {
            "EXPORT_PART_BYTES": str(part_mib * 2**20),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "cn-north-1",
            "AWS_REGION": "cn-north-1",
            "AWS_ENDPOINT_URL": endpoint,
            "STAGE": "bench",
            # A non-local stage must name its secret; the export never reads it.
            "SERVER_SECRET_ARN": "award-registry-bench-server-secret",
            "TABLE_PREFIX": "award-registry-bench",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )


def _credit_code(n: int) -> str:
    from chalicelib.domain.credit_code import credit_code_check_char

    body = f"91110000{n:09d}"[:17]
    return body + credit_code_check_char(body)


def seed(count: int) -> None:
    """``count`` awards as feed entries, written in batches (no transactions)."""
    from chalicelib.store.awards import shard_of
    from chalicelib.store.base import iso_utc
    from chalicelib.store.models import AuthorityRecord, AwardRecord, ChangeEntry, Program

    now = iso_utc(datetime.now(UTC))
    seq = dict.fromkeys(PROVINCES, 0)
    programs = {}
    with ChangeEntry.batch_write() as feed:
        for authority_id in PROVINCES:
            program_id = f"prg_BENCH{authority_id}00000000000000000"
            program = Program(
                id=program_id,
                authority_id=authority_id,
                status="approved",
                content={
                    "name": f"{authority_id} 优质工程奖",
                    "organizer": "建筑业协会",
                    "authority_relation": "supervises",
                    "cycle": "annual",
                    "categories": ["housing", "municipal"],
                    "approval": {
                        "issuer": "省人民政府",
                        "document_number": "政复〔2019〕12号",
                        "approved_on": "2019-03-01",
                    },
                },
                status_history=[{"status": "approved", "by": "key_bench", "at": now}],
                documents=[],
                created_at=now,
                updated_at=now,
                listing_key=f"{now}#{program_id}",
                version=3,
            )
            programs[authority_id] = program_id
            seq[authority_id] += 1
            view = {"id": program_id, "authority_id": authority_id, **program.content}
            view.update(status="approved", version=3)
            feed.save(
                ChangeEntry(
                    authority_id=authority_id,
                    seq=seq[authority_id],
                    entity="program",
                    entity_id=program_id,
                    op="status",
                    version=3,
                    committed_at=now,
                    data=view,
                )
            )
    with ChangeEntry.batch_write() as feed:
        for n in range(count):
            authority_id = PROVINCES[n % len(PROVINCES)]
            award_id = f"awd_BENCH{n:021d}"
            content = {
                "source_id": f"SRC-{n}",
                "program_id": programs[authority_id],
                "year": 2024,
                "honor": "金奖",
                "awarded_on": "2024-03-15",
                "announcement_number": "建发〔2024〕45号",
                "project": {"name": f"城市副中心综合交通枢纽工程第{n}标段", "category": "housing"},
                "winners": [
                    {
                        "name": "中国建筑第八工程局有限公司",
                        "credit_code": _credit_code(2 * n),
                        "role": "general_contractor",
                        "project_manager": "张三",
                    },
                    {
                        "name": "华东建筑设计研究院有限公司",
                        "credit_code": _credit_code(2 * n + 1),
                        "role": "design",
                    },
                ],
            }
            record = AwardRecord(
                pk=AwardRecord.key(award_id),
                id=award_id,
                authority_id=authority_id,
                source_id=content["source_id"],
                program_id=content["program_id"],
                year=2024,
                awarded_on="2024-03-15",
                content=content,
                content_hash="0" * 64,
                credit_codes=[w["credit_code"] for w in content["winners"]],
                submitted_at=now,
                deadline="2024-03-29",
                deadline_official=True,
                timeliness={"status": "on_time", "working_days_late": 0, "calendar": "official"},
                awarded_on_changes=[],
                status="active",
                created_at=now,
                updated_at=now,
                shard=shard_of(award_id),
                feed_key=f"{now}#{award_id}",
                version=1,
            )
            _append_change(feed, seq, record, "create")
            if n % 20 == 0:  # a correction: the export must take version 2
                record.content = {**content, "honor": "银奖"}
                record.version = 2
                _append_change(feed, seq, record, "update")
    for authority_id, last in seq.items():
        AuthorityRecord(id=authority_id).update(actions=[AuthorityRecord.seq.set(last)])


def measure(count: int, endpoint: str) -> dict:
    """Seed ``count`` awards here; export them in a fresh child process (``_export``)."""
    from chalicelib.services.setup import bootstrap

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    bootstrap()
    started = time.perf_counter()
    seed(count)
    seeded = time.perf_counter() - started
    # A fresh process per size: ``ru_maxrss`` is a high-water mark for the process's
    # life, so it must hold nothing but the export (not the seeding, not the other size).
    child = subprocess.run(
        [sys.executable, "-c", "from bench.export_memory import _export; _export()"],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    return {"seed_s": seeded, **json.loads(child.stdout.strip().splitlines()[-1])}


def _memory_status(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak since ``_reset_peak_rss``) of this process, bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> None:
    # Linux ≥ 4.0: the high-water mark back to the current RSS. ``ru_maxrss`` cannot be
    # used: it keeps the parent's peak across fork + exec (it read 180 MiB at both sizes).
    Path("/proc/self/clear_refs").write_text("5")


def _export() -> None:
    """In the child: one export under tracemalloc, and the process's peak RSS (JSON out).

    tracemalloc sees only what Python's allocator holds; zlib's state and buffers
    of C code are in the RSS only. Every table's client and the bucket's are made
    before either clock starts, as in a warm process: pynamodb gives each model its
    own botocore session, whose parsed JSON (about 9 MiB) is the same at every size
    and would hide a growth in the ratio.
    """
    from chalicelib.services.export import read_position, run_export
    from chalicelib.store import objects
    from chalicelib.store.tables import ALL_TABLES

    for model in ALL_TABLES:
        model.describe_table()
    objects.head("exports/latest.json")
    read_position()
    gc.collect()
    rss_before = _memory_status("VmRSS")
    _reset_peak_rss()
    tracemalloc.start()
    started = time.perf_counter()
    result = run_export(datetime.now(UTC), force=True)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = _memory_status("VmHWM")
    files = {file["name"]: file for file in result["files"]}
    measured = {
        "awards": result["counts"]["awards"],
        "csv_rows": result["counts"]["csv_rows"],
        "csv_mb": files["awards.csv"]["size"] / 2**20,
        "jsonl_mb": files["awards.jsonl.gz"]["size"] / 2**20,
        "export_s": elapsed,
        "peak_mb": peak / 2**20,
        "rss_before_mb": rss_before / 2**20,
        "rss_peak_mb": rss_peak / 2**20,
    }
    print(json.dumps(measured))


# ``make bench`` sizes: ten times the data in a few minutes on two cores (the emulator's
# cost grows with the square of the feed); ``--sizes`` for the 10k/100k of the docstring.
BENCH_SIZES = (5_000, 50_000)


def measure_sizes(sizes: list[int], part_mib: int = 5) -> list[dict]:
    """Seed and export each size against a fresh emulator in a child process."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "devtools.local_aws", "--port", str(port)],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _environment(endpoint, part_mib)
        from devtools.local_aws import wait_until_ready

        wait_until_ready(endpoint)
        rows = []
        for count in sizes:
            print(f"seeding and exporting {count} awards…", file=sys.stderr, flush=True)
            rows.append(measure(count, endpoint))
        return rows
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run() -> list[dict]:
    """``make bench`` rows: peak memory (Python's and the RSS) at each size, the ratios.

    Goal ≤ 1.2× for both: tracemalloc for what Python holds, the child's peak RSS for
    what it misses (zlib's compressors, C buffers, the allocator's free pages).
    """
    small, large = BENCH_SIZES
    rows = measure_sizes([small, large])
    table = [
        {
            "measure": f"nightly export peak memory, {row['awards']:,} awards",
            "value": round(row["peak_mb"], 1),
            "unit": "MiB",
            "notes": f"tracemalloc, a fresh process; {row['csv_rows']:,} CSV rows, "
            f"{row['csv_mb']:.1f} MiB CSV; export {row['export_s']:.0f} s on the emulator",
        }
        for row in rows
    ]
    table += [
        {
            "measure": f"nightly export peak RSS, {row['awards']:,} awards",
            "value": round(row["rss_peak_mb"], 1),
            "unit": "MiB",
            "notes": f"VmHWM of that process over the export (imports, clients and "
            f"tracemalloc's own bookkeeping included); {row['rss_before_mb']:.1f} MiB "
            f"before it, so the export added {row['rss_peak_mb'] - row['rss_before_mb']:.1f} MiB",
        }
        for row in rows
    ]
    for what, field in (("peak memory", "peak_mb"), ("peak RSS", "rss_peak_mb")):
        table.append(
            {
                "measure": f"nightly export {what}, {large:,} / {small:,} awards",
                "value": round(rows[1][field] / rows[0][field], 2),
                "unit": "×",
                "notes": "goal ≤ 1.2× (memory flat in the data size)",
            }
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_memory")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--part-mib", type=int, default=5, help="multipart part size (S3 minimum 5; prod 8)"
    )
    args = parser.parse_args(argv)
    from chalicelib.config import settings

    rows = measure_sizes(args.sizes, args.part_mib)
    part = settings().export_part_bytes / 2**20
    print(f"\nNightly export, multipart part size {part:.0f} MiB (a fresh process per size)\n")
    print(
        "| awards | CSV rows | awards.csv | awards.jsonl.gz | export time "
        "| peak memory (tracemalloc) | peak RSS |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['awards']:,} | {row['csv_rows']:,} | {row['csv_mb']:.1f} MiB "
            f"| {row['jsonl_mb']:.1f} MiB | {row['export_s']:.1f} s "
            f"| {row['peak_mb']:.1f} MiB | {row['rss_peak_mb']:.1f} MiB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
