"""The searchable text of an award and the bigrams the index keeps (domain/search_text.py)."""

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.search_text import (
    award_text,
    bigrams,
    matches,
    search_query,
    searchable_text,
    sort_name,
)


def test_winner_and_project_names_are_folded_and_joined_by_a_newline():
    text = searchable_text(["北京城建（集团） ｃｏ．"], "北京城市副中心 综合交通枢纽")
    assert text == "北京城建(集团)CO.\n北京城市副中心综合交通枢纽"


def test_a_name_repeated_across_winners_is_kept_once():
    assert searchable_text(["甲公司", "甲 公司"], "甲公司") == "甲公司"


def test_bigrams_are_every_distinct_pair_and_none_spans_two_names():
    assert bigrams("城建城建") == ["城建", "建城"]
    assert bigrams("甲乙\n丙丁") == ["甲乙", "丙丁"]
    assert bigrams("甲") == []


def test_every_fragment_of_the_text_has_all_its_bigrams_in_the_text():
    text = award_text(
        {
            "winners": [{"name": "北京城建集团有限责任公司"}],
            "project": {"name": "北京城市副中心综合交通枢纽"},
        }
    )
    for fragment in ("城建集团", "副中心", "有限责任公司"):
        assert matches(fragment, text)
        assert set(bigrams(fragment)) <= set(bigrams(text))
    assert not matches("公司北京", text)


def test_the_query_is_folded_like_the_names():
    assert search_query(" ｃｏ． 集团 ") == "CO.集团"


@pytest.mark.parametrize("raw", ["城", " 城 ", "", "   ", "城" * 51])
def test_a_query_outside_2_to_50_characters_is_refused_on_field_q(raw):
    with pytest.raises(ValidationError) as error:
        search_query(raw)
    assert error.value.field == "q"


def test_sort_name_is_the_lead_winners_folded_name():
    view = {"winners": [{"name": "ａ建设"}, {"name": "B建设"}]}
    assert sort_name(view) == "A建设"
