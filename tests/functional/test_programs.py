"""Programmes: declared by provinces, visible to the public once submitted."""

from chalicelib.store.models import Program
from tests.factories import program_body
from tests.functional.helpers import verified_document


def test_create_programme_is_a_draft_with_history(api, keys):
    response = api.call("POST", "/v1/programs", program_body(), key=keys["110000"])
    assert response.status_code == 201
    program = response.data
    assert program["status"] == "draft"
    assert program["authority_id"] == "110000"
    assert program["version"] == 1
    assert [h["status"] for h in program["status_history"]] == ["draft"]
    assert response.headers["ETag"] == '"1"'


def test_classified_programme_is_refused_and_nothing_is_stored(api, keys):
    for flag in ({"classified": True}, {"disclosable": False}):
        response = api.call("POST", "/v1/programs", program_body(**flag), key=keys["110000"])
        assert response.status_code == 422
        assert response.data["error"]["code"] == "program_not_disclosable"
    # even when the rest of the body is broken, the refusal comes first
    response = api.call("POST", "/v1/programs", {"classified": True}, key=keys["110000"])
    assert response.data["error"]["code"] == "program_not_disclosable"
    assert list(Program.scan()) == []


def test_programme_validation_names_the_field(api, keys):
    body = program_body(categories=["housing", "roads"])
    response = api.call("POST", "/v1/programs", body, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"] == {
        "code": "validation_error",
        "message": response.data["error"]["message"],
        "message_zh": "字段 categories[1]：应为以下之一："
        "housing（房屋建筑）、municipal（市政基础设施）",
        "field": "categories[1]",
    }
    body = program_body()
    body["approval"]["approved_on"] = "2019-02-30"
    response = api.call("POST", "/v1/programs", body, key=keys["110000"])
    assert response.data["error"]["field"] == "approval.approved_on"
    body["approval"]["approved_on"] = "2030-01-01"  # approved in the future: a typo
    response = api.call("POST", "/v1/programs", body, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["field"] == "approval.approved_on"
    assert response.data["error"]["message_zh"].endswith("日期不得晚于今天（北京时间）")
    response = api.call("POST", "/v1/programs", program_body(cycle=3), key=keys["110000"])
    assert response.data["error"]["field"] == "cycle"


def test_drafts_are_seen_by_owner_and_admin_only(api, keys):
    created = api.call("POST", "/v1/programs", program_body(), key=keys["110000"]).data
    pid = created["id"]
    assert api.call("GET", f"/v1/programs/{pid}").status_code == 404
    assert api.call("GET", f"/v1/programs/{pid}", key=keys["320000"]).status_code == 404
    assert api.call("GET", f"/v1/programs/{pid}", key=keys["110000"]).status_code == 200
    assert api.call("GET", f"/v1/programs/{pid}", key=keys["admin"]).status_code == 200
    assert api.call("GET", "/v1/programs").data["items"] == []
    mine = api.call("GET", "/v1/programs", key=keys["110000"]).data["items"]
    assert [p["id"] for p in mine] == [pid]
    assert len(api.call("GET", "/v1/programs", key=keys["admin"]).data["items"]) == 1


def test_submitted_programme_is_public_and_records_the_transition(api, keys):
    pid = api.call("POST", "/v1/programs", program_body(), key=keys["110000"]).data["id"]
    verified_document(api, keys["110000"], pid)
    submitted = api.call("POST", f"/v1/programs/{pid}/submit", key=keys["110000"])
    assert submitted.status_code == 200
    assert submitted.data["status"] == "submitted"
    assert [h["status"] for h in submitted.data["status_history"]] == ["draft", "submitted"]
    public = api.call("GET", f"/v1/programs/{pid}")
    assert public.status_code == 200
    assert public.headers["ETag"] == f'"{public.data["version"]}"'
    listed = api.call("GET", "/v1/programs?status=submitted&authority_id=110000").data
    assert [p["id"] for p in listed["items"]] == [pid]
    again = api.call("POST", f"/v1/programs/{pid}/submit", key=keys["110000"])
    assert again.status_code == 409
    assert again.data["error"]["code"] == "invalid_state"


def test_put_needs_if_match_and_a_draft(api, keys):
    pid = api.call("POST", "/v1/programs", program_body(), key=keys["110000"]).data["id"]
    renamed = program_body(name="北京市市政基础设施结构长城杯")
    missing = api.call("PUT", f"/v1/programs/{pid}", renamed, key=keys["110000"])
    assert missing.status_code == 428
    assert missing.data["error"]["code"] == "if_match_required"
    stale = api.call(
        "PUT", f"/v1/programs/{pid}", renamed, key=keys["110000"], headers={"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert stale.data["error"]["code"] == "version_mismatch"
    ok = api.call(
        "PUT", f"/v1/programs/{pid}", renamed, key=keys["110000"], headers={"If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok.data["name"] == "北京市市政基础设施结构长城杯"
    assert ok.data["version"] == 2
    verified_document(api, keys["110000"], pid)
    submitted = api.call("POST", f"/v1/programs/{pid}/submit", key=keys["110000"]).data
    late = api.call(
        "PUT",
        f"/v1/programs/{pid}",
        renamed,
        key=keys["110000"],
        headers={"If-Match": f'"{submitted["version"]}"'},
    )
    assert late.status_code == 409
    assert late.data["error"]["code"] == "invalid_state"


def test_another_province_cannot_change_a_programme(api, keys):
    pid = api.call("POST", "/v1/programs", program_body(), key=keys["110000"]).data["id"]
    hidden = api.call(
        "PUT", f"/v1/programs/{pid}", program_body(), key=keys["320000"], headers={"If-Match": "1"}
    )
    assert hidden.status_code == 404  # a draft the public may not see
    verified_document(api, keys["110000"], pid)
    api.call("POST", f"/v1/programs/{pid}/submit", key=keys["110000"])
    visible = api.call("POST", f"/v1/programs/{pid}/submit", key=keys["320000"])
    assert visible.status_code == 403
    assert api.call("GET", f"/v1/programs/{pid}").data["status"] == "submitted"


def test_program_list_pages_with_a_cursor_bound_to_its_filters(api, keys):
    for n in range(5):
        api.call("POST", "/v1/programs", program_body(name=f"奖项{n}"), key=keys["110000"])
    first = api.call("GET", "/v1/programs?limit=2", key=keys["admin"]).data
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [p["id"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.call("GET", f"/v1/programs?limit=2&cursor={cursor}", key=keys["admin"]).data
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    other = api.call(
        "GET",
        f"/v1/programs?limit=2&status=draft&cursor={first['next_cursor']}",
        key=keys["admin"],
    )
    assert other.status_code == 400
    assert other.data["error"]["code"] == "invalid_cursor"
