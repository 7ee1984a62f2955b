"""The workbench harness: a real ``riskeval serve``, Debian's Chromium driven by Playwright, a login helper,
console-error checks and a screenshot of every browser test in ``artifacts/screenshots/<test-name>.png``.

Nothing downloads a browser: Playwright launches the system Chromium (``tests/riskeval/browser.py``:
skipped locally without one, failed under ``CI=true``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.riskeval.browser import chromium_or_skip
from tests.riskeval.web.server import WebServer

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """One server for the session (tests that need their own start a :class:`WebServer` themselves)."""
    server = WebServer(tmp_path_factory.mktemp("web"))
    server.add_tokens()
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def http(web_server: WebServer) -> Iterator[httpx.Client]:
    """An httpx client of the server that keeps cookies and does not follow redirects."""
    with httpx.Client(base_url=web_server.url, timeout=60, follow_redirects=False) as client:
        yield client


def http_login(client: httpx.Client, token: str) -> httpx.Response:
    """Log ``client`` in with ``token`` through the login form (its double-submit CSRF nonce included)."""
    form = client.get("/login")
    nonce = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert nonce is not None
    return client.post("/login", data={"token": token, "csrf_token": nonce.group(1), "next": "/"})


def csrf_of(html: str) -> str:
    """The session's CSRF token in a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field in the page"
    return found.group(1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless system Chromium through Playwright."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        yield browser
        browser.close()


def _test_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^\w.-]+", "_", request.node.name)


@pytest.fixture()
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh 1366×768 page; console errors and page errors fail the test; a full-page screenshot is
    saved as ``artifacts/screenshots/<test-name>.png`` at the end."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    pg.console_errors = errors
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{_test_name(request)}.png"), full_page=True, caret="initial")
    finally:
        context.close()
    assert errors == [], "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture()
def shot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``shot("after-verify")`` saves ``artifacts/screenshots/<test-name>-after-verify.png`` now."""

    def take(label: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_test_name(request)}-{label}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


@pytest.fixture()
def login(page: Any, web_server: WebServer) -> Callable[[str], Any]:
    """``login("assessor")`` logs the page in with that role's token and returns the page."""

    def do(role: str, next_path: str = "/") -> Any:
        page.goto(f"{web_server.url}/login?next={next_path}")
        page.fill("#token", web_server.tokens[role])
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.locator("header .who").get_attribute("data-role") == role
        return page

    return do


def assert_cjk_glyphs(page: Any) -> None:
    """Chinese characters render as distinct glyphs in the page's own fonts (not as identical empty boxes)."""

    def glyph(text: str) -> bytes:
        handle = page.evaluate_handle(
            """(text) => {
                const el = document.createElement('span');
                el.textContent = text;
                el.style.fontSize = '64px';
                el.style.lineHeight = '1';
                el.style.display = 'inline-block';
                el.style.background = '#fff';
                document.querySelector('main').appendChild(el);
                return el;
            }""",
            text,
        )
        data: bytes = handle.as_element().screenshot(caret="initial")
        page.evaluate("(el) => el.remove()", handle)
        return data

    assert glyph("\ue000") == glyph("\ue001"), "the tofu detector does not work here"
    assert glyph("稳") != glyph("评"), "Chinese characters render as empty boxes: install fonts-noto-cjk"


def htmx_idle(page: Any) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
