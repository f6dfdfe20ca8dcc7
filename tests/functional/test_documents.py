"""Approval documents: the upload form, the check of what S3 stored, downloads.

Uploads go through the presigned POST for real (moto answers ``requests``
in-process). moto does not enforce the POST policy, so a wrong file does reach
the bucket here, as it could if a policy were ever mis-set in the cloud: the
check is what refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import requests
from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.services import documents as documents_service
from chalicelib.store import objects
from chalicelib.store.models import ChangeEntry, Program
from tests.factories import document_body, ofd_bytes, pdf_bytes, png_bytes
from tests.functional.helpers import draft_program, upload, verified_document

MB = 1024 * 1024


def _good_pdf() -> tuple[bytes, dict]:
    content = pdf_bytes()
    return content, document_body(content)


def _good_ofd() -> tuple[bytes, dict]:
    content = ofd_bytes()
    return content, document_body(content, "application/ofd")


def _renamed_png() -> tuple[bytes, dict]:
    content = png_bytes()
    return content, document_body(content, filename="批复.pdf")


def _truncated() -> tuple[bytes, dict]:
    full = pdf_bytes(padding=4000)
    return full[:1500], document_body(full)  # declared as the whole file


def _oversize() -> tuple[bytes, dict]:
    content = pdf_bytes(padding=20 * MB)  # S3 would refuse it; moto stores it
    return content, document_body(content, size=20 * MB)


def _wrong_hash() -> tuple[bytes, dict]:
    content = pdf_bytes()
    return content, document_body(content, sha256=hashlib.sha256(b"other").hexdigest())


CASES = {
    "good_pdf": (_good_pdf, "verified", None),
    "good_ofd": (_good_ofd, "verified", None),
    "renamed_png": (_renamed_png, "rejected", "not_pdf"),
    "truncated": (_truncated, "rejected", "size_mismatch"),
    "oversize": (_oversize, "rejected", "too_large"),
    "wrong_hash": (_wrong_hash, "rejected", "sha256_mismatch"),
}


def _document(api, key, program_id, document_id):
    program = api.call("GET", f"/v1/programs/{program_id}", key=key).data
    return next(d for d in program["documents"] if d["id"] == document_id), program


def _assert_filed(program_id: str, document_id: str, status: str) -> None:
    """A verified upload is copied for serving; a rejected one is moved to quarantine."""
    upload = documents_service.upload_key(program_id, document_id)
    verified = objects.head(documents_service.verified_key(program_id, document_id))
    quarantine = documents_service.quarantine_key(program_id, document_id)
    quarantined = objects.head(quarantine)
    if status == "verified":
        assert verified is not None and quarantined is None
        assert objects.head(upload) is not None
        return
    assert verified is None and quarantined is not None
    tags = objects.s3().get_object_tagging(Bucket=settings().bucket, Key=quarantine)["TagSet"]
    assert {"Key": "registry-status", "Value": "rejected"} in tags
    # Nothing rejected stays under documents/ ...
    assert objects.head(upload) is None
    listed = objects.s3().list_objects_v2(Bucket=settings().bucket, Prefix=upload)
    assert listed.get("KeyCount", 0) == 0
    # ... yet nothing was hard-deleted: the upload is a noncurrent version behind a marker.
    history = objects.s3().list_object_versions(Bucket=settings().bucket, Prefix=upload)
    assert [m["IsLatest"] for m in history.get("DeleteMarkers", [])] == [True]
    assert len(history.get("Versions", [])) == 1


def test_upload_form_is_pinned_to_its_key_type_and_size(api, keys):
    program_id = draft_program(api, keys["110000"])
    content = pdf_bytes()
    response = api.call(
        "POST", f"/v1/programs/{program_id}/documents", document_body(content), key=keys["110000"]
    )
    assert response.status_code == 201
    document_id = response.data["document_id"]
    fields = response.data["upload"]["fields"]
    assert fields["key"] == f"documents/{program_id}/{document_id}"
    assert fields["Content-Type"] == "application/pdf"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert {"key": fields["key"]} in policy["conditions"]
    assert ["content-length-range", len(content), len(content)] in policy["conditions"]
    document, program = _document(api, keys["110000"], program_id, document_id)
    assert document["status"] == "pending"
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["filename"] == "京政函〔2019〕12号.pdf"
    assert program["version"] == 2


def test_a_declared_size_over_20_mb_is_422(api, keys):
    program_id = draft_program(api, keys["110000"])
    body = document_body(pdf_bytes(), size=20 * MB + 1)
    response = api.call("POST", f"/v1/programs/{program_id}/documents", body, key=keys["110000"])
    assert response.status_code == 422
    assert response.data["error"]["code"] == "document_too_large"
    assert response.data["error"]["field"] == "size"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_type": "image/png"}, "content_type"),
        ({"sha256": "abc"}, "sha256"),
        ({"filename": "../etc/passwd"}, "filename"),
        ({"filename": ""}, "filename"),
        ({"size": 0}, "size"),
        ({"size": "12"}, "size"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_declarations_are_400_naming_the_field(api, keys, change, field):
    program_id = draft_program(api, keys["110000"])
    body = {**document_body(pdf_bytes()), **change}
    response = api.call("POST", f"/v1/programs/{program_id}/documents", body, key=keys["110000"])
    assert response.status_code == 400
    assert response.data["error"]["field"] == field


def test_only_the_owning_province_uploads_and_only_to_a_draft(api, keys):
    program_id = draft_program(api, keys["110000"])
    body = document_body(pdf_bytes())
    path = f"/v1/programs/{program_id}/documents"
    assert api.call("POST", path, body).status_code == 401
    assert api.call("POST", path, body, key=keys["admin"]).status_code == 403
    assert api.call("POST", path, body, key=keys["320000"]).status_code == 404  # a hidden draft
    verified_document(api, keys["110000"], program_id)
    api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
    assert api.call("POST", path, body, key=keys["320000"]).status_code == 403
    late = api.call("POST", path, body, key=keys["110000"])
    assert late.status_code == 409
    assert late.data["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("case", list(CASES))
def test_the_s3_event_checks_the_stored_object(client, api, keys, case):
    make, status, reason_code = CASES[case]
    content, declared = make()
    program_id = draft_program(api, keys["110000"])
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    key = documents_service.upload_key(program_id, document_id)
    event = client.events.generate_s3_event(bucket=settings().bucket, key=key)

    result = client.lambda_.invoke("document_check", event).payload
    assert result == {"results": [{"key": key, "outcome": status}]}
    document, program = _document(api, keys["110000"], program_id, document_id)
    assert document["status"] == status
    assert document.get("reason_code") == reason_code
    assert ("reason" in document) == (status == "rejected")
    _assert_filed(program_id, document_id, status)

    # S3 delivers at least once, and the client calls the route too: nothing changes.
    again = client.lambda_.invoke("document_check", event).payload
    assert again == result
    route = api.call(
        "POST", f"/v1/programs/{program_id}/documents/{document_id}/check", key=keys["110000"]
    )
    assert route.status_code == 200
    assert route.data == document
    assert (
        _document(api, keys["110000"], program_id, document_id)[1]["version"]
        == (program["version"])
    )


@pytest.mark.parametrize("case", list(CASES))
def test_the_check_route_answers_at_once(api, keys, case):
    make, status, reason_code = CASES[case]
    content, declared = make()
    program_id = draft_program(api, keys["110000"])
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    response = api.call("POST", path, key=keys["110000"])
    assert response.status_code == 200
    assert response.data["id"] == document_id
    assert response.data["status"] == status
    assert response.data.get("reason_code") == reason_code
    _assert_filed(program_id, document_id, status)
    assert api.call("POST", path, key=keys["110000"]).data == response.data


def test_check_before_any_upload_is_409_upload_missing(client, api, keys):
    program_id = draft_program(api, keys["110000"])
    declared = document_body(pdf_bytes())
    created = api.call(
        "POST", f"/v1/programs/{program_id}/documents", declared, key=keys["110000"]
    ).data
    document_id = created["document_id"]
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    response = api.call("POST", path, key=keys["110000"])
    assert response.status_code == 409
    assert response.data["error"]["code"] == "upload_missing"
    key = documents_service.upload_key(program_id, document_id)
    event = client.events.generate_s3_event(bucket=settings().bucket, key=key)
    assert client.lambda_.invoke("document_check", event).payload == {
        "results": [{"key": key, "outcome": "upload_missing"}]
    }
    document, _ = _document(api, keys["110000"], program_id, document_id)
    assert document["status"] == "pending"


def test_the_check_route_is_for_the_owner(api, keys):
    program_id = draft_program(api, keys["110000"])
    content, declared = _good_pdf()
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    assert api.call("POST", path).status_code == 401
    assert api.call("POST", path, key=keys["admin"]).status_code == 403
    assert api.call("POST", path, key=keys["320000"]).status_code == 404
    unknown = api.call(
        "POST", f"/v1/programs/{program_id}/documents/doc_X/check", key=keys["110000"]
    )
    assert unknown.status_code == 404


def test_events_for_other_keys_and_buckets_are_ignored(client, api, keys):
    for bucket, key in [
        (settings().bucket, "exports/2026-11-25/awards.csv"),
        (settings().bucket, "verified/prg_0/doc_0"),
        ("someone-elses-bucket", "documents/prg_01ARZ3NDEKTSV4RRFFQ69G5FAV/doc_x"),
    ]:
        event = client.events.generate_s3_event(bucket=bucket, key=key)
        assert client.lambda_.invoke("document_check", event).payload == {
            "results": [{"key": key, "outcome": "ignored"}]
        }


def test_a_storage_fault_during_the_check_changes_nothing(api, keys, monkeypatch):
    program_id = draft_program(api, keys["110000"])
    content, declared = _good_pdf()
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    before = api.call("GET", f"/v1/programs/{program_id}", key=keys["110000"]).data

    def broken_copy(*args, **kwargs):
        raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, "CopyObject")

    monkeypatch.setattr(objects, "copy", broken_copy)
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    failed = api.call("POST", path, key=keys["110000"])
    assert failed.status_code == 503
    assert failed.data["error"]["code"] == "unavailable"
    assert api.call("GET", f"/v1/programs/{program_id}", key=keys["110000"]).data == before
    monkeypatch.undo()
    assert api.call("POST", path, key=keys["110000"]).data["status"] == "verified"


def test_bytes_replaced_while_checked_are_judged_again(api, keys, monkeypatch):
    """S3 refuses the copy of the judged version (412 on ``CopySourceIfMatch``): the check
    reads the new bytes and judges those; moto does not enforce the condition, so the
    test gives S3's answer once, after replacing the upload."""
    program_id = draft_program(api, keys["110000"])
    content, declared = _good_pdf()
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    s3 = objects.s3()
    real_copy = s3.copy_object
    copies = []

    def replaced_first(**kwargs):
        copies.append(kwargs["Key"])
        if len(copies) == 1:
            key = documents_service.upload_key(program_id, document_id)
            objects.put_bytes(key, png_bytes(), content_type="application/pdf")
            raise ClientError({"Error": {"Code": "PreconditionFailed"}}, "CopyObject")
        return real_copy(**kwargs)

    monkeypatch.setattr(s3, "copy_object", replaced_first)
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    checked = api.call("POST", path, key=keys["110000"])
    assert checked.status_code == 200
    assert checked.data["status"] == "rejected"  # the PNG now there, not the PDF judged first
    assert copies[0].startswith("verified/") and copies[1].startswith("quarantine/")


