"""Import-time data-quality warnings on the server (issue 22, item 5): ``POST /v1/imports``.

A sheet with an award dated before its programme was approved and a repeated award:
both are warnings in ``errors.csv`` and every row is pushed; declared with
``skip_duplicates`` the repeat is left out.
"""

from __future__ import annotations

from tests.functional.helpers import submitted_program
from tests.functional.test_imports import (  # noqa: F401  (fresh_queue: autouse fixture)
    csv_bytes,
    declaration,
    errors_of,
    fresh_queue,
    run_import,
    source_ids_stored,
)
from tests.sheets import award_rows

APPROVED_2019 = {
    "issuer": "北京市人民政府",
    "document_number": "京政函〔2019〕12号",
    "approved_on": "2019-03-01",
}


def sheet(program_id: str) -> bytes:
    """Three one-winner awards dated 2018-01-02.. (the programme: approved 2019-03-01) and
    BJ-COPY, repeating BJ-00001's project and winner."""
    rows = award_rows(3, program_id=program_id, prefix="BJ", winners=1, code_prefix="91110000")
    copy = [["BJ-COPY", *rows[1][1:]]]
    return csv_bytes(rows + copy)


def test_repeats_and_early_awards_are_warnings_in_errors_csv_and_still_pushed(api, keys):
    key = keys["110000"]
    program_id = submitted_program(api, key, approval=APPROVED_2019)
    job = run_import(api, key, sheet(program_id))
    assert job["status"] == "done"
    assert job["pushed"] == 4 and job["rejected"] == 0
    assert job["warnings"] == 5  # four awards before approval, one repeat
    lines = errors_of(api, key, job["import_id"])[1:]
    # one line per sheet row warned about, in sheet order
    assert [(line[0], line[1]) for line in lines] == [
        ("2", "BJ-00000"),
        ("3", "BJ-00001"),
        ("4", "BJ-00002"),
        ("5", "BJ-COPY"),
    ]
    assert all("警告：获奖日期：获奖日期 2018-01-0" in line[3] for line in lines), lines
    assert all("早于该奖项获批设立的日期 2019-03-01" in line[3] for line in lines)
    repeat = lines[3]
    assert "项目名称" in repeat[2].split("、")  # its column
    assert "警告：项目名称：与第 3 行（记录编号 BJ-00001）" in repeat[3]
    assert "已照常推送" in repeat[3]
    # pushed rows keep no copy of their cells (the registry holds them, redaction reaches it)
    assert all(cell == "" for line in lines for cell in line[4:])
    assert sorted(source_ids_stored()) == ["BJ-00000", "BJ-00001", "BJ-00002", "BJ-COPY"]


def test_skip_duplicates_leaves_the_repeat_out(api, keys):
    key = keys["110000"]
    program_id = submitted_program(api, key, approval=APPROVED_2019)
    content = sheet(program_id)
    job = run_import(api, key, content, declaration(content, skip_duplicates=True))
    assert job["status"] == "done" and job["skip_duplicates"] is True
    assert job["pushed"] == 3 and job["duplicates_skipped"] == 1
    repeat = next(line for line in errors_of(api, key, job["import_id"]) if line[1] == "BJ-COPY")
    assert "已按“跳过重复记录”未推送" in repeat[3]
    assert source_ids_stored() == ["BJ-00000", "BJ-00001", "BJ-00002"]
    refused = api.call("POST", "/v1/imports", declaration(content, skip_duplicates="yes"), key=key)
    assert refused.status_code == 400 and refused.data["error"]["field"] == "skip_duplicates"
