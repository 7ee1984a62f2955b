"""Verifying a filing package offline: manifest, records, chain, Merkle root, signatures, consistency.

The checks, in order (the first that fails is the report's ``problem``):

``manifest``  every member listed with its sha256, none missing, none extra
``format``    the JSON members are well formed, ``since``/``size``/``count`` agree
``key``       the public key is the one named by ``key_id`` (and the one expected, if given)
``meta``      the ledger metadata are the ones the checkpoint covers
``record``    each record's columns re-hash to its record hash, and seqs run ``since..size``
``link``      the first record rests on the link, each next one on the record before it
``head``      the last record is the head
``base``      the base frontier gives the base root (and the stored base checkpoint's, signed)
``root``      base frontier + the new leaves give the checkpoint's root at ``size``
``signature`` the checkpoint of ``size`` records is signed by the unit's key
``consistency`` the RFC 6962 proof from the base checkpoint to the new one holds
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import normalize_lang, register_messages, t
from ..ledger.checkpoint import Checkpoint, PublicKey, load_public_key, meta_hash
from ..ledger.receipt import verify_consistency_data
from ..ledger.records import HASHED_COLUMNS, record_leaf
from .errors import FilingInputError
from .package import FILING_FORMAT, MANIFEST_FORMAT, MEMBERS, grow, parse_json, read_members

__all__ = ["FilingReport", "verify_filing"]

register_messages(
    {
        "filing.ok": {
            "zh": "备案包完好：单位公钥 {key}，第 {since}–{size} 号记录（{count} 条），衔接哈希 {link}，链头 {head}，检查点已签名",
            "en": "filing package intact: unit key {key}, records #{since}–#{size} ({count}), link {link}, head {head}, "
            "checkpoint signed",
        },
        "filing.p.manifest": {
            "zh": "清单（manifest.json）与文件 {name} 不符（{detail}）",
            "en": "the manifest (manifest.json) does not match the member {name} ({detail})",
        },
        "filing.p.format": {"zh": "{name} 格式不对（{detail}）", "en": "{name} is malformed ({detail})"},
        "filing.p.key": {"zh": "公钥与所述单位密钥不符（{detail}）", "en": "the public key is not the unit's key stated ({detail})"},
        "filing.p.meta": {
            "zh": "台账元数据与签名检查点所覆盖的不符",
            "en": "the ledger metadata differ from what the signed checkpoint covers",
        },
        "filing.p.record": {
            "zh": "第 {seq} 号记录的内容与其哈希不符（记录被改动）",
            "en": "record #{seq}: its content does not match its hash (the record was altered)",
        },
        "filing.p.sequence": {
            "zh": "记录序号不连续：应为第 {expected} 号，实为 {found}（记录被删除、插入或重排）",
            "en": "the records are not in sequence: #{expected} expected, {found} found (records deleted, inserted or reordered)",
        },
        "filing.p.link": {
            "zh": "第 {seq} 号记录的“前一记录哈希”与衔接链不符（记录被插入、删除或改写）",
            "en": "record #{seq}: its previous-record hash breaks the chain (records inserted, deleted or rewritten)",
        },
        "filing.p.head": {"zh": "最后一条记录不是所述链头 {head}", "en": "the last record is not the stated head {head}"},
        "filing.p.base": {
            "zh": "前 {size} 条记录的树（衔接部分）与其检查点不符",
            "en": "the tree of the first {size} records (the base) does not match its checkpoint",
        },
        "filing.p.root": {
            "zh": "记录算出的根哈希与 {size} 条记录的检查点不符（记录被改动、增删）",
            "en": "the root hash computed from the records differs from the checkpoint of {size} records (records "
            "altered, added or removed)",
        },
        "filing.p.signature": {
            "zh": "检查点签名无效，或不是单位公钥签的（伪造或被改动）",
            "en": "the checkpoint's signature is invalid or not made by the unit's key (forged or altered)",
        },
        "filing.p.consistency": {
            "zh": "一致性证明不成立：新检查点不是前一检查点的延续",
            "en": "the consistency proof fails: the new checkpoint does not extend the earlier one",
        },
    }
)


@dataclass
class FilingReport:
    """The outcome of :func:`verify_filing`: ``ok``, or the ``problem`` code with its ``params``."""

    path: str
    problem: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    key_id: str | None = None
    public_key: str | None = None
    since: int = 0
    size: int = 0
    link: str | None = None
    head: str | None = None
    root: str | None = None
    base_root: str | None = None
    meta_hash: str | None = None
    checkpoint: Checkpoint | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    package_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def count(self) -> int:
        return max(self.size - self.since + 1, 0)

    def fail(self, problem: str, **params: Any) -> FilingReport:
        self.problem, self.params = problem, params
        return self

    def problem_text(self, lang: str | None = "zh") -> str:
        """What is wrong (empty when ``ok``)."""
        return t(f"filing.p.{self.problem}", normalize_lang(lang), **self.params) if self.problem else ""

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        if self.problem is not None:
            return t("filing.tampered", lang, path=self.path, detail=self.problem_text(lang))
        return t(
            "filing.ok", lang, key=(self.key_id or "")[:16], since=self.since, size=self.size, count=self.count,
            link=(self.link or "")[:16], head=(self.head or "")[:16],
        )

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "ok": self.ok,
            "path": self.path,
            "problem": self.problem,
            "params": dict(self.params),
            "key_id": self.key_id,
            "since": self.since,
            "size": self.size,
            "count": self.count,
            "link": self.link,
            "head": self.head,
            "root": self.root,
            "message": self.message(lang),
        }


def verify_filing(path: str | Path, public_key: str | Path | PublicKey | None = None) -> FilingReport:
    """Verify the filing package ``path`` (see the module docstring); nothing in it is trusted.

    Parameters
    ----------
    path
        The ``.zip`` written by :func:`~riskeval.filing.export_filing`.
    public_key
        The unit's key as known to the receiver (default: the key in the package, which proves
        integrity but not who made it; the registry pins each unit's key at its first filing).

    Raises
    ------
    FilingUnsafeEntry
        A zip entry that would escape the folder.
    FilingInputError
        Not a zip, or not a filing package at all.
    """
    members = read_members(path)
    report = FilingReport(path=str(path))
    if "manifest.json" not in members or "filing.json" not in members:
        raise FilingInputError("filing.in.not_filing", path=str(path), detail="manifest.json / filing.json missing")
    try:
        manifest = parse_json(members, "manifest.json")
        info = parse_json(members, "filing.json")
    except ValueError as exc:
        raise FilingInputError("filing.in.not_filing", path=str(path), detail=str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise FilingInputError("filing.in.not_filing", path=str(path), detail="manifest format")
    if not isinstance(info, dict) or info.get("format") != FILING_FORMAT:
        raise FilingInputError("filing.in.not_filing", path=str(path), detail="filing.json format")
    report.package_sha256 = hashlib.sha256(b"".join(hashlib.sha256(members[n]).digest() for n in sorted(members))).hexdigest()
    expected = load_public_key(public_key) if public_key is not None else None
    _check(report, members, manifest, info, expected)
    return report


def _check(report: FilingReport, members: dict[str, bytes], manifest: dict[str, Any], info: dict[str, Any], expected: PublicKey | None) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict):
        report.fail("manifest", name="manifest.json", detail="files")
        return
    for name in sorted(set(MEMBERS) | set(files) | (set(members) - {"manifest.json"})):
        if name not in members:
            report.fail("manifest", name=name, detail="missing")
            return
        if name not in files or name not in MEMBERS:
            report.fail("manifest", name=name, detail="not listed" if name not in files else "unexpected")
            return
        if hashlib.sha256(members[name]).hexdigest() != files[name]:
            report.fail("manifest", name=name, detail="sha256")
            return
    try:
        _check_content(report, members, info, expected)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        if report.problem is None:
            report.fail("format", name=getattr(exc, "member", "filing"), detail=str(exc)[:200])


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} is not a count")
    return value


def _check_content(report: FilingReport, members: dict[str, bytes], info: dict[str, Any], expected: PublicKey | None) -> None:
    report.since, report.size = _int(info["since"], "since"), _int(info["size"], "size")
    report.link, report.head, report.key_id = str(info["link"]), str(info["head"]), str(info["key_id"])
    if report.since < 1 or report.size < report.since:
        raise ValueError("since/size")
    key = PublicKey.from_raw(bytes.fromhex(str(info["public_key"])))
    report.public_key = key.raw.hex()
    pem_key = load_public_key_bytes(members["signing.pub"])
    if key.fingerprint != report.key_id or pem_key != key:
        report.fail("key", detail="key_id")
        return
    if expected is not None and expected != key:
        report.fail("key", detail=f"{key.fingerprint[:16]} ≠ {expected.fingerprint[:16]}")
        return
    cp = Checkpoint.from_dict(parse_json(members, "checkpoint.json"))
    report.checkpoint, report.root = cp, cp.root
    meta = info["meta"]
    if not isinstance(meta, dict):
        raise ValueError("meta")
    report.meta_hash = meta_hash({str(k): str(v) for k, v in meta.items()})
    if report.meta_hash != cp.meta or meta.get("key_id") != key.fingerprint:
        report.fail("meta")
        return
    leaves = _check_records(report, members)
    if leaves is None:
        return
    base = parse_json(members, "base.json")
    frontier = [(_int(h, "height"), bytes.fromhex(node)) for h, node in base["frontier"]]
    base_size, base_root = grow(frontier, [])
    report.base_root = base_root.hex()
    base_cp = Checkpoint.from_dict(base["checkpoint"]) if base.get("checkpoint") is not None else None
    if (
        base_size != report.since - 1
        or base["root"] != base_root.hex()
        or (base_cp is not None and (base_cp.size != base_size or base_cp.root != base_root.hex() or not base_cp.verify(key)))
    ):
        report.fail("base", size=report.since - 1)
        return
    size, new_root = grow(frontier, leaves)
    if cp.size != report.size or size != report.size or new_root.hex() != cp.root:
        report.fail("root", size=cp.size)
        return
    if not cp.verify(key):
        report.fail("signature")
        return
    consistency = parse_json(members, "consistency.json")
    if base_cp is not None or consistency is not None:
        if consistency is None or base_cp is None or Checkpoint.from_dict(consistency["old"]) != base_cp:
            report.fail("consistency")
            return
        if Checkpoint.from_dict(consistency["new"]) != cp or not verify_consistency_data(consistency, key).ok:
            report.fail("consistency")
            return


def _check_records(report: FilingReport, members: dict[str, bytes]) -> list[bytes] | None:
    from .package import parse_records

    records = parse_records(members["records.jsonl"])
    leaves: list[bytes] = []
    previous = report.link
    for i, record in enumerate(records):
        seq = report.since + i
        if record.get("seq") != seq:
            report.fail("sequence", expected=seq, found=record.get("seq"))
            return None
        values = [record[c] for c in HASHED_COLUMNS]
        try:
            leaf = record_leaf(values)
        except TypeError:
            report.fail("record", seq=seq)
            return None
        if leaf.hex() != record.get("record_hash"):
            report.fail("record", seq=seq)
            return None
        if record["prev_hash"] != previous:
            report.fail("link", seq=seq)
            return None
        previous = leaf.hex()
        leaves.append(leaf)
    if len(records) != report.count:
        report.fail("sequence", expected=report.since + len(records), found="-")
        return None
    if previous != report.head:
        report.fail("head", head=(report.head or "")[:16])
        return None
    report.records = records
    return leaves


def load_public_key_bytes(pem: bytes) -> PublicKey:
    """The Ed25519 public key in PEM bytes (``ValueError`` otherwise)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("signing.pub is not an Ed25519 public key")
    return PublicKey(key)