def test_submit_needs_a_verified_document(api, keys):
    program_id = draft_program(api, keys["110000"])
    submit = f"/v1/programs/{program_id}/submit"
    refused = api.call("POST", submit, key=keys["110000"])
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "document_required"
    content, declared = _renamed_png()
    bad = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    api.call("POST", f"/v1/programs/{program_id}/documents/{bad}/check", key=keys["110000"])
    pending_content, pending = _good_pdf()
    upload(api, keys["110000"], program_id, pending, pending_content)  # never checked
    still = api.call("POST", submit, key=keys["110000"])
    assert still.status_code == 409
    assert still.data["error"]["code"] == "document_required"
    assert Program.get(program_id).status == "draft"
    verified_document(api, keys["110000"], program_id)
    assert api.call("POST", submit, key=keys["110000"]).status_code == 200


def test_a_late_check_on_a_public_programme_is_a_change_in_the_feed(api, keys):
    program_id = draft_program(api, keys["110000"])
    content, declared = _good_ofd()
    late = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    verified_document(api, keys["110000"], program_id)
    api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
    checked = api.call(
        "POST", f"/v1/programs/{program_id}/documents/{late}/check", key=keys["110000"]
    )
    assert checked.data["status"] == "verified"
    entries = [e for e in ChangeEntry.query("110000") if e.entity_id == program_id]
    assert [(e.op, e.data["status"]) for e in entries] == [
        ("status", "submitted"),
        ("update", "submitted"),
    ]
    assert {d["id"]: d["status"] for d in entries[-1].data["documents"]}[late] == "verified"
    assert entries[-1].version == Program.get(program_id).version


