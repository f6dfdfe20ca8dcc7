"""Security headers: a Content-Security-Policy on every answer, nosniff, never framed."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.factories import credit_code

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def text(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def sha256_source(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/console/", 200),
        (f"/v1/verify/print?credit_code={credit_code(1)}", 200),
        ("/v1/verify/print?credit_code=91110000000000001X", 400),  # the HTML error page
    ],
)
def test_every_html_answer_has_a_page_policy_and_is_never_framed(client, aws, path, status):
    response = client.http.get(path, headers=BROWSER)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_public_page_has_nothing_inline_for_the_policy_to_block(client, aws):
    page = text(client.http.get("/", headers=BROWSER))
    assert "<style" not in page and " style=" not in page
    assert all(' src="' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handler


def test_the_console_has_nothing_inline_and_connects_only_to_us_and_the_bucket(client, aws):
    response = client.http.get("/console/", headers=BROWSER)
    page = text(response)
    assert "<style" not in page and " style=" not in page
    assert all(' src="' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert not re.search(r"\son[a-z]+=", page)
    connect = policy(response)["connect-src"]
    assert connect[0] == "'self'" and len(connect) == 2  # the presigned uploads' origin
    assert re.fullmatch(r"https?://[^/]+", connect[1])
    # the review queue frames an approval document's short-lived link: that origin only
    assert policy(response)["frame-src"] == [connect[1]]
    assert policy(response)["object-src"] == ["'none'"]
    assert "script-src" not in policy(response) and "style-src" not in policy(response)


def test_the_print_view_allows_its_own_inline_blocks_by_hash_and_nothing_else(client, aws):
    response = client.http.get(f"/v1/verify/print?credit_code={credit_code(1)}", headers=BROWSER)
    page = text(response)
    directives = policy(response)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(styles) == 1 and len(scripts) == 1  # A4 layout; the print button
    assert directives["style-src"] == ["'self'", sha256_source(styles[0])]
    assert directives["script-src"] == ["'self'", sha256_source(scripts[0])]
    assert not re.search(r"\son[a-z]+=", page) and " style=" not in page
    assert "<svg " in page and "<img" not in page  # the QR code is inline SVG: no img-src


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/static/app.js", 200),
        ("GET", "/static/style.css", 200),
        ("GET", "/v1/health", 200),
        ("GET", "/v1/awards", 200),
        ("GET", "/v1/awards/awd_01J00000000000000000000000", 404),
        ("TRACE", "/v1/awards", 405),
        ("GET", "/v1/verify/print?credit_code=x", 400),  # JSON: no Accept: text/html
    ],
)
def test_every_other_answer_says_nosniff_and_loads_nothing(client, aws, method, path, status):
    response = client.http.request(method, path, headers={})
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert policy(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


def test_a_keyed_write_says_nosniff_too(api, keys):
    response = api.call("POST", "/v1/programs", {}, key=keys["110000"])
    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
