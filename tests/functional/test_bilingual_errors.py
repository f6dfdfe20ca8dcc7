"""Every error answer speaks English and Chinese, and lists every problem of a body."""

import json
import re

import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.messages_zh import CODE_ZH
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.steps import push

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def refused(response, status, code):
    """The ``error`` of ``response``, after checking its status, code and both languages."""
    assert response.status_code == status, response.body
    error = response.data["error"]
    assert error["code"] == code
    assert error["message"] and CJK.search(error["message_zh"]), error
    return error


def mistyped(code: str) -> str:
    """``code`` with a wrong check character."""
    return code[:17] + ("0" if code[17] != "0" else "1")


def test_a_record_with_three_problems_lists_all_three(api, keys, program_id):
    body = award_body(program_id, year="2024")
    body["project"]["category"] = "roads"
    body["winners"][1]["credit_code"] = mistyped(credit_code(2))
    response = api.call("POST", "/v1/awards", body, key=keys["110000"])
    error = refused(response, 400, "validation_error")
    errors = response.data["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("validation_error", "year"),
        ("validation_error", "project.category"),
        ("validation_error", "winners[1].credit_code"),
    ]
    assert errors[0] == error  # the first stays in ``error``
    assert [e["message_zh"] for e in errors] == [
        "字段 year：应为整数",
        "字段 project.category：应为以下之一：housing（房屋建筑）、municipal（市政基础设施）",
        "字段 winners[1].credit_code：统一社会信用代码校验位不正确，可能录入有误",
    ]
    assert all(e["message"].startswith(e["field"] + ": ") for e in errors)


def test_every_repeated_winner_is_reported_422(api, keys, program_id):
    body = award_body(program_id)
    first = body["winners"][0]
    body["winners"] += [dict(first, role="design"), dict(first, role="survey")]
    response = api.call("POST", "/v1/awards", body, key=keys["110000"])
    refused(response, 422, "duplicate_winner")
    assert [(e["code"], e["field"], e["message_zh"]) for e in response.data["errors"]] == [
        (
            "duplicate_winner",
            "winners[2].credit_code",
            "字段 winners[2].credit_code：同一奖项中统一社会信用代码重复（与 winners[0] 相同）",
        ),
        (
            "duplicate_winner",
            "winners[3].credit_code",
            "字段 winners[3].credit_code：同一奖项中统一社会信用代码重复（与 winners[0] 相同）",
        ),
    ]


def test_each_refusal_has_its_chinese_message(api, keys, program_id):
    key = keys["110000"]
    award_id = push(api, key, award_body(program_id))["id"]
    corrected = award_body(program_id, honor="银质奖")
    fixed = {
        # status, code: the answer
        (400, "invalid_json"): api.call("POST", "/v1/awards", raw="{", key=key),
        (400, "invalid_cursor"): api.call("GET", "/v1/awards?cursor=not-a-cursor"),
        (401, "unauthenticated"): api.call("POST", "/v1/awards", award_body(program_id)),
        (403, "forbidden"): api.call(
            "POST", f"/v1/awards/{award_id}/revoke", {"reason": "x"}, key=keys["320000"]
        ),
        (404, "not_found"): api.call("GET", "/v1/awards/awd_01J00000000000000000000000"),
        (405, "method_not_allowed"): api.call("PATCH", "/v1/awards", {}),
        (409, "source_id_conflict"): api.call("POST", "/v1/awards", corrected, key=key),
        (412, "version_mismatch"): api.call(
            "PUT", f"/v1/awards/{award_id}", corrected, key=key, headers={"If-Match": '"7"'}
        ),
        (428, "if_match_required"): api.call("PUT", f"/v1/awards/{award_id}", corrected, key=key),
        (413, "payload_too_large"): api.call(
            "POST",
            "/v1/awards",
            raw=json.dumps(award_body(program_id))[:-1] + ', "x": "' + "x" * 1024 * 1024 + '"}',
            key=key,
        ),
    }
    for (status, code), response in fixed.items():
        error = refused(response, status, code)
        assert error["message_zh"] == CODE_ZH[code], (code, error)
    revoked = api.call("POST", f"/v1/awards/{award_id}/revoke", {"reason": "质量问题"}, key=key)
    assert revoked.status_code == 200, revoked.body
    again = api.call(
        "PUT", f"/v1/awards/{award_id}", corrected, key=key, headers={"If-Match": '"2"'}
    )
    assert refused(again, 409, "award_revoked")["message_zh"] == CODE_ZH["award_revoked"]
    bad_code = api.call("GET", "/v1/verify?credit_code=" + mistyped(credit_code(1)))
    assert refused(bad_code, 400, "validation_error")["message_zh"] == (
        "字段 credit_code：统一社会信用代码校验位不正确，可能录入有误"
    )


def test_storage_trouble_is_503_in_both_languages(api, monkeypatch):
    from chalicelib.services import award_reads

    def fail(*args, **kwargs):
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "GetItem")

    monkeypatch.setattr(award_reads, "get_award", fail)
    response = api.call("GET", "/v1/awards/awd_01J00000000000000000000000")
    assert refused(response, 503, "unavailable")["message_zh"] == CODE_ZH["unavailable"]


def test_batch_item_errors_list_every_problem(api, keys, program_id):
    good = award_body(program_id, source_id="B-1")
    bad = award_body(program_id, source_id="B-2", year="x", honor="")
    twice = award_body(program_id, source_id="B-3")
    twice["winners"].append(dict(twice["winners"][0], role="design"))
    response = api.call(
        "POST", "/v1/awards/batch", {"records": [good, bad, twice]}, key=keys["110000"]
    )
    assert response.status_code == 200, response.body
    ok, invalid, duplicate = response.data["results"]
    assert ok["status"] == 201 and "error" not in ok
    assert invalid["status"] == 400
    assert [(e["field"], e["message_zh"]) for e in invalid["errors"]] == [
        ("year", "字段 year：应为整数"),
        ("honor", "字段 honor：不能为空"),
    ]
    assert invalid["error"] == invalid["errors"][0]
    assert duplicate["status"] == 422
    assert duplicate["error"]["code"] == "duplicate_winner"
    assert CJK.search(duplicate["error"]["message_zh"])


def test_a_body_of_many_unknown_fields_lists_a_bounded_number(api, keys):
    body = {f"field_{n}": n for n in range(5000)}
    response = api.call("POST", "/v1/programs", body, key=keys["110000"])
    refused(response, 400, "validation_error")
    errors = response.data["errors"]
    assert len(errors) == 50  # MAX_ERROR_DETAILS
    assert errors[0]["field"] == "name" and errors[0]["message_zh"] == "字段 name：必填，不能为空"
    assert {"field": "field_0", "message_zh": "字段 field_0：不是可接受的字段"}.items() <= next(
        e for e in errors if e["field"] == "field_0"
    ).items()
