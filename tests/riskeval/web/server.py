"""A real ``riskeval serve`` for the workbench tests: a uvicorn subprocess on a free loopback port."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tests.riskeval.serve_process import ROLES, ServeProcess, free_port

__all__ = ["ROLES", "RULESETS", "WebServer", "free_port", "tamper_record"]
RULESETS = ("guiyang", "jiangsu-db32-4013-2021")


@dataclass
class WebServer(ServeProcess):
    """``riskeval serve`` with a temporary signed ledger and one token per role (``tokens[role]``)."""

    rulesets: tuple[str, ...] = RULESETS


def tamper_record(ledger: Path, seq: int, actor: str) -> None:
    """Rewrite the ``actor`` of record ``seq`` behind the ledger's back (the append-only trigger is
    dropped for the UPDATE and put back, so that only the record differs)."""
    conn = sqlite3.connect(ledger, isolation_level=None)
    try:
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'records_no_update'").fetchone()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DROP TRIGGER IF EXISTS records_no_update")
        conn.execute("UPDATE records SET actor = ? WHERE seq = ?", (actor, seq))
        if row is not None:
            conn.execute(row[0])
        conn.execute("COMMIT")
    finally:
        conn.close()
