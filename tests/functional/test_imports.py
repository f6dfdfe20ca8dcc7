"""Spreadsheet imports (POST /v1/imports): declare, upload, start, the worker, the report.

The worker is driven as ``make run`` drives it: ``devtools.import_worker.drain``
receives each message from the (in-process moto) FIFO queue and calls the
handler the Lambda calls.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import zipfile

import openpyxl
import pytest
import requests

from chalicelib.config import settings
from chalicelib.imports.original_rows import PEOPLE_COLUMNS
from chalicelib.jobs.import_chunk import handle_body
from chalicelib.store import imports as import_store
from chalicelib.store import objects, queue
from chalicelib.store.models import AwardRecord
from devtools.import_worker import drain
from tests.functional.helpers import submitted_program
from tests.sheets import HEADERS, award_rows

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def fresh_queue(aws):
    queue.reset()  # a queue URL or client cached under another test's mock
    yield
    queue.reset()


def csv_bytes(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("获奖信息")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def declaration(content: bytes, content_type: str = CSV_TYPE, **overrides) -> dict:
    name = "awards.csv" if content_type == CSV_TYPE else "awards.xlsx"
    return {
        "filename": name,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **overrides,
    }


def declare_and_upload(api, key, content: bytes, declared: dict | None = None) -> str:
    declared = declared or declaration(content)
    created = api.call("POST", "/v1/imports", declared, key=key)
    assert created.status_code == 201, created.body
    form = created.data["upload"]
    assert form["fields"]["key"] == f"imports/{created.data['import_id']}/upload"
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (declared["filename"], content, declared["content_type"])},
        timeout=30,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return created.data["import_id"]


def run_import(api, key, content: bytes, declared: dict | None = None) -> dict:
    import_id = declare_and_upload(api, key, content, declared)
    started = api.call("POST", f"/v1/imports/{import_id}/start", key=key)
    assert started.status_code == 202, started.body
    assert started.data["status"] == "queued"
    drain()
    status = api.call("GET", f"/v1/imports/{import_id}", key=key)
    assert status.status_code == 200, status.body
    return status.data


def errors_of(api, key, import_id) -> list[list[str]]:
    answer = api.client.http.get(
        f"/v1/imports/{import_id}/errors.csv", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/csv")
    text = answer.body.decode("utf-8") if isinstance(answer.body, bytes) else answer.body
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def object_versions(import_id: str) -> list[str]:
    """Every version and delete marker left under the import's prefix."""
    answer = objects.s3().list_object_versions(
        Bucket=settings().bucket, Prefix=f"imports/{import_id}/"
    )
    return [v["Key"] for kind in ("Versions", "DeleteMarkers") for v in answer.get(kind, [])]


def source_ids_stored(authority_id: str = "110000") -> list[str]:
    return sorted(
        record.source_id
        for record in AwardRecord.scan(AwardRecord.sk == "RECORD")
        if record.authority_id == authority_id
    )


