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
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model.assessment import Assessment
from ..model.project import Project
from .checkpoint import Checkpoint, PublicKey, SigningKey, load_public_key, load_signing_key, meta_hash
from .errors import LedgerBusy, LedgerError, LedgerKeyError, LedgerNotFound, LedgerTampered
from .merkle import Frontier
from .records import (
    ALL_COLUMNS,
    FORMAT,
    HASHED_COLUMNS,
    LedgerRecord,
    canonical_project,
    format_ts,
    record_leaf,
    utcnow,
)
from .verify import (
    Verified,
    VerifyReport,
    check_checkpoints,
    default_jobs,
    read_checkpoints,
    read_meta,
    scan,
    scan_all,
)

__all__ = ["Ledger", "OLD_FORMAT"]

OLD_FORMAT = "riskeval-ledger/1"
_SELECT = "SELECT " + ", ".join(ALL_COLUMNS) + " FROM records"
_BUSY_TIMEOUT_S = 60.0
_INHERITED: list[sqlite3.Connection] = []

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('assessment', 'decision')),
        project_id TEXT NOT NULL,
        project_json TEXT NOT NULL,
        project_hash TEXT NOT NULL,
        ruleset_id TEXT NOT NULL,
        ruleset_version TEXT NOT NULL,
        ruleset_hash TEXT NOT NULL,
        assessment_json TEXT,
        outcome TEXT,
        ref_seq INTEGER,
        ref_hash TEXT,
        actor TEXT NOT NULL,
        ts TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        record_hash TEXT NOT NULL UNIQUE
    ) STRICT""",
    """CREATE TABLE checkpoints (
        size INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        ts TEXT NOT NULL,
        meta TEXT NOT NULL,
        key_id TEXT,
        signature TEXT
    ) STRICT""",
    "CREATE INDEX records_by_project ON records (project_id, kind, seq)",
    "CREATE INDEX records_by_ruleset ON records (ruleset_id, kind, seq)",
    *(
        f"""CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
       BEGIN SELECT RAISE(ABORT, 'the riskeval ledger is append-only'); END"""
        for table in ("records", "checkpoints", "meta")
        for op in ("UPDATE", "DELETE")
    ),
)
_TABLES = ("meta", "records", "checkpoints")
_EXPECTED_SQL: dict[str, str] = {}


def _expected_sql() -> dict[str, str]:
    if not _EXPECTED_SQL:
        conn = sqlite3.connect(":memory:")
        for statement in _SCHEMA:
            conn.execute(statement)
        _EXPECTED_SQL.update(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
        conn.close()
    return _EXPECTED_SQL


def _schema_problem(conn: sqlite3.Connection) -> str | None:
    found = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    for name in _TABLES:
        if found.get(name) != _expected_sql()[name]:
            return f"table {name}"
    if conn.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
        return "encoding"
    return None


def _retry(action: Any, attempts: int = 50) -> Any:
    """Run ``action`` again while SQLite reports a lock that the busy timeout did not cover."""
    for i in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05 * (i + 1))
    return None  # pragma: no cover


class Ledger:
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
    """

    def __init__(
        self,
        path: str | Path,
        *,
        signing_key: str | Path | SigningKey | None = None,
        public_key: str | Path | PublicKey | None = None,
        create: bool = True,
        read_only: bool = False,
        require_signed: bool = False,
    ) -> None:
        self.path = Path(path)
        self._signing = load_signing_key(signing_key) if signing_key is not None else None
        if public_key is not None:
            self._expected: PublicKey | None = load_public_key(public_key)
        else:
            self._expected = self._signing.public if self._signing is not None else None
        self._create = create and not read_only
        self.read_only = read_only
        self.require_signed = require_signed
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._state: Verified | None = None
        self._ident: tuple[int, int] | None = None
        self._fsize = 0
        self._seen: tuple[Any, ...] | None = None  # the files as last verified or written by us
        if not create and not self.path.is_file():
            raise LedgerNotFound(path=str(self.path))

    # -- files and connections -------------------------------------------------------------------
    def _uri(self, read_only: bool, immutable: bool = False) -> str:
        uri = self.path.resolve().as_uri()
        if immutable:
            return uri + "?immutable=1"
        return uri + ("?mode=ro" if read_only else "?mode=rw")

    def _usable_file(self) -> bool:
        """Whether the file exists (a 0-byte file is an error)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise LedgerError("io", path=str(self.path), detail=exc.strerror or str(exc)) from None
        if st.st_size == 0:
            raise LedgerError("empty_file", path=str(self.path))
        return True

    def _connect_file(self, read_only: bool) -> sqlite3.Connection:
        attempts = [(read_only, False), (True, True)] if read_only else [(False, False)]
        error: Exception | None = None
        for ro, immutable in attempts:
            try:
                conn = sqlite3.connect(self._uri(ro, immutable), uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                if not ro:
                    conn.execute("PRAGMA synchronous = FULL")
                return conn
            except sqlite3.DatabaseError as exc:
                error = exc
        assert error is not None
        raise LedgerError("not_a_ledger", path=str(self.path), detail=str(error)) from None

    def _connection(self) -> sqlite3.Connection:
        """This process's connection (one per Ledger and process; never used across fork)."""
        if self._conn is None or self._pid != os.getpid():
            if self._conn is not None:
                _INHERITED.append(self._conn)  # the parent's: neither used nor closed here
            self._conn = self._connect_file(self.read_only)
            self._pid = os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection (reopened on next use)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _create_file(self, extra_meta: dict[str, str] | None = None) -> None:
        """Create the ledger atomically (a complete file linked into place, or nothing)."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA:
                    conn.execute(statement)
                meta = {"format": FORMAT, "created": utcnow(), "signing": "none"}
                if self._signing is not None:
                    pub = self._signing.public
                    meta.update(signing="ed25519", public_key=pub.raw.hex(), key_id=pub.fingerprint)
                meta.update(extra_meta or {})
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
                cp = Checkpoint(size=0, root=Frontier().root().hex(), ts=meta["created"], meta=meta_hash(meta))
                self._insert_checkpoint(conn, cp.sign(self._signing) if self._signing is not None else cp)
                conn.execute("COMMIT")
            finally:
                conn.close()
            with suppress(FileExistsError):
                os.link(tmp, self.path)  # someone else may have created it first: theirs stands
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError("io", path=str(self.path), detail=str(exc)) from None
        finally:
            for suffix in ("", "-wal", "-shm"):
                with suppress(OSError):
                    os.unlink(f"{tmp}{suffix}")

    @staticmethod
    def _insert_checkpoint(conn: sqlite3.Connection, cp: Checkpoint) -> None:
        conn.execute(
            "INSERT INTO checkpoints (size, root, ts, meta, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)",
            (cp.size, cp.root, cp.ts, cp.meta, cp.key_id, cp.signature),
        )

    def _check_file(self) -> None:
        """Refuse when the file was deleted, replaced or truncated since it was verified."""
        if self._ident is None:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise LedgerTampered("deleted", path=str(self.path)) from None
        if (st.st_dev, st.st_ino) != self._ident:
            raise LedgerTampered("replaced", path=str(self.path))
        if st.st_size < self._fsize:
            raise LedgerTampered("truncated", path=str(self.path), had=self._fsize, now=st.st_size)
        self._fsize = st.st_size

    def _remember_file(self) -> None:
        st = os.stat(self.path)
        self._ident, self._fsize = (st.st_dev, st.st_ino), st.st_size

    def _files(self) -> tuple[Any, ...]:
        """Size and modification time of the database and its WAL: they change on any write."""
        out: list[Any] = []
        for name in (str(self.path), f"{self.path}-wal"):
            try:
                st = os.stat(name)
                out.append((st.st_size, st.st_mtime_ns))
            except OSError:
                out.append(None)
        return tuple(out)

    def _db_error(self, exc: sqlite3.Error) -> LedgerError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return LedgerBusy(path=str(self.path), detail=text)
        if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
            return LedgerTampered("tampered", path=str(self.path), detail=text)
        return LedgerError("io", path=str(self.path), detail=text)

    # -- verification ------------------------------------------------------------------------------
    @property
    def signed(self) -> bool:
        """Whether the ledger's checkpoints are signed (``False`` also for a ledger not yet created)."""
        if not self._usable_file():
            return self._signing is not None
        return self.meta().get("signing") == "ed25519"

    def meta(self) -> dict[str, str]:
        """The metadata rows.

        Raises
        ------
        LedgerNotFound, LedgerError
            No file; an empty file, not a ledger, or the old format.
        """
        if not self._usable_file():
            raise LedgerNotFound(path=str(self.path))
        try:
            meta = read_meta(self._connection())
        except sqlite3.DatabaseError as exc:
            raise LedgerError("not_a_ledger", path=str(self.path), detail=str(exc)) from None
        if meta.get("format") == OLD_FORMAT:
            raise LedgerError("old_format", path=str(self.path), format=OLD_FORMAT)
        if meta.get("format") != FORMAT:
            raise LedgerError("not_a_ledger", path=str(self.path), detail=f"format {meta.get('format')!r}")
        return meta

    def _full(
        self, conn: sqlite3.Connection, public_key: PublicKey | None, jobs: int, every_signature: bool = True
    ) -> tuple[VerifyReport, Verified | None]:
        report = VerifyReport(path=str(self.path))
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in tables:
                raise LedgerError("not_a_ledger", path=str(self.path), detail="no meta table")
            meta = read_meta(conn)
        except sqlite3.DatabaseError as exc:
            if "malformed" in str(exc):  # a ledger file damaged or cut short
                return report.fail((0, "damaged", {"detail": str(exc)})), None
            raise LedgerError("not_a_ledger", path=str(self.path), detail=str(exc)) from None
        if meta.get("format") == OLD_FORMAT:
            raise LedgerError("old_format", path=str(self.path), format=OLD_FORMAT)
        if meta.get("format") != FORMAT:
            raise LedgerError("not_a_ledger", path=str(self.path), detail=f"format {meta.get('format')!r}")
        try:
            return self._full_checked(conn, report, meta, public_key, jobs, every_signature)
        except sqlite3.DatabaseError as exc:  # altered beyond reading
            return report.fail((0, "damaged", {"detail": str(exc)})), None

    def _full_checked(
        self,
        conn: sqlite3.Connection,
        report: VerifyReport,
        meta: dict[str, str],
        expected: PublicKey | None,
        jobs: int,
        every_signature: bool,
    ) -> tuple[VerifyReport, Verified | None]:
        schema = _schema_problem(conn)
        if schema is not None:
            return report.fail((0, "schema", {"detail": schema})), None
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        if not {"records_no_update", "records_no_delete"} <= triggers:
            report.warnings.append("triggers")
        report.signed = meta.get("signing") == "ed25519"
        key: PublicKey | None = None
        if report.signed:
            try:
                stored = PublicKey.from_raw(bytes.fromhex(meta.get("public_key", "")))
            except ValueError:
                return report.fail((0, "meta", {"detail": "public_key"})), None
            if meta.get("key_id") != stored.fingerprint:
                return report.fail((0, "meta", {"detail": "key_id"})), None
            report.key_id = stored.fingerprint
            if expected is not None and expected != stored:
                return report.fail((0, "wrong_key", {"found": stored.fingerprint[:16], "expected": expected.fingerprint[:16]})), None
            if expected is None:
                report.warnings.append("key_from_ledger")
            key = stored
        elif meta.get("signing") != "none":
            return report.fail((0, "meta", {"detail": "signing"})), None
        elif expected is not None:
            return report.fail((0, "unsigned_expected", {})), None
        else:
            report.warnings.append("unsigned")
        digest = meta_hash(meta)
        count, low, high = conn.execute("SELECT count(*), min(seq), max(seq) FROM records").fetchone()
        if count and (low != 1 or high != count):
            leaves, problem = scan(conn)
        else:
            leaves, problem = scan_all(conn, self._uri(True), int(count), jobs)
        report.count = len(leaves)
        if problem is not None:
            return report.fail(problem), None
        checkpoints = read_checkpoints(conn)
        if not checkpoints:
            return report.fail((0, "cp_missing", {})), None
        problem = check_checkpoints(checkpoints, leaves, len(leaves), digest, key, jobs=jobs, every_signature=every_signature)
        if problem is not None:
            return report.fail(problem), None
        state = Verified(meta=meta, meta_hash=digest, key=key)
        for leaf in leaves:
            state.add(leaf)
        state.checkpoint_size = checkpoints[-1].size
        report.checkpoints = len(checkpoints)
        report.head_hash = state.head if state.size else None
        report.root = state.frontier.root().hex()
        return report, state

    def verify(
        self,
        head: str | None = None,
        *,
        public_key: str | Path | PublicKey | None = None,
        anchor: Checkpoint | None = None,
        jobs: int | None = None,
        every_signature: bool = True,
    ) -> VerifyReport:
        """Check every record, every checkpoint, the metadata, and optionally an anchor.

        Parameters
        ----------
        head
            A record hash kept elsewhere: it must be a record of the (valid) ledger.
        public_key
            The key the checkpoints must be signed with (default: the ledger's own key, or the
            one given to the constructor).
        anchor
            A checkpoint kept elsewhere (a receipt's, a decision document's): the ledger must
            extend it (same root at its size, valid signature).
        jobs
            Processes to hash with (default: the usable cores).
        every_signature
            Check every checkpoint's signature (default), or only the latest one's (which covers
            every record; each root is recomputed either way).

        Returns
        -------
        VerifyReport
            ``ok`` or the first bad record and what is wrong with it.

        Raises
        ------
        LedgerNotFound, LedgerError
            The file is missing, empty, not a ledger, or in the old format.
        """
        if not self._usable_file():
            raise LedgerNotFound(path=str(self.path))
        key = load_public_key(public_key) if public_key is not None else self._expected
        conn = self._connect_file(True)
        try:
            report, state = self._full(conn, key, jobs or default_jobs(), every_signature)
        finally:
            conn.close()
        if state is None:
            return report
        if head is not None:
            seq = next((i + 1 for i, leaf in enumerate(state.leaf_list()) if leaf.hex() == head.lower()), None)
            if seq is None:
                return report.fail((0, "head_missing", {"head": head}))
            report.head_seq = seq
        if anchor is not None:
            from .receipt import anchor_problem

            problem = anchor_problem(anchor, state, key or state.key)
            if problem is not None:
                return report.fail(problem)
            report.anchor_size = anchor.size
        return report

    def ensure_verified(self) -> Verified:
        """Verify what was added since the last call (everything on the first), or raise.

        Raises
        ------
        LedgerTampered
            Any verification failure; the file deleted, replaced or truncated since.
        LedgerError
            The file is empty, not a ledger, or cannot be read.
        """
        if self._state is None:
            if not self._usable_file():
                if self.require_signed and self._signing is None:
                    raise LedgerTampered("unsigned_refused", path=str(self.path))
                return Verified(meta={}, meta_hash="", key=self._expected)  # nothing yet: nothing to trust
            self._remember_file()
            seen = self._files()
            try:
                # every leaf and root; the latest signature (it covers every record)
                report, state = self._full(self._connection(), self._expected, 1, every_signature=False)
            except sqlite3.Error as exc:
                raise self._db_error(exc) from None
            if state is None:
                raise LedgerTampered(report=report)
            if self.require_signed and state.key is None:
                raise LedgerTampered("unsigned_refused", path=str(self.path))
            self._state, self._seen = state, seen
            return state
        self._check_file()
        conn = self._connection()
        try:
            self._catch_up(conn, self._state)
        except sqlite3.Error as exc:
            raise self._db_error(exc) from None
        return self._state

    def _tampered(self, conn: sqlite3.Connection, reason: str = "tampered", **params: Any) -> LedgerTampered:
        """The precise failure from a full verification, else ``reason``."""
        with suppress(LedgerError, sqlite3.Error):
            report, state = self._full(conn, self._expected, 1, every_signature=False)
            if state is None:
                return LedgerTampered(report=report)
        return LedgerTampered(reason, path=str(self.path), **params)

    def _catch_up(self, conn: sqlite3.Connection, state: Verified) -> None:
        """Verify records and checkpoints added since ``state``, the metadata and the latest signature.

        When the files changed by another hand than this ledger's since it last looked (another
        writer, or a tamperer), the records verified before are re-hashed too.
        """
        seen = self._files()
        foreign = seen != self._seen
        if meta_hash(read_meta(conn)) != state.meta_hash:
            raise self._tampered(conn)
        count, high = conn.execute("SELECT count(*), max(seq) FROM records").fetchone()
        high = high or 0
        if high < state.size or count < state.size:
            raise self._tampered(conn, "truncated", had=state.size, now=count)
        if count != high:
            raise self._tampered(conn)
        leaves, problem = scan(conn, state.size + 1, state.head) if count > state.size else ([], None)
        if problem is not None:
            raise self._tampered(conn)
        new = read_checkpoints(conn, after=state.checkpoint_size)
        latest = conn.execute(
            "SELECT size, root, ts, meta, key_id, signature FROM checkpoints ORDER BY size DESC LIMIT 1"
        ).fetchone()
        if latest is None or (not new and Checkpoint(*latest).size != state.checkpoint_size):
            raise self._tampered(conn, "truncated", had=state.size, now=count)
        if not new:  # nothing new: the latest checkpoint must still be the one verified, and signed
            cp = Checkpoint(*latest)
            if cp.root != state.frontier.root().hex() or (state.key is not None and not cp.verify(state.key)):
                raise self._tampered(conn)
        problem = check_checkpoints(new, leaves, count, state.meta_hash, state.key, frontier=state.frontier)
        if problem is not None:
            raise self._tampered(conn)
        if foreign and state.size:  # read from the file itself, not this connection's cache
            fresh = self._connect_file(True)
            try:
                old, problem = scan(fresh, 1, "0" * 64, state.size)
            except sqlite3.DatabaseError:
                old, problem = [], (0, "damaged", {})
            finally:
                fresh.close()
            if problem is not None or b"".join(old) != bytes(state.leaves):
                raise self._tampered(conn)
        for leaf in leaves:
            state.add(leaf)
        if new:
            state.checkpoint_size = new[-1].size
        self._seen = seen

    def check(self, record: LedgerRecord) -> bool:
        """Whether ``record`` matches its hash and, once verified, the verified leaf at its place."""
        if not record.matches():
            return False
        if self._state is None:
            return True
        if record.seq > self._state.size:
            self.ensure_verified()
        return self._state.leaf(record.seq) == bytes.fromhex(record.record_hash)

    # -- appending ---------------------------------------------------------------------------------
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
        state = self.ensure_verified()
        placeholders = ", ".join("?" for _ in ALL_COLUMNS)
        insert = f"INSERT INTO records ({', '.join(ALL_COLUMNS)}) VALUES ({placeholders})"
        try:
            _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.OperationalError as exc:
            raise LedgerBusy(path=str(self.path), detail=str(exc)) from None
        try:
            self._catch_up(conn, state)
            ts = utcnow()
            row = {**values, "seq": state.size + 1, "ts": ts, "prev_hash": state.head}
            hashed: tuple[Any, ...] = tuple(row.get(name) for name in HASHED_COLUMNS)
            leaf = record_leaf(hashed)
            full: Any = (*hashed, leaf.hex())
            record = LedgerRecord(*full)
            conn.execute(insert, full)
            front = state.frontier.copy()
            front.append(leaf)
            cp = Checkpoint(size=record.seq, root=front.root().hex(), ts=ts, meta=state.meta_hash)
            self._insert_checkpoint(conn, cp.sign(self._signing) if self._signing is not None else cp)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise self._db_error(exc) from None
        except BaseException:
            self._rollback(conn)
            raise
        state.add(leaf)
        state.checkpoint_size = record.seq
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
        if basis.kind != "assessment" or basis.project_id != project.id:
            raise ValueError("basis must be an assessment record of the same project")
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
        """The latest assessment record of ``project_id`` (timestamped before ``before``), or ``None``."""
        sql = _SELECT + " WHERE project_id = ? AND kind = 'assessment'"
        params: list[Any] = [project_id]
        if before is not None:
            sql += " AND ts < ?"
            params.append(format_ts(before))
        rows = self._query(sql + " ORDER BY seq DESC LIMIT 1", params)
        return LedgerRecord(*rows[0]) if rows else None

    def ruleset_in_use(self, ruleset_id: str, before: datetime | None = None) -> tuple[str, str, int] | None:
        """``(version, content_hash, seq)`` of the latest assessment under ``ruleset_id`` (before ``before``)."""
        sql = "SELECT ruleset_version, ruleset_hash, seq FROM records WHERE ruleset_id = ? AND kind = 'assessment'"
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
