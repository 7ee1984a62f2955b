"""The result of one input row (:class:`BatchRow`) and the output columns every writer uses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..model.assessment import Assessment

__all__ = ["BatchRow", "OUTPUT_COLUMNS"]

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
)


@dataclass
class BatchRow:
    """The result for one input row.

    ``status`` is ``ok``, ``error``, ``out_of_scope`` or ``blank`` (an empty input record, kept so that
    ``row`` matches the input).  Levels (``high``/``medium``/``low``) and decisions
    use the engine's codes; ``findings`` are the item ids of the residual (措施后) evaluation, the one the
    decision rests on, and ``initial_findings`` those before measures.  ``error`` names the field and the
    reason.  ``assessment`` is filled when asked for (:func:`assess_many` does by default), ``explanation``
    for the levels asked for, and ``points``/``triggers`` (item → contribution, trigger ids, residual) for
    impact analysis.
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
        }


_ROW_FIELDS = tuple(f.name for f in fields(BatchRow))
