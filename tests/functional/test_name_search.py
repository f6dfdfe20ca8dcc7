"""Search by any part of a name: GET /v1/awards?q=<fragment> (issue 12 point 3).

The index is built after the write, from the change feed: each test runs the
indexer the way the local worker does (``catch_up``) or the way the cloud's
stream does (the ``search_index`` Lambda with a DynamoDB stream event).
"""

from urllib.parse import quote

import pytest

from chalicelib.services.search_index import catch_up
from chalicelib.store.models import ChangeEntry
from chalicelib.store.search import BigramEntry
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.functional.test_bounded_reads import items_read, small_bound  # noqa: F401
from tests.steps import push


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def winner(name, n, role="general_contractor"):
    return {"name": name, "credit_code": credit_code(n), "role": role}


def named_award(program_id, source_id, *winners, project="朝阳区某住宅楼"):
    """An award of ``program_id`` for ``project`` whose winners are ``winners``."""
    return award_body(
        program_id,
        source_id=source_id,
        winners=list(winners),
        project={"name": project, "category": "housing"},
    )


def index_all():
    """What the local worker does until the feed is drained."""
    position, more = {}, True
    while more:
        position, more = catch_up(position, limit=50)


def search(api, q, extra=""):
    response = api.call("GET", f"/v1/awards?q={quote(q)}{extra}")
    assert response.status_code == 200, response.body
    return response.data


def ids(api, q, extra=""):
    return [a["id"] for a in search(api, q, extra)["items"]]


def test_a_middle_fragment_of_a_winner_name_finds_the_award(api, keys, program_id):
    award = push(
        api, keys["110000"], named_award(program_id, "Q-1", winner("北京城建集团有限责任公司", 1))
    )
    push(api, keys["110000"], named_award(program_id, "Q-2", winner("中铁建工集团有限公司", 2)))
    index_all()
    assert ids(api, "城建集团") == [award["id"]]
    assert ids(api, "集团有限") != []
    assert ids(api, "城建集团上海") == []


def test_a_middle_fragment_of_a_project_name_finds_the_award(api, keys, program_id):
    award = push(
        api,
        keys["110000"],
        named_award(
            program_id,
            "Q-P",
            winner("北京城建集团有限责任公司", 1),
            project="北京城市副中心综合交通枢纽",
        ),
    )
    index_all()
    assert ids(api, "副中心") == [award["id"]]
    assert ids(api, "交通枢纽") == [award["id"]]


def test_found_only_after_indexing_and_width_space_and_case_are_folded(api, keys, program_id):
    award = push(
        api, keys["110000"], named_award(program_id, "Q-W", winner("ABC（北京）建设 有限公司", 4))
    )
    assert search(api, "北京）建设")["items"] == []  # eventually consistent: not indexed yet
    index_all()
    assert ids(api, "ｃ(北京)建设有") == [award["id"]]
    assert ids(api, " bc （北京 ") == [award["id"]]


def test_a_fragment_spanning_two_names_does_not_match(api, keys, program_id):
    push(
        api,
        keys["110000"],
        named_award(program_id, "Q-S", winner("甲乙公司", 1), project="丙丁工程"),
    )
    index_all()
    assert ids(api, "公司丙丁") == []


def test_newest_first_by_default_and_by_lead_winner_name_with_sort_name(api, keys, program_id):
    key = keys["110000"]
    b = push(api, key, named_award(program_id, "Q-B", winner("B城建集团", 1)))
    a = push(api, key, named_award(program_id, "Q-A", winner("A城建集团", 2)))
    c = push(api, key, named_award(program_id, "Q-C", winner("C城建集团", 3)))
    index_all()
    assert ids(api, "城建") == [c["id"], a["id"], b["id"]]
    assert ids(api, "城建", "&sort=date") == [c["id"], a["id"], b["id"]]
    assert ids(api, "城建", "&sort=name") == [a["id"], b["id"], c["id"]]


@pytest.mark.parametrize("sort", ["date", "name"])
def test_pages_serve_every_match_exactly_once_with_an_exact_total(api, keys, program_id, sort):
    key = keys["110000"]
    pushed = {
        push(api, key, named_award(program_id, f"Q-{n}", winner(f"第{n:02d}城建公司", n)))["id"]
        for n in range(7)
    }
    push(api, key, named_award(program_id, "Q-OTHER", winner("无关公司", 50)))
    index_all()
    seen, cursor, pages = [], None, 0
    while True:
        extra = f"&limit=3&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        page = search(api, "城建公司", extra)
        assert page["total"] == 7 and page["total_is_lower_bound"] is False
        seen += [a["id"] for a in page["items"]]
        cursor, pages = page["next_cursor"], pages + 1
        if cursor is None:
            break
    assert sorted(seen) == sorted(pushed) and len(seen) == 7
    assert pages == 3


