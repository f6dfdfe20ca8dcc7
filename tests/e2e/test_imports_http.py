"""A spreadsheet import over real HTTP, worked by the local queue worker (``make run``'s).

2,000 sheet rows (500 awards × 4 enterprises) go up as one XLSX through the
presigned form; the worker started beside ``chalice local`` reads it and
pushes it in chunks of 100 awards through the imports FIFO queue. Every award
must be stored exactly once and the bad ones reported with their rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
import requests

from tests.e2e.helpers import bearer, import_sheet, submitted_program, wait_for_import
from tests.e2e.test_backfill import stored_source_ids
from tests.sheets import award_rows, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AWARDS = 500
WINNERS = 4


@pytest.fixture(scope="module")
def hebei(stack):
    key = stack.issue_key("--authority", "130000")["api_key"]
    program_id = submitted_program(
        stack, key, name="河北省建设工程安济杯奖", categories=["housing"]
    )
    return key, program_id


def test_a_2000_row_import_stores_every_award_once(stack, hebei, tmp_path):
    key, program_id = hebei
    spoil = {17: "credit_code", 455: "municipal"}
    rows = award_rows(AWARDS, program_id=program_id, prefix="HB", winners=WINNERS, spoil=spoil)
    content = write_xlsx(tmp_path / "awards.xlsx", rows).read_bytes()
    assert len(rows) == 2000

    import_id = import_sheet(stack, key, content, XLSX, "河北获奖信息.xlsx")
    status = wait_for_import(stack, key, import_id, timeout=900)

    assert status["status"] == "done", status
    assert (status["rows"], status["awards"]) == (2000, AWARDS)
    assert (status["chunks"], status["chunks_done"]) == (5, 5)
    assert status["pushed"] == AWARDS - 2 and status["unchanged"] == 0
    assert status["rejected"] == 2
    stored = Counter(stored_source_ids(stack, program_id))
    assert set(stored.values()) == {1}  # nothing twice
    assert set(stored) == {f"HB-{n:05d}" for n in range(AWARDS)} - {"HB-00017", "HB-00455"}

    errors = requests.get(
        stack.url(f"/v1/imports/{import_id}/errors.csv"), headers=bearer(key), timeout=30
    )
    assert errors.status_code == 200
    lines = list(csv.DictReader(io.StringIO(errors.content.decode("utf-8-sig"))))
    # every row of both refused awards comes back, as written; the reason on the row at fault
    assert Counter(line["本省编号"] for line in lines) == {"HB-00017": 4, "HB-00455": 4}
    assert all(line["记录编号"] == line["本省编号"] for line in lines)
    by_source = {line["本省编号"]: line for line in lines if line["列"]}
    assert by_source["HB-00017"]["行号"] == str(2 + WINNERS * 17 + 1)  # its second enterprise
    assert by_source["HB-00017"]["列"] == "统一社会信用代码"
    assert by_source["HB-00455"]["工程类别"] == "市政基础设施"  # refused by the registry
    assert "不在该奖项的范围内" in by_source["HB-00455"]["错误原因"]
