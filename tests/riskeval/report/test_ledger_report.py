"""``riskeval ledger report LEDGER SEQ --out report.docx``: the Word report of a recorded assessment, with its
ledger receipt (附件：台账凭证) taken from the verified ledger."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from typer.testing import CliRunner

from riskeval import load_project, load_ruleset
from riskeval.cli import app
from riskeval.gate import Gate
from riskeval.ledger import Ledger, generate_keys

from .test_docx import CHAPTERS, XIDONG, headings, rows, table_after

runner = CliRunner()


def _ledger(tmp_path: Path) -> tuple[Path, Path]:
    priv, pub = generate_keys(tmp_path / "keys")
    path = tmp_path / "ledger.db"
    gate = Gate(load_ruleset("guiyang"), ledger=path, signing_key=priv)
    project = load_project(XIDONG)
    gate.assess(project, actor="张三")
    gate.record_decision(project, "批准实施", actor="李四")
    return path, pub


def test_ledger_report_carries_the_receipt(tmp_path):
    path, pub = _ledger(tmp_path)
    out = tmp_path / "r.docx"
    result = runner.invoke(app, ["ledger", "report", str(path), "1", "--out", str(out), "--public-key", str(pub)])
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    assert headings(doc)[: len(CHAPTERS)] == CHAPTERS
    assert "附件：台账凭证" in headings(doc)
    table = dict((r[0], r[1]) for r in rows(table_after(doc, "附件：台账凭证")))
    ledger = Ledger(path)
    record = ledger.get(1)
    head = ledger.head()
    assert record is not None and head is not None
    assert table["台账序号"] == "1"
    assert table["记录哈希"] == record.record_hash
    assert table["台账链头哈希"] == head.record_hash != record.record_hash
    assert table["规则集哈希"] == record.ruleset_hash and table["记录时间"] == record.ts
    assert doc.inline_shapes, "the QR code of the receipt"


def test_ledger_report_refuses_a_decision_record_and_other_suffixes(tmp_path):
    path, pub = _ledger(tmp_path)
    decision = runner.invoke(app, ["ledger", "report", str(path), "2", "--out", str(tmp_path / "d.docx")])
    assert decision.exit_code == 1 and not (tmp_path / "d.docx").exists()
    assert "决策记录" in decision.output
    bad = runner.invoke(app, ["ledger", "report", str(path), "1", "--out", str(tmp_path / "d.pdf")])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["ledger", "report", str(path), "9", "--out", str(tmp_path / "m.docx")])
    assert missing.exit_code != 0 and not (tmp_path / "m.docx").exists()
