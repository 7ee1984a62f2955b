"""``riskeval gate track`` and ``riskeval gate measure``."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import Ledger

runner = CliRunner()
RULES = "jiangsu-db32-4013-2021"
MEASURES = [{"id": "M1", "label": "入户走访", "owner": "区政府", "due": "2026-03-31"}]


def _write(tmp_path, stem, facts, **data):
    path = tmp_path / f"{stem}.yaml"
    body = {"id": "P-1", "kind": "project", "facts": facts, "measures": MEASURES, **data}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return str(path)


def _gate(cmd, project, ledger, *extra):
    return runner.invoke(app, ["gate", cmd, project, "--rules", RULES, "--ledger", str(ledger), *extra])


def test_track_and_measure_commands(tmp_path, facts, ledger_path):
    first = _write(tmp_path, "first", facts)
    later = _write(tmp_path, "later", {**facts, "opposition_rate": 60})
    result = _gate("track", first, ledger_path, "--actor", "王五")
    assert result.exit_code == 1 and "尚无决策记录" in result.output
    assert _gate("assess", first, ledger_path, "--actor", "张三").exit_code == 0
    assert _gate("decide", first, ledger_path, "--outcome", "批准实施", "--actor", "李四").exit_code == 0
    result = _gate("track", later, ledger_path, "--actor", "王五", "--note", "信访增加")
    assert result.exit_code == 0, result.output
    assert "第 3 号记录（跟踪评估" in result.output and "风险升级：决策时为低风险，现为高风险" in result.output
    result = _gate("decide", later, ledger_path, "--outcome", "开工", "--actor", "李四", "--lang", "en")
    assert result.exit_code == 1 and "tracking record #3" in result.output
    record = Ledger(ledger_path).get(3)
    assert record.kind == "tracking" and json.loads(record.outcome)["note"] == "信访增加"

    def measure(*args):
        return runner.invoke(app, ["gate", "measure", str(ledger_path), *args])

    result = measure("P-1", "M1", "--status", "done", "--actor", "区政府")
    assert result.exit_code == 0, result.output
    assert "措施 M1：已完成" in result.output and len(Ledger(ledger_path)) == 4
    result = measure("P-1", "M7", "--status", "done", "--actor", "区政府")
    assert result.exit_code == 2 and "M7" in result.output and "M1" in result.output
    result = measure("P-8", "M1", "--status", "done", "--actor", "区政府", "--lang", "en")
    assert result.exit_code == 2 and "no assessment of project P-8" in result.output
    result = measure("P-1", "M1", "--status", "finished", "--actor", "区政府")
    assert result.exit_code == 2 and "finished" in result.output
    result = runner.invoke(app, ["gate", "measure", str(tmp_path / "none.sqlite"), "P-1", "M1", "--status", "done", "--actor", "x"])
    assert result.exit_code == 2
    assert len(Ledger(ledger_path)) == 4 and Ledger(ledger_path).verify().ok
