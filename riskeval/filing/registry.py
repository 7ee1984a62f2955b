"""The receiving level's registry of filings (备案登记库): one SQLite file, filings per filing unit.

A filing unit is identified by its ledger's public key (``key_id``, the key's fingerprint); the
key and the ledger metadata are pinned at the unit's first filing. A package is imported when

- it verifies (:func:`~riskeval.filing.verify_filing`, against the pinned key),
- it was not imported before (same package, or same unit and head: :class:`FilingReplayed`),
- it starts right after the unit's last filing (else :class:`FilingOutOfOrder`, naming the gap),
- its link is the last filing's head and the root of its base (the tree it extends) is the last
  filing's signed root (else :class:`FilingNotContinuing`).

A unit's first filing may start after record 1: it is imported and the records before it are
reported as a gap (:meth:`Registry.gaps`). Every value reaches SQLite as a bound parameter.

Examples
--------
>>> import tempfile, os
>>> tmp = tempfile.TemporaryDirectory()
>>> reg = Registry(os.path.join(tmp.name, "registry.sqlite"))
>>> reg.units()
[]
>>> reg.close(); tmp.cleanup()
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import normalize_lang, register_messages, t
from ..ledger.checkpoint import PublicKey
from ..ledger.records import canonical_json, utcnow
from .errors import (
    FilingNotContinuing,
    FilingOutOfOrder,
    FilingRegistryError,
    FilingReplayed,
    FilingTampered,
)
from .verify import FilingReport, verify_filing

__all__ = ["REGISTRY_FORMAT", "ImportResult", "Registry", "UnitStatus", "import_filing"]

REGISTRY_FORMAT = "riskeval-filing-registry/1"

register_messages(
    {
        "filing.imported": {
            "zh": "已登记：单位 {unit} 的第 {since}–{size} 号记录（{count} 条），链头 {head}",
            "en": "imported: records #{since}–#{size} ({count}) of unit {unit}, head {head}",
        },
        "filing.first": {"zh": "（该单位的首次备案）", "en": " (the unit's first filing)"},
        "filing.gap": {
            "zh": "断档：单位 {unit} 的第 {first}–{last} 号记录未备案",
            "en": "gap: records #{first}–#{last} of unit {unit} were never filed",
        },
        "filing.status": {
            "zh": "单位 {unit}（{label}）：{filings} 次备案，已备案至第 {size} 号记录，链头 {head}，最近登记 {last}",
            "en": "unit {unit} ({label}): {filings} filings, filed up to record #{size}, head {head}, last imported {last}",
        },
        "filing.registry.missing": {"zh": "备案登记库不存在：{path}", "en": "no filing registry at {path}"},
        "filing.no_units": {"zh": "登记库中还没有备案", "en": "the registry holds no filings yet"},
    }
)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE IF NOT EXISTS units (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        meta_hash TEXT NOT NULL,
        label TEXT,
        first_imported TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS filings (
        id INTEGER PRIMARY KEY,
        key_id TEXT NOT NULL REFERENCES units (key_id),
        since INTEGER NOT NULL,
        size INTEGER NOT NULL,
        link TEXT NOT NULL,
        head TEXT NOT NULL,
        root TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        package_sha256 TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL,
        UNIQUE (key_id, size),
        UNIQUE (key_id, head)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS filed_records (
        key_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record_hash TEXT NOT NULL,
        kind TEXT NOT NULL,
        project_id TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (key_id, seq)
    ) STRICT""",
)


