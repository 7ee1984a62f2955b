from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import Ledger

runner = CliRunner()
RULES = "jiangsu-db32-4013-2021"


@pytest.fixture()
def files(tmp_path, facts):
    def write(stem, **data):
        path = tmp_path / f"{stem}.yaml"
        path.write_text(yaml.safe_dump({"kind": "project", "facts": facts, **data}, allow_unicode=True), encoding="utf-8")
        return str(path)

    return {
        "ok": write("ok", id="P-1", name="测试项目"),
        "high": write("high", id="P-2", facts={**facts, "opposition_rate": 60}),
        "bad": write("bad", id="P-3", facts={**facts, "opposition_rate": "很多"}),
    }


def gate(cmd, project, ledger, *extra):
    return runner.invoke(app, ["gate", cmd, project, "--rules", RULES, "--ledger", str(ledger), *extra])


def test_gate_commands(files, ledger_path):
    result = gate("require", files["ok"], ledger_path)
    assert result.exit_code == 1 and "须评估" in result.output
    result = gate("assess", files["ok"], ledger_path, "--actor", "张三")
    assert result.exit_code == 0, result.output
    head = Ledger(ledger_path).head().record_hash
    assert "第 1 号记录" in result.output and head in result.output and "门槛：通过" in result.output
    assert gate("require", files["ok"], ledger_path).exit_code == 0
    result = gate("decide", files["ok"], ledger_path, "--outcome", "批准实施", "--actor", "李四", "--lang", "en")
    assert result.exit_code == 0 and "record #2 (decision" in result.output
    result = gate("assess", files["high"], ledger_path, "--actor", "张三", "--lang", "en")
    assert result.exit_code == 0 and "gate: refused" in result.output
    result = gate("decide", files["high"], ledger_path, "--outcome", "批准实施", "--actor", "李四")
    assert result.exit_code == 1 and "不得实施" in result.output
    assert len(Ledger(ledger_path)) == 3


def test_gate_command_input_errors(files, ledger_path, tmp_path):
    result = gate("assess", files["bad"], ledger_path, "--actor", "张三")
    assert result.exit_code == 2 and "项目数据有错误" in result.output
    result = gate("assess", str(tmp_path / "none.yaml"), ledger_path, "--actor", "张三")
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(app, ["gate", "assess", files["ok"], "--rules", "nope", "--ledger", str(ledger_path), "--actor", "x"])
    assert result.exit_code == 2
    result = gate("assess", files["ok"], ledger_path, "--actor", " ")
    assert result.exit_code == 2
    result = runner.invoke(app, ["gate", "assess", files["ok"]])  # missing options
    assert result.exit_code == 2
    assert not ledger_path.exists() or len(Ledger(ledger_path)) == 0


def test_list_show_export(files, ledger_path, tmp_path):
    gate("assess", files["ok"], ledger_path, "--actor", "张三")
    gate("assess", files["high"], ledger_path, "--actor", "张三")
    gate("decide", files["ok"], ledger_path, "--outcome", "批准实施", "--actor", "李四")
    result = runner.invoke(app, ["ledger", "list", str(ledger_path)])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("#1") and "低风险" in lines[0] and "批准实施" in lines[2]
    result = runner.invoke(app, ["ledger", "list", str(ledger_path), "--project", "P-2", "--format", "json"])
    assert [json.loads(x)["level"] for x in result.output.splitlines()] == ["high"]
    result = runner.invoke(app, ["ledger", "show", str(ledger_path), "2", "--lang", "en"])
    assert result.exit_code == 0 and "high risk" in result.output and "matches" in result.output
    prefix = Ledger(ledger_path).get(1).record_hash[:10]
    result = runner.invoke(app, ["ledger", "show", str(ledger_path), prefix, "--format", "json"])
    data = json.loads(result.output)
    assert data["seq"] == 1 and data["hash_ok"] is True and data["project"]["name"] == "测试项目"
    for ref in ("99", "zz", "abcdef0123"):
        result = runner.invoke(app, ["ledger", "show", str(ledger_path), ref])
        assert result.exit_code == 2 and "没有记录" in result.output
    out = tmp_path / "x.jsonl"
    result = runner.invoke(app, ["ledger", "export", str(ledger_path), "--out", str(out)])
    assert result.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 3
    result = runner.invoke(app, ["ledger", "head", str(ledger_path)])
    assert result.output.strip() == Ledger(ledger_path).head().record_hash


def test_empty_and_missing_ledgers(ledger_path, tmp_path):
    for args in (["list"], ["show", "1"], ["export", "--out", str(tmp_path / "o.jsonl")], ["verify"], ["head"]):
        result = runner.invoke(app, ["ledger", args[0], str(tmp_path / "missing.sqlite"), *args[1:]])
        assert result.exit_code == 2, args
        assert "台账文件不存在" in result.output
    result = runner.invoke(app, ["ledger", "list", str(tmp_path / "missing.sqlite"), "--lang", "en"])
    assert "no ledger file" in result.output
