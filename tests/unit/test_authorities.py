"""The 33 pilot authorities."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.authorities import (
    AUTHORITIES,
    AUTHORITY_IDS,
    Authority,
    division_prefix,
    get_authority,
)


def test_there_are_33_authorities() -> None:
    assert len(AUTHORITIES) == 33
    assert len(AUTHORITY_IDS) == 33


def test_ids_are_unique_and_well_formed() -> None:
    ids = [a.id for a in AUTHORITIES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"\d{6}(-[A-Z]+)?", i) for i in ids)


def test_authorities_are_ordered_by_id() -> None:
    ids = [a.id for a in AUTHORITIES]
    assert ids == sorted(ids)


def test_31_mainland_divisions_each_have_their_own_department() -> None:
    own = [a for a in AUTHORITIES if a.id == a.division_code]
    assert len(own) == 31
    assert {a.division_code for a in own} == {a.division_code for a in AUTHORITIES}
    assert all(re.fullmatch(r"\d{2}0000", a.division_code) for a in AUTHORITIES)


def test_beijing_planning_commission_belongs_to_beijing() -> None:
    assert get_authority("110000-PNR") == Authority(
        "110000-PNR",
        "110000",
        "北京市规划和自然资源委员会",
        "Beijing Municipal Commission of Planning and Natural Resources",
    )


def test_xinjiang_corps_belongs_to_xinjiang() -> None:
    corps = get_authority("660000")
    assert corps is not None
    assert corps.division_code == "650000"
    assert corps.name_zh == "新疆生产建设兵团住房和城乡建设局"
    assert division_prefix("660000") == "65"


def test_hong_kong_macao_and_taiwan_are_not_in_the_pilot() -> None:
    assert not {"710000", "810000", "820000"} & AUTHORITY_IDS


def test_known_names() -> None:
    assert get_authority("110000").name_zh == "北京市住房和城乡建设委员会"  # type: ignore[union-attr]
    assert get_authority("310000").name_zh == "上海市住房和城乡建设管理委员会"  # type: ignore[union-attr]
    assert get_authority("650000").name_zh == "新疆维吾尔自治区住房和城乡建设厅"  # type: ignore[union-attr]
    jiangsu = get_authority("320000")
    assert jiangsu is not None
    assert (
        jiangsu.name_en == "Department of Housing and Urban-Rural Development of Jiangsu Province"
    )


def test_names_are_filled_in() -> None:
    for a in AUTHORITIES:
        assert a.name_zh.endswith(("委员会", "厅", "局")), a
        assert a.name_en.strip() == a.name_en and a.name_en, a


def test_unknown_authority() -> None:
    assert get_authority("999999") is None
    with pytest.raises(KeyError):
        division_prefix("999999")


def test_division_prefix_of_a_province() -> None:
    assert division_prefix("320000") == "32"
    assert division_prefix("110000-PNR") == "11"


def test_to_dict() -> None:
    assert get_authority("320000").to_dict() == {  # type: ignore[union-attr]
        "id": "320000",
        "division_code": "320000",
        "name_zh": "江苏省住房和城乡建设厅",
        "name_en": "Department of Housing and Urban-Rural Development of Jiangsu Province",
    }


def test_authority_is_immutable() -> None:
    with pytest.raises(AttributeError):
        AUTHORITIES[0].name_en = "x"  # type: ignore[misc]
