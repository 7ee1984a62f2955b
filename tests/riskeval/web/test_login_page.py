"""Login, navigation by role, the language switch and logout, in the browser."""

from __future__ import annotations

import re
from typing import Any

from tests.riskeval.web.conftest import assert_cjk_glyphs
from tests.riskeval.web.server import WebServer


def test_login_navigation_language_and_logout(page: Any, web_server: WebServer, login: Any, shot: Any) -> None:
    page.goto(web_server.url + "/ledger")
    assert re.search(r"/login\?next=/ledger$", page.url)
    assert page.locator("h1").inner_text() == "登录"
    assert_cjk_glyphs(page)
    shot("form")

    login("auditor", "/ledger")
    assert page.url.endswith("/ledger")
    nav = page.locator("nav.nav a")
    assert [nav.nth(i).inner_text() for i in range(nav.count())] == ["规则集", "评估", "台账", "专家"]
    assert page.locator("nav.nav a.active").inner_text() == "台账"
    assert page.context.cookies()[0]["httpOnly"] is True
    assert page.context.cookies()[0]["sameSite"] == "Strict"

    page.click("a.lang")
    page.wait_for_url(re.compile(r"/ledger$"))
    assert page.locator("nav.nav a.active").inner_text() == "Ledger"
    assert page.locator("h1").inner_text() == "Assessment ledger"
    page.click("a.lang")
    page.wait_for_url(re.compile(r"/ledger$"))
    assert page.locator("h1").inner_text() == "评估台账"

    with page.expect_navigation():
        page.click("header form button[type=submit]")
    assert page.url.endswith("/login")
    page.goto(web_server.url + "/assess")
    assert "/login" in page.url


def test_an_assessor_sees_no_ledger(page: Any, web_server: WebServer, login: Any) -> None:
    login("assessor", "/")
    assert page.url.endswith("/rules")  # the home page is the first page the role may open
    nav = page.locator("nav.nav a")
    assert [nav.nth(i).get_attribute("data-page") for i in range(nav.count())] == ["rules", "assess", "batch", "experts"]
    page.goto(web_server.url + "/assess")
    assert page.locator("#record-assess").is_visible()
