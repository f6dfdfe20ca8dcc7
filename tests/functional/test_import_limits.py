"""Imports that hold at real sizes and under abuse (issue 19): none gets stuck or blocks the
province, none reads without limit, a revoked key stops its import, nothing is left behind.

Driven as ``make run`` drives imports: the routes through ``chalice.test.Client``, the
worker through ``devtools.import_worker`` on the (in-process moto) FIFO queue, which
applies the queue's redrive policy to the dead-letter queue like SQS.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile

import pytest

from chalicelib.config import settings
from chalicelib.store import objects, queue
from chalicelib.store.imports import PAGE_BYTES, ImportProblemPage, ImportRowPage, get_job
from devtools.import_worker import drain, process_one
from tests.functional.helpers import submitted_program
from tests.functional.test_imports import (
    XLSX_TYPE,
    csv_bytes,
    declaration,
    declare_and_upload,
    errors_of,
    object_versions,
    run_import,
    source_ids_stored,
    xlsx_bytes,
)
from tests.sheets import HEADERS, award_rows


@pytest.fixture(autouse=True)
def fresh_queue(aws):
    queue.reset()
    yield
    queue.reset()


@pytest.fixture
def limits(monkeypatch):
    """Set import limits (env, as the stack would) for one test."""

    def set_limits(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        settings.cache_clear()
        settings()  # read now: inside a request the test Client patches in the stage's env

    yield set_limits
    monkeypatch.undo()
    settings.cache_clear()


def status_of(api, key, import_id) -> dict:
    answer = api.call("GET", f"/v1/imports/{import_id}", key=key)
    assert answer.status_code == 200, answer.body
    return answer.data


def start(api, key, import_id) -> dict:
    answer = api.call("POST", f"/v1/imports/{import_id}/start", key=key)
    assert answer.status_code == 202, answer.body
    return answer.data


def raw_xlsx(rows: int, *, dimension: bool = True) -> bytes:
    """A real workbook: the template's headers, then ``rows`` rows (记录编号, 奖项编号, 奖项
    filled), written as XML directly: openpyxl takes a minute to write 100,000 rows."""
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABCDEFGHIJKLM", HEADERS, strict=True)
    )
    body = io.StringIO()
    body.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    body.write('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    if dimension:
        body.write(f'<dimension ref="A1:C{rows + 1}"/>')
    body.write(f'<sheetData><row r="1">{header}</row>')
    for n in range(2, rows + 2):
        body.write(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>R{n}</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>工程{n}</t></is></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>某某公司</t></is></c></row>'
        )
    body.write("</sheetData></worksheet>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" '
            f'xmlns:r="{rel}"><sheets><sheet name="获奖信息" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": body.getvalue(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


# --- H1: a sheet of thousands of bad rows ------------------------------------------------


def test_3000_bad_rows_finish_done_with_the_full_errors_file_and_the_next_import_runs(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(3000, program_id=program_id, prefix="NO", winners=1)
    for row in rows:
        row[0] = ""  # no 记录编号 on any row: 3,000 problems found while reading
    bad = csv_bytes(rows)
    assert len(bad) > 250_000  # the finding's 281 KB sheet

    bad_id = declare_and_upload(api, keys["110000"], bad)
    start(api, keys["110000"], bad_id)
    good = csv_bytes(award_rows(2, program_id=program_id, prefix="OK", winners=1))
    good_id = declare_and_upload(api, keys["110000"], good)
    start(api, keys["110000"], good_id)  # queued behind the bad one (same message group)
    drain()

    status = status_of(api, keys["110000"], bad_id)
    assert status["status"] == "done", status
    assert (status["rows"], status["awards"], status["rejected"]) == (3000, 0, 3000)
    _header, *lines = errors_of(api, keys["110000"], bad_id)
    assert len(lines) == 3000
    assert [line[0] for line in lines] == [str(n) for n in range(2, 3002)]
    assert {(line[2], line[3]) for line in lines} == {("记录编号", "记录编号：必填，不能为空")}
    assert lines[0][4:] == [str(cell or "") for cell in rows[0]]  # the row as uploaded
    assert object_versions(bad_id) == []
    # stored in bounded pages, none near DynamoDB's 400 KB item limit
    pages = list(
        ImportProblemPage.query(f"IMPORT#{bad_id}", ImportProblemPage.sk.startswith("PROBLEMS#"))
    )
    assert len(pages) > 3
    assert all(len(json.dumps(page.problems)) <= PAGE_BYTES for page in pages)
    row_pages = list(ImportRowPage.query(f"IMPORT#{bad_id}", ImportRowPage.sk.startswith("ROWS#")))
    assert sum(len(page.rows) for page in row_pages) == 3000
    assert all(len(json.dumps(page.rows)) <= PAGE_BYTES for page in row_pages)

    after = status_of(api, keys["110000"], good_id)
    assert (after["status"], after["pushed"]) == ("done", 2)
    assert source_ids_stored() == ["OK-00000", "OK-00001"]


def test_a_chunk_whose_every_award_is_refused_is_still_counted(api, keys):
    """A chunk's refusals are many pages long; the chunk is counted all the same."""
    program_id = submitted_program(api, keys["110000"], categories=["housing"])
    spoil = dict.fromkeys(range(150), "municipal")  # valid locally, refused by the registry
    rows = award_rows(150, program_id=program_id, prefix="MU", winners=1, spoil=spoil)

    status = run_import(api, keys["110000"], csv_bytes(rows))

    assert status["status"] == "done", status
    assert (status["chunks_done"], status["rejected"], status["pushed"]) == (2, 150, 0)
    _header, *lines = errors_of(api, keys["110000"], status["import_id"])
    assert len(lines) == 150 and {line[2] for line in lines} == {"工程类别"}
    assert {line[4 + HEADERS.index("工程类别")] for line in lines} == {"市政基础设施"}


