"""Activation records: which rule-set version the gate uses, in the hash chain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from riskeval import Project
from riskeval.gate import Gate
from riskeval.ledger import Ledger, LedgerError
from riskeval.ledger import files as ledger_files
from riskeval.ledger.activation import active_versions, record_activation
from riskeval.ledger.views import record_line, record_summary


def test_activations_are_chained_verified_and_latest_wins(
    signed_gate: Gate, make: Callable[..., Project], keys: tuple[Path, Path]
) -> None:
    signed_gate.assess(make(pid="P-1", facts={"opposition_rate": 3}), actor="张三")
    ledger = signed_gate.ledger
    first = record_activation(ledger, "guiyang", "2014.2", "a" * 64, actor="管理员甲", title="贵阳")
    second = record_activation(ledger, "guiyang", "2014.3", "b" * 64, actor="管理员乙")
    assert (first.seq, second.seq) == (2, 3)
    assert second.prev_hash == first.record_hash
    assert first.inconsistency() is None and first.project_data["name"] == "贵阳"
    active = active_versions(ledger)
    assert list(active) == ["guiyang"]
    assert (active["guiyang"].version, active["guiyang"].hash, active["guiyang"].actor) == ("2014.3", "b" * 64, "管理员乙")
    reopened = Ledger(ledger.path, public_key=keys[1])
    assert reopened.verify().ok
    assert "启用规则集 guiyang 版本 2014.3" in record_summary(second)
    assert "启用规则集" in record_line(second)


def test_an_empty_actor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        record_activation(Ledger(tmp_path / "l.sqlite"), "guiyang", "1", "c" * 64, actor=" ")


def test_a_ledger_created_before_activations_still_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[..., Project], rs: object
) -> None:
    old = tuple(s.replace(", 'activation'", "") for s in ledger_files._SCHEMA)
    assert old != ledger_files._SCHEMA
    monkeypatch.setattr(ledger_files, "_SCHEMA", old)
    monkeypatch.setattr(ledger_files, "_EXPECTED_SQL", {})
    path = tmp_path / "old.sqlite"
    gate = Gate(rs, ledger=path)  # type: ignore[arg-type]
    gate.assess(make(pid="P-1", facts={"opposition_rate": 3}), actor="张三")
    gate.ledger.close()
    monkeypatch.undo()
    ledger_files._EXPECTED_SQL.clear()
    ledger = Ledger(path)
    assert ledger.verify().ok and len(ledger) == 1
    with pytest.raises(LedgerError):
        record_activation(ledger, "guiyang", "1", "c" * 64, actor="管理员")
    assert len(ledger) == 1 and ledger.verify().ok
