"""A real ``riskeval serve`` in a subprocess on a free loopback port, for the service and workbench tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from riskeval.ledger import generate_keys
from riskeval.service.tokens import add_token

__all__ = ["ROLES", "ServeProcess", "free_port"]

ROLES = ("assessor", "decider", "auditor", "admin")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServeProcess:
    """``riskeval serve`` with a temporary signed ledger and one token per role (``tokens[role]``).

    ``rulesets`` are passed as ``--rules``, ``workers`` as ``--workers``, ``extra`` verbatim.
    """

    root: Path
    rulesets: tuple[str, ...] = ("guiyang", "jiangsu-db32-4013-2021")
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
    def signing_key(self) -> Path:
        return self.root / "keys" / "signing.key"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_tokens(self) -> None:
        for role in ROLES:
            self.tokens[role] = add_token(self.tokens_file, f"{role}-组", role)

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "riskeval", "serve"]
        for name in self.rulesets:
            cmd += ["--rules", name]
        cmd += [
            "--ledger", str(self.ledger), "--tokens", str(self.tokens_file), "--port", str(self.port),
            "--log-level", "warning", "--signing-key", str(self.signing_key), "--workers", str(self.workers),
        ]
        return [*cmd, *self.extra]

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait until ``/api/v1/health`` answers 200."""
        self.port = free_port()
        if not self.signing_key.is_file():
            generate_keys(self.signing_key.parent)
        log = (self.root / f"server-{self.port}.log").open("wb")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL after 30 s)."""
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
