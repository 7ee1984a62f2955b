"""``riskeval ledger export --filing``, ``riskeval filing verify|import|status``: output and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.ledger import Ledger

from .conftest import rewrite
from .test_filing import _change_record

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_export_verify_import_status(grow_ledger: Callable[[int], Ledger], tmp_path: Path) -> None:
    ledger = grow_ledger(4)
    pkg, reg = tmp_path / "f1.zip", tmp_path / "reg.sqlite"
    code, out = run("ledger", "export", ledger.path, "--filing", "--since", "1", "--out", pkg)
    assert code == 0 and "第 1–4 号记录（4 条）" in out and pkg.is_file()
    code, out = run("filing", "verify", pkg, "--lang", "en")
    assert code == 0 and "filing package intact" in out and "records #1–#4 (4)" in out
    code, out = run("filing", "import", pkg, "--registry", reg, "--label", "市交通局")
    assert code == 0 and "已登记" in out and "首次备案" in out
    code, out = run("filing", "import", pkg, "--registry", reg, "--lang", "en")
    assert code == 1 and "replayed filing" in out
    grow_ledger(2)
    code, out = run("ledger", "export", ledger.path, "--filing", "--since", "5", "--out", tmp_path / "f2.zip", "--format", "json")
    assert code == 0 and json.loads(out)["count"] == 2
    code, out = run("filing", "import", tmp_path / "f2.zip", "--registry", reg, "--format", "json")
    assert code == 0 and json.loads(out)["size"] == 6
    code, out = run("filing", "status", "--registry", reg)
    assert code == 0 and "2 次备案" in out and "已备案至第 6 号记录" in out and "市交通局" in out


def test_refusals_and_unreadable_input(grow_ledger: Callable[[int], Ledger], tmp_path: Path) -> None:
    ledger = grow_ledger(6)
    run("ledger", "export", ledger.path, "--filing", "--since", "1", "--out", tmp_path / "a.zip")
    bad = rewrite(tmp_path / "a.zip", tmp_path / "bad.zip", _change_record(1, actor="王五"))
    code, out = run("filing", "verify", bad)
    assert code == 1 and "第 2 号记录的内容与其哈希不符" in out
    code, out = run("filing", "verify", bad, "--format", "json")
    assert code == 1 and json.loads(out)["problem"] == "record"
    code, out = run("filing", "import", bad, "--registry", tmp_path / "reg.sqlite", "--lang", "en")
    assert code == 1 and "fails verification" in out and "record #2" in out

    run("filing", "import", tmp_path / "a.zip", "--registry", tmp_path / "r2.sqlite")
    grow_ledger(2)
    run("ledger", "export", ledger.path, "--filing", "--since", "3", "--out", tmp_path / "late.zip")
    # a.zip covered 1-6 already: a package from 3 to 8 overlaps
    code, out = run("filing", "import", tmp_path / "late.zip", "--registry", tmp_path / "r2.sqlite", "--lang", "en")
    assert code == 1 and "does not continue" in out

    (tmp_path / "junk.zip").write_bytes(b"junk")
    code, out = run("filing", "verify", tmp_path / "junk.zip")
    assert code == 2 and "不是 zip 文件" in out
    code, out = run("filing", "status", "--registry", tmp_path / "none.sqlite")
    assert code == 2 and not (tmp_path / "none.sqlite").exists()
    code, out = run("ledger", "export", ledger.path, "--filing", "--since", "99", "--out", tmp_path / "x.zip")
    assert code == 2 and "超出范围" in out
    assert "Traceback" not in out


def test_plain_export_unchanged(grow_ledger: Callable[[int], Ledger], tmp_path: Path) -> None:
    ledger = grow_ledger(2)
    code, out = run("ledger", "export", ledger.path, "--out", tmp_path / "all.jsonl")
    assert code == 0 and len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 2
