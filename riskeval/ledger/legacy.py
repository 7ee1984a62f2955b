"""Ledgers of the old format ``riskeval-ledger/1`` (a hash chain, plain or HMAC) and their migration.

:func:`migrate` verifies the old ledger first (with its HMAC key if it had one; an unsigned
``riskeval-ledger/2`` ledger is verified as such) and refuses when it does not verify; otherwise it
writes a new signed ledger with the same records (sequence numbers, actors and timestamps kept), the
old head hash in its metadata, and one signed checkpoint over all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, SigningKey, load_signing_key
from .errors import LedgerError, LedgerNotFound, LedgerTampered
from .merkle import Frontier
from .records import ALL_COLUMNS, FORMAT, GENESIS, HASHED_COLUMNS, LedgerRecord, record_leaf, utcnow
from .store import OLD_FORMAT, Ledger

__all__ = ["MigrationResult", "migrate", "migrate_in_place", "v1_digest", "verify_v1"]

_KEY_CHECK_LABEL = b"riskeval-ledger/1 key check"


def v1_digest(values: tuple[Any, ...] | list[Any], key: bytes | None = None) -> str:
    """The old format's record hash: sha256 (or HMAC-SHA256) of a JSON array.

    Examples
    --------
    >>> len(v1_digest([1, "assessment"])), v1_digest([1], b"k") != v1_digest([1])
    (64, True)
    """
    payload = json.dumps([OLD_FORMAT, *values], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key is not None:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def verify_v1(path: str | Path, key: bytes | None = None) -> tuple[list[LedgerRecord], str | None]:
    """The records of an old-format ledger and the first problem found (``None`` when it verifies)."""
    conn = _read_only(Path(path))
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != OLD_FORMAT:
            return [], f"format {meta.get('format')!r}"
        keyed = meta.get("hash") == "hmac-sha256"
        if keyed and key is None:
            raise LedgerError("hmac_key", path=str(path))
        if keyed and key is not None:
            expected = hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, meta.get("key_check", "")):
                return [], "wrong HMAC key"
        elif key is not None:
            return [], "the ledger has no HMAC key"
        records: list[LedgerRecord] = []
        prev, expected_seq = GENESIS, 1
        for row in conn.execute("SELECT " + ", ".join(ALL_COLUMNS) + " FROM records ORDER BY seq"):
            record = LedgerRecord(*row)
            try:
                digest = v1_digest(record.hashed_values(), key if keyed else None)
            except TypeError:
                return records, f"record #{record.seq}: malformed"
            if digest != record.record_hash:
                return records, f"record #{record.seq}: hash"
            if record.seq != expected_seq or record.prev_hash != prev:
                return records, f"record #{record.seq}: chain"
            records.append(record)
            prev, expected_seq = record.record_hash, record.seq + 1
        return records, None
    except sqlite3.Error as exc:
        return [], str(exc)
    finally:
        conn.close()


@dataclass(frozen=True)
class MigrationResult:
    """What :func:`migrate` wrote."""

    path: Path
    count: int
    old_head: str | None
    checkpoint: Checkpoint
    backup: Path | None = None


def migrate(
    old: str | Path, out: str | Path, signing_key: str | Path | SigningKey, *, hmac_key: bytes | None = None
) -> MigrationResult:
    """Verify ``old`` and re-write its records into a new signed ledger at ``out``.

    Raises
    ------
    LedgerNotFound
        ``old`` does not exist.
    LedgerError
        ``out`` exists, or ``old`` is keyed (HMAC) and no key was given.
    LedgerTampered
        ``old`` does not verify (nothing is written).
    """
    old_path, out_path = Path(old), Path(out)
    key = load_signing_key(signing_key)
    if not old_path.is_file():
        raise LedgerNotFound(path=str(old_path))
    if out_path.exists():
        raise LedgerError("io", path=str(out_path), detail="the output file exists")
    conn = _read_only(old_path)
    try:
        fmt = dict(conn.execute("SELECT key, value FROM meta").fetchall()).get("format")
    except sqlite3.Error as exc:
        raise LedgerError("not_a_ledger", path=str(old_path), detail=str(exc)) from None
    finally:
        conn.close()
    if fmt == OLD_FORMAT:
        records, problem = verify_v1(old_path, hmac_key)
    elif fmt == FORMAT:
        source = Ledger(old_path, create=False, read_only=True)
        report = source.verify()
        problem = None if report.ok else report.message("en")
        records = list(source.records()) if report.ok else []
    else:
        raise LedgerError("not_a_ledger", path=str(old_path), detail=f"format {fmt!r}")
    if problem is not None:
        raise LedgerTampered("migrate_failed", path=str(old_path), detail=problem)
    target = Ledger(out_path, signing_key=key)
    old_head = records[-1].record_hash if records else None
    target._create_file(
        {"migrated_from": str(fmt), "migrated_head": old_head or "-", "migrated_count": str(len(records)), "migrated_at": utcnow()}
    )
    conn = target._connection()
    state = target.ensure_verified()
    front = Frontier()
    new_hash: dict[int, str] = {}
    prev = GENESIS
    conn.execute("BEGIN IMMEDIATE")
    try:
        for record in records:
            values = {**record.to_dict(), "prev_hash": prev}
            if record.ref_seq is not None:
                values["ref_hash"] = new_hash.get(record.ref_seq, record.ref_hash)
            hashed = tuple(values[c] for c in HASHED_COLUMNS)
            leaf = record_leaf(hashed)
            conn.execute(
                f"INSERT INTO records ({', '.join(ALL_COLUMNS)}) VALUES ({', '.join('?' * len(ALL_COLUMNS))})",
                (*hashed, leaf.hex()),
            )
            front.append(leaf)
            prev = new_hash[record.seq] = leaf.hex()
        cp = Checkpoint(size=len(records), root=front.root().hex(), ts=utcnow(), meta=state.meta_hash).sign(key)
        if records:
            target._insert_checkpoint(conn, cp)
        conn.execute("COMMIT")
    except BaseException:
        target._rollback(conn)
        target.close()
        out_path.unlink(missing_ok=True)
        raise
    target.close()
    report = Ledger(out_path, public_key=key.public, read_only=True).verify()
    if not report.ok:  # pragma: no cover - a bug, not an input
        raise LedgerTampered(report=report)
    return MigrationResult(out_path, len(records), old_head, cp)


def migrate_in_place(
    old: str | Path, signing_key: str | Path | SigningKey, *, hmac_key: bytes | None = None
) -> MigrationResult:
    """Like :func:`migrate`, but the signed ledger takes the old one's place; the old one is kept
    beside it as ``<name>.bak`` (``.bak2``, ... if taken), a complete copy made by SQLite's backup.

    Stop every process that uses the old ledger first.

    Raises
    ------
    As :func:`migrate`; on any failure the old ledger is left as it was.
    """
    old_path = Path(old)
    tmp = old_path.with_name(f".{old_path.name}.migrating")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    result = migrate(old_path, tmp, signing_key, hmac_key=hmac_key)
    n = 1
    backup = old_path.with_name(old_path.name + ".bak")
    while backup.exists():
        n += 1
        backup = old_path.with_name(f"{old_path.name}.bak{n}")
    try:
        src = _read_only(old_path)
        dst = sqlite3.connect(backup)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        os.replace(tmp, old_path)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise LedgerError("io", path=str(old_path), detail=str(exc)) from None
    for suffix in ("-wal", "-shm"):  # the old file's: never to be replayed onto the new one
        Path(f"{old_path}{suffix}").unlink(missing_ok=True)
    return MigrationResult(old_path, result.count, result.old_head, result.checkpoint, backup)
