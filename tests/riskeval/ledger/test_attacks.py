"""The attack table: every attack on a signed ledger is detected by `ledger verify` and by the gate.

Each attack is made directly on the SQLite file (or the file itself), as someone with access to the
files but not to the signing key would. The gate that wrote the ledger (still open) and a gate opened
afterwards must both refuse with ``LedgerTampered`` and record nothing; ``riskeval ledger verify
--public-key`` must exit 1. Truncating records *and* their checkpoints leaves a smaller valid ledger:
that is caught by a checkpoint kept elsewhere (``--checkpoint``, ``ledger consistency``) and by the
open gate.
"""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from typer.testing import CliRunner

from riskeval.cli import app
from riskeval.gate import Gate
from riskeval.ledger import Checkpoint, Ledger, LedgerTampered, SigningKey, generate_keys
from riskeval.ledger.checkpoint import meta_hash as meta_hash_of
from riskeval.ledger.merkle import Frontier
from riskeval.ledger.records import HASHED_COLUMNS, LedgerRecord, record_leaf

from .conftest import raw

runner = CliRunner()
COLS = ", ".join("?" * 16)


def _records(conn: sqlite3.Connection) -> list[LedgerRecord]:
    return [LedgerRecord(*r) for r in conn.execute("SELECT * FROM records ORDER BY seq")]


def rechain(conn: sqlite3.Connection, start: int, **changes) -> None:
    """Edit record ``start`` (``changes``) and recompute its hash and every link after it."""
    rows = _records(conn)
    prev = rows[start - 2].record_hash if start > 1 else "0" * 64
    for record in rows[start - 1 :]:
        values = {**record.to_dict(), "prev_hash": prev}
        if record.seq == start:
            values.update(changes)
        hashed = tuple(values[c] for c in HASHED_COLUMNS)
        digest = record_leaf(hashed).hex()
        conn.execute("DELETE FROM records WHERE seq = ?", (record.seq,))
        conn.execute(f"INSERT INTO records VALUES ({COLS})", (*hashed, digest))
        prev = digest


def forged_json(conn: sqlite3.Connection, seq: int = 3) -> str:
    (text,) = conn.execute("SELECT assessment_json FROM records WHERE seq = ?", (seq,)).fetchone()
    new = text.replace('"decision":"reject"', '"decision":"proceed"').replace('"level":"high"', '"level":"low"')
    assert new != text
    return new


