"""Tamper detection column by column, the CLI's verify report, and export."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.ledger import GENESIS, HASHED_COLUMNS, Ledger
from riskeval.ledger.merkle import root
from riskeval.ledger.records import leaf_bytes

from .conftest import raw

runner = CliRunner()


def verify(path, *args):
    return runner.invoke(app, ["ledger", "verify", str(path), *args])


def test_intact_ledger_verifies(five, ledger_path, keys):
    head = five.head
    result = verify(ledger_path, "--head", head, "--public-key", str(keys[1]))
    assert result.exit_code == 0, result.output
    assert "台账完好：5 条记录" in result.output and "签名" in result.output
    result = verify(ledger_path, "--lang", "en", "--format", "json")
    data = json.loads(result.stdout)
    assert data["ok"] and data["count"] == 5 and data["signed"] and data["checkpoints"] == 6
    assert "key_from_ledger" in data["warnings"]  # no public key given: said so
    assert verify(ledger_path, "--jobs", "2").exit_code == 0


def test_triggers_refuse_ordinary_updates_and_deletes(five, ledger_path):
    conn = sqlite3.connect(ledger_path)
    for sql in (
        "UPDATE records SET actor = 'x' WHERE seq = 2",
        "DELETE FROM records WHERE seq = 5",
        "DELETE FROM checkpoints",
        "UPDATE meta SET value = 'x'",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    conn.close()


def _edit(path, column, seq=3):
    conn = raw(path)
    (value,) = conn.execute(f"SELECT {column} FROM records WHERE seq = ?", (seq,)).fetchone()
    if column == "seq":
        new = 99
    elif column == "kind":
        new = "decision"
    elif value is None:
        new = 1 if column == "ref_seq" else "x"
    elif isinstance(value, int):
        new = value + 1
    elif column in ("project_json", "assessment_json"):
        new = value.replace('"opposition_rate":60', '"opposition_rate":6')
        assert new != value
    else:
        new = value[:-1] + ("0" if value[-1] != "0" else "1")
    conn.execute(f"UPDATE records SET {column} = ? WHERE seq = ?", (new, seq))
    conn.close()


@pytest.mark.parametrize("column", [*HASHED_COLUMNS, "record_hash"])
def test_an_edit_of_any_column_is_detected(five, ledger_path, keys, column):
    _edit(ledger_path, column)
    report = Ledger(ledger_path).verify(public_key=keys[1])
    assert not report.ok
    assert report.bad_seq == (4 if column == "seq" else 3), (column, report)
    result = verify(ledger_path, "--lang", "en", "--public-key", str(keys[1]))
    assert result.exit_code == 1
    assert f"record #{report.bad_seq}" in result.output and "Traceback" not in result.output


def test_a_moved_record_names_where_it_was_written(five, ledger_path):
    conn = raw(ledger_path)
    conn.execute("DELETE FROM records WHERE seq = 2")
    for seq in (3, 4, 5):
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq - 1, seq))
    conn.close()
    report = Ledger(ledger_path).verify()
    assert (report.bad_seq, report.problem, report.params) == (2, "moved", {"orig": 3})
    assert "重新排序" in report.message()


def test_a_copied_record_at_the_end_is_detected(five, ledger_path):
    conn = raw(ledger_path)
    row = list(conn.execute("SELECT * FROM records WHERE seq = 2").fetchone())
    row[0], row[-1] = 6, "f" * 64
    conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * 16)})", row)
    conn.close()
    report = Ledger(ledger_path).verify()
    assert report.bad_seq == 6 and report.problem in ("hash", "moved")


def test_a_dropped_column_is_reported_not_a_traceback(five, ledger_path):
    conn = raw(ledger_path)
    conn.execute("DROP INDEX records_by_project")
    conn.execute("ALTER TABLE records DROP COLUMN actor")
    conn.close()
    result = verify(ledger_path)
    assert result.exit_code == 1 and "Traceback" not in result.output and "表结构" in result.output


def test_an_anchored_head_must_be_in_the_ledger(five, ledger_path):
    result = verify(ledger_path, "--head", "ab" * 32)
    assert result.exit_code == 1 and "不在台账中" in result.output
    assert verify(ledger_path, "--head", "xyz").exit_code == 2


def test_export_lets_anyone_recompute_leaves_chain_and_root(five, ledger_path, tmp_path):
    out = tmp_path / "ledger.jsonl"
    result = runner.invoke(app, ["ledger", "export", str(ledger_path), "--out", str(out)])
    assert result.exit_code == 0 and five.head in result.output
    prev, leaves = GENESIS, []
    for line in out.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert data["prev_hash"] == prev
        leaf = hashlib.sha256(b"\x00" + leaf_bytes([data[c] for c in HASHED_COLUMNS])).digest()
        assert leaf.hex() == data["record_hash"]
        prev = data["record_hash"]
        leaves.append(leaf)
    assert prev == five.head
    assert root(leaves).hex() == five.ledger.checkpoint().root
