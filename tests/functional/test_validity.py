"""One validity rule on every read route (issue 12): list, detail, verify, feed, changes,
export and the printout say the same of each award, and the printout counts only valid ones.

Beijing's enterprise (credit code 1) holds:
- ``valid``: an award of an approved programme;
- ``revoked``: an award of the same programme, revoked;
- ``before``: awarded 2024-03-15 under a programme withdrawn from 2025-01-01
  (historically granted, flagged ``program_withdrawn``);
- ``after``: awarded 2025-02-10 under the same programme (after the effective date).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import pytest

from chalicelib.config import settings
from chalicelib.store import objects
from tests.factories import award_body, credit_code
from tests.steps import approved_program

HOST = {"Host": "registry.example.cn", "X-Forwarded-Proto": "https"}
BROWSER = {**HOST, "Accept": "text/html"}
CODE = credit_code(1)
WITHDRAWAL = {"reason": "奖项清理：未经批准增设的评比表彰", "effective_on": "2025-01-01"}


@pytest.fixture
def awards(api, keys):
    key = keys["110000"]
    standing = approved_program(api, keys["110000"], keys["admin"], name="北京市建设工程长城杯")
    withdrawn = approved_program(api, keys["110000"], keys["admin"], name="北京市结构长城杯")
    ids = {}
    for name, program_id, awarded_on, location in (
        ("valid", standing, "2024-03-15", "110112"),
        ("revoked", standing, "2024-03-15", None),
        ("before", withdrawn, "2024-03-15", "110105"),
        ("after", withdrawn, "2025-02-10", None),
    ):
        project = {"name": f"{name}工程", "category": "housing"}
        if location:
            project["location_code"] = location
        body = award_body(program_id, source_id=f"V-{name}", awarded_on=awarded_on, project=project)
        pushed = api.call("POST", "/v1/awards", body, key=key)
        assert pushed.status_code == 201, pushed.body
        ids[name] = pushed.data["id"]
    revoked = api.call(
        "POST", f"/v1/awards/{ids['revoked']}/revoke", {"reason": "经复查不符合评选条件"}, key=key
    )
    assert revoked.status_code == 200, revoked.body
    out = api.call("POST", f"/v1/programs/{withdrawn}/withdraw", WITHDRAWAL, key=keys["admin"])
    assert out.status_code == 200, out.body
    return ids


def check_validity(found: dict, ids: dict) -> None:
    """``found`` maps award id -> award view: each says what the rule says."""
    by_name = {name: found[award_id] for name, award_id in ids.items()}
    assert by_name["valid"]["validity"] == "valid"
    assert "validity_detail" not in by_name["valid"]
    assert by_name["revoked"]["validity"] == "revoked"
    assert by_name["revoked"]["validity_detail"]["reason"] == "经复查不符合评选条件"
    for name, before in (("before", True), ("after", False)):
        award = by_name[name]
        assert award["validity"] == "program_withdrawn", name
        detail = award["validity_detail"]
        assert detail["reason"] == WITHDRAWAL["reason"]
        assert detail["effective_on"] == "2025-01-01"
        assert detail["granted_before_withdrawal"] is before
        assert "by" not in detail  # who withdrew it is internal


def test_the_award_list_and_each_award_carry_validity(api, awards):
    listed = api.call("GET", f"/v1/awards?credit_code={CODE}&include_revoked=true&limit=100")
    assert listed.status_code == 200
    check_validity({a["id"]: a for a in listed.data["items"]}, awards)
    one = {i: api.call("GET", f"/v1/awards/{i}").data for i in awards.values()}
    check_validity(one, awards)


def test_verify_lists_withdrawn_awards_with_the_active_ones_flagged(api, awards):
    answer = api.call("GET", f"/v1/verify?credit_code={CODE}").data
    assert {a["id"] for a in answer["awards"]} == {awards[n] for n in ("valid", "before", "after")}
    assert [a["id"] for a in answer["revoked"]] == [awards["revoked"]]
    check_validity({a["id"]: a for a in answer["awards"] + answer["revoked"]}, awards)


def test_the_json_feed_carries_validity_and_says_it_in_words(api, awards):
    feed = api.call("GET", "/v1/feed.json").data
    items = {item["id"]: item for item in feed["items"]}
    assert awards["revoked"] not in items  # the feed lists active awards
    found = {i: item["_award"] for i, item in items.items()}
    assert found[awards["valid"]]["validity"] == "valid"
    before = items[awards["before"]]
    assert before["_award"]["validity"] == "program_withdrawn"
    assert "奖项已撤销设立（自 2025-01-01 起；原因：奖项清理" in before["content_text"]
    assert "不作为有效获奖信息" in before["content_text"]


def test_change_entries_carry_validity_as_of_the_entry(api, keys, awards):
    redacted = api.call(
        "POST",
        f"/v1/awards/{awards['before']}/redact",
        {"fields": ["project_manager"], "reason": "本人申请删除"},
        key=keys["admin"],
    )
    assert redacted.status_code == 200, redacted.body
    entries = api.call("GET", "/v1/changes?limit=100").data["items"]
    award_entries = [e for e in entries if e["entity"] == "award"]
    by = {(e["id"], e["op"]): e["data"] for e in award_entries}
    # Pushed before the withdrawal: valid then (the programme's status entry follows).
    assert by[(awards["before"], "create")]["validity"] == "valid"
    assert by[(awards["revoked"], "revoke")]["validity"] == "revoked"
    # Committed after the withdrawal: flagged, with the withdrawal's public facts.
    after = by[(awards["before"], "redact")]
    assert after["validity"] == "program_withdrawn"
    assert after["validity_detail"]["effective_on"] == "2025-01-01"
    assert after["project"]["location"]["county"] == "朝阳区"
    withdrawal = next(
        e for e in entries if e["entity"] == "program" and e["data"]["status"] == "withdrawn"
    )
    assert withdrawal["data"]["status_history"][-1]["reason"] == WITHDRAWAL["reason"]


def read(key: str) -> bytes:
    return objects.s3().get_object(Bucket=settings().bucket, Key=key)["Body"].read()


def test_the_export_carries_validity_in_jsonl_and_csv(client, awards):
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = client.lambda_.invoke("nightly_export", event).payload
    assert result["status"] == "done", result
    prefix = f"exports/{result['export_date']}/"
    lines = gzip.decompress(read(prefix + "awards.jsonl.gz")).decode("utf-8").splitlines()
    check_validity({a["id"]: a for a in map(json.loads, lines)}, awards)
    rows = list(csv.DictReader(io.StringIO(read(prefix + "awards.csv").decode("utf-8-sig"))))
    by_award = {row["award_id"]: row for row in rows if row["winner_no"] == "1"}
    assert by_award[awards["valid"]]["validity"] == "valid"
    assert by_award[awards["valid"]]["project_location_name"] == "北京市通州区"
    assert by_award[awards["revoked"]]["validity"] == "revoked"
    before = by_award[awards["before"]]
    assert before["validity"] == "program_withdrawn"
    assert before["validity_reason"] == WITHDRAWAL["reason"]
    assert before["validity_effective_on"] == "2025-01-01"
    assert before["project_location_name"] == "北京市朝阳区"


def page_text(response) -> str:
    return response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body


def test_the_printout_counts_only_valid_awards_and_heads_the_others(client, awards):
    response = client.http.get(f"/v1/verify/print?credit_code={CODE}", headers=BROWSER)
    assert response.status_code == 200
    page = page_text(response)
    summary = re.search(r'<dd id="summary">(.*?)</dd>', page).group(1)
    assert summary == "该企业有 1 项有效获奖信息，另有 2 项所属奖项已撤销设立、1 项已撤销"
    assert '<span id="valid-count">1</span>' in page
    assert '<span id="withdrawn-count">2</span>' in page
    assert '<span id="revoked-count">1</span>' in page
    assert "奖项已撤销设立的获奖信息" in page and "已撤销的获奖信息" in page

    def section(list_id: str) -> str:
        return page.split(f'<ol class="awards" id="{list_id}">')[1].split("</ol>")[0]

    assert awards["valid"] in section("active")
    assert "北京市通州区" in section("active")  # the place by name, not 110112
    withdrawn = section("withdrawn")
    assert awards["before"] in withdrawn and awards["after"] in withdrawn
    assert awards["before"] not in section("active")
    assert "撤销生效日期：2025年1月1日" in withdrawn and WITHDRAWAL["reason"] in withdrawn
    assert "获奖时该奖项尚未撤销设立" in withdrawn and "获奖日期在撤销生效之后" in withdrawn
    assert awards["revoked"] in section("revoked")


def test_the_openapi_document_describes_validity(api):
    document = api.call("GET", "/v1/openapi.json").data
    award = document["components"]["schemas"]["Award"]
    assert award["properties"]["validity"]["enum"] == ["valid", "revoked", "program_withdrawn"]
    assert "validity" in award["required"]
    project = document["components"]["schemas"]["AwardedProject"]
    assert "location" in project["properties"]