def resign(conn: sqlite3.Connection, key: SigningKey) -> None:
    """Recompute every checkpoint over the (altered) records and sign it with ``key``."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    digest = meta_hash_of(meta)
    leaves = [bytes.fromhex(r.record_hash) for r in _records(conn)]
    sizes = [s for (s,) in conn.execute("SELECT size FROM checkpoints ORDER BY size")]
    conn.execute("DELETE FROM checkpoints")
    front = Frontier()
    for size in sizes:
        while front.size < size:
            front.append(leaves[front.size])
        cp = Checkpoint(size=size, root=front.root().hex(), ts="2026-01-01T00:00:00.000000Z", meta=digest).sign(key)
        conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)", (cp.size, cp.root, cp.ts, cp.meta, cp.key_id, cp.signature))


# -- the attacks ---------------------------------------------------------------------------------


def edit(path, ctx):
    conn = raw(path)
    conn.execute("UPDATE records SET assessment_json = ? WHERE seq = 3", (forged_json(conn),))


def edit_rehash(path, ctx):
    conn = raw(path)
    rechain(conn, 3, assessment_json=forged_json(conn))


def delete(path, ctx):
    raw(path).execute("DELETE FROM records WHERE seq = 2")


def delete_renumber(path, ctx):
    conn = raw(path)
    conn.execute("DELETE FROM records WHERE seq = 2")
    for seq in (3, 4, 5):
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq - 1, seq))
    rechain(conn, 2)


def insert(path, ctx):
    conn = raw(path)
    row = list(conn.execute("SELECT * FROM records WHERE seq = 2").fetchone())
    for seq in (5, 4, 3):
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq + 1, seq))
    row[0], row[12], row[-1] = 3, "伪造者", "f" * 64
    conn.execute(f"INSERT INTO records VALUES ({COLS})", row)
    rechain(conn, 3)


def reorder(path, ctx):
    conn = raw(path)
    conn.execute("UPDATE records SET seq = 100 WHERE seq = 2")
    conn.execute("UPDATE records SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE records SET seq = 3 WHERE seq = 100")
    rechain(conn, 2)


def truncate_tail(path, ctx):
    raw(path).execute("DELETE FROM records WHERE seq = 5")


def truncate_all(path, ctx):
    conn = raw(path)
    conn.execute("DELETE FROM records WHERE seq >= 3")
    conn.execute("DELETE FROM checkpoints WHERE size >= 3")


def truncate_file(path, ctx):
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size * 2 // 3)


def _other_ledger(ctx, signing_key):
    other = ctx["tmp"] / "other.sqlite"
    gate = Gate(ctx["rs"], ledger=other, signing_key=signing_key)
    for i in range(1, 5):
        gate.assess(ctx["make"](pid=f"P-{i}", facts={"opposition_rate": 3}), actor="张三")
    gate.ledger.close()
    return other


def replace_file(path, ctx):
    os.replace(_other_ledger(ctx, SigningKey.generate()), path)


def replace_unsigned(path, ctx):
    os.replace(_other_ledger(ctx, None), path)


def forge_tail(path, ctx):
    conn = raw(path)
    last = _records(conn)[-1]
    base = _records(conn)[1]
    values = {**base.to_dict(), "seq": 6, "prev_hash": last.record_hash}
    hashed = tuple(values[c] for c in HASHED_COLUMNS)
    conn.execute(f"INSERT INTO records VALUES ({COLS})", (*hashed, record_leaf(hashed).hex()))


def forge_tail_signed(path, ctx):
    forge_tail(path, ctx)
    conn = raw(path)
    leaves = [bytes.fromhex(r.record_hash) for r in _records(conn)]
    front = Frontier()
    for leaf in leaves:
        front.append(leaf)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    cp = Checkpoint(size=6, root=front.root().hex(), ts="2026-01-01T00:00:00.000000Z", meta=meta_hash_of(meta))
    cp = cp.sign(SigningKey.generate())
    conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)", (cp.size, cp.root, cp.ts, cp.meta, meta["key_id"], cp.signature))


def edit_meta(path, ctx):
    raw(path).execute("UPDATE meta SET value = '2000-01-01T00:00:00.000000Z' WHERE key = 'created'")


def swap_key(path, ctx):
    """Rewrite a record and re-sign everything with another key, put in the metadata."""
    conn = raw(path)
    rechain(conn, 3, assessment_json=forged_json(conn))
    other = SigningKey.generate()
    conn.execute("UPDATE meta SET value = ? WHERE key = 'public_key'", (other.public.raw.hex(),))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'key_id'", (other.public.fingerprint,))
    resign(conn, other)


ATTACKS = {
    "edit": edit,
    "edit_rehash": edit_rehash,
    "delete": delete,
    "delete_renumber": delete_renumber,
    "insert": insert,
    "reorder": reorder,
    "truncate_tail": truncate_tail,
    "truncate_all": truncate_all,
    "truncate_file": truncate_file,
    "replace_file": replace_file,
    "replace_unsigned": replace_unsigned,
    "forge_tail": forge_tail,
    "forge_tail_signed": forge_tail_signed,
    "edit_meta": edit_meta,
    "swap_key": swap_key,
}
#: attacks that leave a smaller ledger valid in itself: found by a checkpoint kept elsewhere
NEEDS_ANCHOR = {"truncate_all"}


@pytest.fixture()
def attacked(request, five, keys, rs, make, tmp_path, ledger_path):
    anchor = tmp_path / "anchor.json"
    anchor.write_text(json.dumps(five.ledger.checkpoint().to_dict()), encoding="utf-8")
    assert Ledger(ledger_path).verify(public_key=keys[1]).ok
    ATTACKS[request.param](ledger_path, {"tmp": tmp_path, "rs": rs, "make": make})
    return {"gate": five, "anchor": anchor, "name": request.param}


def _logical(path):
    try:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM checkpoints)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None


@pytest.mark.parametrize("attacked", sorted(ATTACKS), indirect=True)
def test_verify_detects_the_attack(attacked, ledger_path, keys):
    args = ["ledger", "verify", str(ledger_path), "--public-key", str(keys[1])]
    with_anchor = runner.invoke(app, [*args, "--checkpoint", str(attacked["anchor"])])
    assert with_anchor.exit_code == 1, with_anchor.output
    plain = runner.invoke(app, args)
    if attacked["name"] in NEEDS_ANCHOR:
        assert plain.exit_code == 0
        result = runner.invoke(app, ["ledger", "consistency", str(ledger_path), "--old", str(attacked["anchor"])])
        assert result.exit_code == 1, result.output
    else:
        assert plain.exit_code == 1, plain.output
    assert "Traceback" not in plain.output


@pytest.mark.parametrize("attacked", sorted(ATTACKS), indirect=True)
def test_the_open_gate_refuses(attacked, make, ledger_path):
    gate = attacked["gate"]
    before = _logical(ledger_path)
    with pytest.raises(LedgerTampered):
        gate.require(make(pid="P-3", facts={"opposition_rate": 60}))
    with pytest.raises(LedgerTampered):
        gate.record_decision(make(pid="P-2", facts={"opposition_rate": 10}), "批准实施", actor="李四")
    with pytest.raises(LedgerTampered):
        gate.assess(make(pid="P-9"), actor="张三")
    assert gate.allows(make(pid="P-2", facts={"opposition_rate": 10})) is False
    assert _logical(ledger_path) == before  # nothing recorded


@pytest.mark.parametrize("attacked", sorted(set(ATTACKS) - NEEDS_ANCHOR), indirect=True)
def test_a_gate_opened_afterwards_refuses(attacked, rs, make, keys, ledger_path):
    before = _logical(ledger_path)
    gate = Gate(rs, ledger=ledger_path, signing_key=keys[0])
    with pytest.raises(LedgerTampered) as info:
        gate.require(make(pid="P-2", facts={"opposition_rate": 10}))
    assert info.value.exit_code == 1
    with pytest.raises(LedgerTampered):
        Gate(rs, ledger=ledger_path, signing_key=keys[0]).record_decision(
            make(pid="P-2", facts={"opposition_rate": 10}), "批准实施", actor="李四"
        )
    assert Gate(rs, ledger=ledger_path, signing_key=keys[0]).allows(make(pid="P-2", facts={"opposition_rate": 10})) is False
    assert _logical(ledger_path) == before


def test_the_first_bad_record_is_named(five, ledger_path, keys):
    edit(ledger_path, {})
    result = runner.invoke(app, ["ledger", "verify", str(ledger_path), "--public-key", str(keys[1]), "--lang", "en"])
    assert result.exit_code == 1 and "record #3" in result.output


def test_a_deleted_record_is_named(five, ledger_path, keys):
    delete(ledger_path, {})
    report = Ledger(ledger_path).verify(public_key=keys[1])
    assert (report.bad_seq, report.problem, report.params) == (3, "missing", {"first": 2, "last": 2})


def test_a_rewrite_is_pinned_to_the_records_a_checkpoint_covers(five, ledger_path, keys):
    edit_rehash(ledger_path, {})
    report = Ledger(ledger_path).verify(public_key=keys[1])
    assert (report.bad_seq, report.problem) == (3, "cp_root")


def test_a_forged_tail_is_outside_every_signed_checkpoint(five, ledger_path, keys):
    forge_tail(ledger_path, {})
    report = Ledger(ledger_path).verify(public_key=keys[1])
    assert (report.bad_seq, report.problem) == (6, "uncovered")
    assert "record #6" in report.message("en") and "forged tail" in report.message("en")


def test_a_wrong_public_key_fails(five, ledger_path, tmp_path):
    _, other_pub = generate_keys(tmp_path / "other")
    result = runner.invoke(app, ["ledger", "verify", str(ledger_path), "--public-key", str(other_pub)])
    assert result.exit_code == 1 and "另一把密钥" in result.output
