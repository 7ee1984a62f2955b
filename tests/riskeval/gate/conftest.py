from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import riskeval
from riskeval.gate import Gate

ROOT = Path(__file__).resolve().parents[3]
BASE_RULES = ROOT / "rules" / "jiangsu-db32-4013-2021.yaml"










@pytest.fixture()
def gate(rs: riskeval.RuleSet, ledger_path: Path) -> Gate:
    return Gate(rs, ledger=ledger_path)


@pytest.fixture(scope="session")
def rule_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., riskeval.RuleSet]:
    """Write a rule file extending the bundled DB32/T 4013 set and load it."""
    cache: dict[str, riskeval.RuleSet] = {}
    folder = tmp_path_factory.mktemp("rules")

    def _rule(name: str, body: str, rid: str | None = None, version: str = "1") -> riskeval.RuleSet:
        key = f"{name}"
        if key not in cache:
            text = (
                f"id: {rid or 'test-' + name}\ntitle: test {name}\nversion: \"{version}\"\n"
                f"extends: {BASE_RULES.as_posix()}\n{body}"
            )
            path = folder / f"{name}.yaml"
            path.write_text(text, encoding="utf-8")
            cache[key] = riskeval.load_ruleset(path)
        return cache[key]

    return _rule


PROCEDURE = """
facts:
  public_notice_days: {type: integer, label: 公示天数, min: 0, default: 0}
procedures:
  - {id: PR-1, label: 社会公示, satisfied: public_notice_days >= 10, source: test, confidence: U}
"""
PANEL = """
items:
  - {id: JS-CTL-3, panel: true, points: null}
"""
SCOPE_POSTPONE = """
scope:
  - 'investment >= 1000'
decisions: {high: reject, medium: postpone, low: proceed}
"""


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the append-only triggers dropped (a deliberate tamperer)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_no_update")
    conn.execute("DROP TRIGGER IF EXISTS records_no_delete")
    return conn
