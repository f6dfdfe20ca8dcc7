"""Issue 10, points 2-4: personal data out of public answers, admin redaction, nothing internal.

Every check reads the whole answer as text, so a name hidden anywhere (a history
entry, a feed summary, a change entry's data) fails the test.
"""

from __future__ import annotations

import gzip
import json

import pytest

from chalicelib.config import settings
from chalicelib.store import objects
from chalicelib.store.models import AuthorityRecord, AwardVersion, ChangeEntry
from tests.factories import award_body, credit_code, program_body
from tests.functional.helpers import submitted_program
from tests.functional.test_observability import captured_logs  # noqa: F401 (a fixture)
from tests.steps import approve

PM = "张三"
PM2 = "李四"
CODE = credit_code(1)


def text(response) -> str:
    """The whole JSON answer as text (decoded, so escaped characters cannot hide a name)."""
    return json.dumps(response.data, ensure_ascii=False)


def public_answers(api, award_id: str) -> dict[str, str]:
    """Every anonymous read that shows this award."""
    paths = {
        "list": "/v1/awards?include_revoked=true",
        "list by authority": "/v1/awards?authority_id=110000",
        "detail": f"/v1/awards/{award_id}",
        "verify": f"/v1/verify?credit_code={CODE}",
        "print": f"/v1/verify/print?credit_code={CODE}",
        "feed": "/v1/feed.json",
        "changes": "/v1/changes?limit=100",
    }
    answers = {}
    for name, path in paths.items():
        # the raw answer: the print view is HTML, the rest JSON (read decoded, see text())
        response = api.client.http.get(path, headers={"Host": "registry.example.cn"})
        assert response.status_code == 200, (name, response.body)
        body = response.body.decode("utf-8")
        if response.headers["Content-Type"].startswith("text/html"):
            answers[name] = body
        else:
            answers[name] = json.dumps(json.loads(body), ensure_ascii=False)
    return answers


def put(api, key, award_id, body, version):
    return api.call(
        "PUT", f"/v1/awards/{award_id}", body, key=key, headers={"If-Match": f'"{version}"'}
    )


@pytest.fixture
def corrected(api, keys):
    """An award pushed with project manager 张三, then corrected to 李四 (张三 in history)."""
    program_id = submitted_program(api, keys["110000"])
    pushed = api.call("POST", "/v1/awards", award_body(program_id), key=keys["110000"])
    assert pushed.status_code == 201, pushed.body
    body = award_body(program_id)
    body["winners"][0]["project_manager"] = PM2
    changed = put(api, keys["110000"], pushed.data["id"], body, 1)
    assert changed.status_code == 200, changed.body
    return program_id, pushed.data["id"]


def entries_of(award_id: str) -> list[ChangeEntry]:
    return [e for e in ChangeEntry.query("110000") if e.entity_id == award_id]


# --- personal data ------------------------------------------------------------------------


def test_no_anonymous_answer_carries_a_project_manager(api, corrected):
    _, award_id = corrected
    for name, answer in public_answers(api, award_id).items():
        assert PM not in answer and PM2 not in answer, name
        assert "北京城建集团有限责任公司" in answer, name  # the award itself is there


def test_the_owner_and_administrators_read_it_with_their_key(api, keys, corrected):
    _, award_id = corrected
    for who in ("110000", "admin"):
        detail = api.call("GET", f"/v1/awards/{award_id}", key=keys[who]).data
        assert detail["winners"][0]["project_manager"] == PM2
        assert detail["history"][0]["winners"][0]["project_manager"] == PM
        listed = api.call("GET", "/v1/awards?authority_id=110000", key=keys[who]).data
        assert listed["items"][0]["winners"][0]["project_manager"] == PM2
        verified = api.call("GET", f"/v1/verify?credit_code={CODE}", key=keys[who]).data
        assert verified["awards"][0]["winners"][0]["project_manager"] == PM2
    # another province reads what the public reads
    other = api.call("GET", f"/v1/awards/{award_id}", key=keys["320000"])
    assert PM not in text(other) and PM2 not in text(other)
    # the change feed is public for everyone: a key does not add personal data to it
    assert PM2 not in text(api.call("GET", "/v1/changes?limit=100", key=keys["110000"]))


