"""The README's "Calling the API" block, run as a reader would against ``make run``'s script.

``devtools/run_local.sh`` (what ``make run`` starts) runs on free ports through
``MOTO_PORT``/``API_PORT``; the block is taken from README.md as written, only
its three placeholder lines (API, BJ, ADMIN) filled with the printed keys, and
run by bash from the repository root with every ``curl`` failing on an HTTP
error. A file written in the repository meanwhile must not restart the API.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from devtools.local_stack import PROJECT_DIR, free_port, wait_for

STRICT_CURL = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; echo; }\n'


def readme_block(title: str) -> str:
    """The first ``sh`` block of the README section ``title``."""
    readme = (PROJECT_DIR / "README.md").read_text("utf-8")
    section = readme[readme.index(title) :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (a restarted API shows up as a new pid)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


@pytest.fixture(scope="module")
def make_run(tmp_path_factory) -> Iterator[dict]:
    """``devtools/run_local.sh`` on free ports; its API address and printed keys."""
    out = tmp_path_factory.mktemp("make-run") / "stdout.txt"
    api_port = free_port()
    env = {
        **os.environ,
        "MOTO_PORT": str(free_port()),
        "API_PORT": str(api_port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in ("AWS_ENDPOINT_URL", "TABLE_PREFIX", "STAGE", "SERVER_SECRET_ARN"):
        env.pop(name, None)
    with out.open("w") as sink:
        process = subprocess.Popen(
            ["bash", "devtools/run_local.sh"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        api = f"http://127.0.0.1:{api_port}"
        deadline = time.monotonic() + 90
        keys: dict[str, str] = {}
        while len(keys) < 2:
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            for line in out.read_text().splitlines():
                if line.startswith("Demo admin key:"):
                    keys["ADMIN"] = line.split()[-1]
                elif line.startswith("Demo Beijing (110000) key:"):
                    keys["BJ"] = line.split()[-1]
            time.sleep(0.2)
        wait_for(f"{api}/v1/health", timeout=60)
        assert f"running on {api}" in out.read_text()
        yield {"api": api, "pid": process.pid, **keys}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_readme_walkthrough_runs_from_the_repository_root(make_run):
    block = readme_block("## Calling the API")
    filled = block
    for name, value in (("API", make_run["api"]), ("BJ", make_run["BJ"])):
        filled = re.sub(rf"^{name}=.*$", f"{name}={value}", filled, count=1, flags=re.M)
    filled = re.sub(r"^ADMIN=.*$", f"ADMIN={make_run['ADMIN']}", filled, count=1, flags=re.M)
    assert filled.count(make_run["BJ"]) == 1 and filled.count(make_run["ADMIN"]) == 1
    # every variable the block reads is set in the block
    code = re.sub(r"(^|\s)#.*$", "", block, flags=re.M)  # comments may name other things
    used = set(re.findall(r"\$([A-Z][A-Z_]*)", code))
    assigned = set(re.findall(r"(?:^|;\s*)([A-Z][A-Z_]*)=", code, re.M))
    assert used <= assigned, used - assigned

    before_files = set(os.listdir(PROJECT_DIR))
    servers = descendants(make_run["pid"])
    probe = PROJECT_DIR / f".walkthrough-probe-{os.getpid()}.pdf"
    probe.write_bytes(b"%PDF-1.4\n")  # what the walkthrough once wrote here
    try:
        ran = subprocess.run(
            ["bash", "-c", STRICT_CURL + filled],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink()
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert descendants(make_run["pid"]) == servers  # no restart: no autoreload
    assert set(os.listdir(PROJECT_DIR)) == before_files  # its files went elsewhere

    answers = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    listed = next(a for a in answers if "items" in a and a["items"] and "winners" in a["items"][0])
    award = listed["items"][0]
    assert (award["honor"], award["status"]) == ("金质奖", "active")  # read before the revoke
    verified = next(a for a in answers if a.get("credit_code") == "91110000000000001H")
    assert [a["id"] for a in verified["awards"]] == [award["id"]]
    final = answers[-1]
    assert (final["id"], final["status"], final["honor"]) == (award["id"], "revoked", "银质奖")


def test_the_export_runs_on_demand_and_the_page_links_it(make_run, browser):
    """After the walkthrough: ``POST /v1/exports/run`` (admin), then the public page's links."""
    admin = {"Authorization": f"Bearer {make_run['ADMIN']}"}
    ran = requests.post(f"{make_run['api']}/v1/exports/run", headers=admin, timeout=120)
    assert ran.status_code == 200, ran.text
    latest = requests.get(f"{make_run['api']}/v1/exports/latest", timeout=30).json()
    assert latest["generated_at"] == ran.json()["generated_at"]
    assert [f["name"] for f in latest["files"]] == [
        "awards.jsonl.gz",
        "awards.csv",
        "programs.jsonl.gz",
    ]
    # the session's one chromium (tests/e2e/conftest.py): a second sync Playwright
    # could not start beside it
    page = browser.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    home = page.goto(make_run["api"] + "/")
    assert "default-src 'self'" in home.headers["content-security-policy"]
    links = page.locator("#export-links a")
    expect(links).to_have_text(
        ["获奖信息 JSON（逐行）", "获奖信息 CSV", "奖项目录 JSON（逐行）", "清单（含 SHA-256）"]
    )
    csv_url = links.nth(1).get_attribute("href")
    assert requests.get(csv_url, timeout=30).content.startswith(b"\xef\xbb\xbf")
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert requests.get(icon, timeout=30).headers["Content-Type"] == "image/svg+xml"
    # the printout too (its inline blocks allowed by hash): its style applies
    printed = page.goto(f"{make_run['api']}/v1/verify/print?credit_code=91110000000000001H")
    assert "default-src 'self'" in printed.headers["content-security-policy"]
    expect(page.locator("#credit-code")).to_have_text("91110000000000001H")
    assert page.evaluate("getComputedStyle(document.body).maxWidth").endswith("px")
    assert blocked == []
    page.close()
