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
    assert "未签名" in result.stderr  # an unsigned ledger says so
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
    assert result.exit_code == 1 and "项目数据有错误" in result.output  # the same exit code as `riskeval assess`
    result = gate("assess", str(tmp_path / "none.yaml"), ledger_path, "--actor", "张三")
    plain = runner.invoke(app, ["assess", str(tmp_path / "none.yaml"), "--rules", RULES])
    assert result.exit_code == plain.exit_code != 0 and "Traceback" not in result.output
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
    assert "未签名" in result.stderr  # an unsigned ledger says so on every command
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("#1") and "低风险" in lines[0] and "批准实施" in lines[2]
    result = runner.invoke(app, ["ledger", "list", str(ledger_path), "--project", "P-2", "--format", "json"])
    assert [json.loads(x)["level"] for x in result.stdout.splitlines()] == ["high"]
    result = runner.invoke(app, ["ledger", "show", str(ledger_path), "2", "--lang", "en"])
    assert result.exit_code == 0 and "high risk" in result.output and "matches" in result.output
    prefix = Ledger(ledger_path).get(1).record_hash[:10]
    result = runner.invoke(app, ["ledger", "show", str(ledger_path), prefix, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["seq"] == 1 and data["hash_ok"] is True and data["project"]["name"] == "测试项目"
    for ref in ("99", "zz", "abcdef0123"):
        result = runner.invoke(app, ["ledger", "show", str(ledger_path), ref])
        assert result.exit_code == 2 and "没有记录" in result.output
    out = tmp_path / "x.jsonl"
    result = runner.invoke(app, ["ledger", "export", str(ledger_path), "--out", str(out)])
    assert result.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 3
    result = runner.invoke(app, ["ledger", "head", str(ledger_path)])
    assert result.stdout.strip() == Ledger(ledger_path).head().record_hash


def test_empty_and_missing_ledgers(ledger_path, tmp_path):
    for args in (["list"], ["show", "1"], ["export", "--out", str(tmp_path / "o.jsonl")], ["verify"], ["head"]):
        result = runner.invoke(app, ["ledger", args[0], str(tmp_path / "missing.sqlite"), *args[1:]])
        assert result.exit_code == 2, args
        assert "台账文件不存在" in result.output
    result = runner.invoke(app, ["ledger", "list", str(tmp_path / "missing.sqlite"), "--lang", "en"])
    assert "no ledger file" in result.output


def test_signed_gate_commands(files, ledger_path, tmp_path):
    keys = tmp_path / "keys"
    assert runner.invoke(app, ["ledger", "keygen", "--out", str(keys)]).exit_code == 0
    key, pub = str(keys / "signing.key"), str(keys / "signing.pub")
    result = gate("assess", files["ok"], ledger_path, "--actor", "张三", "--signing-key", key)
    assert result.exit_code == 0 and "未签名" not in result.output
    result = gate("decide", files["ok"], ledger_path, "--outcome", "批准实施", "--actor", "李四")
    assert result.exit_code == 2 and "--signing-key" in result.output  # writing a signed ledger needs the key
    result = runner.invoke(
        app, ["gate", "decide", files["ok"], "--rules", RULES, "--ledger", str(ledger_path), "--outcome", "批准实施", "--actor", "李四"],
        env={"RISKEVAL_SIGNING_KEY": key},
    )
    assert result.exit_code == 0, result.output
    assert gate("require", files["ok"], ledger_path, "--public-key", pub, "--require-signed").exit_code == 0
    result = runner.invoke(app, ["ledger", "verify", str(ledger_path), "--public-key", pub, "--signatures", "latest"])
    assert result.exit_code == 0 and "2 条记录" in result.output
    unsigned = tmp_path / "unsigned.sqlite"
    gate("assess", files["ok"], unsigned, "--actor", "张三")
    result = gate("require", files["ok"], unsigned, "--require-signed")
    assert result.exit_code == 1 and "未签名" in result.output
