"""Approval documents: presigned upload, the check of the stored object, download.

A province declares a document (name, type, size, SHA-256) on a draft
programme and gets an S3 presigned POST pinned to one key, that type and that
size; the bytes never pass through Lambda. The stored object is then checked
once (``check_document``): from the S3 object-created event in the cloud, and
from the check route a client calls after its upload (``chalice local`` and
moto fire no events, and moto does not enforce the POST policy, so the check
is the real guard).

Where the objects live:

- ``documents/<program>/<document>``: the upload target. The presigned POST
  stays valid for a while after the check, so what sits here is never served.
- ``verified/<program>/<document>``: a server-side copy made after the check,
  conditioned on the ETag of the bytes that were checked. Downloads read only
  this key, so a later overwrite of the upload key cannot swap the document.
- ``quarantine/documents/<program>/<document>``: a rejected upload, moved here
  (copy, then delete of the upload key) and tagged ``registry-status=rejected``,
  kept for inspection until the bucket's lifecycle expires it.

The document's status lives in the programme item's ``documents`` list and
changes in one conditional write with the programme's version (through the
change feed when the programme is public), so a failed check never leaves a
programme half-updated.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote_plus

from chalicelib.config import settings
from chalicelib.domain import program_status, schemas
from chalicelib.domain.documents import (
    Expected,
    Verdict,
    inspect_document,
    judge_stored,
)
from chalicelib.domain.errors import (
    BusinessRuleError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnavailableError,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.media_types import OFD
from chalicelib.domain.principal import Principal, Province
from chalicelib.observability import logger
from chalicelib.services.programs import get_program, owned_program, publish, stored
from chalicelib.store import ledger, objects
from chalicelib.store import programs as program_store
from chalicelib.store.base import iso_utc

UPLOAD_PREFIX = "documents/"
VERIFIED_PREFIX = "verified/"
QUARANTINE_PREFIX = "quarantine/"
_UPLOAD_KEY = re.compile(r"^documents/(prg_[0-9A-Z]{26})/(doc_[0-9A-Z]{26})$")
# The S3 event and the check route may race, and an upload may be replaced
# between the read and the copy: a few attempts settle either.
_CHECK_ATTEMPTS = 3

PUBLIC_FIELDS = (
    "id",
    "filename",
    "content_type",
    "size",
    "sha256",
    "status",
    "reason",
    "reason_code",
    "created_at",
    "checked_at",
)


def upload_key(program_id: str, document_id: str) -> str:
    return f"{UPLOAD_PREFIX}{program_id}/{document_id}"


def verified_key(program_id: str, document_id: str) -> str:
    return f"{VERIFIED_PREFIX}{program_id}/{document_id}"


def quarantine_key(program_id: str, document_id: str) -> str:
    return f"{QUARANTINE_PREFIX}{upload_key(program_id, document_id)}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """``(program_id, document_id)`` of an upload key; None for any other key."""
    match = _UPLOAD_KEY.match(key)
    return (match.group(1), match.group(2)) if match else None


def document_view(document: dict[str, Any]) -> dict[str, Any]:
    return {k: document[k] for k in PUBLIC_FIELDS if document.get(k) is not None}


def _find(program: program_store.Program, document_id: str) -> dict[str, Any]:
    for document in program.documents or []:
        if document.get("id") == document_id:
            return document
    raise NotFoundError(f"no document {document_id} on programme {program.id}")


def request_upload(
    principal: Province, program_id: str, body: schemas.DocumentIn, now: datetime
) -> dict[str, Any]:
    """Declare a document on a draft and hand out the presigned POST for its bytes."""
    owned_program(program_id, principal)
    config = settings()
    if body.size > config.max_document_bytes:
        raise BusinessRuleError(
            "document_too_large",
            f"an approval document may be at most {config.max_document_bytes} bytes",
            field="size",
        )
    at = iso_utc(now)
    document: dict[str, Any] = {
        "id": new_id("doc"),
        "filename": body.filename,
        "content_type": body.content_type,
        "size": body.size,
        "sha256": body.sha256,
        "status": "pending",
        "created_at": at,
    }

    def attempt() -> None:
        program = stored(program_id)
        if program.status != "draft":
            raise ConflictError(
                "invalid_state",
                f"documents are added while the programme is a draft; it is {program.status}",
                field="status",
            )
        if len(program.documents or []) >= config.max_documents:
            raise BusinessRuleError(
                "too_many_documents",
                f"a programme holds at most {config.max_documents} documents",
                field="documents",
            )
        program.documents = [*(program.documents or []), document]
        program.updated_at = at
        program_store.save_if_unchanged(program)

    ledger.until_committed(attempt)
    post = objects.presigned_post(
        upload_key(program_id, document["id"]),
        content_type=body.content_type,
        size=body.size,
        seconds=config.upload_url_seconds,
    )
    return {
        "document_id": document["id"],
        "document": document_view(document),
        "upload": {
            "url": post["url"],
            "fields": post["fields"],
            "expires_in": config.upload_url_seconds,
        },
    }


def inspect_upload(expected: Expected, key: str, *, max_bytes: int) -> tuple[Verdict, str]:
    """Judge the object under ``key`` (type, size, SHA-256): the verdict and the judged ETag.

    Shared with spreadsheet imports. Raises ``ConflictError("upload_missing")``
    when nothing was uploaded yet.
    """
    meta = objects.head(key)
    if meta is None:
        raise ConflictError(
            "upload_missing",
            "nothing was uploaded yet; POST the file to the upload URL first",
        )
    early = judge_stored(
        expected,
        stored_size=int(meta["ContentLength"]),
        stored_type=meta.get("ContentType"),
        max_bytes=max_bytes,
    )
    if early is not None:
        return early, meta["ETag"]
    chunks, etag = objects.stream(key)
    return inspect_document(expected, chunks), etag


def _inspect(document: dict[str, Any], key: str) -> tuple[Verdict, str]:
    expected = Expected(document["content_type"], int(document["size"]), document["sha256"])
    return inspect_upload(expected, key, max_bytes=settings().max_document_bytes)


def _file_away(program_id: str, document_id: str, verdict: Verdict, etag: str) -> None:
    """Copy the judged bytes where they belong, refusing if the upload changed meanwhile."""
    source = upload_key(program_id, document_id)
    if verdict.ok:
        objects.copy(source, verified_key(program_id, document_id), if_match=etag)
        return
    _quarantine(program_id, document_id, etag, verdict.code or "rejected")


def _quarantine(program_id: str, document_id: str, etag: str, code: str) -> None:
    """Move the upload (the version with ``etag``) to ``quarantine/``, tagged with why.

    A real move: nothing rejected stays under documents/ (which the S3 event and the
    check read). This is not a hard delete of a record: the bucket is versioned and the
    delete names no version, so S3 only adds a delete marker; the judged bytes stay as a
    noncurrent version (lifecycle: NoncurrentVersionExpiration on documents/) and as the
    quarantine copy. The functions hold s3:DeleteObject, not s3:DeleteObjectVersion, so
    they cannot erase a version. Chosen over tagging the upload and expiring it by tag,
    which would leave it readable under documents/ for days. If the province uploads
    again between the copy and the delete, its new bytes are hidden too: the document is
    rejected either way and a new one must be declared.
    """
    source = upload_key(program_id, document_id)
    tags = {"registry-status": "rejected", "reason": code}
    objects.copy(source, quarantine_key(program_id, document_id), if_match=etag, tags=tags)
    objects.delete(source)


def _sweep_rejected(program_id: str, document: dict[str, Any]) -> None:
    """Move bytes uploaded again to a rejected document's key (its form outlives the check)."""
    meta = objects.head(upload_key(program_id, document["id"]))
    if meta is None:
        return
    # Replaced or moved meanwhile: the next upload's event sweeps again.
    with suppress(objects.PreconditionFailed, objects.NotFound):
        _quarantine(
            program_id, document["id"], meta["ETag"], document.get("reason_code") or "rejected"
        )


