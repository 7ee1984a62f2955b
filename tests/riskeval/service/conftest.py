"""A real ``riskeval serve`` (uvicorn) on a free loopback port, with one token per role."""

from __future__ import annotations

import copy
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import riskeval
from riskeval.ledger import generate_keys
from riskeval.service.tokens import add_token

RULESET = "jiangsu-db32-4013-2021"
ROLES = ("assessor", "decider", "auditor", "admin")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``riskeval serve`` subprocess."""

    root: Path
    workers: int = 1
    extra: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def tokens_file(self) -> Path:
        return self.root / "tokens.yaml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def signing_key(self) -> Path:
        return self.root / "keys" / "signing.key"

    def add_tokens(self) -> None:
        for role in ROLES:
            self.tokens[role] = add_token(self.tokens_file, f"{role}-组", role)

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def start(self, timeout: float = 90.0) -> None:
        self.port = free_port()
        if not self.signing_key.is_file():
            generate_keys(self.signing_key.parent)
        log = (self.root / f"server-{self.port}.log").open("wb")
        cmd = [
            sys.executable, "-m", "riskeval", "serve", "--rules", RULESET, "--rules", "guiyang",
            "--ledger", str(self.ledger), "--tokens", str(self.tokens_file), "--port", str(self.port),
            "--workers", str(self.workers), "--log-level", "warning", "--signing-key", str(self.signing_key), *self.extra,
        ]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.root / f'server-{self.port}.log').read_text()}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not answer /api/v1/health")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.root.glob("server-*.log")))


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
