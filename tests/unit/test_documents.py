"""The document rules on bytes alone: magic bytes, size, SHA-256, streamed in chunks."""

from __future__ import annotations

import hashlib
import io
import zipfile

from pypdf import PdfWriter

from chalicelib.domain.documents import Expected, inspect_document, judge_stored
from tests.factories import header_only_pdf, ofd_bytes, pdf_bytes, png_bytes


def expect(content: bytes, content_type: str = "application/pdf", **changes) -> Expected:
    values = {
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **changes,
    }
    return Expected(**values)


def chunked(content: bytes, size: int = 7) -> list[bytes]:
    return [content[i : i + size] for i in range(0, len(content), size)]


def test_a_pdf_read_in_small_chunks_is_verified():
    content = pdf_bytes(padding=5000)
    assert inspect_document(expect(content), chunked(content)).ok


def test_an_ofd_package_is_verified():
    content = ofd_bytes()
    assert inspect_document(expect(content, "application/ofd"), chunked(content, 100)).ok


def test_a_renamed_png_is_not_a_pdf():
    verdict = inspect_document(expect(png_bytes()), [png_bytes()])
    assert (verdict.ok, verdict.code) == (False, "not_pdf")


def test_a_pdf_cut_before_its_end_marker_is_incomplete():
    cut = pdf_bytes(padding=3000)[:2000]
    verdict = inspect_document(expect(cut), [cut])  # declared as what was cut: still refused
    assert verdict.code == "pdf_incomplete"


def test_a_pdf_that_is_only_a_header_and_an_end_marker_cannot_be_opened():
    content = header_only_pdf()
    verdict = inspect_document(expect(content), [content])
    assert (verdict.ok, verdict.code) == (False, "pdf_unreadable")


def test_a_pdf_without_pages_is_refused():
    content = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )
    assert inspect_document(expect(content), [content]).code == "pdf_no_pages"


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    assert inspect_document(expect(content), chunked(content, 500)).code == "pdf_encrypted"


def test_a_zip_without_ofd_xml_is_not_an_ofd():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    content = buffer.getvalue()
    assert inspect_document(expect(content, "application/ofd"), [content]).code == "not_ofd"
    pdf = pdf_bytes()
    assert inspect_document(expect(pdf, "application/ofd"), [pdf]).code == "not_ofd"


def test_a_different_hash_or_length_is_refused():
    content = pdf_bytes()
    wrong = expect(content, sha256=hashlib.sha256(b"x").hexdigest())
    assert inspect_document(wrong, [content]).code == "sha256_mismatch"
    assert inspect_document(expect(content, size=len(content) + 1), [content]).code == (
        "size_mismatch"
    )


def test_stored_metadata_is_judged_before_reading():
    declared = Expected("application/pdf", 100, "0" * 64)
    too_big = judge_stored(declared, stored_size=101, stored_type="application/pdf", max_bytes=100)
    assert too_big.code == "too_large"
    shorter = judge_stored(declared, stored_size=99, stored_type="application/pdf", max_bytes=100)
    assert shorter.code == "size_mismatch"
    other_type = judge_stored(declared, stored_size=100, stored_type="image/png", max_bytes=100)
    assert other_type.code == "content_type_mismatch"
    fine = judge_stored(
        declared, stored_size=100, stored_type="application/pdf; charset=binary", max_bytes=100
    )
    assert fine is None
