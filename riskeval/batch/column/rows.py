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
from .program import LEVELS, ColumnProgram, StageResult, rounded

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


def _masks(matrix: np.ndarray) -> list[Any]:
    """Per row (column of ``matrix``), a hashable key of the set rows: an int bitmask, or bytes."""
    k, n = matrix.shape
    if k == 0:
        return [0] * n
    if k <= 62:
        weights = np.left_shift(np.int64(1), np.arange(k, dtype=np.int64))
        masks: list[Any] = (weights @ matrix.astype(np.int64)).tolist()
        return masks
    packed = np.packbits(matrix.T, axis=1)
    return [bytes(r) for r in packed]


class _Indices(dict[Any, list[int]]):
    """Bitmask → the indices it sets (cached)."""

    def __init__(self, matrix: np.ndarray) -> None:
        super().__init__()
        self.matrix = matrix

    def of(self, key: Any, column: int) -> list[int]:
        got = self.get(key)
        if got is None:
            got = self[key] = np.flatnonzero(self.matrix[:, column]).tolist()
        return got


def _per_row(matrix: np.ndarray) -> list[list[int]]:
    """For each row (column of ``matrix``), the indices set in it, in order."""
    rows, cols = np.nonzero(matrix.T)
    bounds = np.searchsorted(rows, np.arange(matrix.shape[1] + 1)).tolist()
    flat = cols.tolist()
    return [flat[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


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
    if not len(take):
        return out
    initial_masks = _masks(initial.finding)
    residual_masks = _masks(residual.finding)
    trig_i_masks = _masks(initial.triggers)
    trig_r_masks = _masks(residual.triggers)
    gap_masks = _masks(residual.gaps)
    find_i = _per_row(initial.finding)
    find_r = find_i if residual is initial else _per_row(residual.finding)
    hits_i = _Indices(initial.triggers)
    hits_r = hits_i if residual is initial else _Indices(residual.triggers)
    gaps_of = _Indices(residual.gaps)
    shown_points = np.zeros_like(residual.contributions)
    shown_points[residual.finding] = rounded(residual.contributions[residual.finding], 9)
    points_rows = shown_points.T.tolist()
    level_i = initial.level.tolist()
    level_r = residual.level.tolist()
    score_level_r = residual.score_level.tolist()
    in_scope = initial.in_scope.tolist()
    measures = frame.has_measures.tolist()
    row_numbers = rows.tolist()
    item_ids = words.item_ids
    item_labels = words.item_labels
    labels = words.trigger_labels
    ids_i: dict[Any, list[str]] = {}
    ids_r: dict[Any, list[str]] = {}
    fired_cache: dict[tuple[Any, Any, bool], list[str]] = {}
    decisive_cache: dict[tuple[Any, int], list[str]] = {}
    gap_cache: dict[Any, list[str]] = {}
    pattern = words.points
    shown: dict[tuple[int, float], str] = {}
    for i in take.tolist():
        kind_raw = frame.kinds[i]
        kind = _KIND_CODES.get(kind_raw or "", kind_raw)
        if not in_scope[i]:
            out[i] = BatchRow(row_numbers[i], frame.ids[i], "out_of_scope", name=frame.names[i], kind=kind,
                              unit=frame.units[i])
            continue
        mi, mr = initial_masks[i], residual_masks[i]
        initial_ids = ids_i.get(mi)
        if initial_ids is None:
            initial_ids = ids_i[mi] = [item_ids[k] for k in find_i[i]]
        fr = find_r[i]
        findings = ids_r.get(mr)
        if findings is None:
            findings = ids_r[mr] = [item_ids[k] for k in fr]
        lr = level_r[i]
        decision, _regime, decision_zh = words.decision(program, lr, frame.regimes[i])
        ti, tr = trig_i_masks[i], trig_r_masks[i]
        fkey = (ti, tr, measures[i])
        fired = fired_cache.get(fkey)
        if fired is None:
            fired = [labels[k] for k in hits_r.of(tr, i)]
            if measures[i]:
                seen = set(fired)
                for k in hits_i.of(ti, i):
                    if labels[k] not in seen:
                        seen.add(labels[k])
                        fired.append(words.before_only[k])
            fired_cache[fkey] = fired
        gm = gap_masks[i]
        row = BatchRow(
            row_numbers[i],
            frame.ids[i],
            "ok",
            LEVELS[level_i[i]],
            initial.score[i],
            LEVELS[lr],
            residual.score[i],
            decision,
            bool(gm),
            findings,
            name=frame.names[i],
            kind=kind,
            unit=frame.units[i],
            initial_findings=initial_ids,
            trigger_labels=fired,
            level_zh=words.level_zh[lr],
            decision_zh=decision_zh,
        )
        if lr != score_level_r[i]:
            dkey = (tr, lr)
            decisive = decisive_cache.get(dkey)
            if decisive is None:
                decisive = decisive_cache[dkey] = [
                    labels[k] for k in hits_r.of(tr, i) if words.trigger_levels[k] == lr
                ]
            row.decisive = decisive
        if gm:
            reasons = gap_cache.get(gm)
            if reasons is None:
                reasons = gap_cache[gm] = [words.gap_texts[k] for k in gaps_of.of(gm, i)]
            row.incomplete_reasons = reasons
        every = points_rows[i]
        points = [every[k] for k in fr]  # the residual findings' contributions, rounded
        row.finding_points = points
        top = sorted(range(len(points)), key=points.__getitem__, reverse=True)[:TOP_ITEMS]
        items = []
        for k in top:
            p = points[k]
            if p > 0:
                key = (fr[k], p)
                text = shown.get(key)
                if text is None:
                    text = shown[key] = pattern.format(label=item_labels[fr[k]], points=fmt_number(round(p, 3)))
                items.append(text)
        row.top_items = items
        out[i] = row
    return out


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _joined(values: list[str]) -> str:
    text = ";".join(values)
    return "'" + text if text[:1] in _DANGEROUS else text


def csv_cells(row: BatchRow) -> list[Any]:
    """The CSV cells of a result row, exactly as :meth:`riskeval.batch.writers.TableWriter.write` makes them
    from :meth:`BatchRow.as_row` (``_flat`` then ``safe_cell``), for the row kinds the column path builds."""
    ident = row.id or ""
    if ident[:1] in _DANGEROUS:
        ident = "'" + ident
    if row.status != "ok":
        return [row.row, ident, row.status, "", "", "", "", "", "", "", "", "", "", "", "", ""]
    return [
        row.row,
        ident,
        "ok",
        row.initial_level,
        row.initial_score,
        row.residual_level,
        row.residual_score,
        _joined([row.decision]) if row.decision else "",
        "true" if row.incomplete else "false",
        _joined(row.findings),
        "",
        _joined(row.trigger_labels),
        _joined(row.incomplete_reasons),
        _joined(row.top_items),
        _joined([row.level_zh]) if row.level_zh else "",
        _joined([row.decision_zh]) if row.decision_zh else "",
    ]


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
