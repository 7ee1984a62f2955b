"""Verification of a ledger: every leaf re-hashed from stored bytes, every checkpoint checked.

Nothing stored is trusted: leaf hashes are recomputed (inside SQLite, by
:data:`~riskeval.ledger.records.LEAF_SQL`, so no JSON is decoded), roots are recomputed from the
leaves at each checkpoint's size, and each checkpoint's signature is checked against the public key
(the one given, else the ledger's own, with a warning). Records after the last checkpoint, a
checkpoint beyond the last record, or metadata that differs from what the checkpoints cover all fail.
Large ledgers are hashed by a pool of processes over ranges of records.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..i18n import normalize_lang, register_messages, t
from .checkpoint import Checkpoint, PublicKey, meta_hash
from .merkle import Frontier
from .records import ALL_COLUMNS, GENESIS, LEAF_SQL, LedgerRecord, record_leaf

__all__ = ["Problem", "Verified", "VerifyReport", "check_checkpoints", "read_checkpoints", "read_meta", "scan"]

register_messages(
    {
        "ledger.ok": {
            "zh": "台账完好：{count} 条记录，链头哈希 {head}",
            "en": "ledger intact: {count} records, head hash {head}",
        },
        "ledger.ok_empty": {"zh": "台账完好：没有记录", "en": "ledger intact: no records"},
        "ledger.ok_signed": {
            "zh": "{checkpoints} 个检查点均由公钥 {key} 签名，根哈希 {root}",
            "en": "{checkpoints} checkpoints, each signed by public key {key}; root hash {root}",
        },
        "ledger.head_found": {
            "zh": "留存的链头哈希是第 {seq} 号记录；其后又追加了 {after} 条记录",
            "en": "the anchored head is record #{seq}; {after} records were appended after it",
        },
        "ledger.anchor_ok": {
            "zh": "留存的检查点（{size} 条记录）与台账一致",
            "en": "the anchored checkpoint ({size} records) is consistent with the ledger",
        },
        "ledger.bad": {"zh": "台账被改动：第 {seq} 号记录：{detail}", "en": "ledger altered: record #{seq}: {detail}"},
        "ledger.bad_meta": {"zh": "台账被改动：{detail}", "en": "ledger altered: {detail}"},
        "ledger.p.hash": {
            "zh": "内容与其哈希不符（记录被编辑，或被插入）",
            "en": "its content does not match its hash (the record was edited, or inserted)",
        },
        "ledger.p.moved": {
            "zh": "该记录原为第 {orig} 号：记录被重新排序，或其前有记录被插入或删除",
            "en": "it was written as record #{orig}: records were reordered, or inserted or deleted before it",
        },
        "ledger.p.missing": {
            "zh": "其前的第 {first}–{last} 号记录缺失（被删除）",
            "en": "records #{first}–{last} before it are missing (deleted)",
        },
        "ledger.p.link": {
            "zh": "其“前一记录哈希”与前一条记录不符（记录被插入、删除或重新排序）",
            "en": "its previous-record hash does not match the record before it (records inserted, deleted or reordered)",
        },
        "ledger.p.malformed": {"zh": "字段格式不对：{detail}", "en": "malformed field: {detail}"},
        "ledger.p.head_missing": {
            "zh": "留存的链头哈希 {head} 不在台账中：台账被截短或整体改写",
            "en": "the anchored head hash {head} is not in the ledger: it was truncated or rewritten",
        },
        "ledger.p.meta": {
            "zh": "台账元数据与签名检查点不符（{detail}）",
            "en": "the ledger metadata differ from what the checkpoints cover ({detail})",
        },
        "ledger.p.schema": {"zh": "台账表结构被改动（{detail}）", "en": "the ledger's tables were altered ({detail})"},
        "ledger.p.damaged": {"zh": "文件损坏或被改动，无法读取（{detail}）", "en": "the file is damaged or altered and cannot be read ({detail})"},
        "ledger.p.uncovered": {
            "zh": "它及其后的记录（至第 {last} 号）不在任何签名检查点内：在最后一次签名之后被追加（伪造的尾部）",
            "en": "it and the records after it (to #{last}) are covered by no signed checkpoint: appended after the "
            "last signature (a forged tail)",
        },
        "ledger.p.cp_root": {
            "zh": "检查点（{size} 条记录）的根哈希与记录不符：第 {first}–{last} 号记录中有被改写的",
            "en": "the checkpoint of {size} records has another root hash than the records: one of records "
            "#{first}–{last} was rewritten",
        },
        "ledger.p.cp_signature": {
            "zh": "检查点（{size} 条记录）的签名无效（伪造或被改动）",
            "en": "the checkpoint of {size} records has an invalid signature (forged or altered)",
        },
        "ledger.p.cp_unsigned": {
            "zh": "签名台账中的检查点（{size} 条记录）没有签名",
            "en": "the checkpoint of {size} records in a signed ledger has no signature",
        },
        "ledger.p.cp_beyond": {
            "zh": "检查点覆盖 {size} 条记录，台账只有 {count} 条：台账被截短",
            "en": "a checkpoint covers {size} records and the ledger holds {count}: it was truncated",
        },
        "ledger.p.cp_missing": {"zh": "签名台账中没有检查点", "en": "a signed ledger without any checkpoint"},
        "ledger.p.wrong_key": {
            "zh": "台账由另一把密钥签名（指纹 {found}），不是所给公钥（{expected}）：台账被整体替换，或公钥有误",
            "en": "the ledger is signed by another key (fingerprint {found}), not the given public key ({expected}): "
            "it was replaced, or the public key is wrong",
        },
        "ledger.p.unsigned_expected": {
            "zh": "台账未签名，而所给公钥要求签名台账：台账被替换为未签名的文件",
            "en": "the ledger is unsigned and the given public key expects a signed one: it was replaced by an "
            "unsigned file",
        },
        "ledger.p.anchor": {
            "zh": "留存的检查点（{size} 条记录）与台账不一致：台账被截短或改写",
            "en": "the anchored checkpoint ({size} records) does not match the ledger: it was truncated or rewritten",
        },
        "ledger.warn.triggers": {
            "zh": "提示：防止修改的触发器缺失（有人曾绕过它们修改文件）",
            "en": "note: the append-only triggers are missing (someone bypassed them)",
        },
        "ledger.warn.unsigned": {
            "zh": "注意：台账未签名，只适合本地试用：任何能改文件的人都能改写它而不被发现",
            "en": "warning: the ledger is unsigned, fit for local trials only: anyone who can change the file can "
            "rewrite it undetected",
        },
        "ledger.warn.key_from_ledger": {
            "zh": "提示：未提供公钥，签名按台账自带的公钥核对；整体替换的台账须用 --public-key 才能发现",
            "en": "note: no public key given, so signatures were checked with the ledger's own key; pass "
            "--public-key to detect a replaced ledger",
        },
    }
)

Problem = tuple[int, str, dict[str, Any]]
"""``(bad_seq, code, params)``; ``bad_seq`` 0 for ledger-wide problems."""

_PARALLEL_MIN = 4000


@dataclass
class VerifyReport:
    """The outcome of a verification.

    ``bad_seq`` names the first bad record (``0`` for ledger-wide problems such as the metadata);
    ``problem`` is a code (``hash``, ``moved``, ``missing``, ``link``, ``malformed``, ``uncovered``,
    ``cp_root``, ``cp_signature``, ``cp_beyond``, ``meta``, ``wrong_key``, ...) with ``params``.
    """

    path: str
    count: int = 0
    head_hash: str | None = None
    root: str | None = None
    bad_seq: int | None = None
    problem: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    head_seq: int | None = None
    anchor_size: int | None = None
    signed: bool = False
    key_id: str | None = None
    checkpoints: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def fail(self, problem: Problem) -> VerifyReport:
        self.bad_seq, self.problem, self.params = problem
        return self

    def message(self, lang: str | None = "zh") -> str:
        """A one-paragraph account in Chinese (default) or English."""
        lang = normalize_lang(lang)
        notes = [t(f"ledger.warn.{w}", lang) for w in self.warnings]
        if self.problem is not None:
            detail = t(f"ledger.p.{self.problem}", lang, **self.params)
            key = "ledger.bad" if self.bad_seq else "ledger.bad_meta"
            return "\n".join([t(key, lang, seq=self.bad_seq, detail=detail), *notes])
        lines = [t("ledger.ok", lang, count=self.count, head=self.head_hash) if self.count else t("ledger.ok_empty", lang)]
        if self.signed:
            lines.append(t("ledger.ok_signed", lang, checkpoints=self.checkpoints, key=(self.key_id or "")[:16], root=self.root))
        if self.head_seq is not None:
            lines.append(t("ledger.head_found", lang, seq=self.head_seq, after=self.count - self.head_seq))
        if self.anchor_size is not None:
            lines.append(t("ledger.anchor_ok", lang, size=self.anchor_size))
        return "\n".join(lines + notes)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Plain JSON data, with the message."""
        return {
            "ok": self.ok,
            "path": self.path,
            "count": self.count,
            "head_hash": self.head_hash,
            "root": self.root,
            "signed": self.signed,
            "key_id": self.key_id,
            "checkpoints": self.checkpoints,
            "bad_seq": self.bad_seq,
            "problem": self.problem,
            "params": self.params,
            "warnings": self.warnings,
            "message": self.message(lang),
        }


