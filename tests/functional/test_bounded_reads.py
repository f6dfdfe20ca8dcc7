"""Every public list page reads a bounded number of stored items (issue 10.1).

An anonymous caller must not make one request cost the whole table. The bound is
``max(READ_BOUND_FACTOR × limit, READ_BOUND_FLOOR)`` stored items; the tests lower
the floor so a few dozen awards are "many". Items read are counted on the wire:
every DynamoDB answer that pynamodb receives (Query, GetItem, BatchGetItem).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from pynamodb.connection.base import Connection

from chalicelib.config import settings
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push_batch

FLOOR = 12


class ItemsRead:
    """Stored items DynamoDB returned, by table (suffix after the prefix)."""

    def __init__(self) -> None:
        self.by_table: Counter[str] = Counter()

    def record(self, operation: str, request: dict[str, Any], answer: dict[str, Any]) -> None:
        if operation in ("Query", "Scan"):
            self.by_table[_kind(request["TableName"])] += len(answer.get("Items", []))
        elif operation == "GetItem" and "Item" in answer:
            self.by_table[_kind(request["TableName"])] += 1
        elif operation == "BatchGetItem":
            for table, items in answer.get("Responses", {}).items():
                self.by_table[_kind(table)] += len(items)

    def during(self, call: Any) -> int:
        """Items read from the awards table while ``call()`` runs, and its answer."""
        self.by_table.clear()
        answer = call()
        return answer, self.by_table["awards"]


def _kind(table_name: str) -> str:
    return table_name.rsplit("-", 1)[-1]


@pytest.fixture
def items_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[ItemsRead]:
    counter = ItemsRead()
    original = Connection._make_api_call

    def counting(self: Connection, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        answer = original(self, operation, kwargs)
        counter.record(operation, kwargs, answer)
        return answer

    monkeypatch.setattr(Connection, "_make_api_call", counting)
    yield counter


@pytest.fixture
def small_bound(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("READ_BOUND_FLOOR", str(FLOOR))
    settings.cache_clear()
    try:
        yield FLOOR
    finally:
        monkeypatch.undo()
        settings.cache_clear()


def batch_of(program_id: str, first: int, count: int, **overrides: Any) -> list[dict]:
    """Awards ``first`` .. ``first + count - 1``: each its own source id and first winner."""
    records = []
    for n in range(first, first + count):
        body = award_body(program_id, source_id=f"B-{n}", **overrides)
        body["winners"][0]["credit_code"] = credit_code(500 + n)
        records.append(body)
    return records


def pages(api: Any, path: str) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        body = api.call("GET", path + (f"{sep}cursor={cursor}" if cursor else "")).data
        yield body
        cursor = body["next_cursor"]
        if cursor is None:
            return


@pytest.fixture
def many(api, keys) -> dict[str, Any]:
    """40 Beijing awards of 2024 in one programme, then 3 of 2023 in another, newest last."""
    program = submitted_program(api, keys["110000"])
    older = push_batch(api, keys["110000"], batch_of(program, 0, 40))
    other = submitted_program(api, keys["110000"], name="北京市结构长城杯")
    newer = push_batch(
        api, keys["110000"], batch_of(other, 100, 3, year=2023, awarded_on="2023-06-01")
    )
    return {"program": program, "older": older, "other": other, "newer": newer}


def test_a_filter_matching_nothing_reads_at_most_the_bound(api, many, items_read, small_bound):
    # by_program serves the programme; the year is checked in Python on each record.
    path = f"/v1/awards?program_id={many['program']}&year=2019&limit=1"
    response, read = items_read.during(lambda: api.call("GET", path))
    assert response.status_code == 200
    assert response.data["items"] == []
    assert response.data["next_cursor"]  # a short (here empty) page that says: continue
    assert read <= small_bound
    # Every page stays within the bound; paging to the end finds nothing and ends.
    count = 0
    for body in pages(api, path):
        assert body["items"] == []
        count += 1
    assert count >= len(many["older"]) // small_bound


def test_the_bound_does_not_grow_with_the_table(api, keys, many, items_read, small_bound):
    path = f"/v1/awards?program_id={many['program']}&year=2019&limit=1"
    _, before = items_read.during(lambda: api.call("GET", path))
    push_batch(api, keys["110000"], batch_of(many["program"], 200, 30))
    _, after = items_read.during(lambda: api.call("GET", path))
    assert before == after <= small_bound


def test_indexes_serve_year_and_authority_with_year(api, keys, many, items_read, small_bound):
    for path in ("/v1/awards?year=2019", "/v1/awards?authority_id=110000&year=2019"):
        response, read = items_read.during(lambda path=path: api.call("GET", path))
        assert response.data == {"items": [], "next_cursor": None}
        assert read == 0
    path = "/v1/awards?authority_id=110000&year=2023&limit=2"
    response, read = items_read.during(lambda: api.call("GET", path))
    assert [a["id"] for a in response.data["items"]] == many["newer"][::-1][:2]
    assert read <= 3  # the page and one more to know there is more
    response, read = items_read.during(lambda: api.call("GET", "/v1/awards?year=2024&limit=3"))
    assert [a["id"] for a in response.data["items"]] == many["older"][::-1][:3]
    assert read <= settings().shards * 4


def test_paging_a_python_filter_sees_every_match_once_across_short_pages(
    api, keys, many, small_bound
):
    # 2023 awards sit among the programme's 2024 ones: each page reads at most the
    # bound, some pages come back short or empty, and the cursor walks on after the
    # last item read.
    mixed = push_batch(
        api, keys["110000"], batch_of(many["program"], 300, 2, year=2023, awarded_on="2023-06-01")
    )
    push_batch(api, keys["110000"], batch_of(many["program"], 400, 20))
    path = f"/v1/awards?program_id={many['program']}&year=2023&limit=1"
    seen, shapes = [], []
    for body in pages(api, path):
        seen += [a["id"] for a in body["items"]]
        shapes.append(len(body["items"]))
    assert seen == mixed[::-1]
    assert 0 in shapes  # at least one short page with a cursor was served


def test_revoked_filter_pages_through_everything_once(api, keys, many, small_bound):
    for award_id in many["older"][5:35]:
        response = api.call(
            "POST", f"/v1/awards/{award_id}/revoke", {"reason": "撤销"}, key=keys["110000"]
        )
        assert response.status_code == 200, response.body
    expected = [*many["newer"][::-1], *many["older"][35:][::-1], *many["older"][:5][::-1]]
    seen = []
    for body in pages(api, "/v1/awards?authority_id=110000&limit=1"):
        seen += [a["id"] for a in body["items"]]
    assert seen == expected
    # The sharded listing of everything does the same (a merge that stops at the bound).
    seen = [a["id"] for body in pages(api, "/v1/awards?limit=1") for a in body["items"]]
    assert seen == expected
    # A correction writes the new index keys too: the record moves to its new year.
    award_id = many["older"][0]
    current = api.call("GET", f"/v1/awards/{award_id}").data
    body = award_body(many["program"], source_id="B-0", year=2022, awarded_on="2022-05-01")
    body["winners"][0]["credit_code"] = credit_code(500)
    response = api.call(
        "PUT",
        f"/v1/awards/{award_id}",
        body,
        key=keys["110000"],
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.body
    by_year = api.call("GET", "/v1/awards?authority_id=110000&year=2022").data["items"]
    assert [a["id"] for a in by_year] == [award_id]
    by_name = api.call("GET", "/v1/awards?enterprise_name=北京城建&year=2022").data["items"]
    assert [a["id"] for a in by_name] == [award_id]


def test_verify_reads_at_most_the_bound(api, keys, many, items_read, small_bound):
    code = credit_code(2)  # the design institute wins every award
    seen = []
    for body in pages(api, f"/v1/verify?credit_code={code}&limit=1"):
        seen += [a["id"] for a in body["awards"]]
    assert seen == [*many["newer"][::-1], *many["older"][::-1]]
    response, read = items_read.during(
        lambda: api.call("GET", f"/v1/verify?credit_code={code}&limit=1")
    )
    assert len(response.data["awards"]) == 1 and read <= small_bound


def test_feed_reads_at_most_the_bound(api, many, items_read, small_bound):
    response, read = items_read.during(lambda: api.call("GET", "/v1/feed.json"))
    assert response.status_code == 200
    assert read <= settings().read_bound(settings().feed_size)
    assert len(response.data["items"]) == len(many["older"]) + len(many["newer"])


def test_change_feed_reads_at_most_limit_plus_authorities_that_moved(api, keys, items_read):
    beijing = submitted_program(api, keys["110000"])
    jiangsu = submitted_program(api, keys["320000"], name="江苏省优质工程奖“扬子杯”")
    push_batch(api, keys["110000"], batch_of(beijing, 0, 15))
    push_batch(api, keys["320000"], batch_of(jiangsu, 0, 15))
    seen, cursor, reads = [], None, []
    while True:
        path = "/v1/changes?limit=5" + (f"&since={cursor}" if cursor else "")
        items_read.by_table.clear()
        body = api.call("GET", path).data
        reads.append(items_read.by_table["changes"])
        seen += [(i["authority_id"], i["seq"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert max(reads) <= 5 + 2
    assert sorted(seen) == sorted({*seen}) and len(seen) == 2 * (1 + 15)
    for authority in ("110000", "320000"):
        assert [s for a, s in seen if a == authority] == list(range(1, 17))
