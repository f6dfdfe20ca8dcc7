"""The console's vendored chart library: served as the page names it, with its licence.

Chart.js is kept byte for byte as the npm registry ships it (``console/vendor/README.md``
names the version and the tarball); the page loads it as its own file, so it must need
nothing the console's Content-Security-Policy forbids (no eval, no inline style sheet).
"""

from __future__ import annotations

import re

from chalicelib.api.web import WEB_DIR

VENDOR = WEB_DIR / "console" / "vendor"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def text(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def test_every_script_the_console_names_is_served_chart_before_the_pilot_section(client):
    page = text(client.http.get("/console/", headers=BROWSER))
    scripts = re.findall(r'<script src="[^"]*/console/([^"]+)" defer>', page)
    assert scripts.index("chart.umd.js") < scripts.index("admin-pilot.js")
    for name in scripts:
        response = client.http.get(f"/console/{name}")
        assert response.status_code == 200, name
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"


def test_chart_js_is_served_as_vendored_with_its_licence(client):
    served = client.http.get("/console/chart.umd.js")
    assert served.body == (VENDOR / "chart.umd.js").read_bytes()
    version = re.search(r"Chart\.js v(\d+\.\d+\.\d+)", text(served))[1]
    assert f"Chart.js {version}" in (VENDOR / "README.md").read_text("utf-8")
    assert "eval(" not in text(served) and "new Function" not in text(served)
    licence = client.http.get("/console/chart.LICENSE.txt")
    assert licence.status_code == 200
    assert licence.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "The MIT License" in text(licence) and "Chart.js Contributors" in text(licence)
    assert 'href="/console/chart.LICENSE.txt"' in text(
        client.http.get("/console/", headers=BROWSER)
    )


def test_only_the_listed_files_are_served(client):
    assert client.http.get("/console/README.md").status_code == 404
    assert client.http.get("/console/vendor").status_code == 404
