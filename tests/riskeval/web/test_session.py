"""Login, session cookie, logout, CSRF and role refusals of the workbench, against a real server (httpx)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import yaml

from riskeval.service.tokens import add_token
from riskeval.web.session import CSRF_HEADER, SESSION_COOKIE
from tests.riskeval.web.conftest import csrf_of, http_login
from tests.riskeval.web.server import WebServer


def test_pages_send_the_browser_to_the_login_page(http: httpx.Client) -> None:
    for path in ("/", "/assess", "/ledger"):
        response = http.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert http.get("/assess", headers={"Accept": "text/html"}).headers["location"] == "/login?next=/assess"


def test_login_sets_a_strict_httponly_expiring_cookie_without_the_token(http: httpx.Client, web_server: WebServer) -> None:
    token = web_server.tokens["assessor"]
    response = http_login(http, token)
    assert response.status_code == 303 and response.headers["location"] == "/"
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    flags = header.lower()
    assert "httponly" in flags and "samesite=strict" in flags and "max-age=28800" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http on loopback; https would add it
    value = http.cookies[SESSION_COOKIE]
    assert token not in value
    body = json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))
    assert body["name"] == "assessor-组" and body["role"] == "assessor" and token not in json.dumps(body)
    page = http.get("/assess")
    assert page.status_code == 200 and "assessor-组" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"


def test_a_wrong_token_or_a_missing_login_nonce_is_refused(http: httpx.Client) -> None:
    response = http_login(http, "not-a-token")
    assert response.status_code == 401 and "令牌无效" in response.text
    assert SESSION_COOKIE not in http.cookies
    http.cookies.clear()
    forged = http.post("/login", data={"token": "x", "csrf_token": "guess", "next": "/"})
    assert forged.status_code == 403 and "登录表单已过期" in forged.text


def test_a_forged_or_tampered_cookie_is_no_session(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["auditor"])
    value = http.cookies[SESSION_COOKIE]
    body, mac = value.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=="))
    data["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode() + "." + mac
    http.cookies.set(SESSION_COOKIE, forged)
    assert http.get("/ledger", headers={"Accept": "text/html"}).status_code == 303


def test_logout_needs_the_csrf_token_and_ends_the_session(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["assessor"])
    page = http.get("/assess")
    old_cookie = http.cookies[SESSION_COOKIE]
    refused = http.post("/logout", data={}, headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert http.get("/assess").status_code == 200  # still logged in
    done = http.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert SESSION_COOKIE not in http.cookies
    http.cookies.set(SESSION_COOKIE, old_cookie)  # replaying the old cookie
    assert http.get("/assess", headers={"Accept": "text/html"}).status_code == 303


def test_state_changing_requests_without_csrf_are_refused_as_problem_json(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["admin"])
    page = http.get("/assess")
    token = csrf_of(page.text)
    form = {"ruleset": "guiyang", "p:id": "P-CSRF"}
    refused = http.post("/assess/record", data=form, headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "web.error.csrf"
    wrong = http.post("/ledger/verify", headers={CSRF_HEADER: "0" * 40, "Accept": "application/json"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "web.error.csrf"
    ok = http.post("/ledger/verify", headers={CSRF_HEADER: token, "HX-Request": "true"})
    assert ok.status_code == 200 and 'id="verify-outcome"' in ok.text


@pytest.mark.parametrize(
    ("role", "offered", "hidden"),
    [
        ("assessor", ['href="/assess"', 'id="record-assess"'], ['href="/ledger"']),
        ("decider", ['href="/assess"'], ['href="/ledger"', 'id="record-assess"']),
        ("auditor", ['href="/assess"', 'href="/ledger"'], ['id="record-assess"']),
        ("admin", ['href="/assess"', 'href="/ledger"', 'id="record-assess"'], []),
    ],
)
def test_what_a_role_cannot_do_is_not_offered(
    http: httpx.Client, web_server: WebServer, role: str, offered: list[str], hidden: list[str]
) -> None:
    http_login(http, web_server.tokens[role])
    page = http.get("/assess").text
    for snippet in offered:
        assert snippet in page, snippet
    for snippet in hidden:
        assert snippet not in page, snippet


def test_the_server_refuses_what_a_role_cannot_do(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["decider"])
    token = csrf_of(http.get("/assess").text)
    page = http.get("/ledger", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "不能使用此功能" in page.text
    api_style = http.get("/ledger/export", headers={"Accept": "application/json"})
    assert api_style.status_code == 403 and api_style.json()["code"] == "web.error.forbidden"
    record = http.post(
        "/assess/record", data={"csrf_token": token, "ruleset": "guiyang", "p:id": "P-X"}, headers={"Accept": "text/html"}
    )
    assert record.status_code == 403
    listed = httpx.get(
        web_server.url + "/api/v1/ledger", params={"limit": 500}, headers={"Authorization": f"Bearer {web_server.tokens['admin']}"}
    )
    assert listed.status_code == 200 and all(r["project_id"] != "P-X" for r in listed.json()["records"])


def test_revoking_a_token_ends_its_sessions(web_server: WebServer) -> None:
    token = add_token(web_server.tokens_file, "临时审计", "auditor")
    with httpx.Client(base_url=web_server.url, timeout=60) as client:
        http_login(client, token)
        assert client.get("/ledger").status_code == 200
        entries = yaml.safe_load(web_server.tokens_file.read_text(encoding="utf-8"))
        kept = [e for e in entries if e["name"] != "临时审计"]
        assert len(kept) == len(entries) - 1
        web_server.tokens_file.write_text(yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8")
        gone = client.get("/ledger", headers={"Accept": "text/html"}, follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"] == "/login?next=/ledger"


def test_language_switch_and_english_pages(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["admin"])
    assert "评估" in http.get("/assess").text
    switched = http.get("/lang/en?next=/ledger")
    assert switched.status_code == 303 and switched.headers["location"] == "/ledger"
    page = http.get("/ledger").text
    assert "Assessment ledger" in page and "Verify the ledger" in page and "评估台账" not in page
    assert "Risk assessment" in http.get("/assess?lang=en").text
    http.get("/lang/zh?next=//evil.example")
    assert "评估台账" in http.get("/ledger").text


def test_unknown_record_or_rule_set_is_an_html_404_for_browsers(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["admin"])
    missing = http.get("/ledger/999999", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "台账中没有第 999999 号记录" in missing.text
    unknown = http.get("/assess?ruleset=nope", headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and "服务未加载规则集 nope" in unknown.text


def test_an_htmx_call_without_session_is_sent_to_the_login_page(http: httpx.Client) -> None:
    response = http.post("/ledger/verify", headers={"HX-Request": "true", "HX-Current-URL": f"{http.base_url}/ledger?page=2"})
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/login?next=/ledger"
    plain = http.post("/ledger/verify", headers={"Accept": "application/json"})
    assert plain.status_code == 401 and plain.json()["code"] == "web.error.login"
