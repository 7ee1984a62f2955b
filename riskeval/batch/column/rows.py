"""Result rows of the column path, built as :func:`riskeval.batch.runner.assess_row` builds them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import t
from ...model.vocabulary import KIND_OPTIONS
from ...model.wording import fmt_number
from ..rows import BatchRow
from ..runner import TOP_ITEMS, _word
from .frame import Frame
from .program import LEVELS, ColumnProgram, StageResult

__all__ = ["column_rows"]

_KIND_CODES = {label: code for code, label in KIND_OPTIONS.items()}


class _Words:
    """Per-run texts of one program and language (labels, patterns, decisions)."""

    def __init__(self, program: ColumnProgram, lang: str) -> None:
        rs = program.ruleset
        self.lang = lang
        self.item_ids = [i.id for i in program.items]
        self.item_labels = [i.label for i in program.items]
        self.trigger_labels = [trig.label for trig in rs.triggers]
        self.trigger_levels = [LEVELS.index(trig.level) for trig in rs.triggers]
        self.before_only = [t("batch.reason.before_only", lang, label=label) for label in self.trigger_labels]
        self.gap_texts = [t("incomplete.procedure", lang, label=p.label) for p in rs.procedures]
        self.points = _word("batch.reason.points", lang)
        self.level_zh = [_word("level_zh", name) for name in LEVELS]
        self.decisions: dict[tuple[str, str | None], tuple[str, str, str]] = {}

    def decision(self, program: ColumnProgram, level: int, regime: str | None) -> tuple[str, str, str]:
        key = (LEVELS[level], regime)
        got = self.decisions.get(key)
        if got is None:
            decision, used = program.ruleset.decision_for(LEVELS[level], regime)  # type: ignore[arg-type]
            got = self.decisions[key] = (decision, used, _word("decision_zh", decision or "", used or ""))
        return got


_WORDS: dict[tuple[int, str], _Words] = {}


def _words(program: ColumnProgram, lang: str) -> _Words:
    key = (id(program), lang)
    got = _WORDS.get(key)
    if got is None or got.item_ids != [i.id for i in program.items]:
        got = _WORDS[key] = _Words(program, lang)
    return got


def column_rows(
    program: ColumnProgram,
    frame: Frame,
    rows: np.ndarray,
    initial: StageResult,
    residual: StageResult,
    take: np.ndarray,
    lang: str,
) -> dict[int, BatchRow]:
    """The :class:`BatchRow` of each row index in ``take`` (rows the program evaluated)."""
    words = _words(program, lang)
    out: dict[int, BatchRow] = {}
    finding_i = initial.finding.T
    contrib_r = residual.contributions.T
    finding_r = residual.finding.T
    trig_i = initial.triggers.T
    trig_r = residual.triggers.T
    gaps_r = residual.gaps.T
    level_i = initial.level.tolist()
    level_r = residual.level.tolist()
    score_level_r = residual.score_level.tolist()
    in_scope = initial.in_scope.tolist()
    item_ids = words.item_ids
    item_labels = words.item_labels
    for i in take.tolist():
        kind_raw = frame.kinds[i]
        kind = _KIND_CODES.get(kind_raw or "", kind_raw)
        status = "ok" if in_scope[i] else "out_of_scope"
        row = BatchRow(int(rows[i]), frame.ids[i], status, name=frame.names[i], kind=kind, unit=frame.units[i])
        out[i] = row
        if not in_scope[i]:
            continue
        fi = np.flatnonzero(finding_i[i]).tolist()
        fr = np.flatnonzero(finding_r[i]).tolist()
        row.initial_level = LEVELS[level_i[i]]
        row.initial_score = initial.score[i]
        row.initial_findings = [item_ids[k] for k in fi]
        row.residual_level = LEVELS[level_r[i]]
        row.residual_score = residual.score[i]
        row.findings = [item_ids[k] for k in fr]
        decision, regime, decision_zh = words.decision(program, level_r[i], frame.regimes[i])
        row.decision = decision
        gaps = np.flatnonzero(gaps_r[i]).tolist()
        row.incomplete = bool(gaps)
        # The why-columns, as runner._reasons writes them.
        hits_r = np.flatnonzero(trig_r[i]).tolist()
        fired = [words.trigger_labels[k] for k in hits_r]
        if frame.has_measures[i]:
            hits_i = np.flatnonzero(trig_i[i]).tolist()
            if hits_i:
                seen = set(fired)
                for k in hits_i:
                    label = words.trigger_labels[k]
                    if label not in seen:
                        seen.add(label)
                        fired.append(words.before_only[k])
        row.trigger_labels = fired
        if level_r[i] != score_level_r[i]:
            row.decisive = [words.trigger_labels[k] for k in hits_r if words.trigger_levels[k] == level_r[i]]
        if gaps:
            row.incomplete_reasons = [words.gap_texts[k] for k in gaps]
        points = [round(x, 9) for x in contrib_r[i][fr].tolist()]
        row.finding_points = points
        top = sorted(range(len(points)), key=points.__getitem__, reverse=True)[:TOP_ITEMS]
        row.top_items = [
            words.points.format(label=item_labels[fr[k]], points=fmt_number(round(points[k], 3)))
            for k in top
            if points[k] > 0
        ]
        row.level_zh = words.level_zh[level_r[i]]
        row.decision_zh = decision_zh
        _ = regime
    return out


def row_key(row: BatchRow) -> tuple[Any, ...]:
    """What must be equal between the row path and the column path: every output cell (with its type) and
    what the summary counts."""
    import json

    return (
        json.dumps(row.as_row(), ensure_ascii=False),
        row.name,
        row.kind,
        row.unit,
        row.initial_findings,
        [repr(p) for p in row.finding_points],
        row.decisive,
    )
