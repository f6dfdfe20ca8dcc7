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
from datetime import datetime
from functools import cache
from pathlib import Path
from string import Template

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.doc import CREDIT_CODE, HTML, Raw
from chalicelib.api.http import (
    PAGE_POLICY,
    page_policy,
    public_base_url,
    route,
    source_ip,
)
from chalicelib.config import settings
from chalicelib.domain import labels_zh
from chalicelib.domain.errors import NotFoundError, RegistryError
from chalicelib.domain.jose import fingerprint
from chalicelib.domain.queries import CreditCodeQuery
from chalicelib.services import receipts, uploads
from chalicelib.services import verify_print as printable

bp = Blueprint(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
HTML_TYPE = "text/html; charset=utf-8"
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
    "labels.js": "text/javascript; charset=utf-8",
    # GB/T 2260 names (chalicelib/data/areas, @vant/area-data, MIT) for the place chooser
    "areas.json": "application/json; charset=utf-8",
    "check.js": "text/javascript; charset=utf-8",
    "objection.js": "text/javascript; charset=utf-8",  # the objection pages (issue 23)
    "objection.css": "text/css; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# The console's files, served under /console/ (chalicelib/web/console/).
CONSOLE_ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    # the province's tabs, one module each (the administrators' are admin-*.js)
    **{
        f"province-{section}.js": "text/javascript; charset=utf-8"
        for section in ("programs", "awards", "imports", "timeliness")
    },
    "console.css": "text/css; charset=utf-8",
    **{
        f"admin-{section}.js": "text/javascript; charset=utf-8"
        for section in ("review", "keys", "calendar", "feedback", "audit", "pilot")
    },
    "quality.js": "text/javascript; charset=utf-8",
    "objections.js": "text/javascript; charset=utf-8",  # 异议处理 (issue 23)
    "chart.umd.js": "text/javascript; charset=utf-8",
    "chart.LICENSE.txt": "text/plain; charset=utf-8",
    "subscriptions.js": "text/javascript; charset=utf-8",  # 数据订阅 (issue 21)
}
# Third-party files kept in console/vendor/ (version and source in its README), served flat.
CONSOLE_VENDOR = {"chart.umd.js", "chart.LICENSE.txt"}
# nosniff and the Content-Security-Policy of every HTML answer come from edge_headers.
PAGE_HEADERS = {"Referrer-Policy": "same-origin"}


def html_page(
    body: str, *, status: int = 200, cache: str = "no-cache", policy: str | None = None
) -> Response:
    """An HTML answer; ``policy`` replaces the default page CSP (``edge_headers`` sets it)."""
    headers: dict[str, str | list[str]] = {
        "Content-Type": HTML_TYPE,
        "Cache-Control": cache,
        **PAGE_HEADERS,
    }
    if policy is not None:
        headers["Content-Security-Policy"] = policy
    return Response(body=body, status_code=status, headers=headers)


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


@route(
    bp,
    "GET",
    "/",
    summary="The public web page (Chinese)",
    audience="public",
    ok={200: HTML},
    storage=False,
    open_query=True,
)
def index() -> Response:
    config = settings()
    start = config.rule_start
    page = Template(_read("index.html")).substitute(
        base=_base_path(bp.current_request),
        public_timeliness="true" if config.public_timeliness else "false",
        rule_note=f"自 {start.year} 年 {start.month} 月 {start.day} 日起，获奖信息应在产生后 "
        f"{config.working_days} 个工作日内报送。",
    )
    return html_page(page)


@route(
    bp,
    "GET",
    "/verify/check",
    summary="Check a receipt in the browser (Chinese; WebCrypto against the JWKS)",
    audience="public",
    ok={200: HTML},
    storage=False,
    open_query=True,
)
def receipt_check() -> Response:
    """Checks a signed receipt in the browser (``check.js``, WebCrypto); no inline script."""
    page = Template(_read("check.html")).substitute(base=_base_path(bp.current_request))
    return html_page(page)


# --- The objection pages (issue 23): 对此信息有异议 and 查询异议 -------------------------


def _objection_page(view: str, title: str) -> Response:
    """One template for both views; the filing view posts evidence straight to the bucket,
    so its policy names the upload origin in ``connect-src`` as the console's does."""
    page = Template(_read("objection.html")).substitute(
        base=_base_path(bp.current_request), view=view, title=title
    )
    return html_page(page, policy=console_policy())


@route(
    bp,
    "GET",
    "/objection",
    summary="对此信息有异议: an enterprise files an objection (Chinese page)",
    audience="public",
    ok={200: HTML},
    storage=False,
    open_query=True,
    description="Prefilled from `award_id` and `credit_code` in the address (links from the "
    "award page and the enterprise summary).",
)
def objection_form() -> Response:
    return _objection_page("file", "对获奖信息提出异议")


@route(
    bp,
    "GET",
    "/objection/lookup",
    summary="查询异议: the state and answer of an objection, by number and token (Chinese page)",
    audience="public",
    ok={200: HTML},
    storage=False,
    open_query=True,
)
def objection_lookup() -> Response:
    return _objection_page("lookup", "查询异议")


