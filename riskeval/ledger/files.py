"""The ledger's SQLite file: schema, connections (read-only when it must be), atomic creation, identity.

A missing file is created only by a writing call, complete or not at all (built beside and linked
into place); a 0-byte file is an error. Reading connections open the file read-only, and immutable
when even that is impossible (no usable ``-shm``).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, PublicKey, SigningKey, load_public_key, load_signing_key, meta_hash
from .errors import LedgerBusy, LedgerError, LedgerNotFound, LedgerTampered
from .merkle import Frontier
from .records import FORMAT, utcnow
from .verify import Verified, read_meta

__all__ = ["OLD_FORMAT", "LedgerFile", "snapshot"]

OLD_FORMAT = "riskeval-ledger/1"
_BUSY_TIMEOUT_S = 60.0
_INHERITED: list[sqlite3.Connection] = []

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('assessment', 'decision', 'tracking', 'measure', 'activation')),
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
_KINDS = "'assessment', 'decision', 'tracking', 'measure', 'activation'"
_OLDER_KINDS = ("'assessment', 'decision', 'tracking', 'measure'", "'assessment', 'decision'")
"""The kinds allowed by ledgers created before rule-set activation records (and, earlier, before tracking
and measure records); such ledgers stay valid."""


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
        expected = _expected_sql()[name]
        if found.get(name) not in (expected, *(expected.replace(_KINDS, kinds) for kinds in _OLDER_KINDS)):
            return f"table {name}"
    if conn.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
        return "encoding"
    return None


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction (a consistent view while others append), unless one is open already."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("COMMIT")


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



class LedgerFile:
    """The ledger's file and connections; :class:`~riskeval.ledger.Ledger` is the class to use."""

    def __init__(
        self,
        path: str | Path,
        *,
        signing_key: str | Path | SigningKey | None = None,
        public_key: str | Path | PublicKey | None = None,
        create: bool = True,
        read_only: bool = False,
        require_signed: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        """Gives the time stamped on appended records (default: now); e.g. a simulated calendar."""
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

    def __enter__(self) -> LedgerFile:
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
        if "CHECK constraint failed" in text and "kind" in text:
            return LedgerError("kind_unsupported", path=str(self.path), detail=text)
        return LedgerError("io", path=str(self.path), detail=text)

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

