"""The ledger in one SQLite file: an append-only Merkle log with signed checkpoints.

Writers use WAL and one ``BEGIN IMMEDIATE`` transaction per append, so several processes may append
at once; every value reaches SQLite as a bound parameter. In that transaction the writer first
verifies the records and checkpoints others added since it last looked, then inserts the record and
a checkpoint over the new tree (signed with the Ed25519 key when the ledger is signed), so every
append is covered by a checkpoint before it returns. Triggers refuse ``UPDATE`` and ``DELETE`` (a
guard against accidents; hashes and signatures are what detect deliberate edits).

Examples
--------
>>> import tempfile, os
>>> from riskeval import Project, assess, load_ruleset
>>> from riskeval.ledger import SigningKey
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> project = Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"])
>>> tmp = tempfile.TemporaryDirectory()
>>> key = SigningKey.generate()
>>> ledger = Ledger(os.path.join(tmp.name, "ledger.sqlite"), signing_key=key)
>>> rec = ledger.append_assessment(project, assess(project, rs), actor="张三")
>>> rec.seq, rec.kind, rec.assessment.decision, ledger.signed
(1, 'assessment', 'proceed', True)
>>> report = ledger.verify(public_key=key.public)
>>> report.ok, report.count, report.checkpoints
(True, 1, 2)
>>> ledger.close(); tmp.cleanup()
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from ..model.assessment import Assessment
from ..model.project import Project
from .checkpoint import Checkpoint
from .errors import LedgerBusy, LedgerError, LedgerKeyError, LedgerNotFound, LedgerTampered
from .files import OLD_FORMAT, _retry
from .records import (
    ALL_COLUMNS,
    HASHED_COLUMNS,
    LedgerRecord,
    canonical_project,
    format_ts,
    record_leaf,
    utcnow,
)
from .trust import TrustedFile

__all__ = ["Ledger", "OLD_FORMAT"]

_SELECT = "SELECT " + ", ".join(ALL_COLUMNS) + " FROM records"


class Ledger(TrustedFile):
    """An append-only SQLite ledger: Merkle leaves, a hash chain and Ed25519-signed checkpoints.

    Parameters
    ----------
    path
        The SQLite file. Only a writing call creates it, and only when missing (a 0-byte file is
        an error, never a new ledger).
    signing_key
        The Ed25519 signing key (a path to ``signing.key`` or a :class:`SigningKey`). A ledger
        created with a key is signed from then on; appending to it needs the key.
    public_key
        The public key to verify against (default: the signing key's; else the ledger's own, with
        a warning).
    create
        Create the file on the first append when missing (``False``: :class:`LedgerNotFound`).
    read_only
        Never write; open the file read-only (immutable when even that is impossible).
    require_signed
        Refuse an unsigned ledger (:class:`LedgerTampered`).
    clock
        Gives the (aware) time stamped on appended records and their checkpoints (default: now), e.g.
        a simulated calendar; also settable later as ``ledger.clock``.

    Record kinds: ``assessment``, ``decision``, and ``tracking`` / ``measure`` (their formats are in
    :mod:`riskeval.gate.tracking`). A ledger created before the latter two existed stays valid but
    refuses them (``LedgerError`` ``kind_unsupported``).
    """

    # -- appending ---------------------------------------------------------------------------------
    def create(self) -> None:
        """Create the (empty) ledger file now rather than at the first append; an existing ledger is kept.

        Raises
        ------
        LedgerNotFound
            The ledger was opened with ``create=False``.
        LedgerTampered
            The file was here before and is gone (never started afresh), or an unsigned ledger is refused.
        """
        self._writer()

    def _writer(self) -> sqlite3.Connection:
        if self.read_only:
            raise LedgerError("io", path=str(self.path), detail="opened read-only")
        if self.signed and self._signing is None and self._usable_file():
            raise LedgerKeyError("key_required", path=str(self.path))
        if not self._usable_file():
            if self._ident is not None:  # it was here: deleted, not to be started afresh
                raise LedgerTampered("deleted", path=str(self.path))
            if not self._create:
                raise LedgerNotFound(path=str(self.path))
            if self.require_signed and self._signing is None:
                raise LedgerTampered("unsigned_refused", path=str(self.path))
            self._create_file()
        return self._connection()

    def _append(self, values: dict[str, Any]) -> LedgerRecord:
        actor = values.get("actor")
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must be a non-empty string")
        conn = self._writer()
        if self._state is None:
            state = self.ensure_verified()  # everything, the first time
        else:  # the rest is checked inside the write transaction below
            state = self._state
            self._check_file()
        placeholders = ", ".join("?" for _ in ALL_COLUMNS)
        insert = f"INSERT INTO records ({', '.join(ALL_COLUMNS)}) VALUES ({placeholders})"
        try:
            _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.OperationalError as exc:
            raise LedgerBusy(path=str(self.path), detail=str(exc)) from None
        try:
            self._catch_up(conn, state)
            ts = format_ts(self.clock()) if self.clock is not None else utcnow()
            row = {**values, "seq": state.size + 1, "ts": ts, "prev_hash": state.head}
            hashed: tuple[Any, ...] = tuple(row.get(name) for name in HASHED_COLUMNS)
            leaf = record_leaf(hashed)
            full: Any = (*hashed, leaf.hex())
            record = LedgerRecord(*full)
            conn.execute(insert, full)
            front = state.frontier.copy()
            front.append(leaf)
            cp = Checkpoint(size=record.seq, root=front.root().hex(), ts=ts, meta=state.meta_hash)
            cp = cp.sign(self._signing) if self._signing is not None else cp
            self._insert_checkpoint(conn, cp)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise self._db_error(exc) from None
        except BaseException:
            self._rollback(conn)
            raise
        state.add(leaf)
        state.checkpoint_size, state.last = record.seq, cp
        with suppress(OSError):
            self._fsize = os.stat(self.path).st_size
        if self._seen is not None:
            self._seen = self._files()  # our own write (a foreign one in between was caught up above)
        return record

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        """Roll back if SQLite has not already (it does on SQLITE_FULL); never mask the real error."""
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def append_assessment(self, project: Project, assessment: Assessment, actor: str) -> LedgerRecord:
        """Append an assessment record (covered by a new checkpoint) and return it.

        Raises
        ------
        ValueError
            ``assessment`` is not of ``project`` (different hash), or ``actor`` is empty.
        LedgerError
            The ledger cannot be written, fails verification, or stayed locked.
        """
        project_json = canonical_project(project)
        digest = hashlib.sha256(project_json.encode("utf-8")).hexdigest()
        if digest != assessment.project_hash or project.id != assessment.project_id:
            raise ValueError(f"the assessment is not of project {project.id!r} as given")
        return self._append(
            {
                "kind": "assessment",
                "project_id": project.id,
                "project_json": project_json,
                "project_hash": digest,
                "ruleset_id": assessment.ruleset.id,
                "ruleset_version": assessment.ruleset.version,
                "ruleset_hash": assessment.ruleset.hash,
                "assessment_json": assessment.to_json(indent=None),
                "actor": actor,
            }
        )

    def append_decision(self, project: Project, outcome: str, actor: str, basis: LedgerRecord) -> LedgerRecord:
        """Append a decision record resting on assessment record ``basis``.

        Raises
        ------
        ValueError
            Empty ``outcome`` or ``actor``, or ``basis`` is not an assessment of this project.
        LedgerError
            As for :meth:`append_assessment`.
        """
        if not isinstance(outcome, str) or not outcome.strip():
            raise ValueError("outcome must be a non-empty string")
        if basis.kind not in ("assessment", "tracking") or basis.project_id != project.id:
            raise ValueError("basis must be an assessment or tracking record of the same project")
        project_json = canonical_project(project)
        return self._append(
            {
                "kind": "decision",
                "project_id": project.id,
                "project_json": project_json,
                "project_hash": hashlib.sha256(project_json.encode("utf-8")).hexdigest(),
                "ruleset_id": basis.ruleset_id,
                "ruleset_version": basis.ruleset_version,
                "ruleset_hash": basis.ruleset_hash,
                "outcome": outcome,
                "ref_seq": basis.seq,
                "ref_hash": basis.record_hash,
                "actor": actor,
            }
        )

    # -- reading -----------------------------------------------------------------------------------
    def _query(self, sql: str, params: Any = ()) -> list[Any]:
        if not self._usable_file():
            return []
        try:
            return list(self._connection().execute(sql, params))
        except sqlite3.Error as exc:
            raise self._db_error(exc) from None

    def records(self, project_id: str | None = None, kind: str | None = None) -> Iterator[LedgerRecord]:
        """The records in order, optionally of one project and/or one kind (not verified)."""
        if not self._usable_file():
            return
        sql, params = _SELECT, []
        clauses = []
        if project_id is not None:
            clauses.append("project_id = ?")
            params.append(project_id)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        conn = self._connect_file(True)
        try:
            for row in conn.execute(sql + " ORDER BY seq", params):
                yield LedgerRecord(*row)
        finally:
            conn.close()

    def get(self, seq: int) -> LedgerRecord | None:
        """The record with sequence number ``seq``, or ``None``."""
        rows = self._query(_SELECT + " WHERE seq = ?", (seq,))
        return LedgerRecord(*rows[0]) if rows else None

    def find(self, hash_prefix: str) -> list[LedgerRecord]:
        """Records whose hash starts with ``hash_prefix`` (hex)."""
        prefix = hash_prefix.lower()
        rows = self._query(_SELECT + " WHERE substr(record_hash, 1, ?) = ? ORDER BY seq", (len(prefix), prefix))
        return [LedgerRecord(*row) for row in rows]

    def lookup(self, ref: str | int) -> LedgerRecord:
        """The record named by a sequence number (``12``, ``#12``) or a hash prefix (6+ hex digits).

        Raises
        ------
        LedgerError
            ``no_record`` or ``ambiguous`` (exit code 2).
        """
        text = str(ref).strip().lstrip("#")
        if text.isdigit() and len(text) < 12:
            record = self.get(int(text))
            if record is None:
                raise LedgerError("no_record", path=str(self.path), ref=str(ref))
            return record
        if len(text) < 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise LedgerError("no_record", path=str(self.path), ref=str(ref))
        found = self.find(text)
        if not found:
            raise LedgerError("no_record", path=str(self.path), ref=str(ref))
        if len(found) > 1:
            raise LedgerError("ambiguous", path=str(self.path), ref=str(ref))
        return found[0]

    def last_assessment(self, project_id: str, before: datetime | None = None) -> LedgerRecord | None:
        """The latest assessment or tracking (re-assessment) record of ``project_id`` (timestamped before
        ``before``), or ``None``."""
        sql = _SELECT + " WHERE project_id = ? AND kind IN ('assessment', 'tracking')"
        params: list[Any] = [project_id]
        if before is not None:
            sql += " AND ts < ?"
            params.append(format_ts(before))
        rows = self._query(sql + " ORDER BY seq DESC LIMIT 1", params)
        return LedgerRecord(*rows[0]) if rows else None

    def ruleset_in_use(self, ruleset_id: str, before: datetime | None = None) -> tuple[str, str, int] | None:
        """``(version, content_hash, seq)`` of the latest assessment under ``ruleset_id`` (before ``before``)."""
        sql = "SELECT ruleset_version, ruleset_hash, seq FROM records WHERE ruleset_id = ? AND kind IN ('assessment', 'tracking')"
        params: list[Any] = [ruleset_id]
        if before is not None:
            sql += " AND ts < ?"
            params.append(format_ts(before))
        rows = self._query(sql + " ORDER BY seq DESC LIMIT 1", params)
        return (str(rows[0][0]), str(rows[0][1]), int(rows[0][2])) if rows else None

    def head(self) -> LedgerRecord | None:
        """The last record (its ``record_hash`` is the head hash), or ``None``."""
        rows = self._query(_SELECT + " ORDER BY seq DESC LIMIT 1")
        return LedgerRecord(*rows[0]) if rows else None

    def checkpoint(self, size: int | None = None) -> Checkpoint | None:
        """The latest stored checkpoint (or the one of ``size``), not verified."""
        sql = "SELECT size, root, ts, meta, key_id, signature FROM checkpoints"
        rows = self._query(sql + " ORDER BY size DESC LIMIT 1") if size is None else self._query(sql + " WHERE size = ?", (size,))
        return Checkpoint(*rows[0]) if rows else None

    def __len__(self) -> int:
        rows = self._query("SELECT count(*) FROM records")
        return int(rows[0][0]) if rows else 0

