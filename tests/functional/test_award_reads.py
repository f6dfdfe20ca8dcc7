"""Public reads: lists with filters and signed cursors, one award, verify."""

import pytest

from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import approved_program, push


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def push_many(api, key, program_id, count, **overrides):
    """``count`` awards pushed one by one (``S-0``, ``S-1``, …, each its own winner): ids."""
    ids = []
    for n in range(count):
        body = award_body(program_id, source_id=f"S-{n}", **overrides)
        body["winners"][0]["credit_code"] = credit_code(100 + n)
        ids.append(push(api, key, body)["id"])
    return ids


def test_all_awards_newest_first_across_shards_page_by_page(api, keys, program_id):
    ids = push_many(api, keys["110000"], program_id, 23)
    seen, cursor = [], None
    while True:
        path = "/v1/awards?limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path).data
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_filters_by_authority_program_year_and_credit_code(api, keys, program_id):
    ids = push_many(api, keys["110000"], program_id, 3)
    other = submitted_program(api, keys["320000"])
    body = award_body(other, source_id="JS-1", year=2023, awarded_on="2023-06-01")
    js = api.call("POST", "/v1/awards", body, key=keys["320000"]).data["id"]
    by_authority = api.call("GET", "/v1/awards?authority_id=320000").data["items"]
    assert [a["id"] for a in by_authority] == [js]
    by_program = api.call("GET", f"/v1/awards?program_id={program_id}").data["items"]
    assert {a["id"] for a in by_program} == set(ids)
    by_year = api.call("GET", "/v1/awards?year=2023").data["items"]
    assert [a["id"] for a in by_year] == [js]
    shared = api.call("GET", f"/v1/awards?credit_code={credit_code(2)}").data["items"]
    assert {a["id"] for a in shared} == {*ids, js}
    one = api.call("GET", f"/v1/awards?credit_code={credit_code(101)}").data["items"]
    assert [a["id"] for a in one] == [ids[1]]
    by_source = api.call("GET", "/v1/awards?authority_id=110000&source_id=S-2").data["items"]
    assert [a["id"] for a in by_source] == [ids[2]]


def test_revoked_awards_are_listed_only_when_asked(api, keys, program_id):
    ids = push_many(api, keys["110000"], program_id, 2)
    api.call("POST", f"/v1/awards/{ids[0]}/revoke", {"reason": "撤销"}, key=keys["110000"])
    listed = api.call("GET", "/v1/awards").data["items"]
    assert [a["id"] for a in listed] == [ids[1]]
    everything = api.call("GET", "/v1/awards?include_revoked=true").data["items"]
    assert {a["id"] for a in everything} == set(ids)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("year=24", "year"),
        ("authority_id=999999", "authority_id"),
        ("source_id=S-1", "authority_id"),
        ("credit_code=123", "credit_code"),
        ("include_revoked=maybe", "include_revoked"),
    ],
)
def test_bad_list_parameters_are_400(api, keys, query, field):
    response = api.call("GET", f"/v1/awards?{query}")
    assert response.status_code == 400
    assert response.data["error"]["field"] == field


def test_a_cursor_is_bound_to_its_filters_and_cannot_be_forged(api, keys, program_id):
    push_many(api, keys["110000"], program_id, 3)
    cursor = api.call("GET", "/v1/awards?limit=1").data["next_cursor"]
    assert cursor
    moved = api.call("GET", f"/v1/awards?limit=1&authority_id=110000&cursor={cursor}")
    assert moved.status_code == 400
    assert moved.data["error"]["code"] == "invalid_cursor"
    forged = api.call("GET", f"/v1/awards?limit=1&cursor={cursor[:-2]}xx")
    assert forged.data["error"]["code"] == "invalid_cursor"
    garbage = api.call("GET", "/v1/awards?cursor=not-a-cursor")
    assert garbage.data["error"]["code"] == "invalid_cursor"


def test_get_one_award_sends_its_etag(api, keys, program_id):
    (award_id,) = push_many(api, keys["110000"], program_id, 1)
    response = api.call("GET", f"/v1/awards/{award_id}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.data["history"] == []
    assert api.call("GET", "/v1/awards/awd_missing").status_code == 404


def test_verify_answers_with_roles_and_revocations_and_no_store(api, keys, program_id):
    ids = push_many(api, keys["110000"], program_id, 3)
    api.call("POST", f"/v1/awards/{ids[0]}/revoke", {"reason": "撤销"}, key=keys["110000"])
    response = api.call("GET", f"/v1/verify?credit_code={credit_code(2).lower()}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.data
    assert answer["credit_code"] == credit_code(2)
    assert answer["as_of"].endswith("Z")
    assert [a["id"] for a in answer["awards"]] == [ids[2], ids[1]]
    assert [a["id"] for a in answer["revoked"]] == [ids[0]]
    assert {a["enterprise_role"] for a in answer["awards"]} == {"design"}
    assert answer["awards"][0]["program_status"] == "submitted"
    assert answer["next_cursor"] is None


def test_verify_of_an_unknown_valid_code_is_empty(api, keys):
    answer = api.call("GET", f"/v1/verify?credit_code={credit_code(999)}").data
    assert answer["awards"] == [] and answer["revoked"] == []


def test_verify_of_a_bad_code_is_400(api, keys):
    for query in ("credit_code=91110000000000001X", "credit_code=", ""):
        response = api.call("GET", f"/v1/verify?{query}")
        assert response.status_code == 400
        assert response.data["error"]["field"] == "credit_code"


def test_verify_pages(api, keys, program_id):
    ids = push_many(api, keys["110000"], program_id, 5)
    first = api.call("GET", f"/v1/verify?credit_code={credit_code(2)}&limit=2").data
    assert len(first["awards"]) == 2
    second = api.call(
        "GET", f"/v1/verify?credit_code={credit_code(2)}&limit=2&cursor={first['next_cursor']}"
    ).data
    got = [a["id"] for a in first["awards"] + second["awards"]]
    assert got == list(reversed(ids))[:4]


def test_verify_names_the_status_of_the_programme_an_award_was_corrected_to(api, keys):
    """Verify reads programme statuses with the records; a moved award shows its new one."""
    province = keys["110000"]
    approved = approved_program(api, province, keys["admin"])
    pending = submitted_program(api, province)
    pushed = push(api, province, award_body(approved))

    before = api.call("GET", f"/v1/verify?credit_code={credit_code(1)}").data
    assert [a["id"] for a in before["awards"]] == [pushed["id"]]
    assert "program_status" not in before["awards"][0]

    moved = api.call(
        "PUT",
        f"/v1/awards/{pushed['id']}",
        award_body(pending),
        key=province,
        headers={"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.body
    after = api.call("GET", f"/v1/verify?credit_code={credit_code(1)}").data
    assert after["awards"][0]["program_id"] == pending
    assert after["awards"][0]["program_status"] == "submitted"
