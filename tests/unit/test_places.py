"""Place names by GB/T 2260 code, from the vendored @vant/area-data (``domain/places.py``)."""

from __future__ import annotations

import json

from chalicelib.domain.places import AREAS_FILE, location, location_name, with_location


def test_a_county_code_names_province_city_and_county():
    assert location("320111") == {
        "code": "320111",
        "province": "江苏省",
        "city": "南京市",
        "county": "浦口区",
        "name": "江苏省南京市浦口区",
    }
    assert location_name("320111") == "江苏省南京市浦口区"


def test_a_municipality_is_named_once_and_a_grouping_not_at_all():
    assert location_name("110112") == "北京市通州区"
    assert location("659001")["city"] == "自治区直辖县级行政区划"  # as the data has it
    assert location_name("659001") == "新疆维吾尔自治区石河子市"


def test_a_province_code_names_only_the_province():
    assert location("440000") == {
        "code": "440000",
        "province": "广东省",
        "city": None,
        "county": None,
        "name": "广东省",
    }


def test_an_unknown_or_abolished_code_keeps_the_code_and_the_names_still_known():
    assert location("320199") == {
        "code": "320199",
        "province": "江苏省",
        "city": "南京市",
        "county": None,
        "name": "江苏省南京市",
    }
    assert location_name("990101") is None


def test_the_award_keeps_its_code_and_gains_the_names():
    award = {"project": {"name": "工程", "location_code": "110105"}}
    assert with_location(award)["project"] == {
        "name": "工程",
        "location_code": "110105",
        "location": {
            "code": "110105",
            "province": "北京市",
            "city": "北京市",
            "county": "朝阳区",
            "name": "北京市朝阳区",
        },
    }
    assert with_location({"project": {"name": "工程"}}) == {"project": {"name": "工程"}}


def test_the_data_comes_from_the_package_with_its_licence():
    data = json.loads(AREAS_FILE.read_text("utf-8"))
    assert len(data["province"]) >= 34 and len(data["county"]) > 2800
    licence = (AREAS_FILE.parent / "LICENSE").read_text("utf-8")
    assert "MIT License" in licence
