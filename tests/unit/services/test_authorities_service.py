"""Loading and listing the 33 authorities over the in-memory repository (no moto)."""

from __future__ import annotations

from chalicelib.services.authorities import list_authorities, load_authorities


def test_the_33_authorities_load_once_and_list_in_id_order(twins):
    assert load_authorities() == 33
    assert load_authorities() == 0  # idempotent: nothing added, sequences kept
    listed = list_authorities()
    assert len(listed) == 33 and listed[0]["id"] == "110000"
    assert [a["id"] for a in listed] == sorted(a["id"] for a in listed)
    assert {"110000-PNR", "660000"} <= {a["id"] for a in listed}
    assert set(listed[0]) == {"id", "division_code", "name_zh", "name_en"}


def test_loading_keeps_an_authoritys_change_sequence(twins):
    load_authorities()
    twins.authorities.items["110000"]["seq"] = 41
    load_authorities()
    assert twins.authorities.items["110000"]["seq"] == 41