def test_owner_and_admin_download_through_a_short_lived_link(api, keys):
    program_id = draft_program(api, keys["110000"])
    content = pdf_bytes(padding=300)
    document_id = upload(api, keys["110000"], program_id, document_body(content), content)[
        "document_id"
    ]
    path = f"/v1/programs/{program_id}/documents/{document_id}"
    pending = api.call("GET", path, key=keys["110000"])
    assert pending.status_code == 409  # never served before the check
    api.call("POST", f"{path}/check", key=keys["110000"])
    for key in (keys["110000"], keys["admin"]):
        response = api.call("GET", path, key=key)
        assert response.status_code == 302
        assert "no-store" in response.headers["Cache-Control"]
        location = response.headers["Location"]
        assert f"verified/{program_id}/{document_id}" in location
        assert f"X-Amz-Expires={settings().download_url_seconds}" in location
        fetched = requests.get(location, timeout=30)
        assert fetched.status_code == 200
        assert fetched.content == content
    # a draft is hidden from everyone else
    assert api.call("GET", path).status_code == 404
    assert api.call("GET", path, key=keys["320000"]).status_code == 404


def test_the_link_as_json_for_a_page_that_shows_the_document_inline(api, keys):
    program_id = draft_program(api, keys["110000"])
    document_id = verified_document(api, keys["110000"], program_id)
    path = f"/v1/programs/{program_id}/documents/{document_id}"
    response = api.call("GET", f"{path}?format=json", key=keys["admin"])
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["Cache-Control"]
    link = response.data
    assert link["expires_in"] == settings().download_url_seconds
    assert f"verified/{program_id}/{document_id}" in link["url"]
    fetched = requests.get(link["url"], timeout=30)
    assert fetched.status_code == 200 and fetched.content == pdf_bytes()
    assert fetched.headers["Content-Type"] == "application/pdf"
    refused = api.call("GET", f"{path}?format=xml", key=keys["admin"])
    assert refused.status_code == 400 and refused.data["error"]["field"] == "format"
    # the same rule as the redirect: not for another province
    assert api.call("GET", f"{path}?format=json", key=keys["320000"]).status_code == 404


