"""Each in-memory twin (``tests/twins.py``) behaves as its repository does on DynamoDB.

The same checks run twice: against the real repository on moto and against its
twin, so the service unit tests that use a twin test what production would do.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.store import changes, keys, ledger, programs, search, stats
from tests import twins as memory


def _program(n: int, authority_id: str = "110000") -> Any:
    at = f"2026-11-{n:02d}T02:00:00.000000Z"
    return programs.new(
        id=f"prg_{n:026d}",
        authority_id=authority_id,
        status="draft",
        content={"name": f"奖{n}", "categories": ["housing"]},
        status_history=[],
        documents=[],
        created_at=at,
        updated_at=at,
        listing_key=f"{at}#prg_{n:026d}",
    )


@pytest.fixture(params=["dynamodb", "memory"])
def repos(request: pytest.FixtureRequest) -> SimpleNamespace:
    """The repositories: the real modules (moto) or their twins."""
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        return SimpleNamespace(
            programs=programs, search=search, stats=stats, changes=changes, keys=keys, real=True
        )
    return SimpleNamespace(
        programs=memory.InMemoryPrograms(),
        search=memory.InMemorySearch(),
        stats=memory.InMemoryStats(),
        changes=memory.InMemoryChanges(),
        keys=memory.InMemoryKeys(),
        real=False,
    )


def test_a_twin_implements_every_function_of_its_repository():
    for module, twin in (
        (programs, memory.InMemoryPrograms),
        (search, memory.InMemorySearch),
        (stats, memory.InMemoryStats),
        (changes, memory.InMemoryChanges),
        (keys, memory.InMemoryKeys),
    ):
        assert memory.public_functions(module) <= set(dir(twin)), module.__name__


def test_programmes_are_stored_read_and_listed_newest_first(repos):
    store = repos.programs
    for n in (1, 2, 3):
        store.add(_program(n, "110000" if n != 2 else "320000"))
    assert store.get("prg_missing") is None
    first = store.get(f"prg_{1:026d}")
    assert first.version == 1 and first.content["name"] == "奖1"
    assert sorted(store.get_many([f"prg_{1:026d}", f"prg_{3:026d}", "prg_x"])) == [
        f"prg_{1:026d}",
        f"prg_{3:026d}",
    ]
    assert [p.id[-1] for p in store.page(None, None, 10)] == ["3", "2", "1"]
    assert [p.id[-1] for p in store.page("110000", None, 10)] == ["3", "1"]
    assert [p.id[-1] for p in store.page(None, first.listing_key.replace("01T", "03T"), 10)] == [
        "2",
        "1",
    ]
    assert [p.id[-1] for p in store.of_authority("110000")] == ["1", "3"]


def test_a_stale_programme_is_not_saved_over_a_newer_one(repos):
    store = repos.programs
    store.add(_program(1))
    mine, theirs = store.get(f"prg_{1:026d}"), store.get(f"prg_{1:026d}")
    theirs.status = "submitted"
    store.save_if_unchanged(theirs)
    mine.status = "withdrawn"
    with pytest.raises(ledger.CommitConflict):
        store.save_if_unchanged(mine)
    assert store.get(f"prg_{1:026d}").status == "submitted"
    assert store.get(f"prg_{1:026d}").version == 2


def test_the_search_index_remembers_the_version_indexed_and_never_goes_back(repos):
    index = repos.search
    assert index.indexed("awd_1") == (0, [])
    fields = {
        "sk": "2026-11-20T02:00:00.000000Z#awd_1",
        "award_id": "awd_1",
        "text": "北京城建",
        "status": "active",
        "authority_id": "110000",
        "program_id": "prg_1",
        "year": 2026,
        "name_key": "北京城建#2026-11-20T02:00:00.000000Z#awd_1",
        "version": 2,
    }
    index.put_entries(["北京", "京城"], **fields)
    assert index.mark_indexed("awd_1", 2, ["北京", "京城"]) is True
    assert index.mark_indexed("awd_1", 1, ["旧的"]) is False
    assert index.indexed("awd_1") == (2, ["北京", "京城"])
    found = list(index.entries("京城", "date", None, 10, page_size=10))
    assert [(e.award_id, e.text) for e in found] == [("awd_1", "北京城建")]
    assert list(index.entries("京城", "date", fields["sk"], 10, page_size=10)) == []


def test_counters_add_up_per_day_over_shards(repos):
    counter = repos.stats
    for shard in (0, 1, 1, 7):
        counter.add_one(stats.VERIFY, date(2026, 12, 1), shard)
    counter.add_one(stats.VERIFY, date(2026, 12, 2), 3)
    totals = counter.daily_counts(stats.VERIFY, 8, date(2026, 12, 1), date(2026, 12, 1))
    assert dict(totals) == {date(2026, 12, 1): 4}
    assert sum(counter.daily_counts(stats.VERIFY, 8, None, None).values()) == 5


def test_change_entries_are_read_per_authority_in_seq_order(repos):
    feed = repos.changes
    for n in range(1, 4):
        _commit(repos, "110000", f"prg_{n}", f"2026-11-20T02:00:0{n}.000000Z")
    _commit(repos, "320000", "prg_js", "2026-11-20T02:00:05.000000Z")
    heads = feed.heads()
    assert heads["110000"] == 3 and heads["320000"] == 1 and heads["650000"] == 0
    assert [e.seq for e in feed.after("110000", 1, limit=10)] == [2, 3]
    assert [e.seq for e in feed.after("110000", 0, limit=2)] == [1, 2]
    (again,) = feed.get_many([("110000", 2)])
    assert again.entity_id == "prg_2" and again.entity == "program"
    assert [e.seq for e in feed.programs_and_changes("110000", 2, page_size=1)] == [1, 2]
    assert list(feed.award_creations("110000", 3, page_size=1)) == []
    assert feed.seqs_of("prg_2") == [2]
    feed.replace_data(again, {"id": "prg_2", "erased": True})
    (erased,) = feed.get_many([("110000", 2)])
    assert erased.data == {"id": "prg_2", "erased": True}


def _commit(repos: SimpleNamespace, authority_id: str, entity_id: str, at: str) -> None:
    """A programme change committed as the ledger does (the twin: its ``append``)."""
    if not repos.real:
        repos.changes.append(authority_id, entity="program", entity_id=entity_id, committed_at=at)
        return
    change = ledger.Change("program", entity_id, "create", 1, {"id": entity_id})
    ledger.commit(authority_id, change, at, lambda transaction: None)


def test_keys_are_found_by_hash_and_id_and_revoked_once(repos):
    store = repos.keys
    for n, role in ((1, "admin"), (2, "provincial"), (3, "provincial")):
        store.add(
            key_hash=f"h{n}",
            key_id=f"key_{n:026d}",
            role=role,
            authority_id=None if role == "admin" else "110000",
            created_at="2026-11-20T02:00:00.000000Z",
        )
    assert store.by_hash("h-none") is None and store.by_id("key_x", ("admin",)) is None
    assert store.by_id(f"key_{2:026d}", ("admin", "provincial")).key_hash == "h2"
    newest = store.page(("admin", "provincial"), None, 10)
    assert sorted(k.key_id[-1] for k in newest) == ["1", "2", "3"]
    assert [k.key_id[-1] for k in store.page(("provincial",), f"key_{3:026d}", 10)] == ["2"]
    first, late = store.by_hash("h2"), store.by_hash("h2")
    assert store.mark_revoked(first, at="2026-11-21T00:00:00.000000Z", by="key_a", note="x")
    assert not store.mark_revoked(late, at="2026-11-22T00:00:00.000000Z", by="key_b", note=None)
    assert late.revoked_by == "key_a"  # re-read as stored
    store.note_used(store.by_hash("h3"), "2026-11-20")
    store.note_used(store.by_hash("h3"), "2026-11-20")  # the same day again: no error
    assert store.by_hash("h3").last_used_on == "2026-11-20"
