"""A real ``riskeval serve`` (uvicorn) on a free loopback port, with one token per role."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import riskeval
from tests.riskeval.serve_process import ROLES, ServeProcess

__all__ = ["ROLES", "RULESET", "Server", "make_project"]

RULESET = "jiangsu-db32-4013-2021"


@dataclass
class Server(ServeProcess):
    """A running ``riskeval serve`` subprocess."""

    rulesets: tuple[str, ...] = (RULESET, "guiyang")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("service"))
    srv.add_tokens()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def project_data() -> dict[str, Any]:
    """A project under DB32/T 4013 that is assessed as low risk (proceed)."""
    rs = riskeval.load_ruleset(RULESET)
    return {"id": "P-1", "kind": "project", "facts": copy.deepcopy(rs.tests[0].project["facts"])}


def make_project(base: dict[str, Any], pid: str, **facts: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["id"] = pid
    data["facts"].update(facts)
    return data