@route(
    bp,
    "GET",
    "/static/{name}",
    summary="The page's script, style sheet and icon",
    audience="public",
    # any content: text for the scripts and style sheet, a JSON object for areas.json
    ok={200: Raw(tuple(sorted({kind.split(";")[0] for kind in ASSETS.values()})), {})},
    path_enums={"name": tuple(sorted(ASSETS))},
    storage=False,
    open_query=True,
)
def asset(name: str) -> Response:
    path = "../data/areas/areas.json" if name == "areas.json" else name
    return _static_file(ASSETS, name, path, cache="max-age=300")


def _static_file(kinds: dict[str, str], name: str, path: str, *, cache: str) -> Response:
    """One of our static files (``kinds`` names them and their types); 404 in our shape.

    ``labels.js`` is written from ``domain/labels_zh.py`` (the labels are defined
    once, in Python, and every page loads them from here).
    """
    if name not in kinds:
        raise NotFoundError(f"no asset {name[:64]}")  # the one error shape, as everywhere
    return Response(
        body=labels_zh.script() if name == "labels.js" else _read(path),
        status_code=200,
        headers={"Content-Type": kinds[name], "Cache-Control": cache, **PAGE_HEADERS},
    )


@cache
def console_policy() -> str:
    """``PAGE_POLICY`` plus ``connect-src`` for the API and the upload origin.

    The same origin serves the short-lived links of approval documents, which
    the review queue shows inline in an ``<iframe>``: ``frame-src`` names it
    (and nothing else; ``object-src`` stays ``'none'``).
    """
    origin = uploads.upload_origin()
    if not origin:
        return PAGE_POLICY + "; connect-src 'self'"
    return PAGE_POLICY + f"; connect-src 'self' {origin}; frame-src {origin}"


@route(
    bp,
    "GET",
    "/console",
    summary="The console for provincial staff (Chinese; every action through this API)",
    audience="provincial",
    ok={200: HTML},
    storage=False,
    open_query=True,
)
def console() -> Response:
    """The provincial console: a page that calls the public API with the signed-in key."""
    page = Template(_read("console/index.html")).substitute(base=_base_path(bp.current_request))
    return html_page(page, policy=console_policy())


@route(
    bp,
    "GET",
    "/console/{name}",
    summary="The console's scripts and style sheet, and its vendored chart library (licence)",
    audience="provincial",
    ok={200: Raw(tuple(sorted({kind.split(";")[0] for kind in CONSOLE_ASSETS.values()})))},
    path_enums={"name": tuple(sorted(CONSOLE_ASSETS))},
    storage=False,
    open_query=True,
)
def console_asset(name: str) -> Response:
    path = f"console/vendor/{name}" if name in CONSOLE_VENDOR else f"console/{name}"
    return _static_file(CONSOLE_ASSETS, name, path, cache="no-cache")


@route(
    bp,
    "GET",
    "/favicon.ico",
    summary="The site icon (SVG)",
    audience="public",
    ok={200: Raw(("image/svg+xml",))},
    storage=False,
    open_query=True,
)
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
    headers: dict[str, str] = {}
    if error.status == 429:  # the rate limit: say when to come back, as the JSON answer does
        advice = html.escape(error.message_zh)
        headers["Retry-After"] = str(getattr(error, "retry_after", 1))
    elif error.field == "credit_code":
        advice = "统一社会信用代码有误：请检查这 18 位代码后重试。"
    else:
        advice = f"请求有误（{html.escape(error.field or error.code)}），请检查后重试。"
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>无法核验</title></head><body><h1>无法核验</h1><p>{advice}</p></body></html>"
    )
    page = html_page(body, status=error.status, cache="no-store")
    page.headers.update(headers)
    return page


def _print_receipt(answer: receipts.Verification) -> dict[str, str] | None:
    """The signed receipt's id and fingerprint for the page; None when printed unsigned."""
    if answer.jws is None or answer.receipt_id is None:
        return None
    return {"receipt_id": answer.receipt_id, "fingerprint": fingerprint(answer.jws)}


@route(
    bp,
    "GET",
    "/v1/verify/print",
    summary="The verification as a printable page (Chinese, A4, QR code)",
    audience="public",
    ok={200: HTML},
    query=(CREDIT_CODE,),
    errors=(429,),
    html_errors=(400, 429),
    description="The answer of `GET /v1/verify` on one page, with the time and a "
    "QR code that opens the public page with this enterprise's answer "
    "(`/?credit_code=…`). Only `valid` awards count as 有效; awards of a withdrawn "
    "programme and revoked ones are listed under their own headings. A bad code is "
    "a 400: an HTML page when the request accepts `text/html`, the JSON error otherwise. "
    "Counted with `GET /v1/verify/receipt` against the per-client limit (429 `throttled` "
    "with `Retry-After` past it).",
)
def verify_print(query: CreditCodeQuery, now: datetime) -> Response:
    request = bp.current_request
    try:
        receipts.check_client_rate(source_ip(request), now)
        # One read: the page shows the payload its receipt signs (issue 19, L3).
        answer = receipts.verification(query.credit_code, now, unsigned_ok=True)
        page = printable.verification_page(
            answer.payload,
            base_url=public_base_url(),
            checked_at=now,
            receipt=_print_receipt(answer),
        )
    except RegistryError as error:
        if _wants_html(request):
            return _error_page(error)
        raise  # the JSON error shape, like every other route
    return html_page(page, cache="no-store", policy=_print_policy())
