"""Pushing award records: validation, idempotent retries, business rules."""

import json

import pytest

from chalicelib.domain.credit_code import resident_id_check_char
from chalicelib.store.models import AwardRecord, ChangeEntry
from tests.factories import award_body, credit_code
from tests.steps import draft_program, submitted_program, try_push


@pytest.fixture
def program_id(api, keys):
    return submitted_program(api, keys["110000"])


def test_push_creates_a_record_with_server_fields(api, keys, program_id):
    response = try_push(api, keys["110000"], award_body(program_id))
    assert response.status_code == 201, response.body
    award = response.data
    assert award["id"].startswith("awd_")
    assert award["authority_id"] == "110000"
    assert award["status"] == "active"
    assert award["version"] == 1
    assert award["submitted_at"].endswith("Z")
    # awarded 2024-03-15 (Friday): ten working days later is 2024-03-29
    assert award["deadline"] == "2024-03-29"
    assert award["timeliness"]["status"] == "late"
    assert award["timeliness"]["calendar"] == "official"
    assert award["program_status"] == "submitted"  # not yet approved: a verifier sees it


def test_same_source_id_and_content_again_is_200_with_the_same_id(api, keys, program_id):
    first = try_push(api, keys["110000"], award_body(program_id))
    # the same content written differently: key order, full-width code, spaces
    body = award_body(program_id)
    body["winners"][0]["credit_code"] = " " + body["winners"][0]["credit_code"].lower() + " "
    again = try_push(api, keys["110000"], dict(reversed(list(body.items()))))
    assert again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert len(list(AwardRecord.query(AwardRecord.key(first.data["id"])))) == 1


def test_same_source_id_with_other_content_is_409(api, keys, program_id):
    try_push(api, keys["110000"], award_body(program_id))
    response = try_push(api, keys["110000"], award_body(program_id, honor="银质奖"))
    assert response.status_code == 409
    assert response.data["error"]["code"] == "source_id_conflict"


def test_two_provinces_may_use_the_same_source_id(api, keys, program_id):
    other_program = submitted_program(api, keys["320000"])
    assert try_push(api, keys["110000"], award_body(program_id)).status_code == 201
    body = award_body(other_program)
    body["project"]["location_code"] = "320100"
    assert try_push(api, keys["320000"], body).status_code == 201


def test_malformed_json_is_400_invalid_json(api, keys, program_id):
    response = api.call("POST", "/v1/awards", raw='{"source_id": ', key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid_json"


def test_a_json_array_is_not_a_record(api, keys, program_id):
    response = api.call("POST", "/v1/awards", [1, 2], key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"year": "2024"}, "year"),
        ({"year": 2025}, "year"),
        ({"awarded_on": "2017-12-31"}, "awarded_on"),
        ({"awarded_on": "2999-01-01"}, "awarded_on"),
        ({"awarded_on": "15/03/2024"}, "awarded_on"),
        ({"honor": ""}, "honor"),
        ({"honor": None}, "honor"),
        ({"surprise": 1}, "surprise"),
        ({"announcement_url": "javascript:alert(1)"}, "announcement_url"),
        ({"winners": []}, "winners"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, keys, program_id, change, field):
    response = try_push(api, keys["110000"], award_body(program_id, **change))
    assert response.status_code == 400, response.body
    assert response.data["error"]["code"] == "validation_error"
    assert response.data["error"]["field"] == field


def test_bad_credit_code_names_the_winner(api, keys, program_id):
    body = award_body(program_id)
    body["winners"][1]["credit_code"] = body["winners"][1]["credit_code"][:-1] + "0"
    if body["winners"][1]["credit_code"] == award_body(program_id)["winners"][1]["credit_code"]:
        body["winners"][1]["credit_code"] = body["winners"][1]["credit_code"][:-1] + "1"
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "winners[1].credit_code"


def test_a_resident_id_number_is_refused_as_credit_code(api, keys, program_id):
    first17 = "11010519850228123"
    body = award_body(program_id)
    body["winners"][0]["credit_code"] = first17 + resident_id_check_char(first17)
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "winners[0].credit_code"


def test_full_width_credit_code_is_folded_and_stored_normalised(api, keys, program_id):
    body = award_body(program_id)
    code = body["winners"][0]["credit_code"]
    body["winners"][0]["credit_code"] = "".join(chr(ord(c) + 0xFEE0) for c in code)
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 201
    assert response.data["winners"][0]["credit_code"] == code