@dataclass(frozen=True)
class ImportResult:
    """One imported package: the unit, the records, and the gap before it (first filings only)."""

    key_id: str
    since: int
    size: int
    head: str
    first: bool
    gap: tuple[int, int] | None = None

    @property
    def count(self) -> int:
        return self.size - self.since + 1

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        unit = self.key_id[:16]
        text = t("filing.imported", lang, unit=unit, since=self.since, size=self.size, count=self.count, head=self.head[:16])
        if self.first:
            text += t("filing.first", lang)
        if self.gap is not None:
            text += "\n" + t("filing.gap", lang, unit=unit, first=self.gap[0], last=self.gap[1])
        return text

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "since": self.since,
            "size": self.size,
            "count": self.count,
            "head": self.head,
            "first": self.first,
            "gap": list(self.gap) if self.gap else None,
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class UnitStatus:
    """A filing unit in the registry: how far it has filed, and its gaps."""

    key_id: str
    label: str | None
    filings: int
    size: int
    head: str
    last_imported: str
    gaps: tuple[tuple[int, int], ...]

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        unit = self.key_id[:16]
        lines = [
            t("filing.status", lang, unit=unit, label=self.label or "-", filings=self.filings, size=self.size,
              head=self.head[:16], last=self.last_imported)
        ]
        lines += [t("filing.gap", lang, unit=unit, first=a, last=b) for a, b in self.gaps]
        return "\n".join(lines)


