"""The public web page and the printable verification: HTML, served at the root.

Registered without the ``/v1`` prefix (``GET /``, ``GET /static/{name}``) plus
``GET /v1/verify/print``, which answers a browser with HTML. The page is
plain files in ``chalicelib/web`` (no build step); the only server-side
values in it are the path prefix of the API (the API Gateway stage), whether
the per-province timeliness table is public (``public_timeliness``) and the
timeliness rule's words, from the configuration.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from functools import cache
from pathlib import Path
from string import Template

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.http import (
    PAGE_POLICY,
    endpoint,
    page_policy,
    public_base_url,
    query_params,
)
from chalicelib.config import settings
from chalicelib.domain.errors import NotFoundError, RegistryError, UnavailableError
from chalicelib.domain.jose import fingerprint
from chalicelib.observability import logger
from chalicelib.services import receipts
from chalicelib.services.verify_print import verification_page
from chalicelib.store import objects

bp = Blueprint(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
HTML_TYPE = "text/html; charset=utf-8"
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "check.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# The console's files, served under /console/ (chalicelib/web/console/).
CONSOLE_ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
# nosniff and the Content-Security-Policy of every HTML answer come from edge_headers.
PAGE_HEADERS = {"Referrer-Policy": "same-origin"}


@cache
def _read(name: str) -> str:
    return (WEB_DIR / name).read_text("utf-8")


def inline_hashes(page: str, tag: str) -> tuple[str, ...]:
    """CSP source hashes (``sha256-…``) of the inline ``<tag>`` blocks of ``page``.

    Examples
    --------
    >>> inline_hashes("<p>x</p><style>p{}</style>", "style")
    ('sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y=',)
    """
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    return tuple(
        "sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        for block in blocks
    )


@cache
def _print_policy() -> str:
    """The print view's policy: its own inline style and print button, by hash."""
    template = _read("print.html")
    return page_policy(
        styles=inline_hashes(template, "style"), scripts=inline_hashes(template, "script")
    )


def base_path(context_path: str, route: str) -> str:
    """The prefix in front of our routes: ``/api`` behind an API Gateway stage, ``""`` locally.

    API Gateway reports the path as called (``/api/v1/verify/print``) and the
    route (``/v1/verify/print``); what is left in front is the stage, or a
    custom domain's base path.

    Examples
    --------
    >>> base_path("/api/", "/"), base_path("/v1/verify/print", "/v1/verify/print")
    ('/api', '')
    """
    called, route = context_path.rstrip("/"), route.rstrip("/")
    if called.endswith(route):
        return called[: len(called) - len(route)]
    return ""


def _base_path(request: Request) -> str:
    return base_path((request.context or {}).get("path") or "", request.path)


@bp.route("/", methods=["GET"])
@endpoint(bp)
def index() -> Response:
    config = settings()
    start = config.rule_start
    page = Template(_read("index.html")).substitute(
        base=_base_path(bp.current_request),
        public_timeliness="true" if config.public_timeliness else "false",
        rule_note=f"自 {start.year} 年 {start.month} 月 {start.day} 日起，获奖信息应在产生后 "
        f"{config.working_days} 个工作日内报送。",
    )
    return Response(
        body=page,
        status_code=200,
        headers={"Content-Type": HTML_TYPE, "Cache-Control": "no-cache", **PAGE_HEADERS},
    )


@bp.route("/verify/check", methods=["GET"])
@endpoint(bp)
def receipt_check() -> Response:
    """Checks a signed receipt in the browser (``check.js``, WebCrypto); no inline script."""
    page = Template(_read("check.html")).substitute(base=_base_path(bp.current_request))
    return Response(
        body=page,
        status_code=200,
        headers={"Content-Type": HTML_TYPE, "Cache-Control": "no-cache", **PAGE_HEADERS},
    )


@bp.route("/static/{name}", methods=["GET"])
@endpoint(bp)
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFoundError(f"no asset {name[:64]}")  # the one error shape, as everywhere
    return Response(
        body=_read(name),
        status_code=200,
        headers={"Content-Type": ASSETS[name], "Cache-Control": "max-age=300", **PAGE_HEADERS},
    )


