"""Approval documents over real HTTP: the presigned POST to the emulator, then the check."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.e2e.helpers import bearer, check_document, upload_document, verified_document
from tests.factories import document_body, ofd_bytes, pdf_bytes, png_bytes, program_body

MB = 1024 * 1024


def _case(name: str) -> tuple[bytes, dict]:
    if name == "good_pdf":
        content = pdf_bytes(padding=2000)
        return content, document_body(content)
    if name == "good_ofd":
        content = ofd_bytes()
        return content, document_body(content, "application/ofd")
    if name == "renamed_png":
        return png_bytes(), document_body(png_bytes(), filename="批复.pdf")
    if name == "truncated":
        full = pdf_bytes(padding=4000)
        return full[:1000], document_body(full)
    if name == "oversize":
        content = pdf_bytes(padding=20 * MB)
        return content, document_body(content, size=20 * MB)
    content = pdf_bytes()
    return content, document_body(content, sha256=hashlib.sha256(b"x").hexdigest())


@pytest.fixture(scope="module")
def province(stack):
    return stack.issue_key("--authority", "310000")["api_key"]


@pytest.fixture
def draft(stack, province):
    created = requests.post(
        stack.url("/v1/programs"), json=program_body(), headers=bearer(province)
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


@pytest.mark.parametrize(
    ("case", "status", "reason_code"),
    [
        ("good_pdf", "verified", None),
        ("good_ofd", "verified", None),
        ("renamed_png", "rejected", "not_pdf"),
        ("truncated", "rejected", "size_mismatch"),
        ("oversize", "rejected", "too_large"),
        ("wrong_hash", "rejected", "sha256_mismatch"),
    ],
)
def test_uploaded_file_is_checked(stack, province, draft, case, status, reason_code):
    content, declared = _case(case)
    document_id = upload_document(stack, province, draft, declared, content)["document_id"]
    checked = check_document(stack, province, draft, document_id)
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == status
    assert checked.json().get("reason_code") == reason_code
    assert bool(checked.json().get("reason")) == (status == "rejected")
    again = check_document(stack, province, draft, document_id)
    assert again.json() == checked.json()
    download = requests.get(
        stack.url(f"/v1/programs/{draft}/documents/{document_id}"),
        headers=bearer(province),
        allow_redirects=False,
    )
    if status == "verified":
        assert download.status_code == 302
        served = requests.get(download.headers["Location"], timeout=60)
        assert served.status_code == 200 and served.content == content
    else:
        assert download.status_code == 409


def test_check_before_upload_is_409_and_submit_needs_a_verified_document(stack, province, draft):
    declared = document_body(pdf_bytes())
    created = requests.post(
        stack.url(f"/v1/programs/{draft}/documents"), json=declared, headers=bearer(province)
    ).json()
    missing = check_document(stack, province, draft, created["document_id"])
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "upload_missing"
    submit = requests.post(stack.url(f"/v1/programs/{draft}/submit"), headers=bearer(province))
    assert submit.status_code == 409
    assert submit.json()["error"]["code"] == "document_required"
    verified_document(stack, province, draft)
    submit = requests.post(stack.url(f"/v1/programs/{draft}/submit"), headers=bearer(province))
    assert submit.status_code == 200


def test_admin_review_over_http(stack, province, draft):
    admin = stack.issue_key("--admin")["api_key"]
    verified_document(stack, province, draft)
    requests.post(stack.url(f"/v1/programs/{draft}/submit"), headers=bearer(province))
    refused = requests.post(
        stack.url(f"/v1/programs/{draft}/review"),
        json={"decision": "approve"},
        headers=bearer(province),
    )
    assert refused.status_code == 403
    approved = requests.post(
        stack.url(f"/v1/programs/{draft}/review"),
        json={"decision": "approve"},
        headers=bearer(admin),
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
