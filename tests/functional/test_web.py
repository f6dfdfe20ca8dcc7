"""The public page's files and the printable verification (SPEC §4 GET /, /v1/verify/print)."""

import re

import pytest

from chalicelib.api.web import base_path
from chalicelib.config import settings
from chalicelib.services.verify_print import china_time
from tests.factories import award_body, credit_code
from tests.functional.helpers import submitted_program
from tests.qr import decode_svg
from tests.steps import push

# Forged on purpose: links come from PUBLIC_BASE_URL only, never from these.
HOST = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
BROWSER = {**HOST, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def get(client, path, headers=None):
    return client.http.get(path, headers=headers or {})


def text(response):
    return response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body


@pytest.fixture
def env_setting(monkeypatch):
    def set_env(name, value):
        monkeypatch.setenv(name, value)
        settings.cache_clear()

    yield set_env
    settings.cache_clear()


def test_the_page_is_chinese_html_made_for_a_phone(client, aws):
    response = get(client, "/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = text(response)
    assert '<html lang="zh-CN">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "建筑市场评比表彰奖项信息" in page
    assert '<meta name="api-base" content="">' in page
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        assert f'"/static/{name}"' in page
        asset = get(client, f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["Content-Type"].startswith(kind)
    assert "@media" in text(get(client, "/static/style.css"))
    assert get(client, "/static/secret.py").status_code == 404


def test_the_pages_have_an_icon(client, aws):
    for path in ("/", "/verify/check"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text(
            get(client, path)
        )
    for path in ("/static/favicon.svg", "/favicon.ico"):
        icon = get(client, path)
        assert icon.status_code == 200
        assert icon.headers["Content-Type"] == "image/svg+xml"
        assert text(icon).startswith("<svg ")


@pytest.mark.parametrize("path", ["/", "/verify/check"])
def test_the_pages_run_under_a_self_only_content_security_policy(client, aws, path):
    """``default-src 'self'`` forbids inline scripts, styles and handlers: none on the pages."""
    page = text(get(client, path))
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert re.findall(r"\s(?:style|on[a-z]+)\s*=", page) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", page) == []  # nothing from elsewhere


def test_the_timeliness_table_is_off_unless_configured(client, aws, env_setting):
    assert '<meta name="public-timeliness" content="false">' in text(get(client, "/"))
    env_setting("PUBLIC_TIMELINESS", "true")
    env_setting("WORKING_DAYS", "15")
    page = text(get(client, "/"))
    assert '<meta name="public-timeliness" content="true">' in page
    assert "自 2021 年 7 月 1 日起，获奖信息应在产生后 15 个工作日内报送。" in page


def test_the_page_finds_the_api_behind_an_api_gateway_stage():
    assert base_path("/api/", "/") == "/api"
    assert base_path("/api", "/") == "/api"
    assert base_path("/api/v1/verify/print", "/v1/verify/print") == "/api"
    assert base_path("/registry/v1/verify/print", "/v1/verify/print") == "/registry"
    assert base_path("/v1/verify/print", "/v1/verify/print") == ""
    assert base_path("/", "/") == ""


def test_china_time_is_utc_plus_eight():
    assert china_time("2026-11-24T17:30:05Z") == "2026年11月25日 01:30（北京时间）"


@pytest.fixture
def pushed(api, keys):
    """Two awards of one enterprise in Beijing; the older one revoked."""
    key = keys["110000"]
    program_id = submitted_program(api, key, name="北京市建设工程长城杯")
    ids = []
    for n, project in enumerate(["国家速滑馆", "北京大兴国际机场航站楼"]):
        body = award_body(
            program_id, source_id=f"P-{n}", project={"name": project, "category": "housing"}
        )
        body["winners"][0]["name"] = "北京城建集团有限责任公司" if n else "北京城建集团"
        ids.append(push(api, key, body)["id"])
    revoked = api.call(
        "POST",
        f"/v1/awards/{ids[0]}/revoke",
        {"reason": "经复查不符合评选条件", "document_number": "京建发〔2024〕99号"},
        key=key,
    )
    assert revoked.status_code == 200
    return ids


def test_the_printed_verification_lists_awards_revocations_time_and_a_qr_code(
    client, api, pushed, public_base_url
):
    code = credit_code(1)
    response = get(client, f"/v1/verify/print?credit_code={code.lower()}", BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert '<html lang="zh-CN">' in page and "@page { size: A4" in page
    assert " style=" not in page and "onclick" not in page  # inline blocks only, by CSP hash
    assert f'<dd id="credit-code">{code}</dd>' in page
    assert '<dd id="enterprise-name">北京城建集团有限责任公司</dd>' in page  # the newest name
    assert re.search(r'<dd id="as-of">\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）</dd>', page)
    active = page.split('<ol class="awards" id="active">')[1].split("</ol>")[0]
    assert "北京大兴国际机场航站楼" in active and "北京市建设工程长城杯" in active
    assert "施工总承包" in active and pushed[1] in active and "国家速滑馆" not in active
    assert "（奖项状态：已报送，待审核）" in active  # the programme is submitted, not yet approved
    revoked = page.split('<ol class="awards" id="revoked">')[1].split("</ol>")[0]
    assert "撤销" in revoked and "国家速滑馆" in revoked
    assert "经复查不符合评选条件" in revoked and "京建发〔2024〕99号" in revoked
    assert '<dd id="summary">该企业有 1 项有效获奖信息，另有 1 项已撤销</dd>' in page
    live = f"{public_base_url}/?credit_code={code}"  # the page, for a person
    assert "evil.example" not in page
    assert f'<a class="url" id="live-url" href="{live}">{live}</a>' in page  # a link, printed
    receipt_link = re.search(r'<a class="url" id="receipt-url" href="([^"]+)">', page).group(1)
    assert receipt_link.startswith(f"{public_base_url}/v1/verify/receipts/rcp_")
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    receipt_id = re.search(r'<dd id="receipt-id" class="code">(rcp_\w+)</dd>', page).group(1)
    assert decode_svg(svg) == f"{live}#receipt={receipt_id}"  # the fragment never leaves a phone
    assert api.call("GET", f"/v1/verify?credit_code={code}").data["revoked"][0]["id"] == pushed[0]


def test_the_qr_code_follows_the_configured_address(client, pushed, env_setting):
    code = credit_code(2)
    env_setting("PUBLIC_BASE_URL", "https://jzsc.example.gov.cn/api/")
    page = text(get(client, f"/v1/verify/print?credit_code={code}", BROWSER))
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    live = decode_svg(svg).split("#receipt=rcp_")[0]
    assert live == f"https://jzsc.example.gov.cn/api/?credit_code={code}"


def test_without_a_configured_address_the_local_stage_links_to_make_run(client, pushed):
    code = credit_code(2)
    page = text(get(client, f"/v1/verify/print?credit_code={code}", BROWSER))
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    live = decode_svg(svg).split("#receipt=rcp_")[0]  # the fragment names the signed receipt
    assert live == f"http://127.0.0.1:8000/?credit_code={code}"


def test_an_enterprise_without_awards_gets_a_page_saying_so(client, aws):
    response = get(client, f"/v1/verify/print?credit_code={credit_code(999)}", BROWSER)
    assert response.status_code == 200
    page = text(response)
    assert "未查询到有效获奖信息" in page and "<svg" in page


@pytest.mark.parametrize("query", ["credit_code=91110000000000001X", "credit_code=", ""])
def test_a_bad_code_is_a_400_page_for_a_browser_and_json_otherwise(client, aws, query):
    page = get(client, f"/v1/verify/print?{query}", BROWSER)
    assert page.status_code == 400
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "无法核验" in text(page) and "统一社会信用代码有误" in text(page)
    data = get(client, f"/v1/verify/print?{query}", {**HOST, "Accept": "application/json"})
    assert data.status_code == 400
    assert data.headers["Content-Type"].startswith("application/json")
    assert data.json_body["error"] == {
        "code": "validation_error",
        "message": data.json_body["error"]["message"],
        "message_zh": data.json_body["error"]["message_zh"],
        "field": "credit_code",
    }
    assert data.json_body["error"]["message_zh"].startswith("字段 credit_code：")


def test_a_forged_host_header_never_reaches_the_page(client, aws, public_base_url):
    code = credit_code(1)
    response = get(
        client,
        f"/v1/verify/print?credit_code={code}",
        {"Host": 'evil"><script>', "Accept": "text/html"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "evil" not in page
    live = f"{public_base_url}/?credit_code={code}"  # the public page
    assert decode_svg(re.search(r"<svg .*?</svg>", page, re.S).group(0)).startswith(live)
