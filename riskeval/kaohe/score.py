"""Scoring the units (考核): each indicator of the scheme over the decisions and the ledger.

Definitions (days are calendar days in ``tz``, UTC+08:00 by default; a decision's day is the date
in the decisions file; "approved" is every outcome but a refusal, see :meth:`Scheme.approves`):

coverage (应评尽评)
    Items: the decisions dated in the period, except those resting on a valid assessment that
    found the matter out of scope. Failure: no valid assessment recorded before the decision (none,
    stale, incomplete, or one that forbids going ahead while the outcome approves), as
    :func:`riskeval.gate.audit` judges it.
timeliness
    Items: the decisions of the period with a valid, in-scope prior assessment. Failure: the
    matter's first assessment record is fewer than ``min_days`` days before the decision day.
measures
    Items: the measures with a calendar due date in the period (``开工前`` and other text dues
    are not dated, so not audited) listed in the latest assessment or tracking record, up to the
    period's end, of each approved matter.
    Failure: no ``measure`` record reporting it ``done`` on or before its due date (done late, or
    not done by the period's end).
tracking
    Items: for each approved matter whose assessment at the decision was of one of ``levels``,
    the tracking due dates in the period: the decision day + ``interval_days``, then each tracking
    day (or missed due date) + ``interval_days``. Failure: no tracking record in the interval.
incidents
    Items: the approved matters decided on or before the period's end. Failure (once per matter):
    a tracking record in the period that escalated the matter (when ``escalated``) or whose facts
    meet one of the ``facts`` conditions that the record the decision rested on did not meet.

An indicator's score is its weight when no item applies; else ``weight × (1 − failures / items)``
(``proportional``) or ``weight − deduct × failures`` (at least 0). The unit of a decision is the
``unit`` column, else the unit recorded with the matter. Units are ranked by total (equal totals
share a rank, then by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from pathlib import Path

from ..gate.audit import CHINA_TZ, AuditFinding, DecisionRow, audit, read_decisions
from ..gate.errors import GateBlocked
from ..i18n import register_messages, t
from ..ledger import Ledger, LedgerTampered
from .matters import Matters, due_date
from .period import Period, parse_period
from .result import AuditResult, Deduction, IndicatorScore, UnitScore
from .scheme import IncidentsIndicator, Scheme, TrackingIndicator, load_scheme

__all__ = ["score_units"]

register_messages(
    {
        "kaohe.r.coverage": {"zh": "{date} 决策（{outcome}）前没有有效评估：{detail}", "en": "decided on {date} ({outcome}) without a valid prior assessment: {detail}"},
        "kaohe.r.timeliness": {
            "zh": "首次评估于 {assessed}（台账第 {seq} 号记录），距 {date} 决策仅 {days} 天，少于 {min_days} 天",
            "en": "first assessed on {assessed} (ledger record #{seq}), only {days} days before the decision of {date} "
            "(fewer than {min_days})",
        },
        "kaohe.r.measure_late": {
            "zh": "措施“{label}”（{measure}，责任主体 {owner}）应于 {due} 完成，{done} 才报完成（迟 {days} 天）",
            "en": "measure '{label}' ({measure}, owner {owner}) was due on {due} and reported done on {done} ({days} days late)",
        },
        "kaohe.r.measure_open": {
            "zh": "措施“{label}”（{measure}，责任主体 {owner}）应于 {due} 完成，至 {end} 未报完成（逾期 {days} 天）",
            "en": "measure '{label}' ({measure}, owner {owner}) was due on {due} and not reported done by {end} "
            "({days} days overdue)",
        },
        "kaohe.r.tracking": {
            "zh": "{level}风险事项，{since} 后应在 {due} 前跟踪评估（间隔 {interval} 天），未见跟踪评估记录",
            "en": "a {level}-risk matter: tracking was due by {due} ({interval} days after {since}); none recorded",
        },
        "kaohe.r.incident": {
            "zh": "实施中发生事件（台账第 {seq} 号跟踪评估记录，{date}）：{what}",
            "en": "incident during implementation (tracking record #{seq}, {date}): {what}",
        },
        "kaohe.r.escalated": {"zh": "风险等级升至{level}", "en": "risk level raised to {level}"},
        "kaohe.r.fact": {"zh": "{label}为 {value}", "en": "{label} is {value}"},
        "kaohe.level.high": {"zh": "高", "en": "high"},
        "kaohe.level.medium": {"zh": "中", "en": "medium"},
        "kaohe.level.low": {"zh": "低", "en": "low"},
        "kaohe.level.none": {"zh": "未定", "en": "unknown"},
        "kaohe.no_outcome": {"zh": "结果未注明", "en": "outcome not given"},
        "kaohe.no_owner": {"zh": "未注明", "en": "not given"},
    }
)


@dataclass
class _Item:
    unit: str
    indicator: str
    failure: Deduction | None


def _day(row: DecisionRow, tz: tzinfo) -> date:
    try:
        return date.fromisoformat(row.date.strip().replace("/", "-")[:10])
    except ValueError:
        return (row.before.astimezone(tz) - timedelta(microseconds=1)).date()


def score_units(
    ledger: Ledger | str | Path,
    decisions: Iterable[DecisionRow] | str | Path,
    scheme: Scheme | str | Path,
    period: Period | str,
    *,
    tz: tzinfo = CHINA_TZ,
    lang: str = "zh",
) -> AuditResult:
    """Score and rank the units for ``period`` (see the module docstring).

    Parameters
    ----------
    ledger
        The ledger (or its path, opened read-only); it is verified first.
    decisions
        The decisions taken (:func:`riskeval.gate.read_decisions` rows, or the file).
    scheme
        The audit scheme (or its YAML file).
    period
        A :class:`Period` or its text (``2026``, ``2026-Q1``, ...).
    tz
        The zone of days (default UTC+08:00).
    lang
        Language of the placeholder unit name for matters without one.

    Raises
    ------
    LedgerTampered
        The ledger fails verification: no audit of an untrusted ledger.
    SchemeError, AuditInputError, PeriodError, LedgerError
        Unreadable inputs.
    """
    if not isinstance(ledger, Ledger):
        ledger = Ledger(ledger, create=False, read_only=True)
        ledger.meta()
    rows = read_decisions(decisions, tz) if isinstance(decisions, str | Path) else list(decisions)
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    period = period if isinstance(period, Period) else parse_period(period)
    report = audit(ledger, rows)
    if not report.integrity.ok:
        raise LedgerTampered(report=report.integrity)
    findings: dict[int, AuditFinding] = {id(f.row): f for f in report.findings}
    matters = Matters.read(ledger.records(), tz)
    items = _Scorer(scheme, period, matters, rows, findings, tz, lang).items()
    units = _units(scheme, items)
    return AuditResult(scheme, period, units, ledger_count=report.integrity.count, ledger_head=report.integrity.head_hash)


class _Scorer:
    def __init__(self, scheme: Scheme, period: Period, matters: Matters, rows: list[DecisionRow],
                 findings: dict[int, AuditFinding], tz: tzinfo, lang: str) -> None:
        self.scheme, self.period, self.matters, self.rows = scheme, period, matters, rows
        self.findings, self.tz, self.lang = findings, tz, lang
        self.out: list[_Item] = []
        # the first approving decision of each matter (on or before the period's end)
        self.approved: dict[str, DecisionRow] = {}
        for row in sorted(rows, key=lambda r: (_day(r, tz), r.line)):
            if _day(row, tz) <= period.end and scheme.approves(row.outcome) and row.project_id not in self.approved:
                self.approved[row.project_id] = row

    def unit_of(self, row: DecisionRow) -> str:
        return row.unit or self.matters.unit(row.project_id) or t("kaohe.no_unit", self.lang)

    def add(self, row: DecisionRow, indicator: str, points: float = 0.0, reason: str | None = None, **kw: object) -> None:
        failure = None
        if reason is not None:
            params = {k: v for k, v in kw.items() if k not in ("error", "day")}
            failure = Deduction(
                unit=self.unit_of(row), indicator=indicator, project_id=row.project_id,
                project_name=self.matters.name(row.project_id), points=points, reason=reason, params=params,
                error=kw.get("error"),  # type: ignore[arg-type]
                seq=kw.get("seq"),  # type: ignore[arg-type]
                day=kw.get("day"),  # type: ignore[arg-type]
            )
        self.out.append(_Item(self.unit_of(row), indicator, failure))

    def items(self) -> list[_Item]:
        ind = self.scheme.indicators
        for row in self.rows:
            if _day(row, self.tz) in self.period:
                self.decision(row)
        if ind.measures is not None:
            for row in self.approved.values():
                self.measures(row)
        if ind.tracking is not None:
            for row in self.approved.values():
                self.tracking(row, ind.tracking)
        if ind.incidents is not None:
            for row in self.approved.values():
                self.incidents(row, ind.incidents)
        return self.out

    def decision(self, row: DecisionRow) -> None:
        ind = self.scheme.indicators
        finding = self.findings.get(id(row))
        day = _day(row, self.tz).isoformat()
        if finding is not None and isinstance(finding.error, GateBlocked) and not self.scheme.approves(row.outcome):
            finding = None  # the assessment forbade it and the decision did not go ahead
        basis = self.matters.basis(row.project_id, row.before)
        if finding is None and basis is not None and not basis.in_scope:
            return  # assessed, and found out of scope: nothing owed
        if ind.coverage is not None:
            if finding is None:
                self.add(row, "coverage")
            else:
                self.add(row, "coverage", 1.0, "kaohe.r.coverage", date=day, outcome=row.outcome, error=finding.error,
                         seq=finding.record.seq if finding.record else None, day=day)
        if ind.timeliness is not None and finding is None:
            first = self.matters.first_assessment(row.project_id, row.before)
            if first is None:
                return
            days = (_day(row, self.tz) - first.day).days
            if days >= ind.timeliness.min_days:
                self.add(row, "timeliness")
            else:
                self.add(row, "timeliness", 1.0, "kaohe.r.timeliness", assessed=first.day.isoformat(), seq=first.seq,
                         days=days, min_days=ind.timeliness.min_days, date=day, day=day)

    def measures(self, row: DecisionRow) -> None:
        end = self.period.end
        record = self.matters.latest(row.project_id, end)
        if record is None:
            return
        for measure in record.measures:
            due = due_date(measure.get("due"))
            if due is None or due not in self.period:
                continue
            mid = str(measure.get("id", ""))
            done = self.matters.done_day(row.project_id, mid)
            common = {"label": measure.get("label") or mid, "measure": mid,
                      "owner": measure.get("owner"), "due": due.isoformat()}
            if done is not None and done[0] <= due:
                self.add(row, "measures")
            elif done is not None and done[0] <= end:
                self.add(row, "measures", 1.0, "kaohe.r.measure_late", done=done[0].isoformat(),
                         days=(done[0] - due).days, seq=done[1], day=due.isoformat(), **common)
            else:
                self.add(row, "measures", 1.0, "kaohe.r.measure_open", end=end.isoformat(), days=(end - due).days,
                         seq=record.seq, day=due.isoformat(), **common)

    def tracking(self, row: DecisionRow, ind: TrackingIndicator) -> None:
        basis = self.matters.basis(row.project_id, row.before)
        if basis is None or basis.level not in ind.levels or not basis.in_scope:
            return
        decided = _day(row, self.tz)
        days = sorted({r.day for r in self.matters.trackings(row.project_id, row.before) if r.day > decided})
        step = timedelta(days=ind.interval_days)
        last = decided
        while (due := last + step) <= self.period.end:
            done = [d for d in days if last < d <= due]
            if done:
                if due >= self.period.start:
                    self.add(row, "tracking")
                last = done[-1]
                continue
            if due >= self.period.start:
                self.add(row, "tracking", 1.0, "kaohe.r.tracking", level=basis.level, since=last.isoformat(),
                         due=due.isoformat(), interval=ind.interval_days, day=due.isoformat())
            last = due

    def incidents(self, row: DecisionRow, ind: IncidentsIndicator) -> None:
        basis = self.matters.basis(row.project_id, row.before)
        before = basis.facts if basis is not None else {}
        decided = _day(row, self.tz)
        for r in self.matters.trackings(row.project_id, row.before):
            if r.day <= decided or r.day not in self.period:
                continue
            events: list[dict[str, object]] = []
            if ind.escalated and r.escalated:
                events.append({"kind": "escalated", "level": r.level})
            for cond in ind.facts:
                if cond.holds(r.facts) and not cond.holds(before):
                    label = {"zh": cond.text("zh"), "en": cond.text("en")}
                    events.append({"kind": "fact", "fact": cond.fact, "label": label, "value": r.facts.get(cond.fact)})
            if events:
                self.add(row, "incidents", 1.0, "kaohe.r.incident", seq=r.seq, date=r.day.isoformat(),
                         events=events, day=r.day.isoformat())
                return
        self.add(row, "incidents")


def _units(scheme: Scheme, items: list[_Item]) -> list[UnitScore]:
    names = sorted({i.unit for i in items})
    units: dict[str, UnitScore] = {
        name: UnitScore(name, {n: IndicatorScore(weight=ind.weight) for n, ind in scheme.indicators.items()}) for name in names
    }
    for item in items:
        score = units[item.unit].indicators[item.indicator]
        score.applicable += 1
        if item.failure is not None:
            score.failures += 1
    for name, ind in scheme.indicators.items():
        for unit in units.values():
            s = unit.indicators[name]
            if s.applicable == 0:
                s.score = s.weight
            elif isinstance(ind.deduct, str):
                s.score = s.weight * (1 - s.failures / s.applicable)
            else:
                s.score = max(0.0, s.weight - ind.deduct * s.failures)
    for item in items:
        if item.failure is None:
            continue
        s = units[item.unit].indicators[item.indicator]
        ind = getattr(scheme.indicators, item.indicator)
        points = s.weight / s.applicable if isinstance(ind.deduct, str) else float(ind.deduct)
        units[item.unit].deductions.append(_with_points(item.failure, points))
    ranked = sorted(units.values(), key=lambda u: (-round(u.total, 6), u.unit))
    for i, unit in enumerate(ranked):
        tied = i > 0 and round(unit.total, 6) == round(ranked[i - 1].total, 6)
        unit.rank = ranked[i - 1].rank if tied else i + 1
    return ranked


def _with_points(d: Deduction, points: float) -> Deduction:
    from dataclasses import replace

    return replace(d, points=points)
