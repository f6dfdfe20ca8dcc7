"""Valid request bodies for tests, with the dates written where they are used."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from pypdf import PdfWriter

from chalicelib.domain.credit_code import credit_code_check_char


def credit_code(n: int, *, prefix: str = "91110000") -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    body = f"{prefix}{n:09d}"[:17]
    body = body.replace("I", "1").replace("O", "0")
    return body + credit_code_check_char(body)


def program_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "北京市建设工程长城杯",
        "organizer": "北京市建筑业联合会",
        "authority_relation": "supervises",
        "cycle": "annual",
        "categories": ["housing", "municipal"],
        "approval": {
            "issuer": "北京市人民政府",
            "document_number": "京政函〔2019〕12号",
            # Before the backfill window (awards from 2018-01-01): no test award is dated
            # before its programme's approval unless it means to be (data quality, issue 22).
            "approved_on": "2017-12-01",
        },
    }
    body.update(overrides)
    return body


def award_body(program_id: str, source_id: str = "BJ-2024-0001", **overrides: Any) -> dict:
    body = {
        "source_id": source_id,
        "program_id": program_id,
        "year": 2024,
        "honor": "金质奖",
        "awarded_on": "2024-03-15",
        "announcement_number": "京建发〔2024〕45号",
        "project": {"name": "北京城市副中心综合交通枢纽", "category": "housing"},
        "winners": [
            {
                "name": "北京城建集团有限责任公司",
                "credit_code": credit_code(1),
                "role": "general_contractor",
                "project_manager": "张三",
            },
            {"name": "北京市建筑设计研究院", "credit_code": credit_code(2), "role": "design"},
        ],
    }
    body.update(overrides)
    return body


def dated_award(program_id: str, source_id: str, awarded_on: str, **overrides: Any) -> dict:
    """An award announced on ``awarded_on`` (``YYYY-MM-DD``), of that year: what audits judge."""
    dated = {"awarded_on": awarded_on, "year": int(awarded_on[:4]), **overrides}
    return award_body(program_id, source_id, **dated)


def pdf_bytes(padding: int = 0) -> bytes:
    """A small well-formed one-page PDF (written by pypdf); ``padding`` makes it bigger."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # A4 in points
    if padding:
        writer.add_attachment("padding.txt", b"x" * padding)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def header_only_pdf() -> bytes:
    """What a careless export or a renamed stub looks like: a PDF header and end, no page."""
    return b"%PDF-1.4\n% approval document\n%%EOF\n"


def ofd_bytes() -> bytes:
    """A small OFD package: a ZIP with ``OFD.xml`` at its root (GB/T 33190)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0">'
            "<ofd:DocBody><ofd:DocInfo><ofd:Title>关于设立长城杯的批复</ofd:Title>"
            "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A PNG header and some bytes: an image someone renamed to ``.pdf``."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def document_body(
    content: bytes, content_type: str = "application/pdf", **overrides: Any
) -> dict[str, Any]:
    """The declaration of ``content`` as a province sends it before uploading."""
    import hashlib

    body = {
        "filename": "京政函〔2019〕12号.pdf"
        if content_type == "application/pdf"
        else "京政函〔2019〕12号.ofd",
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    body.update(overrides)
    return body
