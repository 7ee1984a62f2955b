"""Ledger records and their leaf encoding (format ``riskeval-ledger/2``).

A record is one row of the ``records`` table. Its Merkle leaf is the byte string::

    b"riskeval-ledger/2\\n" + field(seq) + field(kind) + ... + field(prev_hash)

over :data:`HASHED_COLUMNS` in order, where ``field(None) = b"N"``, an integer is
``b"I<len>:<decimal>"`` and a text ``b"S<len>:<utf-8 bytes>"`` (``len`` in bytes, decimal).
``record_hash`` is the hex of the RFC 6962 leaf hash ``SHA-256(0x00 || leaf)``; ``prev_hash``
is the previous record's ``record_hash`` (64 zeros for the first), so the hash chain is kept.

The same bytes are produced inside SQLite by :data:`LEAF_SQL`, so verification re-hashes stored
bytes without decoding or re-serialising any JSON.

Examples
--------
>>> leaf_bytes([1, "决策", None])
b'riskeval-ledger/2\\nI1:1S6:\\xe5\\x86\\xb3\\xe7\\xad\\x96N'
>>> import sqlite3
>>> conn = sqlite3.connect(":memory:")
>>> _ = conn.execute("CREATE TABLE records (" + ", ".join(f"{c} {'INTEGER' if c in INT_COLUMNS else 'TEXT'}" for c in HASHED_COLUMNS) + ")")
>>> values = (1, "assessment", "P", "{}", "h", "r", "1", "rh", None, None, None, None, "张三", "t", GENESIS)
>>> _ = conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * len(values))})", values)
>>> conn.execute(f"SELECT {LEAF_SQL} FROM records").fetchone()[0] == leaf_bytes(values)
True
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from ..model.assessment import Assessment
from ..model.project import Project
from .merkle import leaf_hash

__all__ = [
    "ALL_COLUMNS",
    "FORMAT",
    "GENESIS",
    "HASHED_COLUMNS",
    "INT_COLUMNS",
    "LEAF_SQL",
    "LedgerRecord",
    "canonical_json",
    "canonical_project",
    "format_ts",
    "leaf_bytes",
    "parse_ts",
    "record_leaf",
]

FORMAT = "riskeval-ledger/2"
GENESIS = "0" * 64
HASHED_COLUMNS: tuple[str, ...] = (
    "seq",
    "kind",
    "project_id",
    "project_json",
    "project_hash",
    "ruleset_id",
    "ruleset_version",
    "ruleset_hash",
    "assessment_json",
    "outcome",
    "ref_seq",
    "ref_hash",
    "actor",
    "ts",
    "prev_hash",
)
INT_COLUMNS = frozenset({"seq", "ref_seq"})
ALL_COLUMNS = (*HASHED_COLUMNS, "record_hash")
_PREFIX = (FORMAT + "\n").encode("ascii")


def _sql_field(column: str) -> str:
    if column in INT_COLUMNS:
        return f"CASE WHEN {column} IS NULL THEN 'N' ELSE 'I' || length(CAST({column} AS TEXT)) || ':' || {column} END"
    return f"CASE WHEN {column} IS NULL THEN 'N' ELSE 'S' || length(CAST({column} AS BLOB)) || ':' || {column} END"


LEAF_SQL = "CAST(" + " || ".join([f"'{FORMAT}' || char(10)", *(_sql_field(c) for c in HASHED_COLUMNS)]) + " AS BLOB)"
"""An SQL expression giving a ``records`` row's leaf bytes (UTF-8 database encoding)."""


def leaf_bytes(values: tuple[Any, ...] | list[Any]) -> bytes:
    """The leaf bytes over ``values`` (the :data:`HASHED_COLUMNS` in order).

    Raises
    ------
    TypeError
        A value is not a string, an integer or ``None``.
    """
    parts = [_PREFIX]
    for value in values:
        if value is None:
            parts.append(b"N")
        elif isinstance(value, int) and not isinstance(value, bool):
            digits = str(value).encode("ascii")
            parts.append(b"I%d:%s" % (len(digits), digits))
        elif isinstance(value, str):
            raw = value.encode("utf-8")
            parts.append(b"S%d:" % len(raw))
            parts.append(raw)
        else:
            raise TypeError(f"unexpected {type(value).__name__} value {value!r}")
    return b"".join(parts)


def record_leaf(values: tuple[Any, ...] | list[Any]) -> bytes:
    """The RFC 6962 leaf hash of a record's hashed values."""
    return leaf_hash(leaf_bytes(values))