# --- M1: limits before and while reading --------------------------------------------------


def test_a_100000_row_xlsx_is_refused_before_parsing(api, keys, monkeypatch):
    content = raw_xlsx(100_000)
    assert len(content) < settings().max_import_bytes

    def no_parsing(*args, **kwargs):
        raise AssertionError("the sheet's rows were parsed")

    monkeypatch.setattr("chalicelib.imports.readers._table", no_parsing)
    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))

    assert status["status"] == "failed", status
    assert status["error"]["code"] == "too_many_rows"
    assert "50000" in status["error"]["message_zh"] and "拆分" in status["error"]["message_zh"]
    assert status["max_rows"] == 50_000
    _header, first, *_ = errors_of(api, keys["110000"], status["import_id"])
    assert first[0] == "" and "拆分" in first[3]
    assert object_versions(status["import_id"]) == []


def test_a_sheet_that_hides_its_size_is_stopped_at_the_row_limit(api, keys, limits):
    limits(IMPORT_MAX_ROWS=100)
    content = raw_xlsx(150, dimension=False)
    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))
    assert (status["status"], status["error"]["code"]) == ("failed", "too_many_rows")

    csv_content = csv_bytes(award_rows(101, program_id="prg_x", winners=1))
    status = run_import(api, keys["110000"], csv_content)
    assert (status["status"], status["error"]["code"]) == ("failed", "too_many_rows")
    assert "100" in status["error"]["message_zh"]


def test_a_workbook_that_unpacks_past_the_limit_is_refused_from_its_zip_directory(
    api, keys, limits
):
    limits(IMPORT_MAX_UNPACKED_BYTES=1_000_000)
    content = raw_xlsx(20_000)  # ~2.5 MB of XML, a few hundred KB zipped
    status = run_import(api, keys["110000"], content, declaration(content, XLSX_TYPE))
    assert (status["status"], status["error"]["code"]) == ("failed", "too_large")
    assert "解压" in status["error"]["message_zh"]


def test_a_row_with_too_many_cells_is_refused(api, keys):
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(2, program_id=program_id, winners=1)
    rows[1] = rows[1] + [""] * 300 + ["x"]
    status = run_import(api, keys["110000"], csv_bytes(rows))
    assert (status["status"], status["error"]["code"]) == ("failed", "too_large")
    assert "第 3 行" in status["error"]["message_zh"]


# --- M2: a revoked key stops its import ---------------------------------------------------