def _record(program_id: str, document_id: str, verdict: Verdict, now: datetime) -> dict:
    """Write the verdict and the programme's new version in one conditional write."""

    def attempt() -> dict:
        program = stored(program_id)
        document = _find(program, document_id)
        if document.get("status") != "pending":
            return document_view(document)  # another check finished first
        at = iso_utc(now)
        checked = {**document, "status": "verified" if verdict.ok else "rejected", "checked_at": at}
        if not verdict.ok:
            checked["reason"] = verdict.reason
            checked["reason_code"] = verdict.code
        program.documents = [
            checked if d.get("id") == document_id else d for d in program.documents or []
        ]
        program.updated_at = at
        if program.status in program_status.PUBLIC:
            # Public data changed: it goes through the change feed like any other change.
            publish(program, "update", at)
        else:
            program_store.save_if_unchanged(program)
        return document_view(checked)

    return ledger.until_committed(attempt)


def check_document(program_id: str, document_id: str, now: datetime) -> dict[str, Any]:
    """Check the stored object once and record ``verified`` or ``rejected``; idempotent.

    Raises ``ConflictError("upload_missing")`` when there is no object yet.
    """
    for _ in range(_CHECK_ATTEMPTS):
        program = stored(program_id)
        document = _find(program, document_id)
        if document.get("status") == "rejected":
            _sweep_rejected(program_id, document)
        if document.get("status") != "pending":
            return document_view(document)
        try:
            verdict, etag = _inspect(document, upload_key(program_id, document_id))
            _file_away(program_id, document_id, verdict, etag)
        except (objects.PreconditionFailed, objects.NotFound):
            continue  # the upload was replaced while we read it: judge the new bytes
        logger.info(
            "document checked",
            extra={"program_id": program_id, "document_id": document_id, "code": verdict.code},
        )
        return _record(program_id, document_id, verdict, now)
    raise UnavailableError("the upload kept changing while it was checked; try again")