@dataclass
class Verified:
    """What a :class:`~riskeval.ledger.Ledger` has verified so far (for incremental checks)."""

    meta: dict[str, str]
    meta_hash: str
    key: PublicKey | None
    size: int = 0
    leaves: bytearray = field(default_factory=bytearray)
    frontier: Frontier = field(default_factory=Frontier)
    head: str = GENESIS
    checkpoint_size: int = -1
    last: Checkpoint | None = None  # the latest checkpoint, as verified or written

    def add(self, leaf: bytes) -> None:
        self.leaves += leaf
        self.frontier.append(leaf)
        self.size += 1
        self.head = leaf.hex()

    def leaf(self, seq: int) -> bytes | None:
        if not 1 <= seq <= self.size:
            return None
        return bytes(self.leaves[(seq - 1) * 32 : seq * 32])

    def leaf_list(self) -> list[bytes]:
        return [bytes(self.leaves[i : i + 32]) for i in range(0, len(self.leaves), 32)]


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """Every metadata row."""
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}


def read_checkpoints(conn: sqlite3.Connection, after: int = -1) -> list[Checkpoint]:
    """The stored checkpoints of size above ``after``, by size."""
    rows = conn.execute(
        "SELECT size, root, ts, meta, key_id, signature FROM checkpoints WHERE size > ? ORDER BY size", (after,)
    )
    return [Checkpoint(*row) for row in rows]