def test_revoking_the_key_mid_import_stops_it_and_nothing_more_is_pushed(api, keys):
    issued = api.call(
        "POST",
        "/v1/keys",
        {"role": "provincial", "authority_id": "110000", "note": "导入测试"},
        key=keys["admin"],
    )
    assert issued.status_code == 201, issued.body
    key, key_id = issued.data["api_key"], issued.data["key_id"]
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(250, program_id=program_id, prefix="RV", winners=1))
    import_id = declare_and_upload(api, key, content)
    start(api, key, import_id)
    assert process_one(wait_seconds=0)  # the split: 3 chunks
    assert process_one(wait_seconds=0)  # the first chunk: 100 awards
    assert len(source_ids_stored()) == 100

    revoked = api.call("POST", f"/v1/keys/{key_id}/revoke", key=keys["admin"])
    assert revoked.status_code == 200, revoked.body
    drain()

    status = status_of(api, keys["admin"], import_id)
    assert status["status"] == "failed"
    assert status["error"]["code"] == "key_revoked"
    assert "吊销" in status["error"]["message_zh"]
    assert (status["pushed"], status["chunks_done"]) == (100, 1)
    assert len(source_ids_stored()) == 100
    assert object_versions(import_id) == []


def test_a_key_revoked_before_the_sheet_is_read_pushes_nothing(api, keys):
    issued = api.call(
        "POST",
        "/v1/keys",
        {"role": "provincial", "authority_id": "110000", "note": "导入测试"},
        key=keys["admin"],
    ).data
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(3, program_id=program_id, winners=1))
    import_id = declare_and_upload(api, issued["api_key"], content)
    start(api, issued["api_key"], import_id)
    api.call("POST", f"/v1/keys/{issued['key_id']}/revoke", key=keys["admin"])
    drain()
    status = status_of(api, keys["admin"], import_id)
    assert (status["status"], status["error"]["code"]) == ("failed", "key_revoked")
    assert source_ids_stored() == []


# --- cancel -------------------------------------------------------------------------------


def test_a_province_cancels_its_import_and_nothing_more_is_pushed(api, keys):
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(250, program_id=program_id, prefix="CA", winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    start(api, keys["110000"], import_id)
    assert process_one(wait_seconds=0) and process_one(wait_seconds=0)  # split, chunk 0

    for other in ("320000",):
        refused = api.call("POST", f"/v1/imports/{import_id}/cancel", key=keys[other])
        assert refused.status_code == 404, refused.body
    assert api.call("POST", f"/v1/imports/{import_id}/cancel").status_code == 401
    cancelled = api.call("POST", f"/v1/imports/{import_id}/cancel", key=keys["110000"])
    assert cancelled.status_code == 200, cancelled.body
    assert cancelled.data["status"] == "cancelled"
    again = api.call("POST", f"/v1/imports/{import_id}/cancel", key=keys["110000"])
    assert (again.status_code, again.data["status"]) == (200, "cancelled")
    drain()

    status = status_of(api, keys["110000"], import_id)
    assert (status["status"], status["pushed"]) == ("cancelled", 100)
    assert len(source_ids_stored()) == 100
    assert object_versions(import_id) == []
    restart = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert restart.status_code == 409


def test_an_administrator_cancels_any_import_but_not_a_finished_one(api, keys):
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(1, program_id=program_id, winners=1))
    waiting = api.call("POST", "/v1/imports", declaration(content), key=keys["110000"]).data
    answer = api.call("POST", f"/v1/imports/{waiting['import_id']}/cancel", key=keys["admin"])
    assert (answer.status_code, answer.data["status"]) == (200, "cancelled")

    done = run_import(api, keys["110000"], content)
    late = api.call("POST", f"/v1/imports/{done['import_id']}/cancel", key=keys["110000"])
    assert late.status_code == 409
    assert late.data["error"]["code"] == "invalid_state"
    assert late.data["error"]["message_zh"] == "导入已结束，无法取消"


# --- no stuck import: retries bounded, dead letters, deadlines ---------------------------


