"""What an approval document must be: the rules of the check, without S3.

A province uploads the approval document (the provincial government's reply
setting the award up) straight to S3 through a presigned POST. S3 in the cloud
enforces the POST policy, but moto does not, and a policy cannot say "this is
really a PDF" or "these bytes hash to what you declared". This module judges
the stored bytes as a document: a PDF must open with ``pypdf`` (a maintained
parser), have at least one page and not be encrypted; an OFD must be a ZIP
holding ``OFD.xml``; then size and SHA-256. A file that only starts like a PDF
(``%PDF-1.4`` and ``%%EOF``, no page) is rejected: a reviewer could not read it.
It reads a stream of chunks once and spools a document to a temporary file that
stays in memory only while small.

Example
-------
>>> body = b"%PDF-1.4\\n%%EOF\\n"
>>> import hashlib
>>> expected = Expected("application/pdf", len(body), hashlib.sha256(body).hexdigest())
>>> inspect_document(expected, [body]).code
'pdf_unreadable'
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from chalicelib.domain.media_types import CSV, JPEG, OFD, PDF, PNG, XLSX

# Spreadsheet imports (``POST /v1/imports``, XLSX or CSV) are checked the same way.
CONTENT_TYPES: tuple[str, ...] = (PDF, OFD)

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
# An objection's evidence (issue 23) may be a JPEG or PNG scan.
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Readers accept the end-of-file marker anywhere in the last 1024 bytes.
_PDF_TAIL = 1024
_SPOOL_IN_MEMORY = 1024 * 1024


@dataclass(frozen=True)
class Expected:
    """What the province declared when it asked for the upload."""

    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok``, or a stable ``code`` with a reason for people."""

    ok: bool
    code: str | None = None
    reason: str | None = None

    @classmethod
    def rejected(cls, code: str, reason: str) -> Verdict:
        return cls(False, code, reason)


VERIFIED = Verdict(True)


def judge_stored(
    expected: Expected, *, stored_size: int, stored_type: str | None, max_bytes: int
) -> Verdict | None:
    """Reject from the object's metadata alone, before reading a byte; None to go on."""
    if stored_size > max_bytes:
        return Verdict.rejected(
            "too_large", f"the file is {stored_size} bytes, over the limit of {max_bytes}"
        )
    if stored_size != expected.size:
        return Verdict.rejected(
            "size_mismatch",
            f"the file is {stored_size} bytes, but {expected.size} were declared",
        )
    if (stored_type or "").split(";")[0].strip().lower() != expected.content_type:
        return Verdict.rejected(
            "content_type_mismatch",
            f"the file was stored as {stored_type!r}, not {expected.content_type}",
        )
    return None


def _is_ofd(spool: IO[bytes]) -> bool:
    spool.seek(0)
    try:
        with zipfile.ZipFile(spool) as archive:
            return "OFD.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _pdf_verdict(spool: IO[bytes]) -> Verdict | None:
    """Opens the PDF as a reader would: None when it opens, has a page and is not encrypted."""
    # measured: importing pypdf takes ~170 ms; only a document check pays it, never a cold start
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    spool.seek(0)
    try:
        reader = PdfReader(spool)
        if reader.is_encrypted:
            return Verdict.rejected("pdf_encrypted", "the PDF is encrypted (password protected)")
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return Verdict.rejected("pdf_unreadable", f"the PDF cannot be opened: {type(exc).__name__}")
    except RecursionError:
        return Verdict.rejected("pdf_unreadable", "the PDF cannot be opened: its objects loop")
    if pages < 1:
        return Verdict.rejected("pdf_no_pages", "the PDF has no page")
    return None


def inspect_document(expected: Expected, chunks: Iterable[bytes]) -> Verdict:
    """Judge the stored bytes against what was declared, reading ``chunks`` once.

    The type comes first (a renamed PNG is reported as "not a PDF", which
    tells the province more than a hash mismatch would), then the size and
    the SHA-256 of everything read.
    """
    digest = hashlib.sha256()
    head = b""
    tail = b""
    size = 0
    with contextlib.ExitStack() as stack:
        spool: IO[bytes] | None = None
        if expected.content_type in (OFD, PDF):
            spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY))
        for chunk in chunks:
            if not chunk:
                continue
            digest.update(chunk)
            size += len(chunk)
            if len(head) < 8:
                head = (head + chunk[:8])[:8]
            tail = (tail + chunk)[-_PDF_TAIL:]
            if spool is not None:
                spool.write(chunk)
        if expected.content_type == PDF:
            if not head.startswith(_PDF_MAGIC):
                return Verdict.rejected("not_pdf", "the file does not start with %PDF-")
            if b"%%EOF" not in tail:
                return Verdict.rejected(
                    "pdf_incomplete", "the PDF has no %%EOF marker at its end (truncated?)"
                )
            unreadable = _pdf_verdict(spool) if spool is not None else None
            if unreadable is not None:
                return unreadable
        elif expected.content_type == OFD:
            if not head.startswith(_ZIP_MAGIC) or spool is None or not _is_ofd(spool):
                return Verdict.rejected(
                    "not_ofd", "the file is not an OFD package (a ZIP containing OFD.xml)"
                )
        elif expected.content_type == JPEG:
            if not head.startswith(_JPEG_MAGIC):
                return Verdict.rejected("not_jpeg", "the file is not a JPEG image")
        elif expected.content_type == PNG:
            if not head.startswith(_PNG_MAGIC):
                return Verdict.rejected("not_png", "the file is not a PNG image")
        elif expected.content_type == XLSX:
            if not head.startswith(_ZIP_MAGIC):
                return Verdict.rejected("not_xlsx", "the file is not an XLSX workbook (a ZIP)")
        elif expected.content_type != CSV:  # CSV has no magic bytes: the reader judges it
            return Verdict.rejected(
                "content_type_mismatch", f"{expected.content_type} is not accepted"
            )
    if size != expected.size:
        return Verdict.rejected(
            "size_mismatch", f"read {size} bytes, but {expected.size} were declared"
        )
    if digest.hexdigest() != expected.sha256:
        return Verdict.rejected(
            "sha256_mismatch", "the SHA-256 of the file differs from the declared value"
        )
    return VERIFIED
