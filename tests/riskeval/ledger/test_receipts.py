"""Keys, receipts verified offline, consistency proofs, and the migration of old ledgers."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import Gate
from riskeval.ledger import (
    Ledger,
    LedgerError,
    LedgerKeyError,
    LedgerTampered,
    generate_keys,
    load_public_key,
    make_consistency,
    make_receipt,
    migrate,
    verify_receipt,
)
from riskeval.ledger.legacy import v1_digest, verify_v1
from riskeval.ledger.records import HASHED_COLUMNS

from .conftest import raw

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path):
    result = invoke("ledger", "keygen", "--out", tmp_path / "k")
    assert result.exit_code == 0, result.output
    key, pub = tmp_path / "k" / "signing.key", tmp_path / "k" / "signing.pub"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes() and b"PUBLIC KEY" in pub.read_bytes()
    assert load_public_key(pub).fingerprint in result.output
    assert invoke("ledger", "keygen", "--out", tmp_path / "k").exit_code == 2  # never overwritten silently
    assert invoke("ledger", "keygen", "--out", tmp_path / "k", "--force").exit_code == 0
    with pytest.raises(LedgerKeyError):
        load_public_key(tmp_path / "k" / "nothing.pub")
    (tmp_path / "junk.pub").write_text("hello")
    with pytest.raises(LedgerKeyError) as info:
        load_public_key(tmp_path / "junk.pub")
    assert info.value.reason == "key_invalid" and info.value.exit_code == 2


def test_a_receipt_verifies_offline_and_fails_when_altered(five, ledger_path, keys, tmp_path):
    out = tmp_path / "receipt.json"
    result = invoke("ledger", "receipt", ledger_path, 3, "--out", out, "--public-key", keys[1])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["seq"] == 3 and data["signed"] and data["checkpoint"]["size"] == 5 and data["inclusion_proof"]
    assert data["key_id"] == load_public_key(keys[1]).fingerprint
    # offline: the ledger is gone
    ledger_path.rename(tmp_path / "elsewhere.sqlite")
    result = invoke("receipt", "verify", out, "--public-key", keys[1], "--lang", "en")
    assert result.exit_code == 0 and "receipt valid: record #3" in result.output
    _, other = generate_keys(tmp_path / "other")
    assert invoke("receipt", "verify", out, "--public-key", other).exit_code == 1
    assert invoke("receipt", "verify", out).exit_code == 1  # a signed receipt needs the public key
    for path, value in (
        (("record", "actor"), "王五"),
        (("record", "assessment_json"), data["record"]["assessment_json"].replace("high", "low")),
        (("seq",), 2),
        (("inclusion_proof",), list(reversed(data["inclusion_proof"]))),
        (("checkpoint", "root"), "00" * 32),
        (("checkpoint", "size"), 6),
        (("checkpoint", "signature"), data["checkpoint"]["signature"][:-4] + "AAA="),
        (("leaf_hash",), "11" * 32),
    ):
        altered = json.loads(json.dumps(data))
        target = altered
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert not verify_receipt(altered, load_public_key(keys[1])).ok, path
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(altered), encoding="utf-8")
        assert invoke("receipt", "verify", bad, "--public-key", keys[1]).exit_code == 1, path
    (tmp_path / "junk.json").write_text("[1, 2", encoding="utf-8")
    assert invoke("receipt", "verify", tmp_path / "junk.json", "--public-key", keys[1]).exit_code == 2


def test_every_record_has_a_receipt(five, keys):
    key = load_public_key(keys[1])
    for seq in range(1, 6):
        assert verify_receipt(make_receipt(five.ledger, seq), key).ok
    with pytest.raises(LedgerError):
        make_receipt(five.ledger, 6)


def test_an_unsigned_receipt_says_so(gate_unsigned, make, ledger_path, tmp_path):
    gate_unsigned.assess(make(), actor="张三")
    out = tmp_path / "r.json"
    result = invoke("ledger", "receipt", ledger_path, 1, "--out", out)
    assert result.exit_code == 0 and "未签名" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["signed"] is False and "未签名" in data["warning"]
    result = invoke("receipt", "verify", out)
    assert result.exit_code == 1 and "未签名" in result.output
    result = invoke("receipt", "verify", out, "--allow-unsigned", "--lang", "en")
    assert result.exit_code == 0 and "unsigned" in result.output


@pytest.fixture()
def gate_unsigned(rs, ledger_path):
    return Gate(rs, ledger=ledger_path)


def test_consistency_holds_for_honest_growth_and_fails_after_a_rewrite(five, make, ledger_path, keys, tmp_path):
    old = tmp_path / "old.json"
    result = invoke("ledger", "checkpoint", ledger_path, "--out", old, "--public-key", keys[1])
    assert result.exit_code == 0 and json.loads(old.read_text())["size"] == 5
    for i in range(3):
        five.assess(make(pid=f"N-{i}"), actor="张三")
    proof = tmp_path / "proof.json"
    result = invoke("ledger", "consistency", ledger_path, "--old", old, "--public-key", keys[1], "--out", proof, "--lang", "en")
    assert result.exit_code == 0 and "extends the one of 5 records" in result.output
    assert invoke("ledger", "consistency", ledger_path, "--old-size", 2).exit_code == 0
    # the proof file verifies offline too
    assert invoke("receipt", "verify", proof, "--public-key", keys[1]).exit_code == 0
    data = json.loads(proof.read_text())
    data["proof"][0] = "00" * 32
    proof.write_text(json.dumps(data))
    assert invoke("receipt", "verify", proof, "--public-key", keys[1]).exit_code == 1
    # a rewrite by the key holder (a new ledger re-signed from record 3 on) is not consistent with the old checkpoint
    five.ledger.close()
    conn = raw(ledger_path)
    conn.execute("DELETE FROM records WHERE seq >= 3")
    conn.execute("DELETE FROM checkpoints WHERE size >= 3")
    conn.close()
    rewriter = Gate(five.ruleset, ledger=ledger_path, signing_key=keys[0])
    rewriter.assess(make(pid="P-3", facts={"opposition_rate": 5}), actor="伪造者")
    for i in range(5):
        rewriter.assess(make(pid=f"X-{i}"), actor="伪造者")
    assert Ledger(ledger_path).verify(public_key=keys[1]).ok  # valid in itself
    result = invoke("ledger", "consistency", ledger_path, "--old", old, "--public-key", keys[1])
    assert result.exit_code == 1 and "不一致" in result.output
    assert invoke("ledger", "verify", ledger_path, "--checkpoint", old, "--public-key", keys[1]).exit_code == 1
    assert invoke("ledger", "consistency", ledger_path).exit_code == 2


def test_consistency_api(five, keys):
    data, report = make_consistency(five.ledger, 3)
    assert report.ok and data["old"]["size"] == 3 and data["new"]["size"] == 5
    data, report = make_consistency(five.ledger, five.ledger.checkpoint())
    assert report.ok and data["proof"] == []


# -- migration ------------------------------------------------------------------------------------


def _v1_ledger(path, records, key=None):
    """A ledger of the old format, written as the old code did."""
    import hashlib
    import hmac

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT")
    cols = ", ".join(f"{c} {'INTEGER' if c in ('seq', 'ref_seq') else 'TEXT'}" for c in (*HASHED_COLUMNS, "record_hash"))
    conn.execute(f"CREATE TABLE records ({cols})")
    meta = [("format", "riskeval-ledger/1"), ("hash", "hmac-sha256" if key else "sha256"), ("created", "2024-01-01")]
    if key:
        meta.append(("key_check", hmac.new(key, b"riskeval-ledger/1 key check", hashlib.sha256).hexdigest()))
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta)
    prev = "0" * 64
    for seq, record in enumerate(records, start=1):
        values = {**record.to_dict(), "seq": seq, "prev_hash": prev}
        hashed = tuple(values[c] for c in HASHED_COLUMNS)
        prev = v1_digest(hashed, key)
        conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * 16)})", (*hashed, prev))
    conn.commit()
    conn.close()
    return prev


@pytest.mark.parametrize("hmac_key", [None, b"s3cret"])
def test_migrate_verifies_then_rewrites_signed(five, keys, tmp_path, monkeypatch, hmac_key):
    records = list(five.ledger.records())
    old = tmp_path / "old.sqlite"
    head = _v1_ledger(old, records, hmac_key)
    # the new code does not use an old ledger silently
    result = invoke("ledger", "verify", old)
    assert result.exit_code == 2 and "migrate" in result.output
    new = tmp_path / "new.sqlite"
    args = ["ledger", "migrate", old, "--signing-key", keys[0], "--out", new]
    if hmac_key:
        assert invoke(*args).exit_code == 2  # the HMAC key is needed to verify first
        monkeypatch.setenv("OLD_KEY", hmac_key.decode())
        args += ["--key-env", "OLD_KEY"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert head in result.output
    ledger = Ledger(new, public_key=keys[1])
    assert ledger.verify().ok and ledger.meta()["migrated_head"] == head
    migrated = list(ledger.records())
    assert [(r.seq, r.actor, r.ts, r.project_json) for r in migrated] == [(r.seq, r.actor, r.ts, r.project_json) for r in records]
    assert migrated[4].ref_hash == migrated[0].record_hash  # the decision still names its basis
    # and the gate goes on with it
    gate = Gate(five.ruleset, ledger=new, signing_key=keys[0])
    assert gate.require(records[0].project).seq == 1


def test_migrate_refuses_a_ledger_that_does_not_verify(five, keys, tmp_path):
    records = list(five.ledger.records())
    old = tmp_path / "old.sqlite"
    _v1_ledger(old, records)
    conn = sqlite3.connect(old)
    conn.execute("UPDATE records SET actor = '王五' WHERE seq = 2")
    conn.commit()
    conn.close()
    new = tmp_path / "new.sqlite"
    with pytest.raises(LedgerTampered) as info:
        migrate(old, new, keys[0])
    assert info.value.reason == "migrate_failed" and not new.exists()
    result = invoke("ledger", "migrate", old, "--signing-key", keys[0], "--out", new)
    assert result.exit_code == 1 and not new.exists()


def test_migrate_signs_an_unsigned_ledger(gate_unsigned, make, keys, ledger_path, tmp_path):
    gate_unsigned.assess(make(), actor="张三")
    new = tmp_path / "signed.sqlite"
    assert invoke("ledger", "migrate", ledger_path, "--signing-key", keys[0], "--out", new).exit_code == 0
    assert Ledger(new).verify(public_key=keys[1]).ok


def test_migrate_in_place_keeps_a_backup(five, keys, tmp_path):
    records = list(five.ledger.records())
    old = tmp_path / "old.sqlite"
    head = _v1_ledger(old, records)
    assert invoke("ledger", "migrate", old, "--signing-key", keys[0]).exit_code == 2  # --out or --in-place
    result = invoke("ledger", "migrate", old, "--signing-key", keys[0], "--in-place")
    assert result.exit_code == 0, result.output
    backup = tmp_path / "old.sqlite.bak"
    assert str(backup) in result.output
    assert Ledger(old, public_key=keys[1]).verify().ok and len(Ledger(old)) == 5
    assert verify_v1(backup) == (verify_v1(backup)[0], None) and verify_v1(backup)[0][-1].record_hash == head
    # a second migration of a ledger that does not verify leaves it as it was
    conn = raw(old)
    conn.execute("UPDATE records SET actor = 'x' WHERE seq = 1")
    conn.close()
    before = [r.to_dict() for r in Ledger(old).records()]
    assert invoke("ledger", "migrate", old, "--signing-key", keys[0], "--in-place").exit_code == 1
    assert [r.to_dict() for r in Ledger(old).records()] == before and not (tmp_path / "old.sqlite.bak2").exists()
    assert not (tmp_path / ".old.sqlite.migrating").exists()
