"""The nightly open-data export, invoked as EventBridge would, then read as the public does."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import random
import tracemalloc

import pytest
import requests

from chalicelib.config import settings
from chalicelib.services import export
from chalicelib.store import changes as change_store
from chalicelib.store import objects
from tests.factories import award_body, credit_code
from tests.functional.helpers import draft_program, submitted_program
from tests.steps import approved_program, push


def scheduled(client, **detail):
    return client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail=detail, resources=[]
    )


def read(key: str) -> bytes:
    return objects.s3().get_object(Bucket=settings().bucket, Key=key)["Body"].read()


@pytest.fixture
def dataset(api, keys):
    """Beijing: an approved programme with two awards, one revoked; Jiangsu: one award."""
    beijing = approved_program(api, keys["110000"], keys["admin"])
    first = push(api, keys["110000"], award_body(beijing, "BJ-1"))
    second_body = award_body(beijing, "BJ-2")
    second_body["winners"] = [
        {"name": "中建一局集团建设发展有限公司", "credit_code": credit_code(3), "role": "owner"}
    ]
    second_body["project"] = {"name": "=1+1 工程", "category": "municipal"}
    second = push(api, keys["110000"], second_body)
    api.call(
        "POST", f"/v1/awards/{second['id']}/revoke", {"reason": "弄虚作假"}, key=keys["110000"]
    )
    jiangsu = submitted_program(api, keys["320000"])
    body = award_body(jiangsu, "JS-1")
    body["winners"] = [
        {"name": "江苏省建筑工程集团有限公司", "credit_code": credit_code(4), "role": "design"}
    ]
    third = push(api, keys["320000"], body)
    draft_program(api, keys["110000"])  # never public: not exported
    return {"beijing": beijing, "jiangsu": jiangsu, "ids": [first["id"], second["id"], third["id"]]}


def test_no_export_yet_is_404(api, keys):
    response = api.call("GET", "/v1/exports/latest")
    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"


def test_nightly_export_writes_the_public_dataset_and_the_manifest(client, api, dataset):
    result = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    assert result["status"] == "done"
    prefix = f"exports/{result['export_date']}/"

    lines = gzip.decompress(read(prefix + "awards.jsonl.gz")).decode("utf-8").splitlines()
    awards = {award["id"]: award for award in map(json.loads, lines)}
    assert sorted(awards) == sorted(dataset["ids"])
    first, second, third = (awards[i] for i in dataset["ids"])
    assert first["status"] == "active" and first["program_status"] == "approved"
    assert second["status"] == "revoked" and second["revoked_reason"] == "弄虚作假"
    assert second["project"]["name"] == "=1+1 工程"  # JSON keeps the text as it is
    assert third["program_status"] == "submitted"
    assert first["winners"][0] == {
        "name": "北京城建集团有限责任公司",
        "credit_code": credit_code(1),
        "role": "general_contractor",
    }
    assert "project_manager" not in json.dumps(list(awards.values()))

    raw_csv = read(prefix + "awards.csv")
    assert raw_csv.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert len(rows) == 2 + 1 + 1  # one row per award-winner
    assert "张三" not in raw_csv.decode("utf-8-sig")
    winners = {(r["award_id"], r["winner_no"]): r for r in rows}
    assert winners[(first["id"], "1")]["winner_name"] == "北京城建集团有限责任公司"
    assert winners[(first["id"], "1")]["program_name"] == "北京市建设工程长城杯"
    assert winners[(first["id"], "2")]["winner_role"] == "design"
    assert winners[(second["id"], "1")]["project_name"] == "'=1+1 工程"  # not a formula
    assert winners[(second["id"], "1")]["status"] == "revoked"

    programs = gzip.decompress(read(prefix + "programs.jsonl.gz")).decode().splitlines()
    assert sorted(json.loads(p)["id"] for p in programs) == sorted(
        [dataset["beijing"], dataset["jiangsu"]]
    )

    manifest = json.loads(read(prefix + "manifest.json"))
    assert manifest["counts"] == {
        "awards": 3,
        "active": 2,
        "revoked": 1,
        "csv_rows": 4,
        "programs": 2,
    }
    assert manifest["position"]["110000"] > 0 and manifest["position"]["650000"] == 0
    assert len(manifest["position"]) == 33
    for file in manifest["files"]:
        body = read(file["key"])
        assert file["size"] == len(body)
        assert file["sha256"] == hashlib.sha256(body).hexdigest()
    latest = json.loads(read("exports/latest.json"))
    assert latest["manifest_key"] == prefix + "manifest.json"


def test_latest_export_gives_links_counts_and_hashes(client, api, dataset):
    client.lambda_.invoke("nightly_export", scheduled(client))
    response = api.call("GET", "/v1/exports/latest")
    assert response.status_code == 200
    body = response.data
    assert body["counts"]["awards"] == 3
    assert [f["name"] for f in body["files"]] == [
        "awards.jsonl.gz",
        "awards.csv",
        "programs.jsonl.gz",
    ]
    for file in body["files"]:
        fetched = requests.get(file["url"], timeout=30)
        assert fetched.status_code == 200
        assert hashlib.sha256(fetched.content).hexdigest() == file["sha256"]
        assert len(fetched.content) == file["size"]
    manifest = requests.get(body["manifest_url"], timeout=30).json()
    assert manifest["position"] == body["position"]


def test_the_export_is_consistent_with_its_position(client, api, keys, dataset, monkeypatch):
    """Writes made after the position was read are not in the export, whatever their timing."""
    first_id, _, third_id = dataset["ids"]

    def correct(award_id, program_id, source_id, version, honor, key):
        body = award_body(program_id, source_id, honor=honor)
        if source_id == "JS-1":
            body["winners"] = [
                {
                    "name": "江苏省建筑工程集团有限公司",
                    "credit_code": credit_code(4),
                    "role": "design",
                }
            ]
        response = api.call(
            "PUT", f"/v1/awards/{award_id}", body, key=key, headers={"If-Match": f'"{version}"'}
        )
        assert response.status_code == 200, response.body

    correct(first_id, dataset["beijing"], "BJ-1", 1, "银奖", keys["110000"])  # before: v2
    read_position = export.read_position

    def position_then_more_writes():
        position = read_position()
        correct(first_id, dataset["beijing"], "BJ-1", 2, "铜奖", keys["110000"])  # v3, after
        correct(third_id, dataset["jiangsu"], "JS-1", 1, "优质奖", keys["320000"])  # v2, after
        late = award_body(dataset["beijing"], "BJ-LATE")
        assert api.call("POST", "/v1/awards", late, key=keys["110000"]).status_code == 201
        return position

    monkeypatch.setattr(export, "read_position", position_then_more_writes)
    result = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    prefix = f"exports/{result['export_date']}/"
    lines = gzip.decompress(read(prefix + "awards.jsonl.gz")).decode("utf-8").splitlines()
    awards = {award["id"]: award for award in map(json.loads, lines)}
    assert sorted(awards) == sorted(dataset["ids"])  # the late push is not there
    assert (awards[first_id]["honor"], awards[first_id]["version"]) == ("银奖", 2)
    assert (awards[third_id]["honor"], awards[third_id]["version"]) == ("金质奖", 1)
    assert awards[dataset["ids"][1]]["status"] == "revoked"  # changed before: current record
    assert api.call("GET", f"/v1/awards/{first_id}").data["honor"] == "铜奖"


def test_a_second_delivery_the_same_day_does_nothing(client, api, keys, dataset):
    first = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    again = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    assert again["status"] == "skipped"
    manifest_key = f"exports/{first['export_date']}/manifest.json"
    assert json.loads(read(manifest_key))["run_id"] == first["run_id"]
    body = award_body(dataset["beijing"], "BJ-NEW")
    api.call("POST", "/v1/awards", body, key=keys["110000"])
    forced = client.lambda_.invoke("nightly_export", scheduled(client, force=True)).payload
    assert forced["status"] == "done" and forced["counts"]["awards"] == 4
    assert json.loads(read(manifest_key))["run_id"] == forced["run_id"]


def test_a_failed_run_leaves_no_manifest_and_the_retry_completes(client, dataset, monkeypatch):
    def broken(authority_id, seq, changed):
        raise RuntimeError("storage went away")
        yield  # pragma: no cover

    monkeypatch.setattr(export, "_awards_of", broken)
    with pytest.raises(RuntimeError):
        client.lambda_.invoke("nightly_export", scheduled(client))
    assert objects.head("exports/latest.json") is None
    uploads = objects.s3().list_multipart_uploads(Bucket=settings().bucket)
    assert uploads.get("Uploads", []) == []
    monkeypatch.undo()
    retried = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    assert retried["status"] == "done"
    assert retried["counts"]["awards"] == 3


def test_the_multipart_writer_streams_parts_and_aborts_cleanly(aws):
    """Files bigger than a part go up in parts; an aborted file leaves nothing behind."""
    # Bytes that never repeat: a part sent twice, dropped or out of order changes them.
    data = random.Random(0).randbytes(11 * 2**20)
    chunks = [data[start : start + 2**20] for start in range(0, len(data), 2**20)]  # 1 MiB
    writer = objects.MultipartWriter(
        "exports/test/big.bin", content_type="application/octet-stream", part_bytes=5 * 2**20
    )
    for chunk in chunks:
        writer.write(chunk)
    assert len(writer._parts) == 2  # two full parts sent while writing
    writer.close()
    body = read("exports/test/big.bin")
    assert body == data
    assert writer.size == len(body) and writer.sha256 == hashlib.sha256(body).hexdigest()

    aborted = objects.MultipartWriter(
        "exports/test/aborted.bin", content_type="application/octet-stream", part_bytes=5 * 2**20
    )
    for chunk in chunks[:6]:
        aborted.write(chunk)
    aborted.abort()
    assert objects.head("exports/test/aborted.bin") is None
    uploads = objects.s3().list_multipart_uploads(Bucket=settings().bucket)
    assert uploads.get("Uploads", []) == []


def test_the_multipart_writer_gathers_a_part_on_disk_not_in_memory(aws):
    """4 MiB written towards a 5 MiB part leave the process's memory where it was."""
    chunk = bytes(range(256)) * 256  # 64 KiB, as the export writes
    writer = objects.MultipartWriter(
        "exports/test/spooled.bin", content_type="application/octet-stream", part_bytes=5 * 2**20
    )
    tracemalloc.start()
    try:
        for _ in range(64):
            writer.write(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert writer._parts == []  # nothing sent yet: the 4 MiB are waiting for the part
    assert peak < 1 * 2**20
    writer.close()
    body = read("exports/test/spooled.bin")
    assert body == chunk * 64
    assert writer.sha256 == hashlib.sha256(body).hexdigest()


def test_reading_the_feed_in_pages_of_one_entry_writes_the_same_bytes(client, dataset, monkeypatch):
    """The export's memory is bounded by its Query page; the page size changes no byte."""
    first = client.lambda_.invoke("nightly_export", scheduled(client, force=True)).payload
    pages: list[int | None] = []
    query = change_store.ChangeEntry.query

    def spy(*args, **kwargs):
        pages.append(kwargs.get("page_size"))
        return query(*args, **kwargs)

    monkeypatch.setattr(change_store.ChangeEntry, "query", spy)
    bucket = settings().bucket  # the client resets the stage's env on each invoke
    monkeypatch.setenv("BUCKET_NAME", bucket)
    monkeypatch.setenv("EXPORT_PAGE_ITEMS", "1")
    settings.cache_clear()
    try:
        again = client.lambda_.invoke("nightly_export", scheduled(client, force=True)).payload
    finally:
        monkeypatch.delenv("EXPORT_PAGE_ITEMS")
        settings.cache_clear()
    assert pages and set(pages) == {1}
    assert again["run_id"] != first["run_id"] and again["counts"] == first["counts"]
    assert [(f["name"], f["sha256"]) for f in again["files"]] == [
        (f["name"], f["sha256"]) for f in first["files"]
    ]


def _matches_its_hashes(latest: dict) -> list[int]:
    """Fetch each linked file as a citizen would; the record count of each, hashes checked."""
    for file in latest["files"]:
        fetched = requests.get(file["url"], timeout=30)
        assert fetched.status_code == 200
        assert hashlib.sha256(fetched.content).hexdigest() == file["sha256"]
    return [file["records"] for file in latest["files"]]


def test_an_administrator_runs_the_export_now_and_gets_its_links(api, keys, dataset):
    assert api.call("POST", "/v1/exports/run").status_code == 401
    assert api.call("POST", "/v1/exports/run", key=keys["110000"]).status_code == 403
    assert api.call("GET", "/v1/exports/latest").status_code == 404

    ran = api.call("POST", "/v1/exports/run", key=keys["admin"])
    assert ran.status_code == 200, ran.body
    assert ran.data["counts"]["awards"] == 3
    assert _matches_its_hashes(ran.data) == [3, 4, 2]
    latest = api.call("GET", "/v1/exports/latest").data
    assert (latest["generated_at"], latest["counts"]) == (
        ran.data["generated_at"],
        ran.data["counts"],
    )


def test_a_second_run_the_same_day_writes_beside_what_latest_names(api, keys, dataset):
    """A double click: the first export's files stay whole while the second is written."""
    first = api.call("POST", "/v1/exports/run", key=keys["admin"]).data
    day = first["export_date"]
    first_files = {key: read(key) for key in (f"exports/{day}/awards.csv",)}
    api.call("POST", "/v1/awards", award_body(dataset["beijing"], "BJ-NEW"), key=keys["110000"])

    second = api.call("POST", "/v1/exports/run", key=keys["admin"])
    assert second.status_code == 200, second.body
    assert second.data["counts"]["awards"] == 4
    assert _matches_its_hashes(second.data) == [4, 6, 2]  # BJ-NEW has two winners
    assert {key: read(key) for key in first_files} == first_files  # not overwritten
    latest = json.loads(read("exports/latest.json"))
    assert latest["manifest_key"] == f"exports/{day}/{latest['run_id']}/manifest.json"
    assert json.loads(read(f"exports/{day}/manifest.json"))["run_id"] == latest["run_id"]


def test_a_run_while_another_is_going_is_409_and_latest_stays(api, keys, dataset, monkeypatch):
    api.call("POST", "/v1/exports/run", key=keys["admin"])
    before = api.call("GET", "/v1/exports/latest").data
    real_write = export._write_files

    def click_again_meanwhile(*args, **kwargs):
        again = api.call("POST", "/v1/exports/run", key=keys["admin"])
        assert (again.status_code, again.data["error"]["code"]) == (409, "invalid_state")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(export, "_write_files", click_again_meanwhile)
    assert api.call("POST", "/v1/exports/run", key=keys["admin"]).status_code == 200
    after = api.call("GET", "/v1/exports/latest").data
    assert after["generated_at"] >= before["generated_at"]
    assert _matches_its_hashes(after) == [3, 4, 2]


def test_full_width_formula_starts_are_neutralised_in_the_csv_too(client, api, keys):
    """Chinese input methods type ＝ ＋ － ＠; the CSV cell gets its ' after NFKC says so."""
    program = submitted_program(api, keys["110000"])
    body = award_body(program, "BJ-FW")
    body["project"] = {"name": '＝HYPERLINK("http://evil.example") 工程', "category": "municipal"}
    award = api.call("POST", "/v1/awards", body, key=keys["110000"]).data
    result = client.lambda_.invoke("nightly_export", scheduled(client)).payload
    raw_csv = read(f"exports/{result['export_date']}/awards.csv").decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(raw_csv)) if r["award_id"] == award["id"]]
    assert rows  # one per winner
    for row in rows:
        assert row["project_name"] == '\'＝HYPERLINK("http://evil.example") 工程'
    lines = gzip.decompress(read(f"exports/{result['export_date']}/awards.jsonl.gz")).decode()
    assert json.loads(lines.splitlines()[0])["project"]["name"].startswith("＝")  # JSON as is


def test_a_failing_abort_still_aborts_the_other_files_and_keeps_the_error(
    client, dataset, monkeypatch
):
    """One upload's abort failing neither leaves the others open nor hides why the run stopped."""

    def broken(authority_id, seq, changed):
        raise RuntimeError("storage went away")
        yield  # pragma: no cover

    aborted = []
    real_abort = objects.MultipartWriter.abort

    def abort(writer):
        aborted.append(writer.key.rsplit("/", 1)[-1])
        if len(aborted) == 1:
            raise OSError("the abort failed too")
        real_abort(writer)

    monkeypatch.setattr(export, "_awards_of", broken)
    monkeypatch.setattr(objects.MultipartWriter, "abort", abort)
    with pytest.raises(RuntimeError, match="storage went away"):
        client.lambda_.invoke("nightly_export", scheduled(client))
    assert aborted == ["awards.jsonl.gz", "awards.csv", "programs.jsonl.gz"]
    assert objects.head("exports/latest.json") is None