def _written_as(record: LedgerRecord, window: int = 1000) -> int | None:
    """The sequence number ``record`` was written with, if it is within ``window`` of where it is."""
    values = list(record.hashed_values())
    for delta in range(1, window + 1):
        for orig in (record.seq - delta, record.seq + delta):
            if orig >= 1:
                values[0] = orig
                if record_leaf(values).hex() == record.record_hash:
                    return orig
    return None


def _diagnose(conn: sqlite3.Connection, seq: int) -> Problem:
    row = conn.execute("SELECT " + ", ".join(ALL_COLUMNS) + " FROM records WHERE seq = ?", (seq,)).fetchone()
    record = LedgerRecord(*row)
    orig = _written_as(record) if isinstance(record.record_hash, str) else None
    if orig is not None:
        return (seq, "moved", {"orig": orig})
    return (seq, "hash", {})


def scan(
    conn: sqlite3.Connection, start: int = 1, prev: str = GENESIS, stop: int | None = None
) -> tuple[list[bytes], Problem | None]:
    """Re-hash records ``start..stop`` from stored bytes, checking numbering and links.

    Returns the leaf hashes of the good records and the first problem (or ``None``).
    """
    sql = f"SELECT seq, record_hash, prev_hash, {LEAF_SQL} FROM records WHERE seq >= ?"
    params: list[Any] = [start]
    if stop is not None:
        sql += " AND seq <= ?"
        params.append(stop)
    leaves: list[bytes] = []
    expected = start
    sha256 = hashlib.sha256
    for seq, stored, prev_hash, blob in conn.execute(sql + " ORDER BY seq", params):
        if not isinstance(seq, int) or not isinstance(stored, str) or not isinstance(blob, bytes):
            return leaves, (expected, "malformed", {"detail": f"seq = {seq!r}"})
        leaf = sha256(b"\x00" + blob).digest()
        if leaf.hex() != stored:
            return leaves, _diagnose(conn, seq)
        if seq != expected:
            return leaves, (seq, "missing", {"first": expected, "last": seq - 1})
        if prev_hash != prev:
            return leaves, (seq, "link", {})
        leaves.append(leaf)
        expected, prev = seq + 1, stored
    return leaves, None


