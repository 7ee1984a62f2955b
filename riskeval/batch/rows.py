"""The result of one input row (:class:`BatchRow`) and the output columns every writer uses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..i18n import register_messages, t
from ..model.assessment import Assessment

__all__ = ["BatchRow", "OUTPUT_COLUMNS", "HEADER_LANGS", "output_headers"]

register_messages(
    {
        "batch.header.row": {"zh": "行号", "en": "row"},
        "batch.header.id": {"zh": "编号", "en": "id"},
        "batch.header.status": {"zh": "状态", "en": "status"},
        "batch.header.initial_level": {"zh": "措施前等级", "en": "level before measures"},
        "batch.header.initial_score": {"zh": "措施前得分", "en": "score before measures"},
        "batch.header.residual_level": {"zh": "措施后等级", "en": "level after measures"},
        "batch.header.residual_score": {"zh": "措施后得分", "en": "score after measures"},
        "batch.header.decision": {"zh": "决策代码", "en": "decision code"},
        "batch.header.incomplete": {"zh": "评估不完整", "en": "incomplete"},
        "batch.header.findings": {"zh": "风险因素编号", "en": "factor ids"},
        "batch.header.error": {"zh": "错误", "en": "error"},
        "batch.header.triggers": {"zh": "直接认定情形", "en": "triggers"},
        "batch.header.incomplete_reasons": {"zh": "不完整原因", "en": "why incomplete"},
        "batch.header.top_items": {"zh": "主要风险因素（分值）", "en": "largest factors (points)"},
        "batch.header.level_zh": {"zh": "风险等级", "en": "risk level (Chinese)"},
        "batch.header.decision_zh": {"zh": "决策结论", "en": "decision (Chinese)"},
    }
)

HEADER_LANGS = ("code", "zh", "en")
"""What ``riskeval batch --headers`` accepts: the column names (``code``), or headers in Chinese or English."""

OUTPUT_COLUMNS: tuple[str, ...] = (
    "row",
    "id",
    "status",
    "initial_level",
    "initial_score",
    "residual_level",
    "residual_score",
    "decision",
    "incomplete",
    "findings",
    "error",
    "triggers",
    "incomplete_reasons",
    "top_items",
    "level_zh",
    "decision_zh",
)
"""The output contract: the first eleven columns are codes and figures; the last five say why, by label
(``triggers``: the direct triggers that fired, those removed by the measures marked; ``incomplete_reasons``;
``top_items``: the three largest contributions after measures with their points; ``level_zh`` and
``decision_zh``: the level after measures and the decision in Chinese, in the regime's words)."""


@dataclass
class BatchRow:
    """The result for one input row.

    ``status`` is ``ok``, ``error``, ``out_of_scope`` or ``blank`` (an empty input record, kept so that
    ``row`` matches the input).  Levels (``high``/``medium``/``low``) and decisions
    use the engine's codes; ``findings`` are the item ids of the residual (措施后) evaluation, the one the
    decision rests on, and ``initial_findings`` those before measures.  ``error`` names the field and the
    reason.  ``assessment`` is filled when asked for (:func:`assess_many` does by default), ``explanation``
    for the levels asked for, and ``points``/``triggers`` (item → contribution, trigger ids, residual) for
    impact analysis.  The reasons, by label: ``trigger_labels`` (the ``triggers`` column),
    ``incomplete_reasons``, ``top_items``, ``level_zh``, ``decision_zh``; ``decisive`` are the labels of the
    triggers that set the level after measures, and ``finding_points`` the contribution of each of
    ``findings`` (for the summary's totals).
    """

    row: int
    id: str | None
    status: str
    initial_level: str | None = None
    initial_score: float | None = None
    residual_level: str | None = None
    residual_score: float | None = None
    decision: str | None = None
    incomplete: bool | None = None
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    name: str | None = None
    kind: str | None = None
    unit: str | None = None
    initial_findings: list[str] = field(default_factory=list)
    explanation: str | None = None
    assessment: Assessment | None = None
    points: dict[str, float] | None = None
    triggers: list[str] = field(default_factory=list)
    trigger_labels: list[str] = field(default_factory=list)
    incomplete_reasons: list[str] = field(default_factory=list)
    top_items: list[str] = field(default_factory=list)
    level_zh: str | None = None
    decision_zh: str | None = None
    decisive: list[str] = field(default_factory=list)
    finding_points: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Positional fields: a third of the cost of pickling the instance dictionary.
        return (BatchRow, tuple(self.__dict__[name] for name in _ROW_FIELDS))

    def as_row(self) -> dict[str, Any]:
        """The output columns (:data:`OUTPUT_COLUMNS`) as a mapping."""
        return {
            "row": self.row,
            "id": self.id,
            "status": self.status,
            "initial_level": self.initial_level,
            "initial_score": self.initial_score,
            "residual_level": self.residual_level,
            "residual_score": self.residual_score,
            "decision": self.decision,
            "incomplete": self.incomplete,
            "findings": self.findings,
            "error": self.error,
            "triggers": self.trigger_labels,
            "incomplete_reasons": self.incomplete_reasons,
            "top_items": self.top_items,
            "level_zh": self.level_zh,
            "decision_zh": self.decision_zh,
        }


_ROW_FIELDS = tuple(f.name for f in fields(BatchRow))


def output_headers(lang: str = "code") -> list[str]:
    """The headers of :data:`OUTPUT_COLUMNS`: the names themselves (``code``) or in words (``zh``, ``en``).

    Examples
    --------
    >>> output_headers("zh")[:3]
    ['行号', '编号', '状态']
    >>> output_headers()[-1]
    'decision_zh'
    """
    if lang == "code":
        return list(OUTPUT_COLUMNS)
    return [t(f"batch.header.{c}", lang) for c in OUTPUT_COLUMNS]
