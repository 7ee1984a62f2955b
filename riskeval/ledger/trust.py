"""Verification of a ledger by the ledger object itself: in full, then incrementally.

The first use verifies everything (every leaf re-hashed, every checkpoint root recomputed, the
latest signature checked). Later calls verify the records and checkpoints added since, the metadata
and the latest signature; when the files were changed by another hand than this object's, the
records verified before are re-hashed from the file too. A file deleted, replaced or truncated since
is refused.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, PublicKey, load_public_key, meta_hash
from .errors import LedgerError, LedgerNotFound, LedgerTampered
from .files import OLD_FORMAT, LedgerFile, _schema_problem, snapshot
from .records import FORMAT, LedgerRecord
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

__all__ = ["TrustedFile"]


class TrustedFile(LedgerFile):
    """A :class:`LedgerFile` that verifies itself (see the module docstring)."""

    def _full(
        self, conn: sqlite3.Connection, public_key: PublicKey | None, jobs: int, every_signature: bool = True
    ) -> tuple[VerifyReport, Verified | None]:
        with snapshot(conn):
            return self._full_view(conn, public_key, jobs, every_signature)

    def _full_view(
        self, conn: sqlite3.Connection, public_key: PublicKey | None, jobs: int, every_signature: bool
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
        state.checkpoint_size, state.last = checkpoints[-1].size, checkpoints[-1]
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
        with snapshot(conn):
            self._catch_up_view(conn, state)

    def _catch_up_view(self, conn: sqlite3.Connection, state: Verified) -> None:
        """Verify records and checkpoints added since ``state``, the metadata and the latest signature.

        When the files changed by another hand than this ledger's since it last looked (another
        writer, or a tamperer), the records verified before are re-hashed too.
        """
        seen = self._files()
        foreign = seen != self._seen
        if read_meta(conn) != state.meta:
            raise self._tampered(conn)
        # O(log n): records deleted or renumbered below the top change the files, so they are
        # found by the re-hash below; only the top is needed here
        count = conn.execute("SELECT max(seq) FROM records").fetchone()[0] or 0
        if count < state.size:
            raise self._tampered(conn, "truncated", had=state.size, now=count)
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
            if cp != state.last and (
                cp.root != state.frontier.root().hex() or (state.key is not None and not cp.verify(state.key))
            ):
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
            state.checkpoint_size, state.last = new[-1].size, new[-1]
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

