"""The filing package (备案包): what a unit sends to the level above, and how it is made.

A filing package is a zip file with these members (all JSON is canonical UTF-8)::

    filing.json       format, since, size, count, link, head, root, key_id, public_key, meta, made
    records.jsonl     the records #since..#size, every stored column verbatim (one per line)
    checkpoint.json   the ledger's signed checkpoint of ``size`` records
    base.json         the tree of the first ``since - 1`` records: its perfect-subtree roots
                      (``frontier``) and the stored signed checkpoint of that size (if any)
    consistency.json  RFC 6962 consistency proof from the base checkpoint to the new one
    signing.pub       the unit's Ed25519 public key (PEM)
    manifest.json     sha256 of every other member

``link`` is the record hash at ``since - 1`` (64 zeros for the first filing): the ``prev_hash`` of
the first record in the package. The receiver re-hashes every record, follows the chain from the
link to the head, rebuilds the Merkle root from the base frontier and the new leaves and checks it
against the signed checkpoint, and checks the consistency proof; the registry then checks that
the link is the head of the unit's last filing and the base root its root
(:mod:`riskeval.filing.registry`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..ledger import Ledger, LedgerTampered
from ..ledger.merkle import Frontier, consistency_proof, node_hash, root
from ..ledger.receipt import CONSISTENCY_FORMAT
from ..ledger.records import GENESIS, LedgerRecord, canonical_json, utcnow
from .errors import FilingExportError, FilingInputError, FilingUnsafeEntry

__all__ = [
    "FILING_FORMAT",
    "MANIFEST_FORMAT",
    "MAX_MEMBER_BYTES",
    "MEMBERS",
    "FilingSummary",
    "export_filing",
    "frontier_of",
    "grow",
    "parse_json",
    "parse_records",
    "read_members",
]

FILING_FORMAT = "riskeval-filing/1"
MANIFEST_FORMAT = "riskeval-filing-manifest/1"
MEMBERS = ("filing.json", "records.jsonl", "checkpoint.json", "base.json", "consistency.json", "signing.pub")
#: largest member read from a package (a guard against zip bombs)
MAX_MEMBER_BYTES = 1 << 30


@dataclass(frozen=True)
class FilingSummary:
    """What :func:`export_filing` wrote."""

    path: str
    key_id: str
    since: int
    size: int
    link: str
    head: str
    root: str

    @property
    def count(self) -> int:
        return self.size - self.since + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key_id": self.key_id,
            "since": self.since,
            "size": self.size,
            "count": self.count,
            "link": self.link,
            "head": self.head,
            "root": self.root,
        }


def frontier_of(leaves: list[bytes]) -> list[tuple[int, bytes]]:
    """The perfect-subtree roots ``(height, hash)`` of the tree over ``leaves``, largest first.

    Examples
    --------
    >>> from riskeval.ledger.merkle import leaf_hash
    >>> leaves = [leaf_hash(bytes([i])) for i in range(6)]
    >>> [h for h, _ in frontier_of(leaves)]
    [2, 1]
    >>> grow(frontier_of(leaves[:3]), leaves[3:])[1] == root(leaves)
    True
    """
    out: list[tuple[int, bytes]] = []
    lo, n = 0, len(leaves)
    while lo < n:
        height = (n - lo).bit_length() - 1
        out.append((height, root(leaves[lo : lo + (1 << height)])))
        lo += 1 << height
    return out


def grow(frontier: list[tuple[int, bytes]], leaves: list[bytes]) -> tuple[int, bytes]:
    """``(size, root)`` of the tree with ``frontier`` as its first leaves and then ``leaves``.

    Raises
    ------
    ValueError
        The heights do not strictly decrease (not a frontier).
    """
    stack = list(frontier)
    if any(stack[i][0] <= stack[i + 1][0] for i in range(len(stack) - 1)) or any(h < 0 for h, _ in stack):
        raise ValueError("not a frontier")
    size = sum(1 << h for h, _ in stack)
    for leaf in leaves:
        height, h = 0, leaf
        while stack and stack[-1][0] == height:
            _, left = stack.pop()
            h = node_hash(left, h)
            height += 1
        stack.append((height, h))
        size += 1
    if not stack:
        return 0, Frontier().root()
    h = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        h = node_hash(left, h)
    return size, h


def _json_bytes(data: Any) -> bytes:
    return canonical_json(data).encode("utf-8")


def export_filing(
    ledger: Ledger | str | Path, since: int, out: str | Path, *, public_key: str | Path | None = None
) -> FilingSummary:
    """Write the filing package of the records from ``since`` to the head of ``ledger`` to ``out``.

    Parameters
    ----------
    ledger
        A signed ledger (or its path, opened read-only). It is verified first.
    since
        The first record to file: 1 for the first filing, else the last filed record + 1.
    out
        The zip file to write (replaced atomically).
    public_key
        The key the ledger must be signed with (default: the ledger's own).

    Raises
    ------
    LedgerTampered
        The ledger fails verification.
    FilingExportError
        The ledger is unsigned or empty, or ``since`` is not within 1..size.
    """
    if not isinstance(ledger, Ledger):
        ledger = Ledger(ledger, create=False, read_only=True, public_key=public_key)
    ledger.meta()  # not found / not a ledger errors first
    state = ledger.ensure_verified()
    path = str(ledger.path)
    if state.key is None:
        raise FilingExportError("filing.export.unsigned", path=path)
    n = state.size
    if n == 0:
        raise FilingExportError("filing.export.empty", path=path)
    if isinstance(since, bool) or not isinstance(since, int) or not 1 <= since <= n:
        raise FilingExportError("filing.export.since", since=since, size=n)
    latest = state.last
    if latest is None or latest.size != n or not latest.verify(state.key):
        raise LedgerTampered(path=path, detail="checkpoint")
    leaves = state.leaf_list()
    m = since - 1
    records: list[LedgerRecord] = []
    for record in ledger.records():
        if record.seq < since:
            continue
        if record.seq > n:
            break
        if not record.matches() or state.leaf(record.seq) != bytes.fromhex(record.record_hash):
            raise LedgerTampered("record_tampered", path=path, seq=record.seq)
        records.append(record)
    if len(records) != n - m:
        raise LedgerTampered(path=path, detail="records")
    link = GENESIS if m == 0 else leaves[m - 1].hex()
    base_cp = ledger.checkpoint(m)
    if base_cp is not None and (base_cp.root != root(leaves[:m]).hex() or not base_cp.verify(state.key)):
        base_cp = None  # an unsigned or odd stored checkpoint is left out; the frontier carries the root
    members: dict[str, bytes] = {
        "records.jsonl": b"".join(_json_bytes(r.to_dict()) + b"\n" for r in records),
        "checkpoint.json": _json_bytes(latest.to_dict()),
        "base.json": _json_bytes(
            {
                "size": m,
                "root": root(leaves[:m]).hex(),
                "frontier": [[h, node.hex()] for h, node in frontier_of(leaves[:m])],
                "checkpoint": base_cp.to_dict() if base_cp is not None else None,
            }
        ),
        "signing.pub": state.key.pem(),
    }
    if base_cp is not None:
        proof = consistency_proof(leaves, m, n)
        members["consistency.json"] = _json_bytes(
            {"format": CONSISTENCY_FORMAT, "old": base_cp.to_dict(), "new": latest.to_dict(), "proof": [p.hex() for p in proof]}
        )
    else:
        members["consistency.json"] = _json_bytes(None)
    summary = FilingSummary(
        path=str(out), key_id=state.key.fingerprint, since=since, size=n, link=link, head=leaves[n - 1].hex(),
        root=latest.root,
    )
    members["filing.json"] = _json_bytes(
        {
            "format": FILING_FORMAT,
            **{k: v for k, v in summary.to_dict().items() if k not in ("path",)},
            "public_key": state.key.raw.hex(),
            "meta": state.meta,
            "made": utcnow(),
        }
    )
    manifest = {"format": MANIFEST_FORMAT, "files": {name: hashlib.sha256(members[name]).hexdigest() for name in MEMBERS}}
    members["manifest.json"] = _json_bytes(manifest)
    _write_zip(Path(out), members)
    return summary


def _write_zip(out: Path, members: dict[str, bytes]) -> None:
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in ("manifest.json", *MEMBERS):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, members[name])
        os.replace(tmp, out)
    except OSError as exc:
        raise FilingExportError("filing.export.io", path=str(out), detail=exc.strerror or str(exc)) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _unsafe(name: str) -> bool:
    """Whether a zip entry name could escape the folder it is extracted into.

    Examples
    --------
    >>> [_unsafe(n) for n in ("a.json", "../a", "/etc/x", "a/../../b", "C:x", "a\\\\..\\\\b")]
    [False, True, True, True, True, True]
    """
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def read_members(path: str | Path) -> dict[str, bytes]:
    """Every member of the package ``path`` (names checked, sizes bounded).

    Raises
    ------
    FilingUnsafeEntry
        An entry name with an absolute path, a drive, a backslash or ``..``.
    FilingInputError
        Not a readable zip, a member too large, or a duplicate member name.
    """
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise FilingInputError("input.not_found", path=name)
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
            for info in infos:
                if _unsafe(info.filename):
                    raise FilingUnsafeEntry(path=name, name=info.filename)
            out: dict[str, bytes] = {}
            for info in infos:
                if info.is_dir():
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    raise FilingInputError("filing.in.too_big", path=name, name=info.filename, size=info.file_size, limit=MAX_MEMBER_BYTES)
                if info.filename in out:
                    raise FilingInputError("filing.in.not_filing", path=name, detail=f"duplicate member {info.filename}")
                with zf.open(info) as member:
                    data = member.read(MAX_MEMBER_BYTES + 1)
                if len(data) > MAX_MEMBER_BYTES:
                    raise FilingInputError("filing.in.too_big", path=name, name=info.filename, size=len(data), limit=MAX_MEMBER_BYTES)
                out[info.filename] = data
            return out
    except zipfile.BadZipFile:
        raise FilingInputError("filing.in.not_zip", path=name) from None
    except (OSError, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error) as exc:
        raise FilingInputError("filing.in.unreadable", path=name, detail=str(exc)) from None


def parse_json(members: dict[str, bytes], member: str) -> Any:
    """The JSON in ``member`` (``ValueError`` when it is not JSON)."""
    return json.loads(members[member].decode("utf-8"))


def parse_records(data: bytes) -> list[dict[str, Any]]:
    """The records of ``records.jsonl`` (``ValueError`` when a line is not a JSON object)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        value = json.loads(line)
        if not isinstance(value, dict):
            raise ValueError(f"records.jsonl line {number} is not an object")
        out.append(value)
    return out
