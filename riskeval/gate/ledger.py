"""An append-only, hash-chained assessment ledger in one SQLite file.

Each record stores the canonical project, its hash, the rule set (id, version, content hash), the
assessment JSON (or, for a decision, its outcome and the assessment record it rests on), the actor,
a UTC timestamp and the hash of the previous record. ``record_hash`` covers every other column::

    payload     = json.dumps(["riskeval-ledger/1", seq, kind, project_id, project_json, project_hash,
                              ruleset_id, ruleset_version, ruleset_hash, assessment_json, outcome,
                              ref_seq, ref_hash, actor, ts, prev_hash],
                             ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    record_hash = sha256(payload)            # unkeyed ledger
    record_hash = HMAC-SHA256(key, payload)  # keyed ledger

The first record's ``prev_hash`` is 64 zeros. Anyone can recompute the chain from an export
(``riskeval ledger export``) with those two lines.

Writers use WAL and one ``BEGIN IMMEDIATE`` transaction per append, so several processes may append
at once; every value reaches SQLite as a bound parameter. Triggers refuse ``UPDATE`` and ``DELETE``
(a guard against accidents; the hashes are what detect deliberate edits).

Examples
--------
>>> import tempfile, os
>>> from riskeval import Project, assess, load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> project = Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"])
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger(os.path.join(tmp.name, "ledger.sqlite"))
>>> rec = ledger.append_assessment(project, assess(project, rs), actor="张三")
>>> rec.seq, rec.kind, rec.assessment.decision
(1, 'assessment', 'proceed')
>>> report = ledger.verify(head=rec.record_hash)
>>> report.ok, report.count
(True, 1)
>>> tmp.cleanup()
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ..i18n import normalize_lang, register_messages, t
from ..model.assessment import Assessment
from ..model.project import Project
from .errors import LedgerError

__all__ = [
    "FORMAT",
    "GENESIS",
    "HASHED_COLUMNS",
    "Ledger",
    "LedgerRecord",
    "VerifyReport",
    "canonical_project",
    "format_ts",
    "parse_ts",
    "record_digest",
]

FORMAT = "riskeval-ledger/1"
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
_ALL_COLUMNS = (*HASHED_COLUMNS, "record_hash")
_SELECT = "SELECT " + ", ".join(_ALL_COLUMNS) + " FROM records"
_KEY_CHECK_LABEL = b"riskeval-ledger/1 key check"
_BUSY_TIMEOUT_S = 60.0
_INHERITED: list[sqlite3.Connection] = []

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE IF NOT EXISTS records (
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
    "CREATE INDEX IF NOT EXISTS records_by_project ON records (project_id, kind, seq)",
    "CREATE INDEX IF NOT EXISTS records_by_ruleset ON records (ruleset_id, kind, seq)",
    """CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
       BEGIN SELECT RAISE(ABORT, 'the riskeval ledger is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
       BEGIN SELECT RAISE(ABORT, 'the riskeval ledger is append-only'); END""",
)

register_messages(
    {
        "ledger.ok": {
            "zh": "台账完好：{count} 条记录，链头哈希 {head}",
            "en": "ledger intact: {count} records, head hash {head}",
        },
        "ledger.ok_empty": {"zh": "台账完好：没有记录", "en": "ledger intact: no records"},
        "ledger.head_found": {
            "zh": "留存的链头哈希是第 {seq} 号记录；其后又追加了 {after} 条记录",
            "en": "the anchored head is record #{seq}; {after} records were appended after it",
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
        "ledger.p.inconsistent": {"zh": "内部不一致：{detail}", "en": "inconsistent content: {detail}"},
        "ledger.p.head_missing": {
            "zh": "留存的链头哈希 {head} 不在台账中：台账被截短或整体改写",
            "en": "the anchored head hash {head} is not in the ledger: it was truncated or rewritten",
        },
        "ledger.p.meta": {"zh": "台账元数据不符：{detail}", "en": "ledger metadata mismatch: {detail}"},
        "ledger.warn.triggers": {
            "zh": "提示：防止修改的触发器缺失（有人曾绕过它们修改文件）",
            "en": "note: the append-only triggers are missing (someone bypassed them)",
        },
    }
)


# -- canonical forms ---------------------------------------------------------------------------


def canonical_project(project: Project) -> str:
    """The canonical JSON of ``project``, whose sha256 is :func:`riskeval.assess.project_hash`.

    Examples
    --------
    >>> from riskeval import Project
    >>> from riskeval.assess import project_hash
    >>> p = Project(id="P", facts={"b": 1, "a": "中"})
    >>> hashlib.sha256(canonical_project(p).encode()).hexdigest() == project_hash(p)
    True
    """
    data = project.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_digest(values: tuple[Any, ...] | list[Any], key: bytes | None = None) -> str:
    """The record hash over ``values`` (the :data:`HASHED_COLUMNS` in order).

    Raises
    ------
    TypeError
        A value is not a string, an integer or ``None``.

    Examples
    --------
    >>> len(record_digest([1, "assessment"])), record_digest([1], b"k") != record_digest([1])
    (64, True)
    """
    for value in values:
        if isinstance(value, bool) or (value is not None and not isinstance(value, (str, int))):
            raise TypeError(f"unexpected {type(value).__name__} value {value!r}")
    payload = json.dumps([FORMAT, *values], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key is not None:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def format_ts(moment: datetime) -> str:
    """``moment`` (aware) as a record timestamp: UTC, microseconds, ``Z`` (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utcnow() -> str:
    return format_ts(datetime.now(UTC))


def parse_ts(ts: str) -> datetime:
    """A record timestamp as an aware UTC datetime."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _key_bytes(key: bytes | str | None) -> bytes | None:
    if key is None:
        return None
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("the ledger key is empty")
    return raw


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRecord:
    """One ledger record, exactly as stored (``project_json`` and ``assessment_json`` are text)."""

    seq: int
    kind: Literal["assessment", "decision"]
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

    @property
    def assessment(self) -> Assessment | None:
        """The stored assessment (``None`` for decision records)."""
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


@dataclass
class VerifyReport:
    """The outcome of :meth:`Ledger.verify`.

    ``bad_seq`` names the first bad record (``0`` for ledger-wide problems such as the key check);
    ``problem`` is a code (``hash``, ``moved``, ``missing``, ``link``, ``malformed``,
    ``inconsistent``, ``head_missing``, ``meta``) with ``params`` for its message.
    """

    path: str
    count: int = 0
    head_hash: str | None = None
    bad_seq: int | None = None
    problem: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    head_seq: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self, lang: str | None = "zh") -> str:
        """A one-paragraph account in Chinese (default) or English."""
        lang = normalize_lang(lang)
        lines = [t(f"ledger.warn.{w}", lang) for w in self.warnings]
        if self.problem is not None:
            detail = t(f"ledger.p.{self.problem}", lang, **self.params)
            if self.bad_seq:
                lines.insert(0, t("ledger.bad", lang, seq=self.bad_seq, detail=detail))
            else:
                lines.insert(0, t("ledger.bad_meta", lang, detail=detail))
            return "\n".join(lines)
        head = [t("ledger.ok", lang, count=self.count, head=self.head_hash) if self.count else t("ledger.ok_empty", lang)]
        if self.head_seq is not None:
            head.append(t("ledger.head_found", lang, seq=self.head_seq, after=self.count - self.head_seq))
        return "\n".join(head + lines)


# -- the ledger --------------------------------------------------------------------------------


class Ledger:
    """An append-only SQLite ledger with a hash chain (HMAC-SHA256 when a key is given).

    Parameters
    ----------
    path
        The SQLite file; created on first use unless ``create`` is false.
    key
        Secret for HMAC-SHA256 record hashes. A ledger is keyed or not from its first use on.
    create
        Create the file and schema when missing (``False``: raise :class:`LedgerError` ``not_found``).

    Raises
    ------
    LedgerError
        ``not_found``, ``not_a_ledger``, ``key_required``, ``key_unexpected`` or ``wrong_key`` on
        first use.
    """

    def __init__(self, path: str | Path, *, key: bytes | str | None = None, create: bool = True) -> None:
        self.path = Path(path)
        self._key = _key_bytes(key)
        self._create = create
        self._ready = False
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        if not create and not self.path.is_file():
            raise LedgerError(None, "not_found", path=str(self.path))

    @property
    def keyed(self) -> bool:
        """Whether records are hashed with HMAC (a key was given)."""
        return self._key is not None

    # connection handling -----------------------------------------------------------------
    # One connection per Ledger and process is kept open (closing the last connection to a WAL
    # database checkpoints it, which made each append several times slower). A connection is
    # never used across fork: a child process opens its own. Long reads use a separate one.
    def _open_connection(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(str(self.path), timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(None, "not_a_ledger", path=str(self.path), detail=str(exc)) from None
        try:
            try:
                conn.execute("PRAGMA synchronous = FULL")
            except sqlite3.DatabaseError as exc:
                raise LedgerError(None, "not_a_ledger", path=str(self.path), detail=str(exc)) from None
            if not self._ready:
                self._prepare(conn)
                self._ready = True
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _connect(self, *, separate: bool = False) -> Iterator[sqlite3.Connection]:
        if separate:
            conn = self._open_connection()
            try:
                yield conn
            finally:
                conn.close()
            return
        if self._conn is None or self._pid != os.getpid():
            if self._conn is not None:
                _INHERITED.append(self._conn)  # the parent's: neither used nor closed here
            self._conn = self._open_connection()
            self._pid = os.getpid()
        yield self._conn

    def close(self) -> None:
        """Close this process's connection (reopened on next use)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise LedgerError(None, "not_a_ledger", path=str(self.path), detail=str(exc)) from None
        if not {"meta", "records"} <= tables:
            if not self._create or (tables - {"meta", "records"}):
                raise LedgerError(None, "not_a_ledger", path=str(self.path), detail="no records table")
            self._create_schema(conn)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise LedgerError(None, "not_a_ledger", path=str(self.path), detail=f"format {meta.get('format')!r}")
        self._check_key(meta)

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            alg = "hmac-sha256" if self._key is not None else "sha256"
            rows = [("format", FORMAT), ("hash", alg), ("created", _utcnow())]
            if self._key is not None:
                rows.append(("key_check", hmac.new(self._key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()))
            conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _check_key(self, meta: dict[str, str]) -> None:
        alg = meta.get("hash")
        if alg == "hmac-sha256" and self._key is None:
            raise LedgerError(None, "key_required", path=str(self.path))
        if alg != "hmac-sha256" and self._key is not None:
            raise LedgerError(None, "key_unexpected", path=str(self.path))
        if self._key is not None:
            expected = hmac.new(self._key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, meta.get("key_check", "")):
                raise LedgerError(None, "wrong_key", path=str(self.path))

    # appending -------------------------------------------------------------------------------
    def _append(self, values: dict[str, Any]) -> LedgerRecord:
        actor = values.get("actor")
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must be a non-empty string")
        placeholders = ", ".join("?" for _ in _ALL_COLUMNS)
        insert = f"INSERT INTO records ({', '.join(_ALL_COLUMNS)}) VALUES ({placeholders})"
        with self._connect() as conn:
            try:
                _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
            except sqlite3.OperationalError as exc:
                raise LedgerError(None, "busy", path=str(self.path), detail=str(exc)) from None
            try:
                last = conn.execute(_SELECT + " ORDER BY seq DESC LIMIT 1").fetchone()
                if last is None:
                    seq, prev = 1, GENESIS
                else:
                    tip = LedgerRecord(*last)
                    if not self.check(tip):
                        raise LedgerError(tip.project_id, "tampered", path=str(self.path), seq=tip.seq)
                    seq, prev = tip.seq + 1, tip.record_hash
                row = {**values, "seq": seq, "ts": _utcnow(), "prev_hash": prev}
                hashed: tuple[Any, ...] = tuple(row.get(name) for name in HASHED_COLUMNS)
                full: Any = (*hashed, record_digest(hashed, self._key))
                record = LedgerRecord(*full)
                conn.execute(insert, (*hashed, record.record_hash))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return record

    def append_assessment(self, project: Project, assessment: Assessment, actor: str) -> LedgerRecord:
        """Append an assessment record and return it (its ``record_hash`` is the new head).

        Parameters
        ----------
        project
            The project as assessed (stored in canonical form).
        assessment
            The result of :func:`riskeval.assess` for ``project``.
        actor
            Who assessed (a name or an account); non-empty.

        Returns
        -------
        LedgerRecord

        Raises
        ------
        ValueError
            ``assessment`` is not of ``project`` (different hash), or ``actor`` is empty.
        LedgerError
            The ledger cannot be used, its last record fails its hash, or it stayed locked.
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

        Parameters
        ----------
        project
            The project decided on.
        outcome
            What was decided (free text, e.g. ``"approved"`` or ``"批准实施"``); non-empty.
        actor
            Who decided; non-empty.
        basis
            The assessment record the decision rests on (from :meth:`Gate.require`).

        Returns
        -------
        LedgerRecord

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

    # reading -----------------------------------------------------------------------------------
    def _exists(self) -> bool:
        return self.path.is_file() or self._ready

    def records(self, project_id: str | None = None, kind: str | None = None) -> Iterator[LedgerRecord]:
        """The records in order, optionally of one project and/or one kind."""
        if not self._exists():
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
        with self._connect(separate=True) as conn:
            for row in conn.execute(sql + " ORDER BY seq", params):
                yield LedgerRecord(*row)

    def get(self, seq: int) -> LedgerRecord | None:
        """The record with sequence number ``seq``, or ``None``."""
        if not self._exists():
            return None
        with self._connect() as conn:
            row = conn.execute(_SELECT + " WHERE seq = ?", (seq,)).fetchone()
        return LedgerRecord(*row) if row else None

    def find(self, hash_prefix: str) -> list[LedgerRecord]:
        """Records whose hash starts with ``hash_prefix`` (hex)."""
        if not self._exists():
            return []
        prefix = hash_prefix.lower()
        with self._connect() as conn:
            rows = conn.execute(_SELECT + " WHERE substr(record_hash, 1, ?) = ? ORDER BY seq", (len(prefix), prefix))
            return [LedgerRecord(*row) for row in rows]

    def last_assessment(self, project_id: str, before: datetime | None = None) -> LedgerRecord | None:
        """The latest assessment record of ``project_id`` (timestamped before ``before``), or ``None``."""
        if not self._exists():
            return None
        sql = _SELECT + " WHERE project_id = ? AND kind = 'assessment'"
        params: list[Any] = [project_id]
        if before is not None:
            sql += " AND ts < ?"
            params.append(format_ts(before))
        with self._connect() as conn:
            row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", params).fetchone()
        return LedgerRecord(*row) if row else None

    def ruleset_in_use(self, ruleset_id: str, before: datetime | None = None) -> tuple[str, str, int] | None:
        """``(version, content_hash, seq)`` of the latest assessment under ``ruleset_id`` (before ``before``)."""
        if not self._exists():
            return None
        sql = "SELECT ruleset_version, ruleset_hash, seq FROM records WHERE ruleset_id = ? AND kind = 'assessment'"
        params: list[Any] = [ruleset_id]
        if before is not None:
            sql += " AND ts < ?"
            params.append(format_ts(before))
        with self._connect() as conn:
            row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", params).fetchone()
        return (str(row[0]), str(row[1]), int(row[2])) if row else None

    def head(self) -> LedgerRecord | None:
        """The last record (its ``record_hash`` is the head hash to anchor), or ``None``."""
        if not self._exists():
            return None
        with self._connect() as conn:
            row = conn.execute(_SELECT + " ORDER BY seq DESC LIMIT 1").fetchone()
        return LedgerRecord(*row) if row else None

    def __len__(self) -> int:
        if not self._exists():
            return 0
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def check(self, record: LedgerRecord) -> bool:
        """Whether ``record`` matches its own hash (one record; :meth:`verify` checks the chain)."""
        try:
            return hmac.compare_digest(record_digest(record.hashed_values(), self._key), str(record.record_hash))
        except TypeError:
            return False

    # verification --------------------------------------------------------------------------------
    def verify(self, head: str | None = None) -> VerifyReport:
        """Check every record, the links between them and (optionally) an anchored head hash.

        Parameters
        ----------
        head
            A head hash printed after an append and kept elsewhere: it must be a record of the
            (valid) chain. Records appended after it are fine; truncation or rewriting is not.

        Returns
        -------
        VerifyReport
            ``ok`` or the first bad record and what is wrong with it.

        Raises
        ------
        LedgerError
            The file is missing, not a ledger, or keyed without a key.
        """
        report = VerifyReport(path=str(self.path))
        if not self._exists():
            raise LedgerError(None, "not_found", path=str(self.path))
        with self._connect(separate=True) as conn:
            try:
                return self._verify(conn, report, head)
            except sqlite3.DatabaseError as exc:  # a table altered beyond reading
                report.bad_seq, report.problem, report.params = 0, "malformed", {"detail": str(exc)}
                return report

    def _verify(self, conn: sqlite3.Connection, report: VerifyReport, head: str | None) -> VerifyReport:
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        if not {"records_no_update", "records_no_delete"} <= triggers:
            report.warnings.append("triggers")
        expected, prev = 1, GENESIS
        for row in conn.execute(_SELECT + " ORDER BY seq"):
            record = LedgerRecord(*row)
            problem = self._check_one(record, expected, prev)
            if problem is not None:
                report.bad_seq = record.seq if isinstance(record.seq, int) else expected
                report.problem, report.params = problem
                report.count = expected - 1
                return report
            expected, prev = record.seq + 1, record.record_hash
        report.count = expected - 1
        report.head_hash = prev if report.count else None
        if head is not None:
            found = conn.execute("SELECT seq FROM records WHERE record_hash = ?", (head.lower(),)).fetchone()
            if found is None:
                report.problem, report.params = "head_missing", {"head": head}
            else:
                report.head_seq = int(found[0])
        return report

    def _written_as(self, record: LedgerRecord, window: int = 1000) -> int | None:
        """The sequence number ``record`` was written with, if it is within ``window`` of where it is."""
        for delta in range(1, window + 1):
            for orig in (record.seq - delta, record.seq + delta):
                if orig >= 1 and self.check(LedgerRecord(**{**asdict(record), "seq": orig})):
                    return orig
        return None

    def _check_one(
        self, record: LedgerRecord, expected: int, prev: str
    ) -> tuple[str, dict[str, Any]] | None:
        for f in fields(LedgerRecord):
            value = getattr(record, f.name)
            nullable = f.name in ("assessment_json", "outcome", "ref_seq", "ref_hash")
            wanted = int if f.name in ("seq", "ref_seq") else str
            if (value is None and not nullable) or (value is not None and type(value) is not wanted):
                return "malformed", {"detail": f"{f.name} = {value!r}"}
        if not self.check(record):
            orig = self._written_as(record)
            if orig is not None:
                return "moved", {"orig": orig}
            return "hash", {}
        if record.seq != expected:
            return "missing", {"first": expected, "last": record.seq - 1}
        if record.prev_hash != prev:
            return "link", {}
        return _consistency(record)


def _consistency(record: LedgerRecord) -> tuple[str, dict[str, Any]] | None:
    """Columns that repeat each other must agree (a record written by other code could differ)."""
    if hashlib.sha256(record.project_json.encode("utf-8")).hexdigest() != record.project_hash:
        return "inconsistent", {"detail": "project_hash"}
    try:
        project_id = json.loads(record.project_json).get("id")
    except (ValueError, AttributeError):
        return "inconsistent", {"detail": "project_json"}
    if project_id != record.project_id:
        return "inconsistent", {"detail": "project_id"}
    if record.kind == "assessment":
        try:
            data = json.loads(record.assessment_json or "")
            rs = data["ruleset"]
            same = (
                data["project_id"] == record.project_id
                and data["project_hash"] == record.project_hash
                and (rs["id"], rs["version"], rs["hash"]) == (record.ruleset_id, record.ruleset_version, record.ruleset_hash)
            )
        except (ValueError, KeyError, TypeError):
            return "inconsistent", {"detail": "assessment_json"}
        if not same:
            return "inconsistent", {"detail": "assessment_json"}
    elif record.outcome is None or record.ref_seq is None or record.ref_hash is None:
        return "inconsistent", {"detail": "decision fields"}
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