def test_a_message_failing_on_every_try_fails_its_import_and_frees_the_province(
    api, keys, monkeypatch
):
    program_id = submitted_program(api, keys["110000"])
    stuck = declare_and_upload(
        api, keys["110000"], csv_bytes(award_rows(2, program_id=program_id, winners=1))
    )
    start(api, keys["110000"], stuck)

    def storage_down(*args, **kwargs):
        raise RuntimeError("ValidationException: Item size has exceeded the maximum")

    monkeypatch.setattr("chalicelib.services.import_work.save_problems", storage_down)
    monkeypatch.setattr("devtools.import_worker.RETRY_SECONDS", 0)
    drain()
    monkeypatch.undo()

    status = status_of(api, keys["110000"], stuck)
    assert status["status"] == "failed"
    assert status["error"]["code"] == "worker_failed"
    assert "重新导入" in status["error"]["message_zh"]
    nxt = run_import(
        api, keys["110000"], csv_bytes(award_rows(1, program_id=program_id, prefix="NX"))
    )
    assert nxt["status"] == "done"


def test_a_worker_that_dies_on_every_try_ends_in_the_dead_letter_queue_and_fails(api, keys):
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(2, program_id=program_id, winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    start(api, keys["110000"], import_id)
    sqs, url = queue.sqs(), queue.queue_url()
    for _ in range(settings().import_max_receives):
        # A worker receives the split and is killed (no answer, no delete): SQS hands it
        # out again once its visibility ends.
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    drain()  # the queue redrives it to the dead-letter queue; its handler fails the import

    status = status_of(api, keys["110000"], import_id)
    assert (status["status"], status["error"]["code"]) == ("failed", "worker_failed")
    assert object_versions(import_id) == []
    nxt = run_import(api, keys["110000"], content)
    assert (nxt["status"], nxt["pushed"]) == ("done", 2)


def test_an_import_past_its_time_budget_is_failed_when_next_looked_at(api, keys, clock):
    clock.set("2026-12-01T02:00:00+00:00")
    program_id = submitted_program(api, keys["110000"])
    content = csv_bytes(award_rows(2, program_id=program_id, winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    started = start(api, keys["110000"], import_id)
    assert started["deadline_at"].startswith("2026-12-01T02:15:00")  # 900 s to read it
    # Its worker never comes; 16 minutes later the province looks at it.
    clock.set("2026-12-01T02:16:00+00:00")
    status = status_of(api, keys["110000"], import_id)
    assert (status["status"], status["error"]["code"]) == ("failed", "timed_out")
    assert "规定时间" in status["error"]["message_zh"]
    drain()  # the late split finds it failed: nothing is read or pushed
    assert status_of(api, keys["110000"], import_id)["status"] == "failed"
    assert source_ids_stored() == []


def test_an_import_never_started_expires_after_a_day(api, keys, clock):
    clock.set("2026-12-01T02:00:00+00:00")
    content = csv_bytes(award_rows(1, program_id="prg_x", winners=1))
    import_id = declare_and_upload(api, keys["110000"], content)
    clock.set("2026-12-02T01:59:00+00:00")
    assert status_of(api, keys["110000"], import_id)["status"] == "awaiting_upload"
    clock.set("2026-12-02T02:01:00+00:00")
    status = status_of(api, keys["110000"], import_id)
    assert (status["status"], status["error"]["code"]) == ("expired", "import_expired")
    assert object_versions(import_id) == []
    answer = api.call("POST", f"/v1/imports/{import_id}/start", key=keys["110000"])
    assert answer.status_code == 409


# --- M5: nothing personal left behind ------------------------------------------------------


def _json_strings(items: list[dict]) -> list[str]:
    """The JSON held in string attributes, decoded (pynamodb escapes non-ASCII there)."""
    found = []
    for item in items:
        for value in item.values():
            text = value.get("S", "")
            if text[:1] in ("[", "{"):
                with contextlib.suppress(ValueError):
                    found.append(json.dumps(json.loads(text), ensure_ascii=False))
    return found


def _every_stored_string() -> str:
    """Every item of every table and every version of every object, as one text."""
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=settings().region)
    texts: list[str] = []
    for name in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=name):
            texts.append(json.dumps(page["Items"], ensure_ascii=False))
            texts += _json_strings(page["Items"])  # JSON attributes store "\\u6b27…"
    client, bucket = objects.s3(), settings().bucket
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            body = client.get_object(
                Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"]
            )["Body"].read()
            texts.append(body.decode("utf-8", errors="replace"))
            if body.startswith(b"PK"):  # a workbook: its XML too
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    texts += [
                        archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                    ]
    return "\n".join(texts)


@pytest.mark.parametrize("finished", [True, False], ids=["import-done", "import-running"])
def test_a_redacted_value_is_found_nowhere_in_the_tables_or_the_bucket(api, keys, finished):
    manager = "欧阳秘密经理"
    program_id = submitted_program(api, keys["110000"])
    rows = award_rows(150, program_id=program_id, prefix="PM", winners=1)
    rows[0][12] = manager  # 项目经理 of PM-00000
    content = xlsx_bytes(rows)
    import_id = declare_and_upload(api, keys["110000"], content, declaration(content, XLSX_TYPE))
    start(api, keys["110000"], import_id)
    assert process_one(wait_seconds=0) and process_one(wait_seconds=0)  # split, chunk 0
    if finished:
        drain()
    assert get_job(import_id).status == ("done" if finished else "running")
    award = api.call(
        "GET", "/v1/awards?authority_id=110000&source_id=PM-00000", key=keys["110000"]
    ).data["items"][0]
    assert award["winners"][0]["project_manager"] == manager
    assert manager in _every_stored_string() or finished  # the running import's chunk has it

    redacted = api.call(
        "POST",
        f"/v1/awards/{award['id']}/redact",
        {"fields": ["project_manager"], "reason": "本人申请删除个人信息"},
        key=keys["admin"],
    )
    assert redacted.status_code == 200, redacted.body

    assert manager not in _every_stored_string()
    if not finished:
        drain()  # the rest of the import still runs to the end
        assert get_job(import_id).status == "done"
        assert manager not in _every_stored_string()


def test_the_console_import_tab_says_how_many_rows_a_file_may_hold(client):
    page = client.http.get("/console/", headers={"Accept": "text/html"})
    body = page.body.decode() if isinstance(page.body, bytes) else page.body
    (hint,) = re.findall(r'<p class="hint" id="import-limits">(.*?)</p>', body)
    assert f"最多 {settings().import_max_rows:,} 行数据" in hint and "20 MB" in hint


def _daily_audit(client, time: str) -> dict:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    event.update({"time": time, "id": f"evt-{time}"})
    return client.lambda_.invoke("daily_audit", event).payload


def test_the_daily_audit_ends_abandoned_and_overrun_imports(client, api, keys, clock):
    clock.set("2026-12-01T02:00:00+00:00")
    content = csv_bytes(award_rows(1, program_id="prg_x", winners=1))
    abandoned = declare_and_upload(api, keys["110000"], content)  # never started
    stalled = declare_and_upload(api, keys["320000"], content)
    start(api, keys["320000"], stalled)  # its worker never comes
    clock.set("2026-12-02T03:00:00+00:00")
    fresh = declare_and_upload(api, keys["110000"], content)

    _daily_audit(client, "2026-12-02T17:00:00Z")  # 01:00 China time on 3 December

    assert get_job(abandoned).status == "expired"
    assert get_job(stalled).status == "failed"
    assert get_job(stalled).error["code"] == "timed_out"
    assert get_job(fresh).status == "awaiting_upload"  # not 24 hours old yet
    assert object_versions(abandoned) == object_versions(stalled) == []
    assert object_versions(fresh) != []


def test_a_province_has_at_most_ten_imports_open_at_once(api, keys, clock):
    clock.set("2026-12-01T02:00:00+00:00")
    declared = declaration(csv_bytes([]))
    ids = [
        api.call("POST", "/v1/imports", declared, key=keys["110000"]).data["import_id"]
        for _ in range(10)
    ]
    refused = api.call("POST", "/v1/imports", declared, key=keys["110000"])
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "too_many_open_imports"
    assert "取消" in refused.data["error"]["message_zh"]
    assert api.call("POST", "/v1/imports", declared, key=keys["320000"]).status_code == 201

    api.call("POST", f"/v1/imports/{ids[0]}/cancel", key=keys["110000"])
    assert api.call("POST", "/v1/imports", declared, key=keys["110000"]).status_code == 201
    clock.set("2026-12-02T02:30:00+00:00")  # the others expire: room again
    assert api.call("POST", "/v1/imports", declared, key=keys["110000"]).status_code == 201
    assert get_job(ids[1]).status == "expired"


def test_an_import_queued_behind_another_gets_its_budget_after_that_one(api, keys, clock):
    clock.set("2026-12-01T02:00:00+00:00")
    program_id = submitted_program(api, keys["110000"])
    big = csv_bytes(award_rows(250, program_id=program_id, prefix="BG", winners=1))
    first = declare_and_upload(api, keys["110000"], big)
    start(api, keys["110000"], first)
    assert process_one(wait_seconds=0)  # read: 3 chunks, 900 s + 3 × 120 s from now
    assert get_job(first).deadline_at.startswith("2026-12-01T02:21:00")
    second = declare_and_upload(
        api, keys["110000"], csv_bytes(award_rows(1, program_id=program_id))
    )
    assert start(api, keys["110000"], second)["deadline_at"].startswith("2026-12-01T02:36:00")

    clock.set("2026-12-01T02:30:00+00:00")  # the first overran; the second still waits
    assert status_of(api, keys["110000"], first)["status"] == "failed"
    assert status_of(api, keys["110000"], second)["status"] == "queued"
    drain()
    assert status_of(api, keys["110000"], second)["status"] == "done"


def test_a_queued_import_waits_as_long_as_the_one_ahead_was_given_once_read(
    api, keys, clock, limits
):
    limits(IMPORT_CHUNK_BUDGET_SECONDS=600)
    clock.set("2026-12-01T02:00:00+00:00")
    program_id = submitted_program(api, keys["110000"])
    big = csv_bytes(award_rows(250, program_id=program_id, prefix="BG", winners=1))
    first = declare_and_upload(api, keys["110000"], big)
    start(api, keys["110000"], first)
    small = csv_bytes(award_rows(1, program_id=program_id))
    second = declare_and_upload(api, keys["110000"], small)
    assert start(api, keys["110000"], second)["deadline_at"].startswith("2026-12-01T02:30:00")
    clock.set("2026-12-01T02:01:00+00:00")
    assert process_one(wait_seconds=0)  # the first is read: 900 s + 3 × 600 s from 02:01
    assert get_job(first).deadline_at.startswith("2026-12-01T02:46:00")

    clock.set("2026-12-01T02:35:00+00:00")  # past the second's first deadline
    status = status_of(api, keys["110000"], second)
    assert (status["status"], status["deadline_at"][:19]) == ("queued", "2026-12-01T03:01:00")
    drain()
    assert status_of(api, keys["110000"], first)["status"] == "done"
    assert status_of(api, keys["110000"], second)["status"] == "done"


def test_a_redacted_name_is_erased_from_the_refused_rows_an_errors_file_keeps(api, keys):
    """Issue 24: an errors file keeps a refused row's cells; once the award is corrected,
    imported and its 项目经理 redacted, no refused row of its 记录编号 holds the name."""
    manager = "欧阳秘密经理"
    key = keys["110000"]
    program_id = submitted_program(api, key)
    rows = award_rows(2, program_id=program_id, prefix="PR", winners=1)
    rows[0][12] = manager
    good_code = rows[0][10]
    rows[0][10] = good_code[:-1] + ("0" if good_code[-1] != "0" else "1")
    refused = run_import(api, key, csv_bytes(rows))
    assert refused["rejected"] == 1
    (line,) = errors_of(api, key, refused["import_id"])[1:]
    assert line[4 + HEADERS.index("项目经理")] == manager  # the row as uploaded
    rows[0][10] = good_code  # corrected, imported again: pushed
    assert run_import(api, key, csv_bytes(rows))["pushed"] == 1
    award = api.call("GET", "/v1/awards?authority_id=110000&source_id=PR-00000", key=key)
    award_id = award.data["items"][0]["id"]

    redacted = api.call(
        "POST",
        f"/v1/awards/{award_id}/redact",
        {"fields": ["project_manager"], "reason": "本人申请删除个人信息"},
        key=keys["admin"],
    )

    assert redacted.status_code == 200, redacted.body
    assert manager not in _every_stored_string()
    (line,) = errors_of(api, key, refused["import_id"])[1:]
    assert line[4 + HEADERS.index("项目经理")] == ""
    assert line[4 + HEADERS.index("记录编号")] == "PR-00000"  # the rest of the row stays
    assert "校验位" in line[3]
