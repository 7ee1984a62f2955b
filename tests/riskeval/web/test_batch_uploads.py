"""The workbench's upload forms get the upload limit (``--max-upload-mb``), not the JSON one."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from riskeval.service.app import UPLOAD_PATHS, create_app
from riskeval.service.settings import Settings


def test_every_upload_path_is_a_post_route(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("[]\n", encoding="utf-8")
    app = create_app(Settings(rules=["guiyang"], ledger=tmp_path / "l.sqlite", tokens=tokens, allow_unsigned=True))
    assert {"/batch", "/rules/impact", "/experts/assign", "/api/v1/batch"} == UPLOAD_PATHS
    with TestClient(app) as client:
        for path in sorted(UPLOAD_PATHS):
            status = client.post(path, headers={"Accept": "application/json"}).status_code
            assert status in (401, 403), (path, status)  # the route exists and wants a login
        assert client.post("/no-such-upload").status_code == 404