# --- redaction ----------------------------------------------------------------------------


def redact(api, key, award_id, fields=("project_manager",), reason="本人依法申请删除个人信息"):
    body = {"fields": list(fields), "reason": reason}
    return api.call("POST", f"/v1/awards/{award_id}/redact", body, key=key)


def test_redaction_erases_record_history_and_change_entries(
    api,
    keys,
    corrected,
    captured_logs,  # noqa: F811
):
    program_id, award_id = corrected
    before = api.call("GET", f"/v1/awards/{award_id}", key=keys["admin"]).data
    done = redact(api, keys["admin"], award_id)
    assert done.status_code == 200, done.body
    assert PM not in text(done) and PM2 not in text(done)
    assert done.data["version"] == before["version"] + 1
    assert done.headers["ETag"] == f'"{before["version"] + 1}"'
    assert done.data["redactions"][0]["fields"] == ["project_manager"]
    assert done.data["redactions"][0]["reason"] == "本人依法申请删除个人信息"

    # nothing else about the award changed
    after = api.call("GET", f"/v1/awards/{award_id}", key=keys["110000"]).data
    ignore = {"version", "redactions", "winners", "history"}
    assert {k: v for k, v in after.items() if k not in ignore} == {
        k: v for k, v in before.items() if k not in ignore
    }
    assert [{k: v for k, v in w.items() if k != "project_manager"} for w in before["winners"]] == (
        after["winners"]
    )
    assert [h["version"] for h in after["history"]] == [1, 2]  # 2: as it was, without names
    assert PM not in text(api.call("GET", f"/v1/awards/{award_id}", key=keys["admin"]))

    # stored: every earlier version and every change entry of the award
    stored = list(AwardVersion.query(f"AWARD#{award_id}", AwardVersion.sk.startswith("V#")))
    assert stored and all(PM not in json.dumps(v.snapshot, ensure_ascii=False) for v in stored)
    entries = entries_of(award_id)
    assert [e.op for e in entries] == ["create", "update", "redact"]
    for entry in entries:
        assert PM not in json.dumps(entry.data, ensure_ascii=False)
        assert PM2 not in json.dumps(entry.data, ensure_ascii=False)

    # the public change feed carries the redact entry, without the reason
    feed = api.call("GET", "/v1/changes?limit=100").data["items"]
    redacted = [c for c in feed if c["op"] == "redact"]
    assert len(redacted) == 1
    assert redacted[0]["id"] == award_id
    assert redacted[0]["data"]["redacted_fields"] == ["project_manager"]
    assert redacted[0]["version"] == before["version"] + 1
    public = api.call("GET", f"/v1/awards/{award_id}").data
    assert public["redactions"][0]["fields"] == ["project_manager"]
    assert "reason" not in public["redactions"][0]
    assert "本人依法申请删除个人信息" not in text(api.call("GET", "/v1/changes?limit=100"))

    # audited: award, fields and the admin's key id; never the values
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line.strip()]
    audited = [line for line in lines if line.get("message") == "award redacted"]
    assert audited  # (the capture sees it once per handler)
    for line in audited:
        assert line["award_id"] == award_id
        assert line["fields"] == ["project_manager"]
        assert line["key_id"].startswith("key_")
    assert PM not in captured_logs.getvalue() and PM2 not in captured_logs.getvalue()

    # the province's idempotent retry of what it last sent (names included) still answers 200
    last_sent = award_body(program_id)
    last_sent["winners"][0]["project_manager"] = PM2
    retry = api.call("POST", "/v1/awards", last_sent, key=keys["110000"])
    assert retry.status_code == 200, retry.body
    assert retry.data["id"] == award_id
    assert PM2 not in text(retry)


