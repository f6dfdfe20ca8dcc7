"""Stored receipts: each signed receipt by its id, and which receipt answered what.

``receipts/<id>.jws`` holds a receipt exactly as signed (kept 5 years by the
bucket's lifecycle rule, like everything under ``receipts/``).
``receipts/answers/<answer key>`` holds the id of the receipt that signed one
answer — one credit code at one change-feed position — so the same question
asked again, with nothing changed since, gets that receipt back instead of a
new signature and a new object (issue 19, M4). The first receipt to claim an
answer keeps it (a conditional write).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from chalicelib.store import objects

RECEIPT_PREFIX = "receipts/"
ANSWER_PREFIX = "receipts/answers/"
RECEIPT_TYPE = "application/jose"
# S3's 409 to a conditional write racing another on the same key (412s arrive as
# ``objects.PreconditionFailed``).
_RACED = "ConditionalRequestConflict"


def _receipt_key(receipt_id: str) -> str:
    return f"{RECEIPT_PREFIX}{receipt_id}.jws"


def put_receipt(receipt_id: str, jws: str) -> None:
    """Store a new receipt (never overwrites one: the id is new)."""
    objects.put_bytes(
        _receipt_key(receipt_id), jws.encode("ascii"), content_type=RECEIPT_TYPE, if_none_match=True
    )


def get_receipt(receipt_id: str) -> str | None:
    """A stored receipt exactly as signed; None when there is none."""
    body = objects.get_bytes(_receipt_key(receipt_id))
    return None if body is None else body.decode("ascii")


def receipt_for_answer(answer_key: str) -> str | None:
    """The id of the receipt that signed this answer, if one did."""
    body = objects.get_bytes(f"{ANSWER_PREFIX}{answer_key}")
    return None if body is None else body.decode("ascii")


def claim_answer(answer_key: str, receipt_id: str, *, replace: bool = False) -> bool:
    """Record ``receipt_id`` as this answer's receipt; False when another claimed it first.

    ``replace``: the receipt recorded is no longer to be handed out (signed with a key
    since retired): this one takes its place.
    """
    try:
        objects.put_bytes(
            f"{ANSWER_PREFIX}{answer_key}",
            receipt_id.encode("ascii"),
            content_type="text/plain",
            if_none_match=not replace,
        )
    except objects.PreconditionFailed:
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == _RACED:
            return False
        raise
    return True
