"""The change feed's paging over the in-memory change-feed repository (no moto).

``services/changes.read_changes``: every change exactly once, in seq order per
authority, never past an entry that is not visible yet (SPEC §4).
"""

from __future__ import annotations

from chalicelib.services import changes
from chalicelib.services.changes import read_changes


def _at(second: int) -> str:
    return f"2026-11-20T02:00:{second:02d}.000000Z"


def _ids(page) -> list[str]:
    return [entry.entity_id for entry, _ in page.entries]


def test_entries_of_several_authorities_come_in_commit_order_each_once(twins):
    feed = twins.changes
    feed.append("110000", entity="award", entity_id="bj-1", committed_at=_at(1))
    feed.append("320000", entity="award", entity_id="js-1", committed_at=_at(2))
    feed.append("110000", entity="award", entity_id="bj-2", committed_at=_at(3))
    first = read_changes({}, 2)
    assert _ids(first) == ["bj-1", "js-1"] and first.has_more
    assert first.position == {"110000": 1, "320000": 1}
    second = read_changes(first.position, 2)
    assert _ids(second) == ["bj-2"] and not second.has_more


def test_a_page_stops_before_an_entry_not_visible_yet_and_resumes_there(twins):
    feed = twins.changes
    for n in range(1, 4):
        feed.append("110000", entity="award", entity_id=f"bj-{n}", committed_at=_at(n))
    feed.hide("110000", 2)  # committed (the head counts it), not yet shown to a Query
    page = read_changes({}, 10)
    assert _ids(page) == ["bj-1"] and page.has_more
    feed.hidden.clear()
    assert _ids(read_changes(page.position, 10)) == ["bj-2", "bj-3"]


def test_an_authority_whose_commit_times_go_back_keeps_its_seq_order(twins):
    feed = twins.changes
    feed.append("110000", entity="award", entity_id="bj-1", committed_at=_at(5))
    feed.append("110000", entity="award", entity_id="bj-2", committed_at=_at(1))  # retried
    feed.append("320000", entity="award", entity_id="js-1", committed_at=_at(3))
    assert _ids(read_changes({}, 10)) == ["js-1", "bj-1", "bj-2"]


def test_paging_from_the_start_while_writes_go_on_sees_every_change_once(twins):
    feed = twins.changes
    seen: list[str] = []
    position: dict[str, int] = {}
    for n in range(30):
        authority = ("110000", "320000", "440000")[n % 3]
        feed.append(authority, entity="award", entity_id=f"a{n}", committed_at=_at(n))
        if n % 4 == 0:
            page = read_changes(position, 3)
            seen += _ids(page)
            position = page.position
    while True:
        page = read_changes(position, 3)
        seen += _ids(page)
        position = page.position
        if not page.has_more:
            break
    assert sorted(seen) == sorted(f"a{n}" for n in range(30)) and len(seen) == 30


def test_a_job_keeps_its_own_position_and_it_survives_a_cursor_round_trip(twins):
    for n in range(6):
        authority = ("110000", "320000")[n % 2]
        twins.changes.append(authority, entity="award", entity_id=f"a{n}", committed_at=_at(n))
    first = read_changes({}, 5)
    assert len(first.entries) == 5 and first.has_more
    second = read_changes(first.position, 5)
    assert len(second.entries) == 1 and not second.has_more
    token = changes.encode_position(second.position)
    assert changes.decode_position(token) == second.position == {"110000": 3, "320000": 3}
