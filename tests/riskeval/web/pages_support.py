"""A workbench server for the 规则集, 批量 and 专家 page tests: ``riskeval serve`` with ``--rules-dir`` and ``--pool``.

One server is shared by the three test modules (started on first use, stopped at the end of the session).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from riskeval.ledger import generate_keys
from tests.riskeval.web.conftest import ROOT
from tests.riskeval.web.server import RULESETS, WebServer, free_port

__all__ = ["POOL", "PagesServer", "log_in", "pages_server"]

POOL = ROOT / "examples" / "pool" / "pool.yaml"


@dataclass
class PagesServer(WebServer):
    """:class:`WebServer` with extra ``riskeval serve`` options."""

    extra: list[str] = field(default_factory=list)

    @property
    def rules_dir(self) -> Path:
        return self.root / "rules"

    def start(self, timeout: float = 120.0) -> None:
        self.port = free_port()
        if not self.signing_key.is_file():
            generate_keys(self.signing_key.parent)
        log = (self.root / f"server-{self.port}.log").open("wb")
        cmd = [sys.executable, "-m", "riskeval", "serve"]
        for name in RULESETS:
            cmd += ["--rules", name]
        cmd += [
            "--ledger", str(self.ledger), "--tokens", str(self.tokens_file), "--port", str(self.port),
            "--log-level", "warning", "--signing-key", str(self.signing_key), *self.extra,
        ]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_text()}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not answer /api/v1/health")


_SHARED: dict[str, PagesServer] = {}


@pytest.fixture(scope="session")
def pages_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> PagesServer:
    """The shared server: rule sets guiyang and Jiangsu, an empty rule directory, the example pool."""
    if "server" not in _SHARED:
        root = tmp_path_factory.mktemp("pages")
        server = PagesServer(root)
        server.extra = ["--rules-dir", str(server.rules_dir), "--pool", str(POOL)]
        server.rules_dir.mkdir()
        server.add_tokens()
        server.start()
        request.config.add_cleanup(server.stop)
        _SHARED["server"] = server
    return _SHARED["server"]


def log_in(page: Any, server: WebServer, role: str, next_path: str = "/") -> Any:
    """Log ``page`` in to ``server`` with the token of ``role`` and open ``next_path``."""
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#token", server.tokens[role])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("header .who").get_attribute("data-role") == role
    return page


LogIn = Callable[..., Any]
