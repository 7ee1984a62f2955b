"""The assessment-work audit (考核): decisions actually taken, checked against the ledger.

For each decision (project id, date) the latest assessment record of the project written before
the decision is looked up. The decision is reported when there is none, or when that record was
stale (another rule set version was in force, or the project decided on is not the one assessed),
incomplete, or blocked the decision.

Dates
    A date-only value ``YYYY-MM-DD`` means "some time that day": assessments recorded up to the end
    of that day (in ``tz``, default UTC+08:00) count. A date with a time counts assessments recorded
    strictly before that moment (a time without a zone is read in ``tz``).

The rule set in force
    ``ruleset`` when given; otherwise, for the rule set the record names, the version last used for
    any assessment in the ledger before the decision.

Examples
--------
>>> import tempfile, os
>>> from riskeval import Project, load_ruleset
>>> from riskeval.gate import Gate
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> tmp = tempfile.TemporaryDirectory()
>>> gate = Gate(rs, ledger=os.path.join(tmp.name, "ledger.sqlite"))
>>> _ = gate.assess(Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"]), actor="张三")
>>> csv_path = os.path.join(tmp.name, "decisions.csv")
>>> with open(csv_path, "w", encoding="utf-8") as f:
...     _ = f.write("project_id,date,outcome\\nP-1,2999-01-01,批准\\nP-9,2999-01-01,批准\\n")
>>> report = audit(gate.ledger, read_decisions(csv_path))
>>> report.ok, [(f.row.project_id, f.error.reason) for f in report.findings]
(False, [('P-9', 'none_before')])
>>> tmp.cleanup()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from ..errors import InputError, Location
from ..i18n import normalize_lang, register_messages, t
from ..ledger import Ledger, LedgerRecord, VerifyReport
from ..ruleset.compiled import RuleSet
from .errors import AssessmentRequired, AssessmentStale, GateError
from .validity import RuleSetKey, outcome_problem, ruleset_changes

__all__ = ["AuditFinding", "AuditInputError", "AuditReport", "DecisionRow", "audit", "read_decisions", "parse_tz"]

CHINA_TZ = timezone(timedelta(hours=8))

register_messages(
    {
        "audit.finding": {"zh": "第 {line} 行（项目 {id}，{date}{outcome}）：{problem}", "en": "line {line} (project {id}, {date}{outcome}): {problem}"},
        "audit.summary": {
            "zh": "共 {total} 项决策，{bad} 项没有有效的事前评估。",
            "en": "{total} decisions, {bad} without a valid prior assessment.",
        },
        "audit.clean": {"zh": "共 {total} 项决策，均有有效的事前评估。", "en": "{total} decisions, each with a valid prior assessment."},
        "audit.untrusted": {"zh": "台账未通过核验，审计结果不可信：", "en": "the ledger fails verification, so no audit is possible:"},
        "audit.in.file": {"zh": "无法读取决策清单：{detail}", "en": "cannot read the decision list: {detail}"},
        "audit.in.columns": {
            "zh": "决策清单缺少列：{columns}（需要 project_id、date，可选 outcome、project_hash）",
            "en": "the decision list lacks columns: {columns} (needs project_id, date; optional outcome, project_hash)",
        },
        "audit.in.project": {"zh": "第 {line} 行：项目编号为空", "en": "line {line}: empty project id"},
        "audit.in.date": {
            "zh": "第 {line} 行：日期 “{value}” 无法识别（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）",
            "en": "line {line}: date '{value}' not understood (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
        },
        "audit.in.tz": {"zh": "时区 “{value}” 无法识别（应为 +08:00 形式）", "en": "time zone '{value}' not understood (use the form +08:00)"},
    }
)

_ALIASES = {
    "project_id": ("project_id", "project", "id", "项目编号", "项目"),
    "date": ("date", "decided", "decision_date", "决策日期", "日期"),
    "outcome": ("outcome", "decision", "决策结果", "结果"),
    "project_hash": ("project_hash", "项目哈希"),
    "unit": ("unit", "单位", "决策单位", "申报单位"),
}


class AuditInputError(InputError):
    """The decision list (or an option) cannot be read (exit 2); ``reason`` is the short code
    (``file``, ``columns``, ``row``, ``date``, ``project``, ``tz``) and ``message(lang)`` names the line."""

    def __init__(self, reason: str, **params: Any) -> None:
        self.reason = reason
        line = params.get("line")
        super().__init__(f"audit.in.{reason}", location=Location(row=line) if isinstance(line, int) else None, **params)

    def message(self, lang: str | None = "zh") -> str:
        return t(self.code, normalize_lang(lang), **self.params)


@dataclass(frozen=True)
class DecisionRow:
    """One decision actually taken: the assessment must be recorded before ``before``."""

    line: int
    project_id: str
    date: str
    before: datetime
    outcome: str | None = None
    project_hash: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class AuditFinding:
    """A decision without a valid prior assessment: ``error`` says why, ``record`` is the one looked at."""

    row: DecisionRow
    error: GateError
    record: LedgerRecord | None

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        outcome = t("punct.aside", lang, text=self.row.outcome) if self.row.outcome else ""
        return t(
            "audit.finding", lang, line=self.row.line, id=self.row.project_id, date=self.row.date,
            outcome=outcome, problem=self.error.message(lang),
        )

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "line": self.row.line,
            "project_id": self.row.project_id,
            "date": self.row.date,
            "outcome": self.row.outcome,
            **{k: v for k, v in self.error.to_dict(lang).items() if k != "project_id"},
        }


@dataclass
class AuditReport:
    """All findings; ``integrity`` is the ledger's verification (no findings when it fails)."""

    integrity: VerifyReport
    total: int = 0
    findings: list[AuditFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.integrity.ok and not self.findings

    def message(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        if not self.integrity.ok:
            return t("audit.untrusted", lang) + "\n" + self.integrity.message(lang)
        lines = [f.message(lang) for f in self.findings]
        key = "audit.summary" if self.findings else "audit.clean"
        lines.append(t(key, lang, total=self.total, bad=len(self.findings)))
        return "\n".join(lines)

    def to_dict(self, lang: str | None = "zh") -> dict[str, Any]:
        """The report as plain JSON data (``riskeval audit --format json``)."""
        lang = normalize_lang(lang)
        return {
            "ok": self.ok,
            "ledger_ok": self.integrity.ok,
            "ledger": self.integrity.message(lang),
            "decisions": self.total,
            "findings": [f.to_dict(lang) for f in self.findings],
        }


def parse_tz(text: str) -> tzinfo:
    """``+08:00``, ``-05:30``, ``Z`` or ``UTC`` as a fixed-offset zone.

    Raises
    ------
    AuditInputError
        Not of that form.

    Examples
    --------
    >>> parse_tz("+08:00").utcoffset(None)
    datetime.timedelta(seconds=28800)
    """
    value = text.strip()
    if value.upper() in ("Z", "UTC"):
        return UTC
    try:
        parsed = datetime.fromisoformat("2000-01-01T00:00:00" + value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise AuditInputError("tz", value=text)
    return parsed.tzinfo


def _parse_when(value: str, tz: tzinfo, line: int) -> datetime:
    text = value.strip().replace("/", "-")
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(0), tz)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AuditInputError("date", line=line, value=value) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


register_messages(
    {
        "audit.in.row": {"zh": "第 {line} 行无法读取：{detail}", "en": "line {line} cannot be read: {detail}"},
    }
)


def read_decisions(path: str | Path, tz: tzinfo = CHINA_TZ) -> list[DecisionRow]:
    """Read a decision list (CSV in UTF-8 or GB18030, with or without BOM; or XLSX / JSON Lines by suffix).

    Parameters
    ----------
    path
        Columns ``project_id``, ``date`` and optionally ``outcome``, ``project_hash``, ``unit`` (Chinese
        headers 项目编号, 决策日期, 决策结果, 单位 are accepted).
    tz
        The zone of dates and times without one (default UTC+08:00).

    Returns
    -------
    list[DecisionRow]
        ``line`` is the input line (the sheet row in XLSX).

    Raises
    ------
    AuditInputError
        The file cannot be read, a column is missing, or a line cannot be read, has no project id or a bad date.
    """
    from ..errors import InputError
    from ..io.tables import TABLE_SUFFIXES, open_table

    kind = None if Path(path).suffix.lower() in TABLE_SUFFIXES else "csv"
    try:
        with open_table(path, kind=kind) as table:
            headers = table.headers  # None for JSON Lines: each record names its own fields
            index: dict[str, str] = {}
            if headers is not None:
                lowered = {h.strip().lower(): h for h in reversed(headers)}
                for column, aliases in _ALIASES.items():
                    found = next((lowered[a] for a in aliases if a in lowered), None)
                    if found is not None:
                        index[column] = found
                missing = [c for c in ("project_id", "date") if c not in index]
                if missing:
                    raise AuditInputError("columns", columns=", ".join(missing))
            rows: list[DecisionRow] = []
            for record in table:
                if record.blank:
                    continue
                line = record.row
                if record.error is not None:
                    raise AuditInputError("row", line=line, detail=record.error.message("zh"))

                def cell(name: str, values: dict[str, Any] = record.values) -> str | None:
                    if headers is not None:
                        key = index.get(name)
                        value = values.get(key) if key is not None else None
                    else:
                        value = next((values[a] for a in _ALIASES[name] if a in values), None)
                    text = "" if value is None else str(value).strip()
                    return text or None

                pid = cell("project_id")
                if pid is None:
                    raise AuditInputError("project", line=line)
                raw_date = cell("date") or ""
                rows.append(
                    DecisionRow(
                        line=line,
                        project_id=pid,
                        date=raw_date,
                        before=_parse_when(raw_date, tz, line),
                        outcome=cell("outcome"),
                        project_hash=cell("project_hash"),
                        unit=cell("unit"),
                    )
                )
            return rows
    except AuditInputError:
        raise
    except InputError as exc:
        raise AuditInputError("file", detail=exc.render("zh")) from None


def audit(ledger: Ledger, decisions: Iterable[DecisionRow], ruleset: RuleSet | None = None) -> AuditReport:
    """Report decisions taken without a valid assessment recorded before them.

    Parameters
    ----------
    ledger
        The ledger (verified first; a ledger that fails gives no findings and ``ok`` false).
    decisions
        From :func:`read_decisions` (or built directly).
    ruleset
        The rule set in force; default: inferred from the ledger per decision date.

    Returns
    -------
    AuditReport

    Raises
    ------
    LedgerError
        The ledger is missing, not a ledger, or keyed without the key.
    """
    report = AuditReport(integrity=ledger.verify())
    if not report.integrity.ok:
        return report
    fixed: RuleSetKey | None = (ruleset.id, ruleset.version, ruleset.content_hash) if ruleset is not None else None
    for row in decisions:
        report.total += 1
        record = ledger.last_assessment(row.project_id, before=row.before)
        error = _row_problem(ledger, row, record, fixed)
        if error is not None:
            report.findings.append(AuditFinding(row, error, record))
    return report


def _row_problem(ledger: Ledger, row: DecisionRow, record: LedgerRecord | None, fixed: RuleSetKey | None) -> GateError | None:
    if record is None:
        return AssessmentRequired(row.project_id, "none_before", date=row.date)
    in_force = fixed
    if in_force is None:
        used = ledger.ruleset_in_use(record.ruleset_id, before=row.before)
        in_force = (record.ruleset_id, used[0], used[1]) if used else None
    changes = ruleset_changes(record, in_force) if in_force is not None else []
    if row.project_hash is not None and row.project_hash.lower() != record.project_hash:
        changes.append(("project_hash", {"old": record.project_hash[:12], "new": row.project_hash[:12]}))
    if changes:
        return AssessmentStale(record.project_id, changes, record=record)
    assessment = record.assessment
    return outcome_problem(record, assessment) if assessment is not None else None