def test_a_second_identical_redaction_changes_nothing(api, keys, corrected):
    _, award_id = corrected
    first = redact(api, keys["admin"], award_id)
    assert first.status_code == 200
    seq = AuthorityRecord.get("110000").seq
    again = redact(api, keys["admin"], award_id)
    assert again.status_code == 200, again.body
    assert again.data["version"] == first.data["version"]
    assert again.data["redactions"] == first.data["redactions"]
    assert AuthorityRecord.get("110000").seq == seq  # no new change entry


def test_a_redacted_field_stays_erased_after_a_correction(api, keys, corrected):
    program_id, award_id = corrected
    version = redact(api, keys["admin"], award_id).data["version"]
    body = award_body(program_id, honor="银质奖")
    body["winners"][0]["project_manager"] = "王五"
    changed = put(api, keys["110000"], award_id, body, version)
    assert changed.status_code == 200, changed.body
    assert changed.data["honor"] == "银质奖"
    assert "王五" not in text(changed)


def test_only_an_administrator_redacts(api, keys, corrected):
    _, award_id = corrected
    province = redact(api, keys["110000"], award_id)
    assert province.status_code == 403
    assert province.data["error"]["code"] == "forbidden"
    anonymous = redact(api, None, award_id)
    assert anonymous.status_code == 401
    assert anonymous.data["error"]["code"] == "unauthenticated"
    unknown = redact(api, keys["admin"], "awd_01JAAAAAAAAAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404
    assert PM2 in text(api.call("GET", f"/v1/awards/{award_id}", key=keys["admin"]))


def test_only_listed_fields_can_be_redacted(api, keys, corrected):
    _, award_id = corrected
    other = redact(api, keys["admin"], award_id, fields=("project_manager", "honor"))
    assert other.status_code == 422
    assert other.data["error"]["code"] == "validation_error"
    assert other.data["error"]["field"] == "fields[1]"
    no_reason = api.call(
        "POST",
        f"/v1/awards/{award_id}/redact",
        {"fields": ["project_manager"]},
        key=keys["admin"],
    )
    assert no_reason.status_code == 400
    assert no_reason.data["error"]["field"] == "reason"
    # nothing was erased by the refused requests
    assert PM2 in text(api.call("GET", f"/v1/awards/{award_id}", key=keys["admin"]))
    assert [e.op for e in entries_of(award_id)] == ["create", "update"]


# --- nothing internal published -----------------------------------------------------------


def test_public_status_history_has_no_key_ids_and_no_review_reason(api, keys):
    key = keys["110000"]
    program_id = submitted_program(api, key)
    rejected = api.call(
        "POST",
        f"/v1/programs/{program_id}/review",
        {"decision": "reject", "reason": "内部审核意见：材料不全"},
        key=keys["admin"],
    )
    assert rejected.status_code == 200, rejected.body
    revised = api.call(
        "PUT",
        f"/v1/programs/{program_id}",
        program_body(),
        key=key,
        headers={"If-Match": f'"{rejected.data["version"]}"'},
    )
    assert revised.status_code == 200, revised.body
    assert api.call("POST", f"/v1/programs/{program_id}/submit", key=key).status_code == 200
    approve(api, keys["admin"], program_id)
    withdrawn = api.call(
        "POST",
        f"/v1/programs/{program_id}/withdraw",
        {"reason": "奖项清理", "effective_on": "2025-01-01"},
        key=keys["admin"],
    )
    assert withdrawn.status_code == 200

    full = api.call("GET", f"/v1/programs/{program_id}", key=keys["admin"]).data
    key_ids = {change["by"] for change in full["status_history"]}
    assert all(k.startswith("key_") for k in key_ids)
    assert any(c.get("reason") == "内部审核意见：材料不全" for c in full["status_history"])
    public_reads = [
        api.call("GET", f"/v1/programs/{program_id}"),
        api.call("GET", "/v1/programs?authority_id=110000"),
        api.call("GET", "/v1/changes?limit=100"),
        api.call("GET", f"/v1/programs/{program_id}", key=keys["320000"]),
    ]
    for response in public_reads:
        assert response.status_code == 200
        answer = text(response)
        assert not any(k in answer for k in key_ids)
        assert '"by' not in answer
        assert "内部审核意见" not in answer
    public = public_reads[0].data
    assert [c["status"] for c in public["status_history"]] == [
        "draft",
        "submitted",
        "rejected",
        "draft",
        "submitted",
        "approved",
        "withdrawn",
    ]
    assert public["status_history"][-1]["reason"] == "奖项清理"  # a withdrawal's reason is public
    assert public["status_history"][-1]["effective_on"] == "2025-01-01"


def test_an_excuse_reason_is_for_the_owner_and_administrators(api, keys):
    program_id = submitted_program(api, keys["110000"])
    # announced 2024-03-15, pushed today: late
    late = api.call("POST", "/v1/awards", award_body(program_id), key=keys["110000"]).data
    assert late["timeliness"]["status"] == "late"
    reason = "公示期延长，内部批复同意"
    excused = api.call(
        "POST", f"/v1/awards/{late['id']}/excuse", {"reason": reason}, key=keys["admin"]
    )
    assert excused.status_code == 200, excused.body
    for name, answer in public_answers(api, late["id"]).items():
        assert reason not in answer, name
    public = api.call("GET", f"/v1/awards/{late['id']}").data
    assert public["timeliness"]["excused"] is True
    for who in ("110000", "admin"):
        detail = api.call("GET", f"/v1/awards/{late['id']}", key=keys[who]).data
        assert detail["timeliness"]["excused_reason"] == reason


def test_a_programme_back_in_draft_shows_only_its_last_public_name(api, keys):
    key = keys["110000"]
    program_id = submitted_program(api, key, name="北京市建设工程长城杯")
    pushed = api.call("POST", "/v1/awards", award_body(program_id), key=key)
    assert pushed.status_code == 201
    rejected = api.call(
        "POST",
        f"/v1/programs/{program_id}/review",
        {"decision": "reject", "reason": "名称不规范"},
        key=keys["admin"],
    )
    assert rejected.status_code == 200
    draft_name = "草稿中的新奖项名称"
    revised = api.call(
        "PUT",
        f"/v1/programs/{program_id}",
        program_body(name=draft_name),
        key=key,
        headers={"If-Match": f'"{rejected.data["version"]}"'},
    )
    assert revised.status_code == 200, revised.body

    answers = public_answers(api, pushed.data["id"])
    for name, answer in answers.items():
        assert draft_name not in answer, name
    assert "北京市建设工程长城杯" in answers["feed"]
    assert "北京市建设工程长城杯" in answers["print"]
    assert api.call("GET", f"/v1/programs/{program_id}").status_code == 404
    assert api.call("GET", f"/v1/programs/{program_id}", key=key).data["name"] == draft_name


def test_the_export_publishes_nothing_internal(client, api, keys, corrected):
    program_id, award_id = corrected
    excuse = "内部批复：延期同意"
    excused = api.call(
        "POST", f"/v1/awards/{award_id}/excuse", {"reason": excuse}, key=keys["admin"]
    )
    assert excused.status_code == 200, excused.body
    assert redact(api, keys["admin"], award_id, reason="删除理由不公开").status_code == 200
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = client.lambda_.invoke("nightly_export", event).payload
    assert result["status"] == "done", result
    prefix = f"exports/{result['export_date']}/"

    def read(name: str) -> str:
        body = objects.s3().get_object(Bucket=settings().bucket, Key=prefix + name)["Body"]
        raw = body.read()
        return (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8-sig")

    awards = [json.loads(line) for line in read("awards.jsonl.gz").splitlines()]
    assert [a["id"] for a in awards] == [award_id]
    assert awards[0]["redactions"][0]["fields"] == ["project_manager"]
    everything = read("awards.jsonl.gz") + read("awards.csv") + read("programs.jsonl.gz")
    for secret in (PM, PM2, excuse, "删除理由不公开", '"by"', "key_"):
        assert secret not in everything, secret
    assert program_id in read("programs.jsonl.gz")