def test_a_corrected_name_is_found_only_by_its_new_name(api, keys, program_id):
    key = keys["110000"]
    award = push(api, key, named_award(program_id, "Q-R", winner("旧名称建设有限公司", 7)))
    index_all()
    assert ids(api, "名称建设") == [award["id"]]
    body = award_body(
        program_id,
        source_id="Q-R",
        winners=[winner("新字号工程有限公司", 7)],
        project={"name": "朝阳区某住宅楼", "category": "housing"},
    )
    corrected = api.call(
        "PUT", f"/v1/awards/{award['id']}", body, key=key, headers={"If-Match": '"1"'}
    )
    assert corrected.status_code == 200, corrected.body
    # Before the index catches up, the record check already drops the stale match.
    assert ids(api, "名称建设") == []
    index_all()
    assert ids(api, "名称建设") == []
    assert search(api, "名称建设")["total"] == 0
    assert ids(api, "字号工程") == [award["id"]]
    # The old pair's item is kept, overwritten with the current text (never deleted).
    stale = BigramEntry.get(BigramEntry.key("旧名"), f"{award['submitted_at']}#{award['id']}")
    assert "新字号工程" in stale.text and "旧名" not in stale.text


def test_revoked_awards_only_with_include_revoked(api, keys, program_id):
    key = keys["110000"]
    revoked = push(api, key, named_award(program_id, "Q-X", winner("华北城建监理公司", 9)))
    kept = push(api, key, named_award(program_id, "Q-K", winner("华东城建监理公司", 10)))
    response = api.call(
        "POST", f"/v1/awards/{revoked['id']}/revoke", {"reason": "重复申报"}, key=key
    )
    assert response.status_code == 200, response.body
    index_all()
    assert ids(api, "城建监理") == [kept["id"]]
    assert ids(api, "城建监理", "&include_revoked=true") == [kept["id"], revoked["id"]]
    assert ids(api, "城建监理", "&authority_id=320000") == []


def test_replaying_the_feed_indexes_nothing_twice(api, keys, program_id):
    award = push(api, keys["110000"], named_award(program_id, "Q-D", winner("重放测试公司", 1)))
    index_all()
    index_all()
    assert ids(api, "放测") == [award["id"]]
    assert search(api, "放测")["total"] == 1


def test_the_stream_function_indexes_inserted_change_entries(client, api, keys, program_id):
    award = push(
        api, keys["110000"], named_award(program_id, "Q-STREAM", winner("流式索引公司", 1))
    )
    entry = next(e for e in ChangeEntry.query("110000") if e.entity_id == award["id"])
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "awsRegion": "cn-north-1",
        "eventSourceARN": "arn:aws-cn:dynamodb:cn-north-1:1:table/changes/stream/x",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764633600,
            "NewImage": entry.serialize(),
            "SequenceNumber": "1",
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
    }
    result = client.lambda_.invoke("search_index", {"Records": [record]})
    assert result.payload == {"indexed": 1, "skipped": 0}
    assert ids(api, "式索引") == [award["id"]]


@pytest.mark.parametrize(
    "query, field",
    [
        ("q=城", "q"),
        ("q=   ", "q"),
        ("q= 城 ", "q"),
        ("q=" + "城" * 51, "q"),
        ("q=城建&sort=size", "sort"),
        ("sort=name", "sort"),
        ("q=城建&enterprise_name=北京", "q"),
        ("q=城建&credit_code=" + credit_code(1), "q"),
    ],
)
def test_bad_search_parameters_are_400_naming_the_field(api, query, field):
    response = api.call("GET", f"/v1/awards?{quote(query, safe='=&')}")
    assert response.status_code == 400, response.body
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == field


def test_fifty_characters_are_accepted(api):
    assert search(api, "城" * 50)["items"] == []


def test_each_page_reads_at_most_the_bound_and_paging_still_serves_every_match_once(
    api,
    keys,
    program_id,
    items_read,  # noqa: F811 (the fixtures of test_bounded_reads, imported above)
    small_bound,  # noqa: F811
):
    key = keys["110000"]
    pushed = [
        push(api, key, named_award(program_id, f"Q-B{n}", winner(f"第{n:02d}城建公司", 60 + n)))[
            "id"
        ]
        for n in range(15)
    ]
    rare = push(api, key, named_award(program_id, "Q-RARE", winner("城建乙公司", 90)))["id"]
    index_all()
    seen, cursor, first = [], None, None
    for _ in range(40):
        extra = "&limit=1" + (f"&cursor={cursor}" if cursor else "")
        page, read = items_read.during(lambda extra=extra: search(api, "城建公司", extra))
        assert read + items_read.by_table["search"] <= small_bound  # bound: max(10 × 1, 12)
        first = first or page
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(pushed) and len(seen) == 15  # short pages, none twice
    assert first["total_is_lower_bound"] is True and first["total"] >= 1
    # A rare pair in the fragment (建乙) is the partition read: the total is exact.
    page = search(api, "城建乙", "&limit=1")
    assert [a["id"] for a in page["items"]] == [rare]
    assert page["total"] == 1 and page["total_is_lower_bound"] is False
