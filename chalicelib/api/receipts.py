"""Signed verification receipts and the public keys that check them (issue 14).

``bp`` is mounted under ``/v1``; ``root_bp`` at the root, for the JWKS at its
well-known address (RFC 8615), which verifiers look up without the version.
"""

from __future__ import annotations

import json
from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import CREDIT_CODE, RECEIPT_ID, Raw
from chalicelib.api.http import route, source_ip
from chalicelib.domain.queries import CreditCodeQuery
from chalicelib.services import receipt_keys, receipts

bp = Blueprint(__name__)

JOSE = Raw(
    ("application/jose",),
    {"type": "string", "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"},
)
JWKS = Raw(
    ("application/jwk-set+json",),
    {
        "type": "object",
        "required": ["keys"],
        "properties": {
            "keys": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kty", "crv", "x", "y", "kid", "alg"],
                    "properties": {
                        "kty": {"const": "EC"},
                        "crv": {"const": "P-256"},
                        "x": {"type": "string"},
                        "y": {"type": "string"},
                        "kid": {"type": "string"},
                        "alg": {"const": "ES256"},
                        "use": {"const": "sig"},
                    },
                },
            }
        },
    },
)
root_bp = Blueprint(__name__ + ".root")

JWKS_TYPE = "application/jwk-set+json"


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


@route(
    bp,
    "GET",
    "/verify/receipt",
    summary="A signed verification receipt (compact JWS, ES256, KMS key)",
    audience="public",
    ok={200: JOSE},
    query=(CREDIT_CODE,),
    errors=(429,),
    description="The answer of `GET /v1/verify` (every page, public fields only) "
    "signed by the registry's KMS key: credit code, enterprise names as pushed, each "
    "award with version, status and validity, programme name and approval document "
    "number, `iat`, `receipt_id` and the change-feed position it reflects. The header "
    "`kid` names the key in `/.well-known/jwks.json`. Stored 5 years under its id. "
    "Asked again while nothing changed (same credit code, same change-feed position, same "
    "signing key), the receipt signed then is answered again (no new signature). "
    "503 `unavailable` when KMS is. At most `RECEIPT_RATE_LIMIT` receipts and printed "
    "pages per client per `RECEIPT_RATE_WINDOW_SECONDS` (100 per 300 s): past it, 429 "
    "`throttled` with `Retry-After`.",
)
def issue_receipt(query: CreditCodeQuery, now: datetime) -> Response:
    receipts.check_client_rate(source_ip(bp.current_request), now)
    receipt = receipts.issue_receipt(query.credit_code, now)
    return _jose(receipt["jws"], "no-store", receipt["receipt_id"])


@route(
    bp,
    "GET",
    "/verify/receipts/{receipt_id}",
    summary="A receipt issued earlier, exactly as signed",
    audience="public",
    ok={200: JOSE},
    errors=(404,),
    path_patterns={"receipt_id": RECEIPT_ID},
)
def stored_receipt(receipt_id: str) -> Response:
    # A receipt never changes once signed: caches may keep it.
    return _jose(receipts.stored_receipt(receipt_id), "public, max-age=86400", receipt_id)


def _jwks() -> Response:
    return Response(
        body=json.dumps(receipt_keys.jwks(), separators=(",", ":")),
        status_code=200,
        headers={"Content-Type": JWKS_TYPE, "Cache-Control": "public, max-age=300"},
    )


@route(
    bp,
    "GET",
    "/.well-known/jwks.json",
    summary="The receipt signing keys (JWK Set), retired ones included",
    audience="public",
    ok={200: JWKS},
)
def jwks_v1() -> Response:
    return _jwks()


@route(
    root_bp,
    "GET",
    "/.well-known/jwks.json",
    summary="The receipt signing keys at their well-known address",
    audience="public",
    ok={200: JWKS},
)
def jwks_root() -> Response:
    return _jwks()
