"""The public search by enterprise name: GET /v1/awards?enterprise_name=<prefix>."""

from urllib.parse import quote

import pytest

from chalicelib.config import settings
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def winner(name, n, role="general_contractor"):
    return {"name": name, "credit_code": credit_code(n), "role": role}


def named_award(program_id, source_id, *winners):
    """An award of ``program_id`` whose winners are ``winners``."""
    return award_body(program_id, source_id=source_id, winners=list(winners))


def search(api, name, extra=""):
    return api.call("GET", f"/v1/awards?enterprise_name={quote(name)}{extra}")


def found(api, name, extra=""):
    response = search(api, name, extra)
    assert response.status_code == 200, response.body
    return [a["id"] for a in response.data["items"]]


def test_a_prefix_of_the_name_finds_the_awards_newest_first(api, keys, program_id):
    key = keys["110000"]
    first = push(api, key, named_award(program_id, "N-1", winner("中铁建工集团有限公司", 1)))
    second = push(api, key, named_award(program_id, "N-2", winner("中铁建工集团北京分公司", 2)))
    push(api, key, named_award(program_id, "N-3", winner("中建一局集团建设发展有限公司", 3)))
    assert found(api, "中铁建工") == [second["id"], first["id"]]
    assert found(api, "中铁建工集团有限公司") == [first["id"]]
    assert found(api, "中建") != []
    assert found(api, "中铁建工集团上海") == []


def test_width_spaces_and_case_do_not_matter(api, keys, program_id):
    award = push(
        api, keys["110000"], named_award(program_id, "N-W", winner("ABC（北京）建设 有限公司", 4))
    )
    assert found(api, "ａｂｃ(北京)建设有限") == [award["id"]]
    assert found(api, " abc （北京）　建设") == [award["id"]]


def test_an_award_with_two_matching_winners_is_listed_once(api, keys, program_id):
    award = push(
        api,
        keys["110000"],
        named_award(
            program_id,
            "N-TWO",
            winner("北京建工集团有限责任公司", 5),
            winner("北京建工集团", 6, role="design"),
        ),
    )
    assert found(api, "北京建工") == [award["id"]]


def test_a_winner_renamed_by_a_correction_is_found_only_by_the_new_name(api, keys, program_id):
    key = keys["110000"]
    award = push(api, key, named_award(program_id, "N-R", winner("旧名称建设有限公司", 7)))
    body = award_body(program_id, source_id="N-R", winners=[winner("新名称建设有限公司", 7)])
    corrected = api.call(
        "PUT", f"/v1/awards/{award['id']}", body, key=key, headers={"If-Match": '"1"'}
    )
    assert corrected.status_code == 200, corrected.body
    assert found(api, "新名称") == [award["id"]]
    assert found(api, "旧名称") == []


def test_revoked_awards_only_with_include_revoked_and_other_filters_combine(api, keys, program_id):
    key = keys["110000"]
    kept = push(api, key, named_award(program_id, "N-K", winner("华北建设工程有限公司", 8)))
    revoked = push(api, key, named_award(program_id, "N-X", winner("华北建设监理有限公司", 9)))
    api.call("POST", f"/v1/awards/{revoked['id']}/revoke", {"reason": "重复申报"}, key=key)
    assert found(api, "华北建设") == [kept["id"]]
    assert found(api, "华北建设", "&include_revoked=true") == [revoked["id"], kept["id"]]
    assert found(api, "华北建设", "&authority_id=320000") == []
    assert found(api, "华北建设", f"&credit_code={credit_code(8)}") == [kept["id"]]
    assert found(api, "华北建设", "&year=2023") == []


def test_pages_with_a_cursor_bound_to_the_name(api, keys, program_id):
    ids = [
        push(
            api,
            keys["110000"],
            named_award(program_id, f"N-P{n}", winner(f"翻页测试建筑公司{n}", 20 + n)),
        )["id"]
        for n in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = search(api, "翻页测试", "&limit=2" + (f"&cursor={cursor}" if cursor else "")).data
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    first = search(api, "翻页测试", "&limit=2").data["next_cursor"]
    moved = search(api, "翻页测试建筑", f"&limit=2&cursor={first}")
    assert moved.status_code == 400
    assert moved.data["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("name", ["北", " ｘ ", "长" * 201])
def test_a_name_shorter_than_two_characters_or_too_long_is_400(api, keys, name):
    response = search(api, name)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "enterprise_name"


def test_a_prefix_matching_too_many_awards_asks_for_more_of_the_name(
    api, keys, program_id, monkeypatch
):
    for n in range(3):
        push(
            api,
            keys["110000"],
            named_award(program_id, f"N-M{n}", winner(f"宽泛前缀公司{n}", 40 + n)),
        )
    monkeypatch.setenv("NAME_SEARCH_MAX", "2")
    settings.cache_clear()
    try:
        response = search(api, "宽泛")
        assert response.status_code == 400
        assert response.data["error"]["field"] == "enterprise_name"
        assert found(api, "宽泛前缀公司1") != []
    finally:
        monkeypatch.delenv("NAME_SEARCH_MAX")
        settings.cache_clear()


def test_forty_winners_and_a_correction_renaming_all_fit_one_transaction(
    api, keys, program_id, monkeypatch
):
    from chalicelib.store import ledger

    sizes = []
    connection = ledger.connection()
    original = connection.transact_write_items

    def counting(condition_check_items, delete_items, put_items, update_items, **kwargs):
        sizes.append(
            len(condition_check_items) + len(delete_items) + len(put_items) + len(update_items)
        )
        return original(condition_check_items, delete_items, put_items, update_items, **kwargs)

    monkeypatch.setattr(connection, "transact_write_items", counting)
    key = keys["110000"]
    winners = [winner(f"四十家之一建设公司{n:02d}", 100 + n) for n in range(40)]
    award = push(api, key, named_award(program_id, "N-40", *winners))
    # record + guard + 40 credit codes + 40 names + change + counter
    assert sizes == [84]
    renamed = [winner(f"另四十家建设公司{n:02d}", 200 + n) for n in range(40)]
    body = award_body(program_id, source_id="N-40", winners=renamed)
    corrected = api.call(
        "PUT", f"/v1/awards/{award['id']}", body, key=key, headers={"If-Match": '"1"'}
    )
    assert corrected.status_code == 200, corrected.body
    # + the earlier version and the guard update, minus nothing: old index items stay
    assert sizes == [84, 85]
    assert max(sizes) <= 100
    assert found(api, "另四十家建设公司39") == [award["id"]]
