"""The monthly bulletin (社会稳定风险预警参考) as data: what :func:`riskeval.bulletin.build_bulletin` returns.

Every figure is computed from the ledger's records up to the end of the month; the renderers
(:mod:`riskeval.bulletin.render`) only lay them out. Levels are codes (``high``, ``medium``, ``low``;
``out_of_scope`` for matters outside the rule set's scope); kinds are the project's ``kind``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Bulletin",
    "Count",
    "DecisionTaken",
    "EscalatedMatter",
    "MatterAwaiting",
    "OverdueMeasure",
    "TrendPoint",
    "WatchItem",
]

LEVEL_KEYS = ("high", "medium", "low", "out_of_scope")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Count(_Frozen):
    """One row of a breakdown: a key (level, kind, unit or location) and a number of matters."""

    key: str
    count: int


class EscalatedMatter(_Frozen):
    """A matter whose tracking in the month put it above its level at the decision."""

    project_id: str
    name: str | None
    unit: str | None
    level: str | None
    previous_level: str | None
    seq: int
    date: date
    decision_seq: int
    note: str | None = None


class MatterAwaiting(_Frozen):
    """A high- or medium-risk matter assessed and not decided on (as of the month's end)."""

    project_id: str
    name: str | None
    unit: str | None
    level: str
    decision: str | None
    """The assessment's decision code (``reject``, ``proceed_after_measures``, ...)."""
    seq: int
    assessed: date
    days_waiting: int


class DecisionTaken(_Frozen):
    """A decision record of the month."""

    project_id: str
    name: str | None
    unit: str | None
    outcome: str
    level: str | None
    """The level of the record the decision rested on (``None`` out of scope)."""
    seq: int
    basis_seq: int
    date: date


class OverdueMeasure(_Frozen):
    """A measure past its due date and not done, as of the month's end."""

    project_id: str
    name: str | None
    measure_id: str
    label: str
    owner: str | None
    due: str
    status: str
    days_overdue: int


class TrendPoint(_Frozen):
    """One month of the trend: matters newly assessed by level, matters escalated, decisions taken."""

    month: str
    high: int = 0
    medium: int = 0
    low: int = 0
    out_of_scope: int = 0
    escalated: int = 0
    decisions: int = 0

    @property
    def assessed(self) -> int:
        """Matters newly assessed in the month."""
        return self.high + self.medium + self.low + self.out_of_scope


class WatchItem(_Frozen):
    """A matter to watch: on which grounds, and why, in the rule set's labels (from the stored assessment)."""

    project_id: str
    name: str | None
    unit: str | None
    level: str | None
    grounds: list[str]
    """``escalated``, ``awaiting`` (high risk awaiting a decision), ``overdue`` (measures overdue)."""
    reasons: list[str]
    seq: int


class Bulletin(_Frozen):
    """The bulletin of one month, made from records ``1..head_seq`` of one ledger."""

    month: str
    start: date
    end: date
    lang: str
    ruleset: list[str] = Field(default_factory=list)
    """``id@version`` of the rule sets the month's assessments were made under."""
    head_seq: int
    """The last record stamped on or before the month's end: the bulletin rests on records 1..head_seq."""
    head_hash: str | None
    new_total: int
    new_by_level: list[Count]
    new_by_kind: list[Count]
    new_by_unit: list[Count]
    new_by_location: list[Count]
    escalated: list[EscalatedMatter]
    awaiting: list[MatterAwaiting]
    decisions: list[DecisionTaken]
    overdue: list[OverdueMeasure]
    trend: list[TrendPoint]
    watch: list[WatchItem]
