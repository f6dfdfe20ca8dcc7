"""Objections (异议, issue 23): filing, lookup by token, evidence, routing, answers, privacy.

An enterprise files without a key and keeps a number and a token; the province
that pushed the award answers with its key; administrators see all and
transfer. The dates are written in each test (the clock is pinned).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json

import pytest
import requests

from chalicelib.config import settings
from chalicelib.store import objects
from tests.factories import award_body, credit_code, pdf_bytes, png_bytes
from tests.steps import approved_program, push

PHONE = "13912345678"
EMAIL = "zhang.wei@example.cn"
CONTACT_NAME = "张伟联系人"
FILED = "2026-11-20T02:00:00+00:00"  # Friday 20 November 2026, 10:00 China time


def objection_body(award_id: str | None, **overrides) -> dict:
    body = {
        "kind": "wrong_facts",
        "credit_code": credit_code(1),
        "award_id": award_id,
        "description": "获奖工程名称有误，应为北京城市副中心综合交通枢纽一期工程。",
        "contact": {"name": CONTACT_NAME, "phone": PHONE, "email": EMAIL},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def award(api, keys, clock):
    """An award of Beijing (110000) with winners credit_code(1) and credit_code(2)."""
    clock.set("2026-11-02T02:00:00+00:00")
    program_id = approved_program(api, keys["110000"], keys["admin"])
    return push(api, keys["110000"], award_body(program_id))


@pytest.fixture
def filed(api, award, clock):
    """A ``wrong_facts`` objection filed on 2026-11-20: its 201 answer."""
    clock.set(FILED)
    answer = api.call("POST", "/v1/objections", objection_body(award["id"]))
    assert answer.status_code == 201, answer.body
    return answer.data


def lookup(api, number, token):
    return api.call("GET", f"/v1/objections/{number}?token={token}")


def upload_evidence(api, number, token, content, content_type="application/pdf", name="证明.pdf"):
    declared = {
        "token": token,
        "filename": name,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    created = api.call("POST", f"/v1/objections/{number}/evidence", declared)
    assert created.status_code == 201, created.body
    form = created.data["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (name, content, content_type)},
        timeout=30,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    path = f"/v1/objections/{number}/evidence/{created.data['evidence_id']}/check"
    return api.call("POST", path, {"token": token})


def test_filing_answers_a_sequential_number_and_a_token_shown_once(api, award, clock):
    clock.set(FILED)
    first = api.call("POST", "/v1/objections", objection_body(award["id"]))
    second = api.call(
        "POST", "/v1/objections", objection_body(award["id"], credit_code=credit_code(2))
    )
    assert first.status_code == 201, first.body
    assert first.data["number"] == "YY-2026-000001"
    assert second.data["number"] == "YY-2026-000002"
    assert len(first.data["token"]) >= 22  # ≥ 128 random bits, URL-safe base64
    assert first.data["token"] != second.data["token"]
    assert first.data["authority_id"] == "110000"  # routed to the province that pushed it
    assert first.data["deadline"] == "2026-12-04"  # 10 working days after Friday 20 Nov
    assert first.data["state"] == "open"
    assert "妥善保存" in first.data["notice_zh"]
    assert "no-store" in first.headers["Cache-Control"]
    shown = lookup(api, first.data["number"], first.data["token"])
    assert shown.status_code == 200
    assert "token" not in shown.data


def test_the_lookup_shows_state_and_answer_and_nothing_personal(api, filed):
    shown = lookup(api, filed["number"], filed["token"])
    assert shown.status_code == 200, shown.body
    assert shown.data["state"] == "open" and shown.data["answer"] is None
    assert "no-store" in shown.headers["Cache-Control"]
    for secret in (PHONE, EMAIL, CONTACT_NAME, "获奖工程名称有误", "credit_code", "contact"):
        assert secret not in shown.body.decode(), secret


def test_a_wrong_token_is_the_same_404_as_an_unknown_number(api, filed):
    wrong = lookup(api, filed["number"], "A" * 32)
    unknown = lookup(api, "YY-2026-000099", filed["token"])
    missing = api.call("GET", f"/v1/objections/{filed['number']}")
    malformed = lookup(api, "YY-26-1", filed["token"])
    for answer in (wrong, unknown, missing, malformed):
        assert answer.status_code == 404, answer.body
        assert answer.data["error"]["code"] == "not_found"
        assert answer.data["error"]["message_zh"] == "异议编号或查询码不正确"
    assert wrong.data["error"]["message_zh"] == unknown.data["error"]["message_zh"]


def test_evidence_is_uploaded_and_checked_like_an_approval_document(api, keys, filed):
    number, token = filed["number"], filed["token"]
    checked = upload_evidence(api, number, token, pdf_bytes())
    assert checked.status_code == 200, checked.body
    assert checked.data["status"] == "verified"
    renamed = upload_evidence(api, number, token, png_bytes(), name="照片.pdf")
    assert renamed.data["status"] == "rejected"
    assert renamed.data["reason"]
    assert renamed.data["reason_zh"] == "文件不是 PDF"
    scan = upload_evidence(api, number, token, png_bytes(), "image/png", "扫描件.png")
    assert scan.data["status"] == "verified"
    fourth = api.call(
        "POST",
        f"/v1/objections/{number}/evidence",
        {
            "token": token,
            "filename": "第四个.pdf",
            "content_type": "application/pdf",
            "size": 10,
            "sha256": "0" * 64,
        },
    )
    assert fourth.status_code == 422 and fourth.data["error"]["code"] == "too_many_evidence"
    assert fourth.data["error"]["message_zh"]
    full = api.call("GET", f"/v1/objections/{number}", key=keys["110000"]).data
    statuses = [e["status"] for e in full["evidence"]]
    assert statuses == ["verified", "rejected", "verified"]
    link = full["evidence"][0]["url"]
    assert requests.get(link, timeout=30).content == pdf_bytes()
    assert "url" not in full["evidence"][1]


@pytest.mark.parametrize(
    ("declared", "status", "code", "field"),
    [
        ({"size": 11 * 1024 * 1024}, 422, "evidence_too_large", "size"),
        ({"content_type": "application/zip"}, 400, "validation_error", "content_type"),
        ({"filename": "../etc/passwd"}, 400, "validation_error", "filename"),
    ],
)
def test_oversized_or_wrong_type_evidence_is_refused(api, filed, declared, status, code, field):
    body = {
        "token": filed["token"],
        "filename": "证明.pdf",
        "content_type": "application/pdf",
        "size": 1000,
        "sha256": "a" * 64,
        **declared,
    }
    answer = api.call("POST", f"/v1/objections/{filed['number']}/evidence", body)
    assert answer.status_code == status, answer.body
    assert answer.data["error"]["code"] == code
    assert answer.data["error"]["field"] == field
    assert answer.data["error"]["message_zh"]


def test_evidence_needs_the_token(api, filed):
    body = {
        "token": "B" * 32,
        "filename": "证明.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "sha256": "a" * 64,
    }
    answer = api.call("POST", f"/v1/objections/{filed['number']}/evidence", body)
    assert answer.status_code == 404


def test_only_the_routed_province_and_administrators_read_it(api, keys, filed):
    number = filed["number"]
    mine = api.call("GET", f"/v1/objections/{number}", key=keys["110000"])
    assert mine.status_code == 200, mine.body
    assert mine.data["contact"] == {"name": CONTACT_NAME, "phone": PHONE, "email": EMAIL}
    assert mine.data["working_days_left"] == 10
    admin = api.call("GET", f"/v1/objections/{number}", key=keys["admin"])
    assert admin.data["contact"]["phone"] == PHONE
    other = api.call("GET", f"/v1/objections/{number}", key=keys["320000"])
    assert other.status_code == 404
    listed = api.call("GET", "/v1/objections", key=keys["110000"]).data["items"]
    assert [i["number"] for i in listed] == [number]
    assert api.call("GET", "/v1/objections", key=keys["320000"]).data["items"] == []
    everyone = api.call("GET", "/v1/objections?state=open", key=keys["admin"]).data["items"]
    assert [i["number"] for i in everyone] == [number]
    assert api.call("GET", "/v1/objections").status_code == 401
    foreign = api.call("GET", "/v1/objections?authority_id=110000", key=keys["320000"])
    assert foreign.status_code == 403


def test_a_token_of_any_length_is_the_same_404_and_a_key_needs_none(api, keys, filed):
    """The token is compared, never measured: a short or long one is a wrong one (404)."""
    for token in ("short", "A" * 300):
        assert lookup(api, filed["number"], token).status_code == 404
    with_key = api.call("GET", f"/v1/objections/{filed['number']}?token=x", key=keys["110000"])
    assert with_key.status_code == 200 and with_key.data["contact"]["phone"] == PHONE


def test_the_overdue_filter_pages_and_its_cursor_keeps_the_filter(api, keys, award, clock):
    clock.set(FILED)
    for code in (credit_code(1), credit_code(2)):
        body = objection_body(award["id"], credit_code=code)
        assert api.call("POST", "/v1/objections", body).status_code == 201
    admin = keys["admin"]
    first = api.call("GET", "/v1/objections?overdue=false&limit=1", key=admin).data
    assert [item["number"] for item in first["items"]] == ["YY-2026-000002"]
    cursor = first["next_cursor"]
    rest = api.call("GET", f"/v1/objections?overdue=false&limit=1&cursor={cursor}", key=admin)
    assert [item["number"] for item in rest.data["items"]] == ["YY-2026-000001"]
    assert api.call("GET", "/v1/objections?overdue=true", key=admin).data["items"] == []
    other = api.call("GET", f"/v1/objections?overdue=true&limit=1&cursor={cursor}", key=admin)
    assert other.status_code == 400 and other.data["error"]["code"] == "invalid_cursor"


def correct_award(api, key, award):
    corrected = {
        k: award[k] for k in ("source_id", "program_id", "year", "honor", "awarded_on", "winners")
    }
    corrected["project"] = {**award["project"], "name": "北京城市副中心综合交通枢纽一期工程"}
    corrected["announcement_number"] = award["announcement_number"]
    answer = api.call(
        "PUT",
        f"/v1/awards/{award['id']}",
        corrected,
        key=key,
        headers={"If-Match": f'"{award["version"]}"'},
    )
    assert answer.status_code == 200, answer.body
    return answer.data


def test_the_province_corrects_and_answers_corrected_naming_the_change(
    api, keys, award, filed, clock
):
    number = filed["number"]
    clock.set("2026-11-24T02:00:00+00:00")
    correct_award(api, keys["110000"], award)
    full = api.call("GET", f"/v1/objections/{number}", key=keys["110000"]).data
    (change,) = full["changes_since_filing"]
    assert change["op"] == "update" and change["entity_id"] == award["id"]

    clock.set("2026-11-25T02:00:00+00:00")
    answer = {"outcome": "corrected", "reply": "已更正工程名称。", "change_seq": change["seq"]}
    answered = api.call("POST", f"/v1/objections/{number}/answer", answer, key=keys["110000"])
    assert answered.status_code == 200, answered.body
    assert answered.data["state"] == "answered"
    assert answered.data["answer"]["change"]["seq"] == change["seq"]

    shown = lookup(api, number, filed["token"]).data
    assert shown["state"] == "answered"
    assert shown["answer"]["outcome"] == "corrected"
    assert shown["answer"]["outcome_zh"] == "已更正"
    assert shown["answer"]["reply"] == "已更正工程名称。"

    again = api.call(
        "POST",
        f"/v1/objections/{number}/answer",
        {"outcome": "upheld", "reply": "原信息无误，经核实无需更正。"},
        key=keys["110000"],
    )
    assert again.status_code == 409 and again.data["error"]["code"] == "invalid_state"
    assert again.data["error"]["message_zh"] == "该异议已经答复，不能再次答复"
    history = api.call("GET", f"/v1/objections/{number}", key=keys["admin"]).data["history"]
    assert [h["action"] for h in history] == ["filed", "answered"]


def test_corrected_must_name_a_change_made_after_filing(api, keys, award, filed):
    number = filed["number"]
    # seq 1 is the push of the award itself, before the objection was filed
    before = {"outcome": "corrected", "reply": "已更正。", "change_seq": 2}
    for seq in (1, 2, 999):
        answered = api.call(
            "POST",
            f"/v1/objections/{number}/answer",
            {**before, "change_seq": seq},
            key=keys["110000"],
        )
        assert answered.status_code == 422, (seq, answered.body)
        assert answered.data["error"]["code"] == "invalid_change"
        assert answered.data["error"]["field"] == "change_seq"
    missing = api.call(
        "POST",
        f"/v1/objections/{number}/answer",
        {"outcome": "corrected", "reply": "已更正。"},
        key=keys["110000"],
    )
    assert missing.status_code == 400 and missing.data["error"]["field"] == "change_seq"


def test_upheld_needs_a_reply_of_ten_characters(api, keys, filed):
    path = f"/v1/objections/{filed['number']}/answer"
    short = api.call("POST", path, {"outcome": "upheld", "reply": "无误"}, key=keys["110000"])
    assert short.status_code == 400 and short.data["error"]["field"] == "reply"
    assert "10" in short.data["error"]["message_zh"]
    reply = "经核对公告原件，原信息无误。"
    upheld = api.call("POST", path, {"outcome": "upheld", "reply": reply}, key=keys["110000"])
    assert upheld.status_code == 200, upheld.body
    assert lookup(api, filed["number"], filed["token"]).data["answer"]["outcome_zh"] == "原信息无误"


def test_an_administrator_transfers_and_the_deadline_restarts(api, keys, filed, clock):
    path = f"/v1/objections/{filed['number']}/answer"
    body = {"outcome": "transferred", "reply": "该奖项由江苏省授予", "authority_id": "320000"}
    refused = api.call("POST", path, body, key=keys["110000"])
    assert refused.status_code == 403
    clock.set("2026-11-27T02:00:00+00:00")
    moved = api.call("POST", path, body, key=keys["admin"])
    assert moved.status_code == 200, moved.body
    assert moved.data["authority_id"] == "320000"
    assert moved.data["deadline"] == "2026-12-11"  # 10 working days after 27 Nov
    assert moved.data["state"] == "open"
    assert (
        api.call("GET", f"/v1/objections/{filed['number']}", key=keys["110000"]).status_code == 404
    )
    assert (
        api.call("GET", f"/v1/objections/{filed['number']}", key=keys["320000"]).status_code == 200
    )
    admin_answer = api.call(
        "POST", path, {"outcome": "upheld", "reply": "原信息无误，无需更正。"}, key=keys["admin"]
    )
    assert admin_answer.status_code == 403


def test_a_missing_award_goes_to_the_named_province(api, keys, clock, aws):
    clock.set(FILED)
    body = objection_body(
        None, kind="missing_award", authority_id="320000", credit_code=credit_code(7)
    )
    filed = api.call("POST", "/v1/objections", body)
    assert filed.status_code == 201, filed.body
    assert filed.data["authority_id"] == "320000"
    listed = api.call("GET", "/v1/objections", key=keys["320000"]).data["items"]
    assert [i["number"] for i in listed] == [filed.data["number"]]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"kind": "typo"}, 400, "validation_error", "kind"),
        ({"credit_code": "91110000000000001X"}, 400, "validation_error", "credit_code"),
        ({"credit_code": credit_code(9)}, 422, "not_a_winner", "credit_code"),
        ({"award_id": "awd_01J00000000000000000000000"}, 422, "unknown_award", "award_id"),
        ({"award_id": None}, 400, "validation_error", "award_id"),
        ({"description": "太短"}, 400, "validation_error", "description"),
        ({"contact": {"name": "张伟"}}, 400, "validation_error", "contact.phone"),
        ({"contact": {"name": "张伟", "phone": "12345"}}, 400, "validation_error", "contact.phone"),
        (
            {"contact": {"name": "张伟", "email": "not-mail"}},
            400,
            "validation_error",
            "contact.email",
        ),
        ({"kind": "missing_award"}, 400, "validation_error", "award_id"),
    ],
)
def test_bad_filings_are_clear_4xx_and_store_nothing(
    api, keys, award, clock, change, status, code, field
):
    clock.set(FILED)
    body = {**objection_body(award["id"]), **change}
    body = {k: v for k, v in body.items() if v is not None}
    answer = api.call("POST", "/v1/objections", body)
    assert answer.status_code == status, answer.body
    assert answer.data["error"]["code"] == code
    assert answer.data["error"]["field"] == field
    assert answer.data["error"]["message_zh"]
    assert api.call("GET", "/v1/objections", key=keys["admin"]).data["items"] == []
    good = api.call("POST", "/v1/objections", objection_body(award["id"]))
    assert good.data["number"] == "YY-2026-000001"  # no number was used up


def _swap_policy(**changes):
    config = settings()
    old = config.objections
    object.__setattr__(config, "objections", dataclasses.replace(old, **changes))
    return old


@pytest.fixture
def restore_policy():
    old = settings().objections
    yield
    object.__setattr__(settings(), "objections", old)


def test_filings_are_limited_per_source_address(api, award, clock, restore_policy):
    clock.set(FILED)
    _swap_policy(filings_per_credit_code_per_day=100)
    for n in range(5):
        code = credit_code(1) if n % 2 == 0 else credit_code(2)
        answer = api.call("POST", "/v1/objections", objection_body(award["id"], credit_code=code))
        assert answer.status_code == 201, answer.body
    sixth = api.call("POST", "/v1/objections", objection_body(award["id"]))
    assert sixth.status_code == 429, sixth.body
    assert sixth.data["error"]["code"] == "throttled"
    assert "每天最多提交 5 件" in sixth.data["error"]["message_zh"]
    # 10:00 China time: the window ends at midnight China time, 14 hours later
    assert sixth.headers["Retry-After"] == str(14 * 3600)
    clock.set("2026-11-20T16:00:01+00:00")  # the next China day
    assert api.call("POST", "/v1/objections", objection_body(award["id"])).status_code == 201


def test_filings_are_limited_per_credit_code(api, award, clock, restore_policy):
    clock.set(FILED)
    _swap_policy(filings_per_address_per_day=100, filings_per_credit_code_per_day=2)
    for _ in range(2):
        assert api.call("POST", "/v1/objections", objection_body(award["id"])).status_code == 201
    third = api.call("POST", "/v1/objections", objection_body(award["id"]))
    assert third.status_code == 429 and third.data["error"]["field"] == "credit_code"
    assert int(third.headers["Retry-After"]) > 0
    other = objection_body(award["id"], credit_code=credit_code(2))
    assert api.call("POST", "/v1/objections", other).status_code == 201


def test_token_probes_are_limited_per_address(api, filed, restore_policy):
    _swap_policy(lookups_per_address_per_hour=3)
    for _ in range(3):
        assert lookup(api, filed["number"], "C" * 32).status_code == 404
    probe = lookup(api, filed["number"], filed["token"])
    assert probe.status_code == 429
    assert probe.data["error"]["message_zh"]


def test_contact_data_is_in_no_public_answer_feed_or_export(client, api, keys, award, filed):
    upload_evidence(api, filed["number"], filed["token"], pdf_bytes())
    award_id = award["id"]
    answers = {
        "award": api.call("GET", f"/v1/awards/{award_id}"),
        "awards": api.call("GET", "/v1/awards"),
        "verify": api.call("GET", f"/v1/verify?credit_code={credit_code(1)}"),
        "feed": api.call("GET", "/v1/feed.json"),
        "changes": api.call("GET", "/v1/changes"),
        "lookup": lookup(api, filed["number"], filed["token"]),
        "openapi": api.call("GET", "/v1/openapi.json"),
    }
    public = {name: answer.body.decode() for name, answer in answers.items()}
    public["page"] = client.http.get("/").body.decode()
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = client.lambda_.invoke("nightly_export", event).payload
    assert result["status"] == "done", result
    prefix = f"exports/{result['export_date']}/"
    listed = objects.s3().list_objects_v2(Bucket=settings().bucket, Prefix=prefix)
    for item in listed.get("Contents", []):
        raw = objects.s3().get_object(Bucket=settings().bucket, Key=item["Key"])["Body"].read()
        if item["Key"].endswith(".gz"):
            raw = gzip.decompress(raw)
        public[item["Key"]] = raw.decode("utf-8-sig", errors="replace")
    assert any(k.startswith(prefix) for k in public)
    for name, text in public.items():
        for secret in (PHONE, EMAIL, CONTACT_NAME, "证明.pdf", filed["token"]):
            assert secret not in text, (name, secret)
    assert json.loads(public["award"])["id"] == award_id
