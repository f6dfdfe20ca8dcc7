"""Benchmark: spreadsheet import throughput on the local stack, one province vs three at once.

Over real HTTP against ``chalice local`` + the moto launcher + the imports
queue worker (what ``make run`` starts, 3 worker threads). Each province
uploads one XLSX of ``AWARDS`` awards × ``WINNERS`` enterprises through
``POST /v1/imports``; the clock runs from ``start`` until ``GET`` says done.
The queue is FIFO with the authority as group, so one province's chunks run
one at a time and three provinces may run side by side: the three-province
row shows what that parallelism buys on the emulator (whose DynamoDB calls
are serialised; production DynamoDB's are not).

    python -m bench.import_rows
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from devtools.local_stack import LocalStack, local_stack

AWARDS = 200
WINNERS = 2
PROVINCES = ("110000", "320000", "440000")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _prepare(stack: LocalStack, authority: str) -> tuple[str, str]:
    """A key of ``authority`` and a submitted programme of its own."""
    from tests.e2e.helpers import submitted_program

    key = stack.issue_key("--authority", authority)["api_key"]
    return key, submitted_program(stack, key)


def _sheet(directory: Path, program_id: str, prefix: str) -> bytes:
    from tests.sheets import award_rows, write_xlsx

    rows = award_rows(AWARDS, program_id=program_id, prefix=prefix, winners=WINNERS)
    return write_xlsx(directory / f"{prefix}.xlsx", rows).read_bytes()


def _import(stack: LocalStack, key: str, content: bytes) -> tuple[float, dict[str, Any]]:
    from tests.e2e.helpers import import_sheet, wait_for_import

    started = time.perf_counter()
    import_id = import_sheet(stack, key, content, XLSX, "awards.xlsx")
    status = wait_for_import(stack, key, import_id, timeout=1800)
    return time.perf_counter() - started, status


def run() -> list[dict[str, Any]]:
    rows_each = AWARDS * WINNERS
    with local_stack() as stack, tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        provinces = [_prepare(stack, authority) for authority in PROVINCES]
        first_key, first_program = provinces[0]
        alone, status = _import(stack, first_key, _sheet(directory, first_program, "A"))
        # Then all three at once, each with awards it has not pushed yet.
        batch = [
            (key, _sheet(directory, program_id, f"T{n}"))
            for n, (key, program_id) in enumerate(provinces)
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(len(batch)) as pool:
            results = list(pool.map(lambda job: _import(stack, *job), batch))
        together = time.perf_counter() - started
    statuses = [status, *(result[1] for result in results)]
    pushed = [s.get("pushed") for s in statuses]
    return [
        {
            "measure": f"import rows per second, one province ({rows_each} rows, XLSX)",
            "value": round(rows_each / alone, 1),
            "unit": "rows/s",
            "notes": f"{alone:.1f} s from start to done; {AWARDS} awards "
            f"({AWARDS / alone:.1f} awards/s); status {status['status']}",
        },
        {
            "measure": f"import rows per second, three provinces at once ({rows_each} rows each)",
            "value": round(3 * rows_each / together, 1),
            "unit": "rows/s",
            "notes": f"{together:.1f} s for all three; each "
            + ", ".join(f"{seconds:.0f} s" for seconds, _ in results)
            + f"; pushed {pushed}",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
