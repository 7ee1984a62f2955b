"""Over https the session cookie is Secure, and the secret shared by the worker processes signs it."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from riskeval.service import Settings, add_token, create_app
from riskeval.web.session import SECRET_ENV, SESSION_COOKIE


def test_over_https_the_session_cookie_is_secure_and_any_worker_accepts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    monkeypatch.setenv(SECRET_ENV, "ab" * 32)
    token = add_token(tmp_path / "t.yaml", "审计组", "auditor")
    settings = Settings(rules=["guiyang"], ledger=tmp_path / "l.sqlite", tokens=tmp_path / "t.yaml", allow_unsigned=True)
    first, second = create_app(settings), create_app(settings)  # two worker processes of one `riskeval serve`
    with TestClient(first, base_url="https://testserver") as one, TestClient(second, base_url="https://testserver") as two:
        form = one.get("/login")
        nonce = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert nonce is not None and "secure" in form.headers["set-cookie"].lower()
        done = one.post("/login", data={"token": token, "csrf_token": nonce.group(1)}, follow_redirects=False)
        assert done.status_code == 303
        cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
        assert "; secure" in cookie.lower() and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        two.cookies.set(SESSION_COOKIE, one.cookies[SESSION_COOKIE])
        assert two.get("/ledger").status_code == 200
