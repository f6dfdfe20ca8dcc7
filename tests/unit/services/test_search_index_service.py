"""The name-search indexer over the in-memory search repository (no moto).

``services/search_index.index_award``: idempotent and ordered per award; a
correction's lost fragments stop matching (their items carry the new text).
"""

from __future__ import annotations

from chalicelib.services.search_index import index_award


def _view(version: int, winner: str, project: str = "城市副中心枢纽") -> dict:
    return {
        "id": "awd_1",
        "version": version,
        "submitted_at": "2026-11-20T02:00:00.000000Z",
        "status": "active",
        "authority_id": "110000",
        "program_id": "prg_1",
        "year": 2026,
        "project": {"name": project, "category": "housing"},
        "winners": [{"name": winner, "credit_code": "x", "role": "design"}],
    }


def test_an_award_is_indexed_once_per_version_and_never_goes_back(twins):
    assert index_award(_view(1, "北京城建集团")) is True
    assert index_award(_view(1, "北京城建集团")) is False  # a replayed stream record
    assert twins.search.indexed("awd_1")[0] == 1
    assert index_award(_view(2, "北京城建集团")) is True
    assert index_award(_view(1, "北京城建集团")) is False  # older, arriving late
    assert twins.search.indexed("awd_1")[0] == 2


def test_a_corrected_name_no_longer_matches_its_old_fragments(twins):
    index_award(_view(1, "北京城建集团"))
    assert any("城建" in text for text in twins.search.texts_under("城建"))
    index_award(_view(2, "上海建工集团"))
    assert all("城建" not in text for text in twins.search.texts_under("城建"))
    assert any("建工" in text for text in twins.search.texts_under("建工"))
