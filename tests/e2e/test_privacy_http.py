"""Personal data and redaction over real HTTP on the local stack (issue 10, points 2 and 3).

A province pushes an award naming a project manager; anonymous readers never
see the name, the province does; an administrator redacts it and it is gone
from the record, its history and the change feed, with a ``redact`` entry a
provincial mirror can act on.
"""

from __future__ import annotations

import requests

from tests.e2e.helpers import bearer, submitted_program
from tests.factories import award_body, credit_code
from tests.steps import Http, push

PROVINCE = "650000"
CODE = credit_code(6501, prefix="91650100")
MANAGER = "艾合买提·测试"
OTHER_MANAGER = "古丽·测试"


def anonymous_texts(stack, award_id: str) -> dict[str, str]:
    paths = {
        "detail": f"/v1/awards/{award_id}",
        "list": f"/v1/awards?authority_id={PROVINCE}",
        "verify": f"/v1/verify?credit_code={CODE}",
        "print": f"/v1/verify/print?credit_code={CODE}",
        "feed": "/v1/feed.json",
    }
    texts = {}
    for name, path in paths.items():
        response = requests.get(stack.url(path), timeout=30)
        assert response.status_code == 200, (name, response.text)
        texts[name] = response.text if name == "print" else str(response.json())
    return texts


def changes_of(stack, award_id: str) -> list[dict]:
    """Every change-feed entry of the award, paging from the start until has_more is false."""
    found, since = [], ""
    while True:
        page = requests.get(
            stack.url("/v1/changes"), params={"since": since, "limit": 100}, timeout=30
        ).json()
        found += [item for item in page["items"] if item["id"] == award_id]
        since = page["next_cursor"]
        if not page["has_more"]:
            return found


def test_a_redacted_project_manager_is_gone_from_every_public_answer(stack):
    key = stack.issue_key("--authority", PROVINCE)["api_key"]
    admin = stack.issue_key("--admin")["api_key"]
    program_id = submitted_program(stack, key)
    body = award_body(program_id, source_id="XJ-PRIVACY-1")
    body["winners"] = [
        {"name": "新疆测试建设集团", "credit_code": CODE, "role": "general_contractor"}
    ]
    body["winners"][0]["project_manager"] = MANAGER
    award_id = push(Http(stack), key, body)["id"]
    body["winners"][0]["project_manager"] = OTHER_MANAGER
    corrected = requests.put(
        stack.url(f"/v1/awards/{award_id}"),
        json=body,
        headers={**bearer(key), "If-Match": '"1"'},
        timeout=30,
    )
    assert corrected.status_code == 200, corrected.text

    for name, text in anonymous_texts(stack, award_id).items():
        assert MANAGER not in text and OTHER_MANAGER not in text, name
    own = requests.get(stack.url(f"/v1/awards/{award_id}"), headers=bearer(key), timeout=30)
    assert own.json()["winners"][0]["project_manager"] == OTHER_MANAGER
    assert own.json()["history"][0]["winners"][0]["project_manager"] == MANAGER

    refused = requests.post(
        stack.url(f"/v1/awards/{award_id}/redact"),
        json={"fields": ["project_manager"], "reason": "本人申请"},
        headers=bearer(key),
        timeout=30,
    )
    assert refused.status_code == 403
    redacted = requests.post(
        stack.url(f"/v1/awards/{award_id}/redact"),
        json={"fields": ["project_manager"], "reason": "本人申请"},
        headers=bearer(admin),
        timeout=30,
    )
    assert redacted.status_code == 200, redacted.text
    assert MANAGER not in redacted.text and OTHER_MANAGER not in redacted.text

    own = requests.get(stack.url(f"/v1/awards/{award_id}"), headers=bearer(key), timeout=30)
    assert MANAGER not in own.text and OTHER_MANAGER not in own.text
    assert own.json()["redactions"][0]["reason"] == "本人申请"
    public = requests.get(stack.url(f"/v1/awards/{award_id}"), timeout=30).json()
    assert public["redactions"] == [
        {"fields": ["project_manager"], "at": public["redactions"][0]["at"]}
    ]
    entries = changes_of(stack, award_id)
    assert [e["op"] for e in entries] == ["create", "update", "redact"]
    assert entries[-1]["data"]["redacted_fields"] == ["project_manager"]

    again = requests.post(
        stack.url(f"/v1/awards/{award_id}/redact"),
        json={"fields": ["project_manager"], "reason": "本人申请"},
        headers=bearer(admin),
        timeout=30,
    )
    assert again.status_code == 200
    assert again.json()["version"] == redacted.json()["version"]
    assert [e["op"] for e in changes_of(stack, award_id)] == ["create", "update", "redact"]
