"""What cannot be provoked from outside: a bug in a handler still answers problem+json, without a traceback."""

from __future__ import annotations

import warnings
from pathlib import Path

from riskeval.service import Settings, create_app


def test_a_bug_is_a_500_problem_without_traceback(tmp_path: Path) -> None:
    with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    app = create_app(Settings(rules=["guiyang"], ledger=tmp_path / "l.sqlite", tokens=tmp_path / "t.yaml", allow_unsigned=True))

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        resp = client.get("/boom")
        unauthorized = client.get("/api/v1/rulesets")
    assert resp.status_code == 500 and resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "service.internal" and "secret detail" not in resp.text and "Traceback" not in resp.text
    assert body["params"]["ref"] in body["message"]["en"]
    assert unauthorized.status_code == 401 and unauthorized.headers["www-authenticate"].startswith("Bearer")
    assert (tmp_path / "l.sqlite").is_file()
