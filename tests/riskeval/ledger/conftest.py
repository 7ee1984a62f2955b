from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import Project
from riskeval.gate import Gate
from riskeval.ledger import generate_keys


@pytest.fixture(scope="session")
def rs() -> riskeval.RuleSet:
    return riskeval.load_ruleset("jiangsu-db32-4013-2021")


@pytest.fixture()
def facts(rs: riskeval.RuleSet) -> dict[str, Any]:
    return copy.deepcopy(rs.tests[0].project["facts"])


@pytest.fixture()
def make(facts: dict[str, Any]) -> Callable[..., Project]:
    def _make(pid: str = "P-1", **kw: Any) -> Project:
        merged = {**facts, **kw.pop("facts", {})}
        return Project(id=pid, kind=kw.pop("kind", "project"), facts=merged, **kw)

    return _make


@pytest.fixture()
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture()
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return generate_keys(tmp_path / "keys")


@pytest.fixture()
def signed_gate(rs: riskeval.RuleSet, ledger_path: Path, keys: tuple[Path, Path]) -> Gate:
    return Gate(rs, ledger=ledger_path, signing_key=keys[0])


@pytest.fixture()
def five(signed_gate: Gate, make: Callable[..., Project]) -> Gate:
    """A signed ledger of five records: assessments of P-1..P-4 (P-3 high risk) and a decision on P-1."""
    for i, rate in enumerate((3, 10, 60, 5), start=1):
        signed_gate.assess(make(pid=f"P-{i}", facts={"opposition_rate": rate}), actor="张三")
    signed_gate.record_decision(make(pid="P-1", facts={"opposition_rate": 3}), "批准实施", actor="李四")
    conn = signed_gate.ledger._connection()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return signed_gate


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the append-only triggers dropped (a deliberate tamperer)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for table in ("records", "checkpoints", "meta"):
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    return conn
