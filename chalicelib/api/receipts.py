"""Signed verification receipts and the public keys that check them (issue 14).

``bp`` is mounted under ``/v1``; ``root_bp`` at the root, for the JWKS at its
well-known address (RFC 8615), which verifiers look up without the version.
"""

from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, query_params
from chalicelib.domain.errors import ValidationError
from chalicelib.services import receipt_keys, receipts

bp = Blueprint(__name__)
root_bp = Blueprint(__name__ + ".root")

JWKS_TYPE = "application/jwk-set+json"
_RECEIPT_PARAMS = {"credit_code"}


def _jose(jws: str, cache: str, receipt_id: str) -> Response:
    return Response(
        body=jws,
        status_code=200,
        headers={
            "Content-Type": receipts.RECEIPT_TYPE,
            "Cache-Control": cache,
            "Content-Disposition": f'inline; filename="{receipt_id}.jws"',
            "X-Receipt-Id": receipt_id,
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/verify/receipt", methods=["GET"])
@endpoint(bp)
def issue_receipt() -> Response:
    params = query_params(bp.current_request)
    unknown = sorted(set(params) - _RECEIPT_PARAMS)
    if unknown:
        raise ValidationError(f"unknown query parameter {unknown[0][:64]}", field=unknown[0][:64])
    receipt = receipts.issue_receipt(params.get("credit_code"))
    return _jose(receipt["jws"], "no-store", receipt["receipt_id"])


@bp.route("/verify/receipts/{receipt_id}", methods=["GET"])
@endpoint(bp)
def stored_receipt(receipt_id: str) -> Response:
    # A receipt never changes once signed: caches may keep it.
    return _jose(receipts.stored_receipt(receipt_id), "public, max-age=86400", receipt_id)


def _jwks() -> Response:
    return Response(
        body=json.dumps(receipt_keys.jwks(), separators=(",", ":")),
        status_code=200,
        headers={"Content-Type": JWKS_TYPE, "Cache-Control": "public, max-age=300"},
    )


@bp.route("/.well-known/jwks.json", methods=["GET"])
@endpoint(bp)
def jwks_v1() -> Response:
    return _jwks()


@root_bp.route("/.well-known/jwks.json", methods=["GET"])
@endpoint(root_bp)
def jwks_root() -> Response:
    return _jwks()