def test_the_same_enterprise_twice_is_422_duplicate_winner(api, keys, program_id):
    body = award_body(program_id)
    body["winners"][1]["credit_code"] = body["winners"][0]["credit_code"].lower()
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 422
    assert response.data["error"]["code"] == "duplicate_winner"
    assert response.data["error"]["field"] == "winners[1].credit_code"


def test_more_than_forty_winners_is_400(api, keys, program_id):
    winners = [
        {"name": f"企业{n}", "credit_code": credit_code(n), "role": "other"} for n in range(41)
    ]
    response = try_push(api, keys["110000"], award_body(program_id, winners=winners))
    assert response.status_code == 400
    assert response.data["error"]["field"] == "winners"
    winners.pop()
    assert try_push(api, keys["110000"], award_body(program_id, winners=winners)).status_code == 201


def test_unknown_role_is_400(api, keys, program_id):
    body = award_body(program_id)
    body["winners"][0]["role"] = "sponsor"
    response = try_push(api, keys["110000"], body)
    assert response.data["error"]["field"] == "winners[0].role"


def test_category_outside_the_programme_is_422_out_of_scope(api, keys):
    housing_only = submitted_program(api, keys["110000"], categories=["housing"])
    body = award_body(housing_only)
    body["project"]["category"] = "municipal"
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 422
    assert response.data["error"]["code"] == "out_of_scope"
    assert response.data["error"]["field"] == "project.category"


def test_location_code_must_be_in_the_province(api, keys, program_id):
    body = award_body(program_id)
    body["project"]["location_code"] = "320100"
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "project.location_code"
    assert response.data["error"]["message_zh"].endswith("项目所在地不在本省范围内")
    body["project"]["location_code"] = "999999"  # no place at all: said so, not "another province"
    response = try_push(api, keys["110000"], body)
    assert response.status_code == 400
    assert response.data["error"]["message_zh"].endswith(
        "不是有效的行政区划代码，请从省、市、区县中选择"
    )
    body["project"]["location_code"] = "110105"
    assert try_push(api, keys["110000"], body).status_code == 201


def test_another_provinces_programme_is_403_and_nothing_is_written(api, keys, program_id):
    response = try_push(api, keys["320000"], award_body(program_id))
    assert response.status_code == 403
    assert response.data["error"]["field"] == "program_id"
    assert list(ChangeEntry.query("320000")) == []


def test_draft_programme_refuses_awards(api, keys):
    draft = draft_program(api, keys["110000"], name="草稿")
    response = try_push(api, keys["110000"], award_body(draft))
    assert response.status_code == 409
    assert response.data["error"]["code"] == "invalid_state"
    missing = try_push(api, keys["110000"], award_body("prg_nope"))
    assert missing.status_code == 404


def test_body_over_one_megabyte_is_413(api, keys, program_id):
    body = award_body(program_id, honor="金" * 10)
    raw = json.dumps(body)[:-1] + ', "padding": "' + "x" * (1024 * 1024) + '"}'
    response = api.call("POST", "/v1/awards", raw=raw, key=keys["110000"])
    assert response.status_code == 413
    assert response.data["error"]["code"] == "payload_too_large"


def test_batch_reports_each_record_and_one_bad_record_does_not_sink_the_rest(api, keys, program_id):
    good = award_body(program_id, source_id="B-1")
    bad = award_body(program_id, source_id="B-2", year="x")
    dup = award_body(program_id, source_id="B-1")
    other = award_body(program_id, source_id="B-3")
    response = api.call(
        "POST", "/v1/awards/batch", {"records": [good, bad, dup, other]}, key=keys["110000"]
    )
    assert response.status_code == 200
    results = response.data["results"]
    assert [r["status"] for r in results] == [201, 400, 200, 201]
    assert results[1]["error"]["field"] == "year"
    assert results[2]["id"] == results[0]["id"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]


def test_batch_of_more_than_100_is_400(api, keys, program_id):
    records = [award_body(program_id, source_id=f"S{n}") for n in range(101)]
    response = api.call("POST", "/v1/awards/batch", {"records": records}, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["field"] == "records"
