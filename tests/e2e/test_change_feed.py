"""The change feed under concurrent writes: a mirror paging from the start sees every change once.

Three provinces push (and correct) awards from several threads at the same
time while a consumer pages ``/v1/changes`` from the beginning, as a
provincial platform mirroring the registry would; when the writers stop it
pages on until ``has_more`` is false. Over real HTTP against the local stack.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.steps import Http, push

PROVINCES = ("330000", "340000", "350000")
THREADS_PER_PROVINCE = 2
PUSHES_PER_THREAD = 8


def test_a_consumer_paging_during_concurrent_pushes_sees_every_change_exactly_once(stack):
    keys = {p: stack.issue_key("--authority", p)["api_key"] for p in PROVINCES}
    programs = {p: submitted_program(stack, keys[p], categories=["housing"]) for p in PROVINCES}
    created: list[str] = []
    corrected: list[str] = []
    lock = threading.Lock()
    writers_done = threading.Event()
    reader_started = threading.Event()

    def write(worker: int) -> None:
        province = PROVINCES[worker % len(PROVINCES)]
        key, program_id = keys[province], programs[province]
        reader_started.wait(timeout=30)
        for n in range(PUSHES_PER_THREAD):
            source_id = f"FEED-E2E-{worker}-{n}"
            body = award_body(
                program_id,
                source_id=source_id,
                project={
                    "name": f"并发工程{worker}-{n}",
                    "category": "housing",
                    "location_code": province,
                },
            )
            body["winners"][0]["credit_code"] = credit_code(20000 + worker * 100 + n)
            award_id = push(Http(stack), key, body)["id"]
            with lock:
                created.append(award_id)
            if n % 4 == 3:  # some corrections, so the feed carries updates too
                body["honor"] = "银质奖"
                put = requests.put(
                    stack.url(f"/v1/awards/{award_id}"),
                    json=body,
                    headers={**bearer(key), "If-Match": '"1"'},
                    timeout=60,
                )
                assert put.status_code == 200, put.text
                with lock:
                    corrected.append(award_id)

    seen: list[dict] = []

    def read() -> str:
        since = None
        reader_started.set()
        deadline = time.monotonic() + 600  # a feed that never settles fails instead of hanging
        while time.monotonic() < deadline:
            # Read before the page: when set, every write is committed before this page.
            writers_finished = writers_done.is_set()
            params = {"limit": 5, **({"since": since} if since else {})}
            response = requests.get(stack.url("/v1/changes"), params=params, timeout=60)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["next_cursor"]
            seen.extend(body["items"])
            since = body["next_cursor"]
            if not body["has_more"]:
                if writers_finished:
                    # one more page after the writers stopped: nothing new may appear
                    final = requests.get(stack.url("/v1/changes"), params={"since": since})
                    assert final.json() == {"items": [], "next_cursor": since, "has_more": False}
                    return since
                time.sleep(0.05)
        raise AssertionError("has_more never became false")

    with ThreadPoolExecutor(max_workers=1 + THREADS_PER_PROVINCE * len(PROVINCES)) as pool:
        reader = pool.submit(read)
        writers = [pool.submit(write, w) for w in range(THREADS_PER_PROVINCE * len(PROVINCES))]
        try:
            for writer in writers:
                writer.result()
        finally:
            writers_done.set()  # also when a writer failed, so the reader stops
        reader.result()

    positions = [(item["authority_id"], item["seq"]) for item in seen]
    duplicates = [p for p, count in Counter(positions).items() if count > 1]
    assert duplicates == []
    by_authority: dict[str, list[int]] = {}
    for authority_id, seq in positions:
        by_authority.setdefault(authority_id, []).append(seq)
    for authority_id, seqs in by_authority.items():
        assert seqs == list(range(1, len(seqs) + 1)), f"{authority_id} has a gap or is out of order"
    creates = {item["id"] for item in seen if item["entity"] == "award" and item["op"] == "create"}
    assert set(created) <= creates
    updates = {item["id"] for item in seen if item["op"] == "update" and item["version"] == 2}
    assert set(corrected) <= updates
    submitted = {item["id"] for item in seen if item["entity"] == "program"}
    assert set(programs.values()) <= submitted
    mine = set(created) | set(programs.values())
    assert sum(item["id"] in mine for item in seen) == len(created) + len(corrected) + 3
    # A second consumer reading everything afterwards sees exactly the same changes.
    again, since = [], None
    while True:
        params = {"limit": 100, **({"since": since} if since else {})}
        body = requests.get(stack.url("/v1/changes"), params=params).json()
        again += [(item["authority_id"], item["seq"]) for item in body["items"]]
        since = body["next_cursor"]
        if not body["has_more"]:
            break
    assert sorted(again) == sorted(positions)
