"""Receipts (a record, its inclusion proof and a signed checkpoint) and consistency proofs.

A receipt is verified offline, with the public key and without the ledger: the record's leaf hash is
recomputed from its columns, the inclusion proof leads from the leaf to the checkpoint's root, and the
checkpoint's signature is checked. A consistency proof shows that a later checkpoint extends an
earlier one, so a checkpoint kept elsewhere (a decision document, the 纪委 or 审计 office) detects
any rewrite of what it covered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..i18n import normalize_lang, register_messages, t
from .checkpoint import Checkpoint, PublicKey
from .errors import LedgerError
from .merkle import consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion
from .records import HASHED_COLUMNS, record_leaf
from .verify import Problem, Verified

if TYPE_CHECKING:  # pragma: no cover
    from .store import Ledger

__all__ = [
    "CONSISTENCY_FORMAT",
    "RECEIPT_FORMAT",
    "ProofReport",
    "anchor_problem",
    "make_consistency",
    "make_receipt",
    "verify_consistency_data",
    "verify_receipt",
]

RECEIPT_FORMAT = "riskeval-receipt/1"
CONSISTENCY_FORMAT = "riskeval-consistency/1"

register_messages(
    {
        "receipt.ok": {
            "zh": "回执有效：第 {seq} 号记录在 {size} 条记录的检查点之内，签名公钥 {key}",
            "en": "receipt valid: record #{seq} is in the checkpoint of {size} records, signed by public key {key}",
        },
        "receipt.ok_unsigned": {
            "zh": "回执在结构上一致（第 {seq} 号记录，{size} 条记录的检查点），但未签名：不能证明什么",
            "en": "the receipt is consistent (record #{seq}, checkpoint of {size} records) but unsigned: it proves nothing",
        },
        "receipt.bad": {"zh": "回执无效：{detail}", "en": "receipt invalid: {detail}"},
        "receipt.p.format": {"zh": "不是 riskeval 回执（{detail}）", "en": "not a riskeval receipt ({detail})"},
        "receipt.p.record": {
            "zh": "记录内容与其叶哈希不符（记录被改动）",
            "en": "the record's content does not match its leaf hash (the record was altered)",
        },
        "receipt.p.inclusion": {
            "zh": "包含证明不成立：该记录不在检查点所述的树中",
            "en": "the inclusion proof fails: the record is not in the tree the checkpoint states",
        },
        "receipt.p.signature": {
            "zh": "检查点签名无效，或不是所给公钥签的",
            "en": "the checkpoint's signature is invalid, or not made by the given public key",
        },
        "receipt.p.unsigned": {"zh": "回执未签名（来自未签名台账）", "en": "the receipt is unsigned (from an unsigned ledger)"},
        "receipt.p.no_key": {"zh": "核验签名回执须提供公钥（--public-key）", "en": "verifying a signed receipt needs the public key (--public-key)"},
        "consistency.ok": {
            "zh": "一致：{new} 条记录的检查点是 {old} 条记录的检查点的延续（其后只有追加）",
            "en": "consistent: the checkpoint of {new} records extends the one of {old} records (only appends since)",
        },
        "consistency.bad": {
            "zh": "不一致：{detail}；台账在 {old} 条记录之后被改写或截短",
            "en": "inconsistent: {detail}; the ledger was rewritten or truncated after {old} records",
        },
        "consistency.p.proof": {"zh": "一致性证明不成立", "en": "the consistency proof fails"},
        "consistency.p.signature": {"zh": "检查点签名无效", "en": "a checkpoint's signature is invalid"},
        "consistency.p.size": {
            "zh": "旧检查点有 {old} 条记录，台账现在只有 {new} 条",
            "en": "the old checkpoint has {old} records and the ledger now {new}",
        },
        "consistency.p.format": {"zh": "格式不对（{detail}）", "en": "malformed ({detail})"},
    }
)


@dataclass
class ProofReport:
    """The outcome of verifying a receipt or a consistency proof."""

    kind: str  # "receipt" or "consistency"
    problem: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    signed: bool = True

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        if self.problem is None:
            key = f"{self.kind}.ok" if self.signed else f"{self.kind}.ok_unsigned"
            return t(key, lang, **self.params)
        detail = t(f"{self.kind}.p.{self.problem}", lang, **self.params)
        return t(f"{self.kind}.bad", lang, detail=detail, **self.params)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"ok": self.ok, "problem": self.problem, "signed": self.signed, "message": self.message(lang)}


def _leaves(state: Verified, size: int) -> list[bytes]:
    return state.leaf_list()[:size]


def make_receipt(ledger: Ledger, seq: int) -> dict[str, Any]:
    """The receipt of record ``seq``: the record, its leaf hash, an inclusion proof, the latest checkpoint.

    Raises
    ------
    LedgerTampered
        The ledger fails verification (no receipt is given for an untrusted ledger).
    LedgerError
        No record ``seq``.
    """
    state = ledger.ensure_verified()
    record = ledger.get(seq)
    if record is None or not ledger.check(record):
        raise LedgerError("no_record", path=str(ledger.path), ref=str(seq))
    cp = ledger.checkpoint()
    assert cp is not None and cp.size == state.size
    proof = inclusion_proof(state.leaf_list(), seq - 1, cp.size)
    data: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "signed": cp.signed,
        "seq": seq,
        "leaf_hash": record.record_hash,
        "record": record.to_dict(),
        "inclusion_proof": [p.hex() for p in proof],
        "checkpoint": cp.to_dict(),
        "key_id": cp.key_id,
    }
    if not cp.signed:
        data["warning"] = "unsigned / 未签名"
    return data


def verify_receipt(data: Mapping[str, Any], public_key: PublicKey | None, *, allow_unsigned: bool = False) -> ProofReport:
    """Check a receipt offline (see the module docstring)."""
    report = ProofReport("receipt")
    try:
        if data.get("format") != RECEIPT_FORMAT:
            raise ValueError("format")
        seq, leaf_hex = data["seq"], data["leaf_hash"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or not isinstance(leaf_hex, str):
            raise ValueError("seq")
        cp = Checkpoint.from_dict(data["checkpoint"])
        proof = [bytes.fromhex(p) for p in data["inclusion_proof"]]
        leaf = bytes.fromhex(leaf_hex)
        record = data["record"]
        values = [record[c] for c in HASHED_COLUMNS]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report.problem, report.params = "format", {"detail": str(exc)}
        return report
    report.params = {"seq": seq, "size": cp.size, "key": (cp.key_id or "-")[:16]}
    report.signed = cp.signed
    try:
        same = values[0] == seq and record_leaf(values) == leaf and record.get("record_hash") == leaf_hex
    except TypeError:
        same = False
    if not same:
        report.problem = "record"
    elif not verify_inclusion(leaf, seq - 1, cp.size, proof, bytes.fromhex(cp.root)):
        report.problem = "inclusion"
    elif not cp.signed:
        if not allow_unsigned:
            report.problem = "unsigned"
    elif public_key is None:
        report.problem = "no_key"
    elif not cp.verify(public_key):
        report.problem = "signature"
    return report


def anchor_problem(anchor: Checkpoint, state: Verified, key: PublicKey | None) -> Problem | None:
    """Why the verified ledger does not extend ``anchor`` (a checkpoint kept elsewhere), or ``None``."""
    if anchor.size > state.size:
        return (0, "anchor", {"size": anchor.size})
    if key is not None and not anchor.verify(key):
        return (0, "anchor", {"size": anchor.size})
    if root(_leaves(state, anchor.size)).hex() != anchor.root:
        return (0, "anchor", {"size": anchor.size})
    return None


def make_consistency(ledger: Ledger, old: Checkpoint | int, public_key: PublicKey | None = None) -> tuple[dict[str, Any], ProofReport]:
    """A proof that the ledger's latest checkpoint extends ``old`` (a checkpoint, or a stored size).

    Returns the proof (plain JSON data) and its verification.

    Raises
    ------
    LedgerTampered
        The ledger fails verification.
    LedgerError
        ``old`` is a size without a stored checkpoint.
    """
    state = ledger.ensure_verified()
    key = public_key or state.key
    latest = ledger.checkpoint()
    assert latest is not None
    if isinstance(old, int):
        stored = ledger.checkpoint(old)
        if stored is None:
            raise LedgerError("no_record", path=str(ledger.path), ref=f"checkpoint {old}")
        old = stored
    data: dict[str, Any] = {"format": CONSISTENCY_FORMAT, "old": old.to_dict(), "new": latest.to_dict(), "proof": []}
    if old.size <= latest.size:
        data["proof"] = [p.hex() for p in consistency_proof(state.leaf_list(), old.size, latest.size)]
    return data, verify_consistency_data(data, key)


def verify_consistency_data(data: Mapping[str, Any], public_key: PublicKey | None) -> ProofReport:
    """Check a consistency proof offline: both checkpoints signed by ``public_key``, the proof holds."""
    report = ProofReport("consistency")
    try:
        if data.get("format") != CONSISTENCY_FORMAT:
            raise ValueError("format")
        old, new = Checkpoint.from_dict(data["old"]), Checkpoint.from_dict(data["new"])
        proof = [bytes.fromhex(p) for p in data["proof"]]
        old_root, new_root = bytes.fromhex(old.root), bytes.fromhex(new.root)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report.problem, report.params = "format", {"detail": str(exc), "old": "?"}
        return report
    report.params = {"old": old.size, "new": new.size}
    report.signed = old.signed and new.signed
    if old.size > new.size:
        report.problem = "size"
    elif public_key is not None and not (old.verify(public_key) and new.verify(public_key)):
        report.problem = "signature"
    elif not verify_consistency(old.size, new.size, old_root, new_root, proof):
        report.problem = "proof"
    return report
