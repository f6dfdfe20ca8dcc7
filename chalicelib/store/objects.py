"""S3: approval documents, audit reports and exports, in the stage's one bucket.

The client is the process's one S3 client (``store/aws.py``), made on first use, so
a Lambda that never touches S3 does not pay for it; ``AWS_ENDPOINT_URL`` points it
at the local emulator, as for DynamoDB.

``MultipartWriter`` is a write-only file that streams to S3 in parts gathered
on disk, so the nightly export never holds a file, or even a part, in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import urlencode

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.store import aws
from chalicelib.store.faults import StoreFault

STREAM_CHUNK = 256 * 1024


def s3() -> Any:
    """The process's S3 client (``store/aws.py``: made on first use, thread-safe once made)."""
    return aws.client("s3")


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _is_missing(exc: Exception) -> bool:
    """True for S3's "no such key" answers (HEAD gives a bare 404)."""
    return _error_code(exc) in ("404", "NoSuchKey", "NotFound")


def _is_precondition_failed(exc: Exception) -> bool:
    return _error_code(exc) in ("412", "PreconditionFailed")


class NotFound(StoreFault):
    """No object under the key (S3's 404): e.g. the upload to copy is not there (any more)."""


class PreconditionFailed(StoreFault):
    """S3 refused a conditional write or copy (412): the object exists already, or changed
    since the ETag given was read."""


@contextmanager
def _meaning(key: str) -> Iterator[None]:
    """S3's missing-object and failed-condition answers as ``NotFound``/``PreconditionFailed``
    (the message names the key); any other fault passes unchanged."""
    try:
        yield
    except ClientError as exc:
        if _is_precondition_failed(exc):
            raise PreconditionFailed(key) from exc
        if _is_missing(exc):
            raise NotFound(key) from exc
        raise


def head(key: str) -> dict[str, Any] | None:
    """The object's metadata, or None when there is no object under ``key``."""
    try:
        return s3().head_object(Bucket=settings().bucket, Key=key)
    except ClientError as exc:
        if _is_missing(exc):
            return None
        raise


def stream(key: str) -> tuple[Iterator[bytes], str]:
    """The object's bytes in chunks, and the ETag of the version being read.

    Raises ``NotFound`` when there is no object under ``key``.
    """
    with _meaning(key):
        response = s3().get_object(Bucket=settings().bucket, Key=key)
    return response["Body"].iter_chunks(STREAM_CHUNK), response["ETag"]


def copy(
    source: str, target: str, *, if_match: str | None = None, tags: dict[str, str] | None = None
) -> None:
    """Server-side copy; with ``if_match`` S3 refuses if the source changed meanwhile.

    ``tags`` replace the source's tags on the copy (else they are copied). Raises
    ``PreconditionFailed`` when the source changed, ``NotFound`` when it is gone.
    """
    bucket = settings().bucket
    kwargs: dict[str, Any] = {}
    if if_match:
        kwargs["CopySourceIfMatch"] = if_match
    if tags is not None:
        kwargs["TaggingDirective"] = "REPLACE"
        kwargs["Tagging"] = urlencode(tags)
    with _meaning(source):
        s3().copy_object(
            Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": source}, **kwargs
        )


def delete(key: str) -> None:
    """Delete without a version id: in the versioned bucket, a delete marker (recoverable)."""
    with _meaning(key):
        s3().delete_object(Bucket=settings().bucket, Key=key)


def put_bytes(
    key: str,
    body: bytes,
    *,
    content_type: str,
    if_none_match: bool = False,
    if_match: str | None = None,
) -> str:
    """Write a small object; the conditions make S3 refuse to overwrite (``PreconditionFailed``)."""
    kwargs: dict[str, Any] = {}
    if if_none_match:
        kwargs["IfNoneMatch"] = "*"
    if if_match:
        kwargs["IfMatch"] = if_match
    with _meaning(key):
        response = s3().put_object(
            Bucket=settings().bucket, Key=key, Body=body, ContentType=content_type, **kwargs
        )
    return response.get("ETag", "")


def put_json(key: str, data: Any, **conditions: Any) -> str:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return put_bytes(key, body, content_type="application/json; charset=utf-8", **conditions)


def _get(key: str) -> dict[str, Any] | None:
    """S3's GetObject answer for ``key``; None when there is no object."""
    try:
        return s3().get_object(Bucket=settings().bucket, Key=key)
    except ClientError as exc:
        if _is_missing(exc):
            return None
        raise


def get_json(key: str) -> tuple[Any, str] | None:
    """A small JSON object and its ETag; None when absent."""
    response = _get(key)
    if response is None:
        return None
    return json.loads(response["Body"].read()), response["ETag"]


def presigned_get(
    key: str, *, seconds: int, content_type: str | None = None, disposition: str | None = None
) -> str:
    params: dict[str, Any] = {"Bucket": settings().bucket, "Key": key}
    if content_type:
        params["ResponseContentType"] = content_type
    if disposition:
        params["ResponseContentDisposition"] = disposition
    return s3().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)


class StorageError(Exception):
    """S3 (or botocore before it) refused; the message names the kind of fault only."""


def upload_origin() -> str:
    """The origin (``scheme://host[:port]``) the bucket's presigned upload forms post to."""
    try:
        url = presigned_post("console-origin", content_type="text/plain", size=1, seconds=60)
    except (BotoCoreError, ClientError, ValueError) as exc:
        raise StorageError(type(exc).__name__) from exc
    match = re.match(r"^(https?://[^/?#]+)", url["url"])
    if not match:
        raise StorageError("no origin in the upload URL")
    return match.group(1)