def _scan_chunk(uri: str, start: int, stop: int) -> tuple[bytes, Problem | None]:
    """A worker's share: records ``start..stop`` (linked to the stored hash of ``start - 1``)."""
    conn = sqlite3.connect(uri, uri=True)
    try:
        prev = GENESIS
        if start > 1:
            row = conn.execute("SELECT record_hash FROM records WHERE seq = ?", (start - 1,)).fetchone()
            prev = row[0] if row else ""
        leaves, problem = scan(conn, start, prev, stop)
        return b"".join(leaves), problem
    finally:
        conn.close()


def _check_sigs(raw_key: bytes, items: Sequence[tuple[int, bytes, str | None]]) -> int | None:
    """The size of the first checkpoint whose signature fails, or ``None``."""
    import base64

    key = PublicKey.from_raw(raw_key)
    for size, body, signature in items:
        try:
            ok = signature is not None and key.verify(base64.b64decode(signature, validate=True), body)
        except ValueError:
            ok = False
        if not ok:
            return size
    return None


def scan_all(conn: sqlite3.Connection, uri: str | None, count: int, jobs: int) -> tuple[list[bytes], Problem | None]:
    """Every record, in ``jobs`` processes when the ledger is large and numbered without gaps."""
    if jobs <= 1 or uri is None or count < _PARALLEL_MIN:
        return scan(conn)
    bounds = [(1 + i * count // jobs, (i + 1) * count // jobs) for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = list(pool.map(_scan_chunk, [uri] * jobs, [a for a, _ in bounds], [b for _, b in bounds]))
    leaves: list[bytes] = []
    for blob, problem in parts:
        leaves.extend(blob[i : i + 32] for i in range(0, len(blob), 32))
        if problem is not None:
            return leaves, problem
    return leaves, None


def check_checkpoints(
    checkpoints: Sequence[Checkpoint],
    leaves: Sequence[bytes],
    count: int,
    digest: str,
    key: PublicKey | None,
    *,
    frontier: Frontier | None = None,
    jobs: int = 1,
    every_signature: bool = True,
) -> Problem | None:
    """Check ``checkpoints`` (by size) against the re-hashed ``leaves`` of records ``1..count``.

    Every checkpoint's root is recomputed; its signature is checked too, or (``every_signature``
    false) only the last one's: the last root covers every record, so that is what trust in the
    current content needs. ``frontier`` (over the records before ``leaves``) lets the caller check
    only new checkpoints.
    """
    front = frontier.copy() if frontier is not None else Frontier()
    base = front.size
    last_good = base
    pending: list[tuple[int, bytes, str | None]] = []
    for cp in checkpoints:
        if cp.size > count:
            return (0, "cp_beyond", {"size": cp.size, "count": count})
        while front.size < cp.size:
            front.append(leaves[front.size - base])
        if cp.root != front.root().hex():
            return (last_good + 1, "cp_root", {"size": cp.size, "first": last_good + 1, "last": cp.size})
        if cp.meta != digest:
            return (0, "meta", {"detail": "meta"})
        if key is not None:
            if cp.signature is None:
                return (0, "cp_unsigned", {"size": cp.size})
            pending.append((cp.size, cp.body(), cp.signature if cp.key_id == key.fingerprint else None))
        last_good = cp.size
    if key is not None and pending:
        bad = _parallel_sigs(key, pending if every_signature else pending[-1:], jobs)
        if bad is not None:
            return (0, "cp_signature", {"size": bad})
    covered = checkpoints[-1].size if checkpoints else base
    if covered < count:
        return (covered + 1, "uncovered", {"last": count})
    return None


def _parallel_sigs(key: PublicKey, items: list[tuple[int, bytes, str | None]], jobs: int) -> int | None:
    if jobs <= 1 or len(items) < _PARALLEL_MIN:
        return _check_sigs(key.raw, items)
    size = -(-len(items) // jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_check_sigs, [key.raw] * len(chunks), chunks))
    bad = [r for r in results if r is not None]
    return min(bad) if bad else None


def default_jobs() -> int:
    """Processes to verify with: the usable cores (at most 8)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def meta_digest(meta: dict[str, str]) -> str:
    """The metadata hash (see :func:`~riskeval.ledger.checkpoint.meta_hash`)."""
    return meta_hash(meta)
