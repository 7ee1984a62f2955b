"""The findings of issue 13 about the file under the gate, and the error tree of the ledger."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

import riskeval
from riskeval.cli import app
from riskeval.errors import exit_code_for
from riskeval.gate import AssessmentRequired, Gate, GateError
from riskeval.ledger import (
    Ledger,
    LedgerBusy,
    LedgerError,
    LedgerKeyError,
    LedgerNotFound,
    LedgerTampered,
)
from riskeval.ledger.records import HASHED_COLUMNS, LEAF_SQL, leaf_bytes

runner = CliRunner()


def test_error_tree_and_exit_codes():
    for cls in (LedgerNotFound, LedgerKeyError, LedgerTampered, LedgerBusy):
        assert issubclass(cls, LedgerError) and cls.__name__ in riskeval.__all__
        assert getattr(riskeval, cls.__name__) is cls
    assert issubclass(LedgerError, riskeval.RiskevalError) and not issubclass(LedgerError, GateError)
    codes = {cls: exit_code_for(cls(path="x")) for cls in (LedgerNotFound, LedgerKeyError, LedgerTampered, LedgerBusy)}
    assert codes == {LedgerNotFound: 2, LedgerKeyError: 2, LedgerTampered: 1, LedgerBusy: 2}
    exc = LedgerTampered("deleted", path="a.sqlite")
    data = exc.to_dict("en")
    assert data["code"] == "ledger.deleted" and data["params"]["path"] == "a.sqlite" and "deleted" in data["message"]
    assert "删除" in exc.message("zh")
    table = dict(riskeval.errors.exit_code_table())
    assert table["LedgerTampered"] == 1 and table["LedgerBusy"] == 2


def test_sql_and_python_leaf_bytes_agree(five, ledger_path):
    conn = sqlite3.connect(ledger_path)
    for row in conn.execute(f"SELECT {', '.join(HASHED_COLUMNS)}, {LEAF_SQL} FROM records"):
        assert row[-1] == leaf_bytes(row[:-1])
    conn.close()


def test_a_zero_byte_file_is_an_error_not_a_new_ledger(rs, make, ledger_path):
    ledger_path.write_bytes(b"")
    with pytest.raises(LedgerError) as info:
        Gate(rs, ledger=ledger_path).assess(make(), actor="张三")
    assert info.value.reason == "empty_file" and info.value.exit_code == 2
    assert ledger_path.stat().st_size == 0
    result = runner.invoke(app, ["ledger", "verify", str(ledger_path)])
    assert result.exit_code == 2 and "空文件" in result.output


def test_reading_never_creates_a_ledger(rs, make, ledger_path, tmp_path):
    gate = Gate(rs, ledger=ledger_path)
    with pytest.raises(AssessmentRequired):
        gate.require(make())
    assert gate.allows(make()) is False
    assert not ledger_path.exists()
    for args in (["list"], ["verify"], ["head"], ["receipt", "1", "--out", str(tmp_path / "r.json")]):
        result = runner.invoke(app, ["ledger", args[0], str(ledger_path), *args[1:]])
        assert result.exit_code == 2 and "台账文件不存在" in result.output, args
    assert not ledger_path.exists()
    gate.assess(make(), actor="张三")  # a writing call creates it
    assert ledger_path.is_file() and len(gate.ledger) == 1


def test_a_ledger_is_verified_without_a_usable_shm(five, ledger_path, keys):
    five.ledger.close()
    for suffix in ("-wal", "-shm"):
        assert not os.path.exists(f"{ledger_path}{suffix}")
    os.mkdir(f"{ledger_path}-shm")  # the shared-memory file cannot be created or opened
    os.chmod(ledger_path, 0o444)
    try:
        result = runner.invoke(app, ["ledger", "verify", str(ledger_path), "--public-key", str(keys[1])])
        assert result.exit_code == 0, result.output
        assert Ledger(ledger_path, read_only=True).verify(public_key=keys[1]).count == 5
    finally:
        os.chmod(ledger_path, 0o644)


def test_a_full_disk_reports_the_real_error(five, make, ledger_path):
    conn = five.ledger._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}").fetchone()
    with pytest.raises(LedgerError) as info:
        five.assess(make(pid="BIG", facts={"opposition_rate": 3}), actor="张" * 20000)
    text = info.value.message("en")
    assert "full" in text and "cannot rollback" not in text and info.value.reason == "io"
    conn.execute("PRAGMA max_page_count = 1073741823").fetchone()
    assert len(five.ledger) == 5 and five.ledger.verify().ok  # nothing half-written
    five.assess(make(pid="P-6"), actor="张三")
    assert len(five.ledger) == 6


def test_a_file_deleted_under_the_gate_is_refused(five, make, ledger_path):
    os.unlink(ledger_path)
    with pytest.raises(LedgerTampered) as info:
        five.record_decision(make(pid="P-2", facts={"opposition_rate": 10}), "批准实施", actor="李四")
    assert info.value.reason == "deleted"
    with pytest.raises(LedgerTampered):
        five.assess(make(pid="P-9"), actor="张三")
    assert not ledger_path.exists()  # appends do not go to a file that exists nowhere


def test_a_file_replaced_by_a_copy_of_itself_is_refused(five, make, ledger_path, tmp_path):
    copy = tmp_path / "copy.sqlite"
    shutil.copy(ledger_path, copy)
    os.replace(copy, ledger_path)  # same content, another file
    with pytest.raises(LedgerTampered) as info:
        five.assess(make(pid="P-9"), actor="张三")
    assert info.value.reason == "replaced"


def test_a_locked_ledger_is_busy_not_tampered(five, make, ledger_path, monkeypatch):
    import riskeval.ledger.store as store

    blocker = sqlite3.connect(ledger_path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store, "_retry", lambda action, attempts=1: action())
    five.ledger._connection().execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(LedgerBusy) as info:
            five.assess(make(pid="P-9"), actor="张三")
        assert info.value.exit_code == 2 and not isinstance(info.value, GateError)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    five.assess(make(pid="P-9"), actor="张三")
    assert len(five.ledger) == 6


def test_lookup_by_number_and_prefix(five):
    ledger = five.ledger
    first = ledger.get(1)
    assert ledger.lookup("1") == ledger.lookup("#1") == ledger.lookup(first.record_hash[:10]) == first
    for ref in ("99", "zz", "abc", "0" * 12):
        with pytest.raises(LedgerError) as info:
            ledger.lookup(ref)
        assert info.value.reason == "no_record" and info.value.exit_code == 2


def test_the_metadata_hold_no_secret_and_are_covered(five, keys):
    meta = five.ledger.meta()
    assert set(meta) == {"format", "created", "signing", "public_key", "key_id"}  # no key check to guess a key from
    assert meta["signing"] == "ed25519" and meta["public_key"] == riskeval.ledger.load_public_key(keys[1]).raw.hex()
    assert five.ledger.checkpoint().meta == riskeval.ledger.checkpoint.meta_hash(meta)


def test_create_makes_an_empty_ledger_that_verifies(tmp_path, keys):
    from riskeval.ledger import Ledger

    path = tmp_path / "new.sqlite"
    with pytest.raises(riskeval.LedgerNotFound):
        Ledger(path, create=False).create()
    assert not path.exists()
    ledger = Ledger(path, signing_key=keys[0])
    ledger.create()
    assert path.is_file() and ledger.head() is None
    report = Ledger(path, create=False, read_only=True).verify(public_key=keys[1])
    assert report.ok
    ledger.create()  # an existing ledger is kept
    assert Ledger(path, create=False, read_only=True).verify(public_key=keys[1]).ok


def test_an_all_digit_hash_prefix_is_found_when_no_record_has_that_number(five, monkeypatch):
    """A 6-11 digit reference names a record by number if one exists, else by hash prefix (was flaky ~1%)."""
    ledger = five.ledger
    third = ledger.get(3)
    digits = "1234567890"
    monkeypatch.setattr(type(ledger), "find", lambda self, prefix: [third] if prefix == digits else [])
    assert ledger.lookup(digits) == third
    with pytest.raises(LedgerError) as info:
        ledger.lookup("#" + digits)
    assert info.value.reason == "no_record"
    assert ledger.lookup("000003") == third  # a record with that number exists: the number wins