def presigned_post(key: str, *, content_type: str, size: int, seconds: int) -> dict[str, Any]:
    """A browser-style upload form pinned to ``key``, ``content_type`` and ``size`` bytes."""
    return s3().generate_presigned_post(
        settings().bucket,
        key,
        Fields={"Content-Type": content_type},
        # botocore adds the bucket and exact-key conditions itself.
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", size, size],
        ],
        ExpiresIn=seconds,
    )


#: Largest read botocore gets from a spooled part. It hashes and sends a file body in
#: reads of 1 MiB (two alive at once), which would otherwise be the export's peak.
BODY_READ_BYTES = 64 * 1024


class _SmallReads:
    """A spooled part as botocore reads it: at most ``BODY_READ_BYTES`` per sized read.

    Short reads are allowed by the file protocol; botocore and urllib3 read until ``b""``.
    """

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self._file.read()
        return self._file.read(min(size, BODY_READ_BYTES))

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


class MultipartWriter:
    """A binary file that uploads to S3 in parts of about ``part_bytes`` as it is written.

    S3 wants parts of at least 5 MiB, so a part has to be gathered somewhere
    before it is sent: here it is gathered in a temporary file (Lambda's
    ``/tmp``), not in memory, and sent from that file in small reads (botocore
    hashes and sends it as it reads). Memory then stays at one ``write()`` plus
    one read whatever the file's or the part's size, and the disk
    holds at most one part. It also counts the bytes and hashes them, for the
    export manifest. ``close()`` completes the upload (a file smaller than one
    part is a single PutObject); ``abort()`` discards it.
    """

    def __init__(self, key: str, *, content_type: str, part_bytes: int) -> None:
        self.key = key
        self.content_type = content_type
        self.part_bytes = part_bytes
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._spool: IO[bytes] | None = None  # opened on the first write
        self._spooled = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.closed = False

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("write to a closed MultipartWriter")
        self._sha256.update(data)
        self.size += len(data)
        if self._spool is None:
            # Closed (and so deleted) by close() or abort(), not at the end of a block.
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115
        self._spool.write(data)
        self._spooled += len(data)
        if self._spooled >= self.part_bytes:
            # The whole spool goes as one part (parts may differ in size), then starts over.
            self._upload_part(self._rewound())
            self._spool.seek(0)
            self._spool.truncate()
            self._spooled = 0
        return len(data)

    def flush(self) -> None:
        """Parts go out when full; nothing to do here (``gzip`` calls it)."""

    def _rewound(self) -> _SmallReads | bytes:
        """The part gathered so far, as a body botocore reads from the start."""
        if self._spool is None:
            return b""
        self._spool.seek(0)
        return _SmallReads(self._spool)

    def _upload_part(self, body: _SmallReads | bytes) -> None:
        client = s3()
        if self._upload_id is None:
            self._upload_id = client.create_multipart_upload(
                Bucket=settings().bucket, Key=self.key, ContentType=self.content_type
            )["UploadId"]
        number = len(self._parts) + 1
        response = client.upload_part(
            Bucket=settings().bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._upload_id is None:
                s3().put_object(
                    Bucket=settings().bucket,
                    Key=self.key,
                    Body=self._rewound(),
                    ContentType=self.content_type,
                )
            else:
                if self._spooled:
                    self._upload_part(self._rewound())
                s3().complete_multipart_upload(
                    Bucket=settings().bucket,
                    Key=self.key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
        finally:
            self._discard_spool()
        self.closed = True

    def abort(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._discard_spool()
        if self._upload_id is not None:
            s3().abort_multipart_upload(
                Bucket=settings().bucket, Key=self.key, UploadId=self._upload_id
            )

    def _discard_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()  # a TemporaryFile is deleted when closed
            self._spool = None
        self._spooled = 0


def get_bytes(key: str) -> bytes | None:
    """A small object's bytes; None when absent."""
    response = _get(key)
    return None if response is None else response["Body"].read()


def purge(prefix: str) -> int:
    """Delete every object under ``prefix`` for good: all versions and delete markers.

    Only for copies that must not outlive their use (an import's upload and chunks
    hold personal data, issue 19): a plain ``delete`` in this versioned bucket would
    leave the bytes in a noncurrent version. Returns how many versions went.
    """
    client, bucket = s3(), settings().bucket
    deleted = 0
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for kind in ("Versions", "DeleteMarkers")
            for item in page.get(kind, [])
        ]
        for start in range(0, len(doomed), 1000):
            answer = client.delete_objects(
                Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
            )
            if answer.get("Errors"):
                raise RuntimeError(f"S3 kept {len(answer['Errors'])} objects under {prefix}")
            deleted += len(doomed[start : start + 1000])
    return deleted


def purge_noncurrent(key: str) -> int:
    """Delete the earlier versions (and delete markers) of ``key``, keeping the current one."""
    client, bucket = s3(), settings().bucket
    answer = client.list_object_versions(Bucket=bucket, Prefix=key)
    doomed = [
        {"Key": item["Key"], "VersionId": item["VersionId"]}
        for kind in ("Versions", "DeleteMarkers")
        for item in answer.get(kind, [])
        if item["Key"] == key and not item.get("IsLatest")
    ]
    if doomed:
        client.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    return len(doomed)


def keys_under(prefix: str) -> Iterator[str]:
    """The current objects' keys under ``prefix``."""
    for page in (
        s3().get_paginator("list_objects_v2").paginate(Bucket=settings().bucket, Prefix=prefix)
    ):
        for item in page.get("Contents", []):
            yield item["Key"]
