"""Tamper detection: each kind of change made directly in the SQLite file, as a tamperer would."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import Gate, Ledger, LedgerError
from riskeval.gate.ledger import GENESIS, HASHED_COLUMNS, LedgerRecord, record_digest

from .conftest import raw

runner = CliRunner()


@pytest.fixture()
def five(gate, make, ledger_path):
    """A ledger of five records (four assessments and a decision); returns the head hash."""
    for i, rate in enumerate((3, 10, 60, 5), start=1):
        gate.assess(make(pid=f"P-{i}", facts={"opposition_rate": rate}), actor="张三")
    gate.record_decision(make(pid="P-1", facts={"opposition_rate": 3}), "批准实施", actor="李四")
    head = gate.head
    assert gate.ledger.verify(head=head).ok
    return head


def verify(path, *args):
    return runner.invoke(app, ["ledger", "verify", str(path), *args])


def test_intact_ledger_verifies(five, ledger_path):
    result = verify(ledger_path, "--head", five)
    assert result.exit_code == 0, result.output
    assert "台账完好：5 条记录" in result.output
    result = verify(ledger_path, "--lang", "en")
    assert result.exit_code == 0 and "ledger intact: 5 records" in result.output


def test_triggers_refuse_ordinary_updates_and_deletes(five, ledger_path):
    conn = sqlite3.connect(ledger_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET actor = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM records WHERE seq = 5")
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
def test_an_edit_of_any_column_is_detected(five, ledger_path, column):
    _edit(ledger_path, column)
    report = Ledger(ledger_path).verify()
    assert not report.ok
    assert report.bad_seq == (4 if column == "seq" else 3), (column, report)
    result = verify(ledger_path, "--lang", "en")
    assert result.exit_code == 1
    assert f"record #{report.bad_seq}" in result.output and "Traceback" not in result.output


def test_edited_assessment_is_named(five, ledger_path):
    _edit(ledger_path, "assessment_json")
    result = verify(ledger_path)
    assert result.exit_code == 1
    assert "第 3 号记录" in result.output and "内容与其哈希不符" in result.output


def test_a_deleted_record_is_detected(five, ledger_path):
    raw(ledger_path).execute("DELETE FROM records WHERE seq = 2")
    report = Ledger(ledger_path).verify()
    assert (report.bad_seq, report.problem, report.params) == (3, "missing", {"first": 2, "last": 2})
    result = verify(ledger_path)
    assert result.exit_code == 1 and "第 3 号记录" in result.output and "缺失" in result.output


def test_a_deleted_and_renumbered_record_is_detected(five, ledger_path):
    conn = raw(ledger_path)
    conn.execute("DELETE FROM records WHERE seq = 2")
    for seq in (3, 4, 5):
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq - 1, seq))
    conn.close()
    report = Ledger(ledger_path).verify()
    assert (report.bad_seq, report.problem, report.params) == (2, "moved", {"orig": 3})


def test_a_truncated_tail_is_caught_by_the_anchored_head(five, ledger_path):
    raw(ledger_path).execute("DELETE FROM records WHERE seq = 5")
    assert Ledger(ledger_path).verify().ok  # a chain alone cannot tell
    report = Ledger(ledger_path).verify(head=five)
    assert report.problem == "head_missing"
    result = verify(ledger_path, "--head", five)
    assert result.exit_code == 1 and "不在台账中" in result.output


def _forge(path, seq, prev, key=None, **changes):
    """A record computed correctly for its position, as a tamperer without the key would."""
    base = Ledger(path, key=key).get(1) if key else Ledger(path).get(1)
    values = {**base.to_dict(), "seq": seq, "prev_hash": prev, "actor": "伪造者", **changes}
    hashed = tuple(values[c] for c in HASHED_COLUMNS)
    return (*hashed, record_digest(hashed, None))


def test_an_inserted_record_is_detected(five, ledger_path):
    conn = raw(ledger_path)
    prev = conn.execute("SELECT record_hash FROM records WHERE seq = 2").fetchone()[0]
    for seq in (5, 4, 3):
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq + 1, seq))
    conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * 16)})", _forge(ledger_path, 3, prev))
    conn.close()
    report = Ledger(ledger_path).verify()
    assert (report.bad_seq, report.problem, report.params) == (4, "moved", {"orig": 3})
    result = verify(ledger_path, "--lang", "en")
    assert result.exit_code == 1 and "record #4" in result.output and "written as record #3" in result.output


def test_a_copied_record_at_the_end_is_detected(five, ledger_path):
    conn = raw(ledger_path)
    row = list(conn.execute("SELECT * FROM records WHERE seq = 2").fetchone())
    row[0], row[-1] = 6, "f" * 64
    conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * 16)})", row)
    conn.close()
    report = Ledger(ledger_path).verify()
    assert report.bad_seq == 6 and report.problem in ("hash", "moved")


def test_reordered_records_are_detected(five, ledger_path):
    conn = raw(ledger_path)
    conn.execute("UPDATE records SET seq = 100 WHERE seq = 2")
    conn.execute("UPDATE records SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE records SET seq = 3 WHERE seq = 100")
    conn.close()
    report = Ledger(ledger_path).verify()
    assert (report.bad_seq, report.problem, report.params) == (2, "moved", {"orig": 3})
    result = verify(ledger_path)
    assert result.exit_code == 1 and "第 2 号记录" in result.output and "重新排序" in result.output


def _rewrite_from(path, seq, key=None, **changes):
    """Edit record ``seq`` and recompute the whole chain after it (with ``key`` or plain sha256)."""
    conn = raw(path)
    rows = [LedgerRecord(*r) for r in conn.execute("SELECT * FROM records ORDER BY seq")]
    prev = rows[seq - 2].record_hash if seq > 1 else GENESIS
    for record in rows[seq - 1 :]:
        values = {**record.to_dict(), "prev_hash": prev}
        if record.seq == seq:
            values.update(changes)
        hashed = tuple(values[c] for c in HASHED_COLUMNS)
        digest = record_digest(hashed, key)
        conn.execute("DELETE FROM records WHERE seq = ?", (record.seq,))
        conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * 16)})", (*hashed, digest))
        prev = digest
    conn.close()


def test_end_to_end_rewrite_needs_the_head_or_the_key(five, ledger_path):
    _rewrite_from(ledger_path, 2, actor="王五")
    assert Ledger(ledger_path).verify().ok  # consistent, but rewritten
    assert verify(ledger_path, "--head", five).exit_code == 1


def test_hmac_makes_rewriting_without_the_key_detectable(rs, make, ledger_path, monkeypatch):
    gate = Gate(rs, ledger=ledger_path, key=b"k" * 32)
    for i in range(4):
        gate.assess(make(pid=f"P-{i}"), actor="张三")
    monkeypatch.setenv("LEDGER_KEY", "k" * 32)
    assert verify(ledger_path, "--key-env", "LEDGER_KEY").exit_code == 0
    _rewrite_from(ledger_path, 2, key=None, actor="王五")  # the tamperer lacks the key
    result = verify(ledger_path, "--key-env", "LEDGER_KEY")
    assert result.exit_code == 1 and "第 2 号记录" in result.output
    _rewrite_from(ledger_path, 2, key=b"guess", actor="王五")
    assert verify(ledger_path, "--key-env", "LEDGER_KEY").exit_code == 1
    # flipping the metadata to "unkeyed" does not help either
    conn = raw(ledger_path)
    conn.execute("UPDATE meta SET value = 'sha256' WHERE key = 'hash'")
    conn.close()
    _rewrite_from(ledger_path, 1, key=None)
    result = verify(ledger_path, "--key-env", "LEDGER_KEY", "--lang", "en")
    assert result.exit_code == 1 and "rewritten" in result.output


def test_key_problems_and_usage_errors(rs, make, ledger_path, tmp_path, monkeypatch):
    Gate(rs, ledger=ledger_path, key="abc").assess(make(), actor="张三")
    result = verify(ledger_path)
    assert result.exit_code == 2 and "--key-env" in result.output
    key_file = tmp_path / "key.txt"
    key_file.write_text("abc\n")
    assert verify(ledger_path, "--key-file", str(key_file)).exit_code == 0
    key_file.write_text("abd\n")
    result = verify(ledger_path, "--key-file", str(key_file))
    assert result.exit_code == 1 and "密钥" in result.output
    monkeypatch.setenv("K", "abc")
    assert verify(ledger_path, "--key-env", "K", "--key-file", str(key_file)).exit_code == 2
    assert verify(ledger_path, "--key-env", "UNSET_VARIABLE_X").exit_code == 2
    assert verify(ledger_path, "--key-file", str(tmp_path / "none")).exit_code == 2
    assert verify(ledger_path, "--head", "xyz").exit_code == 2
    assert verify(tmp_path / "missing.sqlite").exit_code == 2
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    result = verify(not_db)
    assert result.exit_code == 2 and "不是 riskeval 台账" in result.output
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    assert verify(other).exit_code == 2
    with pytest.raises(LedgerError):
        Ledger(tmp_path / "missing.sqlite", create=False)


def test_a_dropped_column_is_reported_not_a_traceback(five, ledger_path):
    conn = raw(ledger_path)
    conn.execute("DROP INDEX records_by_project")
    conn.execute("ALTER TABLE records DROP COLUMN actor")
    conn.close()
    result = verify(ledger_path)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_export_lets_anyone_recompute_the_chain(five, ledger_path, tmp_path):
    out = tmp_path / "ledger.jsonl"
    result = runner.invoke(app, ["ledger", "export", str(ledger_path), "--out", str(out)])
    assert result.exit_code == 0 and five in result.output
    prev = GENESIS
    for line in out.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert data["prev_hash"] == prev
        assert record_digest([data[c] for c in HASHED_COLUMNS]) == data["record_hash"]
        prev = data["record_hash"]
    assert prev == five