def check_by_owner(
    principal: Province, program_id: str, document_id: str, now: datetime
) -> dict[str, Any]:
    """The check route: the owning province asks for the check right after its upload."""
    program = owned_program(program_id, principal)
    _find(program, document_id)
    return check_document(program_id, document_id, now)


def handle_s3_event(event: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Check every uploaded document an S3 object-created event names.

    Keys outside ``documents/`` and unknown documents are skipped (logged),
    not raised: a retry would not make them valid. Storage faults raise, so
    Lambda retries the event; the check is idempotent.
    """
    results = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        key = unquote_plus((s3.get("object") or {}).get("key") or "")
        parsed = parse_upload_key(key)
        created = str(record.get("eventName", "")).startswith("ObjectCreated")
        if bucket != settings().bucket or parsed is None or not created:
            logger.info("s3 event ignored", extra={"bucket": bucket, "key": key})
            results.append({"key": key, "outcome": "ignored"})
            continue
        try:
            document = check_document(*parsed, now)
        except (NotFoundError, ConflictError) as error:
            logger.info("s3 event skipped", extra={"key": key, "code": error.code})
            results.append({"key": key, "outcome": error.code})
            continue
        results.append({"key": key, "outcome": document["status"]})
    return results


def _disposition(filename: str, content_type: str) -> str:
    """``Content-Disposition`` with the original (often Chinese) name, RFC 6266 style."""
    kind = "attachment" if content_type == OFD else "inline"
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("._") or "document"
    extension = ".ofd" if content_type == OFD else ".pdf"
    if not fallback.lower().endswith(extension):
        fallback += extension
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_url(principal: Principal | None, program_id: str, document_id: str) -> str:
    """A short-lived presigned GET of a verified document, for whoever may read it."""
    program = get_program(program_id, principal)  # 404 when the caller may not see it
    document = _find(program, document_id)
    privileged = principal is not None and (
        principal.is_admin or principal.owns(program.authority_id)
    )
    if not privileged and not settings().public_documents:
        raise ForbiddenError("approval documents are for the owning authority and administrators")
    if document.get("status") != "verified":
        raise ConflictError(
            "invalid_state",
            f"the document is {document.get('status')}; only verified documents are served",
            field="status",
        )
    return objects.presigned_get(
        verified_key(program_id, document_id),
        seconds=settings().download_url_seconds,
        content_type=document["content_type"],
        disposition=_disposition(document["filename"], document["content_type"]),
    )
