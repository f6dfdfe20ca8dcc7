"""Batching, retries, resume and rejections of the push, against a fake API.

The batching and the answers' handling run on a fake session (no sockets); the
retries of transient faults run over real HTTP against a scripted server on
loopback, so urllib3's ``Retry`` on the session's adapter is what is tested.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from backfill.client import ApiClient, encode
from backfill.progress import Progress
from backfill.push import push_records
from backfill.readers import SheetRow, Table
from backfill.records import Checked, check, group_rows
from backfill.state import State
from tests.factories import credit_code


class FakeResponse:
    def __init__(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        self.status_code = status
        self._body = body
        self.headers = headers or {}
        self.text = json.dumps(body) if body is not None else ""
        self.reason = "fake"

    def json(self) -> Any:
        if self._body is None:
            raise ValueError("no body")
        return self._body


def accept_all(records: list[dict]) -> FakeResponse:
    return FakeResponse(
        200, {"results": [{"index": i, "status": 201, "id": "awd"} for i in range(len(records))]}
    )


class FakeApi:
    """Answers ``POST /v1/awards/batch`` with ``answer(records)``; keeps every body sent."""

    def __init__(self, answer: Callable[[list[dict]], Any] = accept_all) -> None:
        self.answer = answer
        self.bodies: list[bytes] = []
        self.headers: dict[str, str] = {}

    def session(self) -> FakeApi:
        return self

    def request(self, method: str, url: str, *, timeout: float, data: bytes, headers: dict) -> Any:
        assert method == "POST" and url.endswith("/v1/awards/batch")
        self.bodies.append(data)
        outcome = self.answer(json.loads(data)["records"])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def sent_ids(self) -> list[list[str]]:
        return [[r["source_id"] for r in json.loads(b)["records"]] for b in self.bodies]


def records(n: int, *, honor: str = "金质奖", big: int = 0) -> list[Checked]:
    rows = [
        SheetRow(
            2 + i,
            {
                "source_id": f"R{i:04d}",
                "program_id": "prg_1",
                "year": 2019,
                "honor": honor,
                "awarded_on": "2019-12-20",
                "project_name": "工程" + "楼" * big,
                "category": "房屋建筑",
                "winner_name": "单位",
                "credit_code": credit_code(i),
                "role": "设计",
            },
        )
        for i in range(n)
    ]
    drafts = group_rows(Table("t.csv", None, "utf-8", {}, rows=rows)).drafts
    return [check(d, "prg_1") for d in drafts]


@pytest.fixture
def waits() -> list[float]:
    return []


def client(api: FakeApi, waits: list[float], **options: Any) -> ApiClient:
    return ApiClient(
        "http://api.test/", "k", session_factory=api.session, sleep=waits.append, **options
    )


def push(api: FakeApi, items: list[Checked], tmp_path: Path, waits: list[float], **options: Any):
    state = State(tmp_path / "in.csv.backfill-state.json", "http://api.test")
    attempts = options.pop("attempts", 8)
    return push_records(
        items,
        client(api, waits, attempts=attempts),
        state,
        Progress(100, enabled=False),
        **options,
    )


def test_batches_hold_at_most_100_records(tmp_path, waits):
    api = FakeApi()
    outcome = push(api, records(250), tmp_path, waits)
    assert [len(batch) for batch in api.sent_ids()] == [100, 100, 50]
    assert outcome.created == 250 and outcome.pending == 0 and outcome.batches == 3


def test_batches_stay_under_the_byte_limit(tmp_path, waits):
    api = FakeApi()
    items = records(40, big=90)  # ~0.5 kB each
    outcome = push(api, items, tmp_path, waits, max_bytes=5_000)
    assert all(len(body) <= 5_000 for body in api.bodies)
    assert sum(len(batch) for batch in api.sent_ids()) == 40 and len(api.bodies) > 4
    assert outcome.created == 40


def test_a_record_over_the_byte_limit_is_rejected_locally_and_not_sent(tmp_path, waits):
    api = FakeApi()
    items = [records(1, big=200)[0], records(2)[1]]
    limit = len(encode(items[1].record)) + 100
    assert len(encode(items[0].record)) > limit
    outcome = push(api, items, tmp_path, waits, max_bytes=limit)
    assert api.sent_ids() == [["R0001"]]
    assert [(p.code, p.row) for p in outcome.rejected] == [("too_large", 2)]


class ScriptedApi(ThreadingHTTPServer):
    """``POST /v1/awards/batch`` on loopback: the scripted faults first, then all created.

    A fault is ``(status, body, headers)``, ``"reset"`` (the connection closes with
    no answer) or ``"stall"`` (no answer until the test ends: the client times out).
    """

    daemon_threads = True

    def __init__(self, faults: list[Any]) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.faults = list(faults)
        self.bodies: list[bytes] = []
        self.released = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedApi

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.bodies.append(body)
            fault = self.server.faults.pop(0) if self.server.faults else None
        if fault == "reset":
            return  # the handler closes the connection: no status line at all
        if fault == "stall":
            self.server.released.wait(30)
            return
        if fault is None:
            sent = json.loads(body)["records"]
            fault = (200, accept_all(sent)._body, {})
        status, answer, headers = fault
        payload = json.dumps(answer).encode() if answer is not None else b""
        self.send_response(status)
        for name, value in {"Content-Length": str(len(payload)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[Callable[[list[Any]], ScriptedApi]]:
    servers: list[ScriptedApi] = []

    def start(faults: list[Any]) -> ScriptedApi:
        server = ScriptedApi(faults)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.released.set()
        server.shutdown()
        server.server_close()


def push_over_http(server: ScriptedApi, items: list[Checked], tmp_path: Path, waits, **options):
    state = State(tmp_path / "in.csv.backfill-state.json", server.url)
    retries: list[str] = []
    api = ApiClient(
        server.url,
        "k",
        sleep=waits.append,
        on_retry=lambda reason, wait: retries.append(reason),
        **options,
    )
    return push_records(items, api, state, Progress(100, enabled=False)), retries


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ((503, {"error": {"code": "unavailable", "message": "try again"}}, {}), "HTTP 503"),
        (
            (429, {"error": {"code": "throttled", "message": "slow"}}, {"Retry-After": "3"}),
            "HTTP 429",
        ),
        ((502, None, {}), "HTTP 502"),
        ("reset", "ProtocolError"),
        ("stall", "ReadTimeoutError"),
    ],
)
def test_transient_faults_are_retried_with_back_off(tmp_path, waits, scripted, fault, reason):
    server = scripted([fault, fault])
    # A stalled answer ends at the client's timeout; the others answer at once.
    outcome, retries = push_over_http(server, records(3), tmp_path, waits, timeout=1.0)
    assert outcome.created == 3 and len(server.bodies) == 3
    assert retries == [reason, reason]
    assert len(waits) == 2 and waits[1] > 0  # urllib3: the first retry at once, then doubling
    if isinstance(fault, tuple) and fault[2].get("Retry-After"):
        assert min(waits) >= 3


def test_a_retry_after_is_capped_and_a_date_is_understood(tmp_path, waits, scripted):
    busy = {"error": {"code": "throttled", "message": "slow"}}
    server = scripted(
        [
            (429, busy, {"Retry-After": "86400"}),
            (503, busy, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # in the past
            (503, busy, {"Retry-After": "soon"}),  # neither: the usual back-off
        ]
    )
    outcome, _ = push_over_http(server, records(1), tmp_path, waits, max_backoff=7.0)
    assert outcome.created == 1 and len(server.bodies) == 4
    assert waits[0] == 7.0 and waits[1] == 0 and 0 < waits[2] <= 7.0


def test_retries_that_run_out_stop_the_run_for_a_later_resume(tmp_path, waits, scripted):
    server = scripted([(503, None, {})] * 3)
    outcome, _ = push_over_http(server, records(3), tmp_path, waits, attempts=3)
    assert len(server.bodies) == 3 and len(waits) == 2
    assert outcome.stopped and "3 tries" in outcome.stopped
    assert outcome.pending == 3 and outcome.created == 0


def test_a_connection_refused_stops_the_run_for_a_later_resume(tmp_path, waits, scripted):
    server = scripted([])
    server.shutdown()
    server.server_close()  # nothing listens on the port any more
    outcome, retries = push_over_http(server, records(2), tmp_path, waits, attempts=2)
    assert outcome.stopped and "2 tries" in outcome.stopped and outcome.pending == 2
    assert len(retries) == 1


def test_a_refused_key_stops_at_once(tmp_path, waits):
    api = FakeApi(
        lambda sent: FakeResponse(401, {"error": {"code": "unauthenticated", "message": "no"}})
    )
    outcome = push(api, records(150), tmp_path, waits)
    assert len(api.bodies) == 1 and waits == []
    assert "401" in outcome.stopped and outcome.pending == 150


def test_records_answered_503_inside_a_batch_are_sent_again(tmp_path, waits):
    calls = []

    def answer(sent: list[dict]) -> FakeResponse:
        calls.append(len(sent))
        results = []
        for i, record in enumerate(sent):
            busy = record["source_id"] == "R0001" and len(calls) == 1
            results.append({"index": i, "status": 503 if busy else 201})
        return FakeResponse(200, {"results": results})

    api = FakeApi(answer)
    outcome = push(api, records(3), tmp_path, waits)
    assert api.sent_ids() == [["R0000", "R0001", "R0002"], ["R0001"]]
    assert outcome.created == 3 and len(waits) == 1


def test_refusals_are_mapped_to_sheet_rows(tmp_path, waits):
    def answer(sent: list[dict]) -> FakeResponse:
        results = [{"index": i, "status": 201} for i in range(len(sent))]
        results[1] = {
            "index": 1,
            "status": 422,
            "error": {
                "code": "out_of_scope",
                "message": "the programme covers housing, not municipal",
                "field": "project.category",
            },
        }
        return FakeResponse(200, {"results": results})

    outcome = push(FakeApi(answer), records(3), tmp_path, waits)
    [problem] = outcome.rejected
    assert (problem.row, problem.column, problem.source_id) == (3, "工程类别", "R0001")
    assert problem.message_zh == "工程类别不在该奖项的范围内"
    assert outcome.created == 2


def test_every_problem_the_api_lists_becomes_a_line_with_its_chinese(tmp_path, waits):
    problems = [
        {
            "code": "duplicate_winner",
            "message": f"credit code X already appears as winners[0] ({n})",
            "message_zh": f"字段 winners[0].credit_code：同一奖项中统一社会信用代码重复（{n}）",
            "field": "winners[0].credit_code",
        }
        for n in (1, 2)
    ]

    def answer(sent: list[dict]) -> FakeResponse:
        results = [{"index": i, "status": 201} for i in range(len(sent))]
        results[0] = {"index": 0, "status": 422, "error": problems[0], "errors": problems}
        return FakeResponse(200, {"results": results})

    outcome = push(FakeApi(answer), records(2), tmp_path, waits)
    assert [(p.row, p.code, p.message_zh) for p in outcome.rejected] == [
        (2, "duplicate_winner", "同一奖项中统一社会信用代码重复（1）"),
        (2, "duplicate_winner", "同一奖项中统一社会信用代码重复（2）"),
    ]
    assert outcome.rejected[0].message.startswith("HTTP 422: credit code X")
    assert outcome.created == 1


def test_a_rerun_sends_only_what_was_not_confirmed(tmp_path, waits):
    first = FakeApi()
    stopped = push(first, records(250), tmp_path, waits, max_batches=2)
    assert stopped.created == 200 and stopped.pending == 50 and "2 batches" in stopped.stopped

    again = FakeApi()
    resumed = push(again, records(250), tmp_path, waits)
    assert again.sent_ids() == [[f"R{i:04d}" for i in range(200, 250)]]
    assert resumed.skipped == 200 and resumed.created == 50

    edited = FakeApi()
    changed = push(edited, records(250, honor="银质奖"), tmp_path, waits)
    assert sum(len(b) for b in edited.sent_ids()) == 250  # new content: sent, the API judges
    assert changed.skipped == 0


def test_answers_200_mean_already_there(tmp_path, waits):
    api = FakeApi(
        lambda sent: FakeResponse(
            200, {"results": [{"index": i, "status": 200, "id": "a"} for i in range(len(sent))]}
        )
    )
    outcome = push(api, records(5), tmp_path, waits)
    assert outcome.unchanged == 5 and outcome.created == 0
    state = json.loads((tmp_path / "in.csv.backfill-state.json").read_text("utf-8"))
    assert len(state["targets"]["http://api.test"]["done"]) == 5


def test_a_413_halves_the_batches(tmp_path, waits):
    def answer(sent: list[dict]) -> FakeResponse:
        if len(sent) > 30:
            return FakeResponse(413, {"error": {"code": "payload_too_large", "message": "big"}})
        return accept_all(sent)

    api = FakeApi(answer)
    outcome = push(api, records(100, big=50), tmp_path, waits)
    assert outcome.created == 100 and outcome.pending == 0
    assert max(len(b) for b in api.sent_ids()[-3:]) <= 30


def test_batches_in_flight_together_are_each_confirmed_once(tmp_path, waits):
    api = FakeApi()
    outcome = push(api, records(1000), tmp_path, waits, concurrency=4)
    sent = [source_id for batch in api.sent_ids() for source_id in batch]
    assert sorted(sent) == [f"R{i:04d}" for i in range(1000)]
    assert outcome.created == 1000 and outcome.batches == 10


def test_the_progress_bar_shows_rows_done_of_the_total_and_the_retry_note():
    stream = io.StringIO()
    progress = Progress(5000, done_rows=1000, stream=stream, interval=0)
    progress.advance(500)
    progress.set_note("retry in 2.0s (HTTP 503)")
    progress.close()
    shown = stream.getvalue()
    assert "1500/5000" in shown and "30%" in shown and "rows" in shown
    assert "retry in 2.0s (HTTP 503)" in shown
    assert "5000/5000" not in shown  # the bar shows what was confirmed, nothing more