def test_the_public_sees_a_submitted_programme_but_not_its_documents(api, keys):
    program_id = draft_program(api, keys["110000"])
    document_id = verified_document(api, keys["110000"], program_id)
    api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
    path = f"/v1/programs/{program_id}/documents/{document_id}"
    assert api.call("GET", path).status_code == 403
    assert api.call("GET", path, key=keys["320000"]).status_code == 403
    assert api.call("GET", f"/v1/programs/{program_id}/documents/doc_X").status_code == 404


def test_public_documents_config_opens_downloads_to_everyone(api, keys, monkeypatch):
    program_id = draft_program(api, keys["110000"])
    document_id = verified_document(api, keys["110000"], program_id)
    path = f"/v1/programs/{program_id}/documents/{document_id}"
    monkeypatch.setenv("PUBLIC_DOCUMENTS", "true")
    settings.cache_clear()
    try:
        assert api.call("GET", path).status_code == 404  # still a draft
        api.call("POST", f"/v1/programs/{program_id}/submit", key=keys["110000"])
        assert api.call("GET", path).status_code == 302
    finally:
        monkeypatch.delenv("PUBLIC_DOCUMENTS")
        settings.cache_clear()


def test_a_rejected_document_is_never_served(api, keys):
    program_id = draft_program(api, keys["110000"])
    content, declared = _wrong_hash()
    document_id = upload(api, keys["110000"], program_id, declared, content)["document_id"]
    path = f"/v1/programs/{program_id}/documents/{document_id}"
    api.call("POST", f"{path}/check", key=keys["110000"])
    for key in (keys["110000"], keys["admin"]):
        response = api.call("GET", path, key=key)
        assert response.status_code == 409
        assert response.data["error"]["code"] == "invalid_state"


def test_the_download_keeps_the_chinese_file_name(api, keys):
    program_id = draft_program(api, keys["110000"])
    document_id = verified_document(api, keys["110000"], program_id)
    location = api.call(
        "GET", f"/v1/programs/{program_id}/documents/{document_id}", key=keys["110000"]
    ).headers["Location"]
    fetched = requests.get(location, timeout=30)
    disposition = fetched.headers["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert "filename*=UTF-8''%E4%BA%AC%E6%94%BF%E5%87%BD" in disposition
    assert fetched.headers["Content-Type"] == "application/pdf"


def test_bytes_uploaded_again_to_a_rejected_document_are_moved_out_too(client, api, keys):
    content, declared = _wrong_hash()
    program_id = draft_program(api, keys["110000"])
    created = upload(api, keys["110000"], program_id, declared, content)
    document_id = created["document_id"]
    key = documents_service.upload_key(program_id, document_id)
    event = client.events.generate_s3_event(bucket=settings().bucket, key=key)
    first = client.lambda_.invoke("document_check", event).payload
    assert first == {"results": [{"key": key, "outcome": "rejected"}]}
    # The presigned form is still valid: the province posts other bytes to it.
    form = created["upload"]
    again = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (declared["filename"], b"%PDF-1.4 again", declared["content_type"])},
        timeout=30,
    )
    assert again.status_code in (200, 201, 204)
    assert objects.head(key) is not None

    second = client.lambda_.invoke("document_check", event).payload
    assert second == first  # still rejected: a verdict is never re-judged
    assert objects.head(key) is None
    body = (
        objects.s3()
        .get_object(
            Bucket=settings().bucket, Key=documents_service.quarantine_key(program_id, document_id)
        )["Body"]
        .read()
    )
    assert body == b"%PDF-1.4 again"
    history = objects.s3().list_object_versions(Bucket=settings().bucket, Prefix=key)
    assert len(history["Versions"]) == 2  # both uploads kept as versions