class Registry:
    """The registry file (created when missing, unless ``create`` is false).

    Raises
    ------
    FilingRegistryError
        The file exists and is not a registry, or cannot be read or written.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise FilingRegistryError("filing.registry.missing", path=str(path))
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            self._conn.execute("PRAGMA foreign_keys = ON")
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "registry_meta" not in tables:
                raise FilingRegistryError(path=str(path), detail="no registry_meta table")
            self._conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute("INSERT OR IGNORE INTO registry_meta (key, value) VALUES ('format', ?)", (REGISTRY_FORMAT,))
            self._conn.execute("COMMIT")
            found = self._conn.execute("SELECT value FROM registry_meta WHERE key = 'format'").fetchone()
        except sqlite3.Error as exc:
            self._close_quietly()
            raise FilingRegistryError(path=str(path), detail=str(exc)) from None
        except FilingRegistryError:
            self._close_quietly()
            raise
        if found is None or found[0] != REGISTRY_FORMAT:
            self._close_quietly()
            raise FilingRegistryError(path=str(path), detail=f"format {found[0] if found else None!r}")

    def _close_quietly(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pinned_key(self, key_id: str) -> PublicKey | None:
        """The public key pinned for the unit ``key_id`` at its first filing, or ``None``."""
        row = self._conn.execute("SELECT public_key FROM units WHERE key_id = ?", (key_id,)).fetchone()
        return PublicKey.from_raw(bytes.fromhex(row[0])) if row else None

    def import_report(self, report: FilingReport, *, label: str | None = None) -> ImportResult:
        """Register a verified package (see the module docstring for the refusals)."""
        if not report.ok:
            raise FilingTampered(report)
        assert report.key_id and report.head and report.checkpoint and report.package_sha256
        key_id = report.key_id
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = self._import(conn, report, key_id, label)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise FilingRegistryError("filing.registry.io", path=str(self.path), detail=str(exc)) from None
        return result

    def _import(self, conn: sqlite3.Connection, report: FilingReport, key_id: str, label: str | None) -> ImportResult:
        assert report.head and report.checkpoint and report.package_sha256 and report.meta_hash
        unit = key_id[:16]
        replay = conn.execute(
            "SELECT since, size, head, imported_at FROM filings WHERE package_sha256 = ? OR (key_id = ? AND head = ?)",
            (report.package_sha256, key_id, report.head),
        ).fetchone()
        if replay is not None:
            raise FilingReplayed(unit=unit, since=replay[0], size=replay[1], head=str(replay[2])[:16], imported=replay[3])
        known = conn.execute("SELECT meta_hash FROM units WHERE key_id = ?", (key_id,)).fetchone()
        last = conn.execute(
            "SELECT size, head, root FROM filings WHERE key_id = ? ORDER BY size DESC LIMIT 1", (key_id,)
        ).fetchone()
        now = utcnow()
        gap: tuple[int, int] | None = None
        if known is None:
            conn.execute(
                "INSERT INTO units (key_id, public_key, meta_hash, label, first_imported) VALUES (?, ?, ?, ?, ?)",
                (key_id, report.public_key, report.meta_hash, label, now),
            )
            if report.since > 1:
                gap = (1, report.since - 1)
        else:
            last_size, last_head, last_root = int(last[0]), str(last[1]), str(last[2])
            common = {"unit": unit, "last_size": last_size}
            if known[0] != report.meta_hash:
                raise FilingNotContinuing("meta", **common)
            if report.since > last_size + 1:
                raise FilingOutOfOrder(unit=unit, first=last_size + 1, last=report.since - 1, since=report.since)
            if report.since <= last_size:
                raise FilingNotContinuing("overlap", since=report.since, next=last_size + 1, **common)
            if report.link != last_head:
                raise FilingNotContinuing("link", link=(report.link or "")[:16], head=last_head[:16], **common)
            if report.base_root != last_root:
                raise FilingNotContinuing("checkpoint", size=last_size, **common)
            if label is not None:
                conn.execute("UPDATE units SET label = ? WHERE key_id = ?", (label, key_id))
        conn.execute(
            "INSERT INTO filings (key_id, since, size, link, head, root, checkpoint, package_sha256, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key_id, report.since, report.size, report.link, report.head, report.root,
                canonical_json(report.checkpoint.to_dict()), report.package_sha256, now,
            ),
        )
        conn.executemany(
            "INSERT INTO filed_records (key_id, seq, record_hash, kind, project_id, record) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (key_id, r["seq"], r["record_hash"], str(r["kind"]), str(r["project_id"]), canonical_json(r))
                for r in report.records
            ),
        )
        return ImportResult(key_id=key_id, since=report.since, size=report.size, head=report.head, first=known is None, gap=gap)

    def units(self) -> list[UnitStatus]:
        """Every filing unit with its filings and gaps, by key."""
        out: list[UnitStatus] = []
        for key_id, label in self._conn.execute("SELECT key_id, label FROM units ORDER BY key_id").fetchall():
            rows = self._conn.execute(
                "SELECT since, size, head, imported_at FROM filings WHERE key_id = ? ORDER BY size", (key_id,)
            ).fetchall()
            if not rows:
                continue
            out.append(
                UnitStatus(
                    key_id=key_id, label=label, filings=len(rows), size=int(rows[-1][1]), head=str(rows[-1][2]),
                    last_imported=max(str(r[3]) for r in rows), gaps=tuple(self.gaps(key_id)),
                )
            )
        return out

    def gaps(self, key_id: str) -> list[tuple[int, int]]:
        """The ranges of records of unit ``key_id`` never filed, below its last filed record."""
        rows = self._conn.execute("SELECT since, size FROM filings WHERE key_id = ? ORDER BY since", (key_id,)).fetchall()
        gaps: list[tuple[int, int]] = []
        expected = 1
        for since, size in rows:
            if since > expected:
                gaps.append((expected, since - 1))
            expected = max(expected, size + 1)
        return gaps

    def records(self, key_id: str) -> list[dict[str, Any]]:
        """The filed records of unit ``key_id``, in order (as filed: every stored column)."""
        import json

        rows = self._conn.execute("SELECT record FROM filed_records WHERE key_id = ? ORDER BY seq", (key_id,))
        return [json.loads(r[0]) for r in rows]


def import_filing(path: str | Path, registry: str | Path | Registry, *, label: str | None = None) -> ImportResult:
    """Verify the package ``path`` and register it in ``registry`` (created when missing).

    A unit is its key: the package's ``key_id`` is the fingerprint of the key that signed it, so a
    package signed by another key is another unit (whose first filing it would be).

    Raises
    ------
    FilingTampered, FilingReplayed, FilingOutOfOrder, FilingNotContinuing, FilingUnsafeEntry
        Refusals (exit 1).
    FilingInputError, FilingRegistryError
        The package or the registry cannot be read (exit 2).
    """
    own = not isinstance(registry, Registry)
    reg = Registry(registry) if not isinstance(registry, Registry) else registry
    try:
        return reg.import_report(verify_filing(path), label=label)
    finally:
        if own:
            reg.close()