def test_a_csv_import_pushes_the_good_awards_and_reports_the_bad_row(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(3, program_id=program_id, prefix="BJ", winners=1)
    rows[1][10] = rows[1][10][:-1] + ("0" if rows[1][10][-1] != "0" else "1")

    status = run_import(api, keys["110000"], csv_bytes(rows))

    assert status["status"] == "done"
    assert (status["rows"], status["awards"], status["chunks"]) == (3, 3, 1)
    assert (status["pushed"], status["unchanged"], status["rejected"]) == (2, 0, 1)
    assert status["started_at"] <= status["finished_at"]
    assert source_ids_stored() == ["BJ-00000", "BJ-00002"]
    header, *lines = errors_of(api, keys["110000"], status["import_id"])
    assert header == [*PEOPLE_COLUMNS, *HEADERS]  # Chinese only, then the sheet's own
    assert len(lines) == 1
    assert lines[0][0] == "3"  # the sheet row Excel shows (header is row 1)
    assert lines[0][1] == "BJ-00001"
    assert lines[0][2] == "统一社会信用代码"
    assert lines[0][3].startswith("统一社会信用代码：") and "校验位" in lines[0][3]
    assert lines[0][4:] == [str(cell or "") for cell in rows[1]]  # the row as uploaded


def test_errors_csv_gives_a_row_back_once_with_every_problem_in_chinese(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(2, program_id=program_id, prefix="BJ", winners=1)
    rows[1][3] = "明年"  # 获奖年度
    rows[1][7] = ""  # 项目名称 left blank
    rows[1][10] = rows[1][10][:-1] + ("0" if rows[1][10][-1] != "0" else "1")

    status = run_import(api, keys["110000"], csv_bytes(rows))

    assert (status["pushed"], status["rejected"]) == (1, 1)
    _header, *lines = errors_of(api, keys["110000"], status["import_id"])
    assert [line[:4] for line in lines] == [
        [
            "3",
            "BJ-00001",
            "项目名称、统一社会信用代码、获奖年度",
            "项目名称：必填，不能为空；"
            "统一社会信用代码：统一社会信用代码校验位不正确，可能录入有误；"
            "获奖年度：应为整数",
        ]
    ]
    assert lines[0][4 + HEADERS.index("获奖年度")] == "明年"


def test_an_xlsx_import_larger_than_one_chunk_is_counted_chunk_by_chunk(api, keys):
    program_id = submitted_program(api, keys["110000"])
    content = xlsx_bytes(award_rows(205, program_id=program_id, prefix="XL", winners=1))

    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))

    assert status["status"] == "done", status
    assert (status["chunks"], status["chunks_done"]) == (3, 3)
    assert (status["pushed"], status["rejected"]) == (205, 0)
    assert status["sheet"] == "获奖信息"
    assert len(source_ids_stored()) == 205


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_type": "application/pdf"}, "content_type"),
        ({"sha256": "abc"}, "sha256"),
        ({"size": 0}, "size"),
        ({"filename": "../awards.csv"}, "filename"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_declarations_are_400_naming_the_field(api, keys, change, field):
    declared = {**declaration(b"a,b\n"), **change}
    answer = api.call("POST", "/v1/imports", declared, key=keys["110000"])
    assert answer.status_code == 400, answer.body
    assert answer.data["error"]["field"] == field


def test_a_file_over_20_mb_is_refused_before_any_upload(api, keys):
    declared = {**declaration(b"x"), "size": 20 * 1024 * 1024 + 1}
    answer = api.call("POST", "/v1/imports", declared, key=keys["110000"])
    assert answer.status_code == 422
    assert answer.data["error"] == {
        "code": "file_too_large",
        "message": f"an import file may be at most {20 * 1024 * 1024} bytes",
        "message_zh": "导入文件超过大小上限",
        "field": "size",
    }


def test_only_a_province_declares_an_import(api, keys):
    declared = declaration(b"a,b\n")
    assert api.call("POST", "/v1/imports", declared).status_code == 401
    assert api.call("POST", "/v1/imports", declared, key=keys["admin"]).status_code == 403


def test_start_before_the_upload_is_409_upload_missing(api, keys):
    created = api.call("POST", "/v1/imports", declaration(b"a,b\n"), key=keys["110000"])
    import_id = created.data["import_id"]
    answer = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert answer.status_code == 409
    assert answer.data["error"]["code"] == "upload_missing"
    status = api.call("GET", f"/v1/imports/{import_id}", key=keys["110000"])
    assert status.data["status"] == "awaiting_upload"


def test_bytes_other_than_declared_fail_the_import_at_start(api, keys):
    content = csv_bytes([])
    declared = declaration(content, sha256=hashlib.sha256(b"other").hexdigest())
    import_id = declare_and_upload(api, keys["110000"], content, declared)
    for _ in range(2):  # and again: the same answer, nothing queued
        answer = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
        assert answer.status_code == 422, answer.body
        assert answer.data["error"]["code"] == "sha256_mismatch"
    assert drain() == 0
    status = api.call("GET", f"/v1/imports/{import_id}", key=keys["110000"])
    assert status.data["status"] == "failed"
    assert status.data["error"]["code"] == "sha256_mismatch"


def test_a_file_that_is_no_workbook_is_refused_at_start(api, keys):
    content = b"not a zip at all"
    declared = declaration(content, XLSX_TYPE)
    import_id = declare_and_upload(api, keys["110000"], content, declared)
    answer = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert answer.status_code == 422
    assert answer.data["error"]["code"] == "not_xlsx"


def test_a_sheet_without_the_template_headers_fails_with_its_reason(api, keys):
    content = "名称,备注\n甲,乙\n".encode()
    status = run_import(api, keys["110000"], content)
    assert status["status"] == "failed"
    assert status["error"]["code"] == "unreadable"
    assert "表头" in status["error"]["message_zh"] or "header" in status["error"]["message"]
    header, first, *_ = errors_of(api, keys["110000"], status["import_id"])
    assert header == list(PEOPLE_COLUMNS)  # never read: no columns of its own
    assert first[0] == "" and "缺少必填列" in first[3]


def test_start_is_idempotent(api, keys):
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(2, program_id=program_id, prefix="ID", winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    first = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    again = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert first.status_code == again.status_code == 202
    drain()
    done = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert done.status_code == 202 and done.data["status"] == "done"
    assert done.data["pushed"] == 2
    assert drain() == 0
    assert source_ids_stored() == ["ID-00000", "ID-00001"]


def test_another_province_gets_404_and_an_administrator_reads_it(api, keys):
    created = api.call("POST", "/v1/imports", declaration(b"a,b\n"), key=keys["110000"])
    import_id = created.data["import_id"]
    for path in (f"/v1/imports/{import_id}", f"/v1/imports/{import_id}/errors.csv"):
        assert api.call("GET", path, key=keys["320000"]).status_code == 404
        assert api.call("GET", path).status_code == 401
    other_start = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["320000"])
    assert other_start.status_code == 404
    assert api.call("GET", "/v1/imports/imp_nonsense", key=keys["110000"]).status_code == 404
    seen = api.call("GET", f"/v1/imports/{import_id}", key=keys["admin"])
    assert seen.status_code == 200
    assert seen.data["authority_id"] == "110000"


def test_a_chunk_delivered_again_creates_nothing_twice_and_is_counted_once(api, keys, monkeypatch):
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(150, program_id=program_id, prefix="RT", winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    # The first chunk's worker dies after pushing, before counting: SQS delivers it again.
    real_count = import_store.count_chunk
    calls = {"n": 0}

    def dies_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Lambda timed out")
        return real_count(*args, **kwargs)

    monkeypatch.setattr("chalicelib.services.import_work.count_chunk", dies_once)

    deadline = time.monotonic() + 30
    while import_store.get_job(import_id).status != "done":  # the queue redelivers chunk 0
        assert time.monotonic() < deadline, "the import did not finish"
        drain()
    assert calls["n"] == 3  # chunk 0 twice, chunk 1 once
    chunk0 = json.dumps({"kind": "chunk", "import_id": import_id, "chunk": 0})
    assert handle_body(chunk0)["outcome"] == "skipped"  # a late duplicate changes nothing

    status = api.call("GET", f"/v1/imports/{import_id}", key=keys["110000"]).data
    assert status["status"] == "done"
    assert status["chunks_done"] == 2
    # 100 + 50 awards, each once; the retried chunk's awards were already there
    assert status["pushed"] + status["unchanged"] == 150
    assert status["unchanged"] == 100
    assert source_ids_stored() == [f"RT-{n:05d}" for n in range(150)]
    assert object_versions(import_id) == []  # done: upload and chunks deleted, every version


def test_errors_csv_cells_cannot_run_as_formulas(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(3, program_id=program_id, prefix="CI", winners=1)
    rows[0][0] = '=HYPERLINK("http://evil")'
    rows[1][0] = "＋cmd|' /C calc'!A0"  # full-width plus: NFKC folds it to +
    rows[2][0] = "@SUM(1)"
    for row in rows:
        row[10] = "91110000MA00000000"  # a bad check character: every award rejected

    status = run_import(api, keys["110000"], csv_bytes(rows))

    assert status["rejected"] == 3
    _, *lines = errors_of(api, keys["110000"], status["import_id"])
    source_ids = sorted(line[1] for line in lines)
    assert source_ids == sorted(['\'=HYPERLINK("http://evil")', "'＋cmd|' /C calc'!A0", "'@SUM(1)"])
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_the_lambda_handler_works_the_queue_messages(client, api, keys):
    """``app.import_worker`` as SQS invokes it: one message per event (batch size 1)."""
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(3, program_id=program_id, prefix="LH", winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    sqs, url = queue.sqs(), queue.queue_url()
    for _ in range(2):  # the split, then its one chunk
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        event = client.events.generate_sqs_event(
            message_bodies=[message["Body"]], queue_name="award-registry-imports.fifo"
        )
        answer = client.lambda_.invoke("import_worker", event)
        assert answer.payload[0]["import_id"] == import_id, answer.payload
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    status = api.call("GET", f"/v1/imports/{import_id}", key=keys["110000"]).data
    assert (status["status"], status["pushed"]) == ("done", 3)


def test_a_zip_that_is_no_workbook_fails_the_import_with_its_reason(api, keys):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    content = buffer.getvalue()

    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))

    assert status["status"] == "failed"
    assert status["error"]["code"] == "unreadable"
    assert status["finished_at"] >= status["started_at"]


def test_the_errors_workbook_says_where_and_why_in_chinese_and_runs_no_formula(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(3, program_id=program_id, prefix="WB", winners=1)
    rows[0][0] = '=HYPERLINK("http://evil")'
    rows[1][10] = rows[1][10][:-1] + ("0" if rows[1][10][-1] != "0" else "1")
    rows[0][10] = rows[1][10]
    status = run_import(api, keys["110000"], csv_bytes(rows))
    answer = api.client.http.get(
        f"/v1/imports/{status['import_id']}/errors.xlsx",
        headers={"Authorization": f"Bearer {keys['110000']}", "Accept": XLSX_TYPE},
    )
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"] == XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(answer.body)).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == [*PEOPLE_COLUMNS, *HEADERS]  # Chinese only, no codes
    assert sorted(line[1] for line in lines) == ['\'=HYPERLINK("http://evil")', "WB-00001"]
    assert sorted(line[4] for line in lines) == ['\'=HYPERLINK("http://evil")', "WB-00001"]
    assert all("校验位" in line[3] for line in lines)
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_a_province_lists_its_own_imports_newest_first(api, keys):
    program_id = submitted_program(api, keys["110000"])
    first = run_import(api, keys["110000"], csv_bytes(award_rows(1, program_id=program_id)))
    second = run_import(
        api, keys["110000"], csv_bytes(award_rows(1, program_id=program_id, prefix="LS"))
    )
    listed = api.call("GET", "/v1/imports", key=keys["110000"])
    assert listed.status_code == 200, listed.body
    ids = [item["import_id"] for item in listed.data["items"]]
    assert ids.index(second["import_id"]) < ids.index(first["import_id"])
    mine = next(i for i in listed.data["items"] if i["import_id"] == second["import_id"])
    assert mine["status"] == "done" and mine["pushed"] == 1 and mine["key_id"].startswith("key_")
    assert listed.data["next_cursor"] is None
    other = api.call("GET", "/v1/imports", key=keys["320000"])
    assert second["import_id"] not in [i["import_id"] for i in other.data["items"]]


def test_the_errors_workbook_names_roles_as_the_sheet_does_not_as_codes(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(1, program_id=program_id, prefix="RL", winners=1)
    rows[0][11] = "总包"  # not a role the template offers
    status = run_import(api, keys["110000"], csv_bytes(rows))
    answer = api.client.http.get(
        f"/v1/imports/{status['import_id']}/errors.xlsx",
        headers={"Authorization": f"Bearer {keys['110000']}", "Accept": XLSX_TYPE},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(answer.body)).active
    reasons = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert reasons and all("general_contractor" not in reason for reason in reasons), reasons
    assert any("施工总承包" in reason for reason in reasons), reasons  # the labels stay


def test_the_errors_files_give_every_refused_row_back_as_uploaded(api, keys):
    """Issue 24: each row not imported comes back with every cell under its own header
    (a column the template does not know too), the reason in Chinese, formulas inert;
    rows refused while reading and rows the registry refused alike."""
    from openpyxl import Workbook

    program_id = submitted_program(api, keys["110000"], categories=["housing"])
    spoil = {0: "credit_code", 2: "municipal"}  # read-time, and refused by the registry
    rows = award_rows(3, program_id=program_id, prefix="OR", winners=2, spoil=spoil)
    notes = ["+1+2", "内部备注甲", "", "", "@留意", "内部备注丙"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("获奖信息")
    sheet.append([*HEADERS, "备注"])
    for row, note in zip(rows, notes, strict=True):
        sheet.append([*row, note or None])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()

    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))

    assert (status["status"], status["pushed"], status["rejected"]) == ("done", 1, 2)
    key = {"Authorization": f"Bearer {keys['110000']}", "Accept": XLSX_TYPE}
    answer = api.client.http.get(f"/v1/imports/{status['import_id']}/errors.xlsx", headers=key)
    assert answer.status_code == 200, answer.body
    workbook = openpyxl.load_workbook(io.BytesIO(answer.body))
    assert workbook.sheetnames == ["错误明细"]
    header, *from_xlsx = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    csv_header, *from_csv = errors_of(api, keys["110000"], status["import_id"])
    assert header == csv_header == [*PEOPLE_COLUMNS, *HEADERS, "备注"]
    cells = {name: n for n, name in enumerate(header)}
    # both awards' every row (sheet rows 2, 3 and 6, 7), in sheet order, as written
    assert [line[0] for line in from_xlsx] == [2, 3, 6, 7]
    assert [line[0] for line in from_csv] == ["2", "3", "6", "7"]
    for line, row_number in zip(from_xlsx, (0, 1, 4, 5), strict=True):
        written = rows[row_number]
        assert line[cells["记录编号"]] == written[0]
        assert line[cells["获奖单位"]] == written[9]
        assert line[cells["统一社会信用代码"]] == written[10]
        assert line[cells["获奖年度"]] == written[3]  # a number stays a number
        assert line[cells["获奖日期"]] == written[5].isoformat()
    assert [line[cells["备注"]] for line in from_xlsx] == [
        "'+1+2",
        "内部备注甲",
        "'@留意",
        "内部备注丙",
    ]
    assert [line[cells["备注"]] for line in from_csv] == [
        "'+1+2",
        "内部备注甲",
        "'@留意",
        "内部备注丙",
    ]
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for line in from_csv for cell in line)
    # the reason in Chinese on the row at fault; its sibling row says why it is here
    first, second, third, fourth = from_csv
    assert (second[1], second[2]) == ("OR-00000", "统一社会信用代码")
    assert second[3].startswith("统一社会信用代码：") and "校验位" in second[3]
    assert (first[2], "其他行有误" in first[3]) == ("", True)
    assert (third[1], third[2]) == ("OR-00002", "工程类别")
    assert third[cells["工程类别"]] == "市政基础设施"
    assert "不在该奖项的范围内" in third[3] and "其他行有误" in fourth[3]
    for line in from_csv:
        assert not re.search(r"[A-Za-z]{3,}", line[3]), line[3]  # no codes, no English
