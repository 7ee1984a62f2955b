"""``riskeval bulletin``."""

from __future__ import annotations

import json
import shutil
import sqlite3

from typer.testing import CliRunner

from riskeval.bulletin import build_bulletin
from riskeval.cli import app
from riskeval.ledger import Ledger

from ...city_year import city_year

runner = CliRunner()


def test_bulletin_command(tmp_path):
    year = city_year()
    ledger = str(year.ledger)
    expected = build_bulletin(Ledger(year.ledger, read_only=True), "2026-11")
    result = runner.invoke(app, ["bulletin", ledger, "--month", "2026-11", "--out", str(tmp_path / "b.docx")])
    assert result.exit_code == 0, result.output
    assert "社会稳定风险预警参考（2026年11月）" in result.output and expected.head_hash in result.output
    assert (tmp_path / "b.docx").stat().st_size > 10_000
    assert all(f"{e.project_id} {e.name}" in result.output for e in expected.escalated)
    args = ["bulletin", ledger, "--month", "2026-11", "--out", str(tmp_path / "b.html"), "--format", "json"]
    result = runner.invoke(app, [*args, "--public-key", str(year.public_key), "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["head_seq"] == expected.head_seq and data["new_total"] == expected.new_total
    assert "Early-warning bulletin" in (tmp_path / "b.html").read_text(encoding="utf-8")
    assert runner.invoke(app, ["bulletin", ledger, "--month", "2026-13"]).exit_code == 2
    bad = runner.invoke(app, ["bulletin", ledger, "--month", "2026-11", "--out", str(tmp_path / "b.pdf")])
    assert bad.exit_code == 2 and ".docx" in bad.output
    assert runner.invoke(app, ["bulletin", str(tmp_path / "none.sqlite"), "--month", "2026-11"]).exit_code == 2
    # a tampered ledger gives no bulletin
    copy = tmp_path / "tampered.sqlite"
    shutil.copyfile(year.ledger, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET outcome = '不予实施' WHERE kind = 'decision' AND seq = (SELECT min(seq) FROM records WHERE kind = 'decision')")
    conn.commit()
    conn.close()
    tampered = runner.invoke(app, ["bulletin", str(copy), "--month", "2026-11", "--out", str(tmp_path / "t.html")])
    assert tampered.exit_code == 1 and not (tmp_path / "t.html").exists()