def upload_origin() -> str | None:
    """The origin of the presigned upload forms (S3, or the emulator locally).

    The console posts approval documents and spreadsheets straight to the
    bucket, so its ``connect-src`` names that one origin besides its own.
    Signing a form needs no network call.
    """
    try:
        url = objects.presigned_post(
            "console-origin", content_type="text/plain", size=1, seconds=60
        )
    except (BotoCoreError, ClientError, ValueError) as exc:
        logger.warning("no upload origin for the console", extra={"fault": type(exc).__name__})
        return None
    match = re.match(r"^(https?://[^/?#]+)", url["url"])
    return match.group(1) if match else None


@cache
def console_policy() -> str:
    """``PAGE_POLICY`` plus ``connect-src`` for the API and the upload origin."""
    origin = upload_origin()
    return PAGE_POLICY + "; connect-src 'self'" + (f" {origin}" if origin else "")


@bp.route("/console", methods=["GET"])
@endpoint(bp)
def console() -> Response:
    """The provincial console: a page that calls the public API with the signed-in key."""
    page = Template(_read("console/index.html")).substitute(base=_base_path(bp.current_request))
    return Response(
        body=page,
        status_code=200,
        headers={
            "Content-Type": HTML_TYPE,
            "Cache-Control": "no-cache",
            "Content-Security-Policy": console_policy(),
            **PAGE_HEADERS,
        },
    )


@bp.route("/console/{name}", methods=["GET"])
@endpoint(bp)
def console_asset(name: str) -> Response:
    if name not in CONSOLE_ASSETS:
        raise NotFoundError(f"no asset {name[:64]}")
    return Response(
        body=_read(f"console/{name}"),
        status_code=200,
        headers={
            "Content-Type": CONSOLE_ASSETS[name],
            "Cache-Control": "no-cache",
            **PAGE_HEADERS,
        },
    )


@bp.route("/favicon.ico", methods=["GET"])
@endpoint(bp)
def favicon() -> Response:
    """Browsers ask for it on every page, JSON answers too: the same SVG as the pages link."""
    return Response(
        body=_read("favicon.svg"),
        status_code=200,
        headers={"Content-Type": ASSETS["favicon.svg"], "Cache-Control": "max-age=86400"},
    )


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _error_page(error: RegistryError) -> Response:
    if error.field == "credit_code":
        advice = "统一社会信用代码有误：请检查这 18 位代码后重试。"
    else:
        advice = f"请求有误（{html.escape(error.field or error.code)}），请检查后重试。"
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>无法核验</title></head><body><h1>无法核验</h1><p>{advice}</p></body></html>"
    )
    return Response(
        body=body,
        status_code=error.status,
        headers={"Content-Type": HTML_TYPE, "Cache-Control": "no-store", **PAGE_HEADERS},
    )


def _print_receipt(credit_code: str | None) -> dict[str, str] | None:
    """Sign the answer for the printed page; without KMS (or its store) it is printed unsigned.

    A bad code raises the same 400 as the page would.
    """
    try:
        receipt = receipts.issue_receipt(credit_code)
    except (UnavailableError, ClientError, BotoCoreError) as exc:
        logger.warning("printed without a receipt", extra={"fault": type(exc).__name__})
        return None
    return {"receipt_id": receipt["receipt_id"], "fingerprint": fingerprint(receipt["jws"])}


@bp.route("/v1/verify/print", methods=["GET"])
@endpoint(bp)
def verify_print() -> Response:
    request = bp.current_request
    try:
        page = verification_page(
            query_params(request).get("credit_code"),
            base_url=public_base_url(),
            receipt=_print_receipt(query_params(request).get("credit_code")),
        )
    except RegistryError as error:
        if _wants_html(request):
            return _error_page(error)
        raise  # the JSON error shape, like every other route
    return Response(
        body=page,
        status_code=200,
        headers={
            "Content-Type": HTML_TYPE,
            "Cache-Control": "no-store",
            "Content-Security-Policy": _print_policy(),
            **PAGE_HEADERS,
        },
    )
