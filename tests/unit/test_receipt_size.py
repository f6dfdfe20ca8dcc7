"""The receipt size bound (``domain/receipt_size.py``) holds for the worst award the schemas allow.

Every text a receipt lists is filled to its schema maximum with a 4-byte UTF-8
character, and the award as ``receipt_award`` lists it must fit
``AWARD_JSON_BYTES``; so a receipt of ``receipt_max_awards`` awards always fits
the limit the office tool checks against.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain import schemas
from chalicelib.domain.receipt_size import (
    AWARD_JSON_BYTES,
    ENVELOPE_JSON_BYTES,
    NAME_JSON_BYTES,
    max_payload_segment,
)
from chalicelib.services.receipts import receipt_award

WIDE = "𠀀"  # CJK Extension B: one character, four bytes of UTF-8


def _max_length(model: type, *path: str) -> int:
    """``maxLength`` of a (possibly optional, possibly nested) text field of ``model``."""
    schema = model.model_json_schema()
    node: dict[str, Any] = schema
    for name in path:
        node = node["properties"][name]
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    options = node.get("anyOf", [node])
    return max(option.get("maxLength", 0) for option in options)


def _text(model: type, *path: str) -> str:
    length = _max_length(model, *path)
    assert length > 0, path
    return WIDE * length


def test_the_widest_award_a_receipt_can_list_fits_the_bound():
    view = {
        "id": "awd_01M9675ACRNTY1C56AJ5MBM59T",
        "version": 999_999,
        "status": "revoked",
        "validity": "revoked",
        "validity_detail": {
            "reason": _text(schemas.WithdrawIn, "reason"),
            "effective_on": "2026-12-31",
            "granted_before_withdrawal": True,
        },
        "honor": _text(schemas.AwardIn, "honor"),
        "year": 2026,
        "awarded_on": "2026-12-31",
        "announcement_number": _text(schemas.AwardIn, "announcement_number"),
        "program_id": "prg_01M9675ACRNTY1C56AJ5MBM59T",
        "program_status": "withdrawn",
        "authority_id": "110000-PNR",
        "project": {"name": _text(schemas.AwardIn, "project", "name"), "location_code": "110112"},
        "enterprise_role": "specialty_contractor",
        "revoked_at": "2026-12-31T23:59:59.999999Z",
        "revoked_reason": _text(schemas.RevokeIn, "reason"),
        "revoked_document_number": _text(schemas.RevokeIn, "document_number"),
    }
    program = {
        "name": _text(schemas.ProgramIn, "name"),
        "approval": {"document_number": _text(schemas.ProgramIn, "approval", "document_number")},
    }
    listed = receipt_award(view, program, "91110000000000001H")
    size = len(json.dumps(listed, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    assert size <= AWARD_JSON_BYTES, size
    name = json.dumps(_text(schemas.Winner, "name"), ensure_ascii=False) + ","
    assert len(name.encode("utf-8")) <= NAME_JSON_BYTES


def test_the_limit_covers_the_maximum_receipt_and_is_what_joserfc_lacked():
    largest_json = ENVELOPE_JSON_BYTES + 1000 * (AWARD_JSON_BYTES + NAME_JSON_BYTES)
    assert max_payload_segment(1000) >= largest_json * 4 / 3
    assert max_payload_segment(1000) > 128_000
