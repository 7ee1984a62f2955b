"""A workbench server for the 规则集, 批量 and 专家 page tests: ``riskeval serve`` with ``--rules-dir`` and ``--pool``.

One server is shared by the three test modules (started on first use, stopped at the end of the session).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.riskeval.web.conftest import ROOT
from tests.riskeval.web.server import WebServer

__all__ = ["POOL", "PagesServer", "log_in", "pages_server"]

POOL = ROOT / "examples" / "pool" / "pool.yaml"


@dataclass
class PagesServer(WebServer):
    """:class:`WebServer` with a rule directory (``extra`` holds the other ``riskeval serve`` options)."""

    @property
    def rules_dir(self) -> Path:
        return self.root / "rules"


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