def _canonical_numbers(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text, integral numbers without ``.0``.

    Examples
    --------
    >>> canonical_json({"b": 5.0, "a": [1.5, 2.0]}) == canonical_json({"a": [1.5, 2], "b": 5})
    True
    >>> canonical_json({"b": 5.0, "a": "中"})
    '{"a":"中","b":5}'
    """
    return json.dumps(_canonical_numbers(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_project(project: Project) -> str:
    """The canonical JSON of ``project``, whose sha256 is :func:`riskeval.pipeline.project_hash`.

    Examples
    --------
    >>> from riskeval import Project
    >>> from riskeval.pipeline import project_hash
    >>> p = Project(id="P", facts={"b": 1, "a": "中"})
    >>> hashlib.sha256(canonical_project(p).encode()).hexdigest() == project_hash(p)
    True
    """
    return canonical_json(project.model_dump(mode="json"))


def format_ts(moment: datetime) -> str:
    """``moment`` (aware) as a record timestamp: UTC, microseconds, ``Z`` (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> str:
    """Now, as a record timestamp."""
    return format_ts(datetime.now(UTC))


def parse_ts(ts: str) -> datetime:
    """A record timestamp as an aware UTC datetime."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


@dataclass(frozen=True)
class LedgerRecord:
    """One ledger record, exactly as stored (``project_json`` and ``assessment_json`` are text)."""

    seq: int
    kind: Literal["assessment", "decision", "tracking", "measure", "activation"]
    project_id: str
    project_json: str
    project_hash: str
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    assessment_json: str | None
    outcome: str | None
    ref_seq: int | None
    ref_hash: str | None
    actor: str
    ts: str
    prev_hash: str
    record_hash: str

    def hashed_values(self) -> tuple[Any, ...]:
        """The values covered by ``record_hash``, in :data:`HASHED_COLUMNS` order."""
        return tuple(getattr(self, name) for name in HASHED_COLUMNS)

    def leaf(self) -> bytes:
        """The leaf hash recomputed from the values (compare with ``record_hash``)."""
        return record_leaf(self.hashed_values())

    def matches(self) -> bool:
        """Whether the values match the stored ``record_hash``."""
        try:
            return self.leaf().hex() == self.record_hash
        except TypeError:
            return False

    def inconsistency(self) -> str | None:
        """The first column that disagrees with another (a record written by other code), or ``None``.

        Examples
        --------
        >>> r = LedgerRecord(1, "decision", "P", '{"id":"P"}', project_sha256('{"id":"P"}'), "r", "1", "h",
        ...                  None, "批准", 1, "x", "李四", "t", GENESIS, "y")
        >>> r.inconsistency() is None, LedgerRecord(**{**r.to_dict(), "project_id": "Q"}).inconsistency()
        (True, 'project_id')
        """
        if project_sha256(self.project_json) != self.project_hash:
            return "project_hash"
        try:
            if json.loads(self.project_json).get("id") != self.project_id:
                return "project_id"
        except (ValueError, AttributeError):
            return "project_json"
        if self.kind in ("decision", "measure"):
            return None if None not in (self.outcome, self.ref_seq, self.ref_hash) else f"{self.kind} fields"
        if self.kind == "tracking" and None in (self.outcome, self.ref_seq, self.ref_hash):
            return "tracking fields"
        if self.kind == "activation":  # riskeval.ledger.activation
            return None if self.outcome == "activate" and self.assessment_json is None else "activation fields"
        try:
            data = json.loads(self.assessment_json or "")
            rs = data["ruleset"]
            same = (
                data["project_id"] == self.project_id
                and data["project_hash"] == self.project_hash
                and (rs["id"], rs["version"], rs["hash"]) == (self.ruleset_id, self.ruleset_version, self.ruleset_hash)
            )
        except (ValueError, KeyError, TypeError):
            return "assessment_json"
        return None if same else "assessment_json"

    @property
    def assessment(self) -> Assessment | None:
        """The stored assessment (``None`` for decision and measure records)."""
        if self.assessment_json is None:
            return None
        return Assessment.model_validate_json(self.assessment_json)

    @property
    def project(self) -> Project:
        """The stored project."""
        return Project.model_validate_json(self.project_json)

    @property
    def project_data(self) -> dict[str, Any]:
        """The stored canonical project as a mapping."""
        data: dict[str, Any] = json.loads(self.project_json)
        return data

    @property
    def timestamp(self) -> datetime:
        """``ts`` as an aware UTC datetime."""
        return parse_ts(self.ts)

    def to_dict(self) -> dict[str, Any]:
        """Every stored column (text kept verbatim, so that the hash can be recomputed)."""
        return asdict(self)


def project_sha256(project_json: str) -> str:
    """sha256 hex of a canonical project text."""
    return hashlib.sha256(project_json.encode("utf-8")).hexdigest()
