"""Results of the column path: CSV lines and counters straight from the arrays, and, only for the rows that
need one (sample, details, Excel/JSON Lines output), the :class:`BatchRow`
:func:`riskeval.batch.runner.assess_row` builds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from ...i18n import t
from ...io.tables import safe_cell
from ...model.vocabulary import KIND_OPTIONS
from ...model.wording import fmt_number
from ..rows import BatchRow
from ..runner import TOP_ITEMS, _word
from ..stats import BatchStats
from .frame import Frame
from .program import LEVELS, ColumnProgram, StageResult, rounded

__all__ = ["ColumnBlock", "row_key"]

_KIND_CODES = {label: code for code, label in KIND_OPTIONS.items()}


class _Words:
    """Per-run texts of one program and language (labels, patterns, decisions)."""

    def __init__(self, program: ColumnProgram, lang: str) -> None:
        rs = program.ruleset
        self.program = program
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
        self.category = {i.id: i.category for i in rs.items}
        self.texts = _Texts()
        # Item ids by byte of a findings bitmask: byte_ids[j][b] are the ids of the bits set in b, from 8 j.
        ids = self.item_ids
        self.byte_ids = [
            [[ids[8 * j + bit] for bit in range(8) if b >> bit & 1 and 8 * j + bit < len(ids)] for b in range(256)]
            for j in range((len(ids) + 7) // 8)
        ]
        cat_items: dict[str, list[int]] = {}
        for k, item in enumerate(self.item_ids):
            cat_items.setdefault(self.category.get(item) or "\0", []).append(k)
        self.cat_items = {cat: np.asarray(ks, dtype=np.int64) for cat, ks in cat_items.items()}

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
    # The entry holds its program: an id is never reused while it lives, so texts never go stale.
    if got is None or got.program is not program:
        if len(_WORDS) >= 8:
            _WORDS.clear()
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


def _field(text: str) -> str:
    """One CSV field of a text as :mod:`csv`'s ``excel`` dialect writes it among others (minimal quoting).

    >>> [_field(x) for x in ("a", "", "a,b", "x\\ny")]
    ['a', '', '"a,b"', '"x\\ny"']
    >>> _field('say "hi"') == '"say ' + '""hi""' + '"'
    True
    """
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _cells(values: list[Any]) -> str:
    """Cells (already flat and guarded) joined as one stretch of a CSV line."""
    return ",".join(_field(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in values)


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")  # as riskeval.io.tables.safe_cell


def _joined(values: list[str]) -> str:
    text = ";".join(values)
    return "'" + text if text[:1] in _DANGEROUS else text


class _Texts:
    """Per run (program and language): the lists and CSV cells of each finding, trigger and gap pattern,
    keyed by bitmask (a pattern means the same in every chunk)."""

    def __init__(self) -> None:
        self.findings: dict[Any, tuple[list[int], list[str], str, set[str]]] = {}
        self.fired: dict[tuple[Any, Any, bool], tuple[list[str], str]] = {}
        self.hits: dict[Any, list[int]] = {}
        self.decisive: dict[tuple[Any, int], list[str]] = {}
        self.gaps: dict[Any, tuple[list[str], str]] = {}
        self.decision: dict[tuple[int, str | None], tuple[str, str, str, str]] = {}
        self.top: dict[tuple[Any, ...], tuple[list[str], str]] = {}
        self.points: dict[tuple[int, float], str] = {}
        self.cells: dict[Any, str] = {}

    def trim(self) -> None:
        """Forget the patterns of a run with very many distinct ones (memory stays flat)."""
        for cache in (self.findings, self.fired, self.hits, self.decisive, self.gaps, self.top, self.points, self.cells):
            if len(cache) > _CACHE_LIMIT:
                cache.clear()


_CACHE_LIMIT = 100_000


class ColumnBlock:
    """The column path's results for the rows ``take`` of one chunk: CSV text (:meth:`csv_text`), counters
    (:meth:`count`) and, for the rows that need one (sample, details, other output formats), the very
    :class:`BatchRow` :func:`riskeval.batch.runner.assess_row` makes (:meth:`row`).  Rows alike in a part
    (the same findings, triggers, gaps, level) share that part's texts, made once per run."""

    def __init__(
        self,
        program: ColumnProgram,
        frame: Frame,
        rows: np.ndarray,
        initial: StageResult,
        residual: StageResult,
        take: np.ndarray,
        lang: str,
    ) -> None:
        self.program = program
        self.words = words = _words(program, lang)
        self.texts = words.texts
        self._reps: dict[str, dict[Any, int]] = {}
        self.texts.trim()
        self.frame = frame
        self.initial = initial
        self.residual = residual
        n = len(rows)
        self.row_numbers = rows.tolist()
        self.kinds = [_KIND_CODES.get(k or "", k) for k in frame.kinds]
        self.in_scope = initial.in_scope.tolist()
        self.mi = _masks(initial.finding)
        self.mr = _masks(residual.finding)
        self.ti = _masks(initial.triggers)
        self.tr = _masks(residual.triggers)
        self.gm = _masks(residual.gaps)
        self.li = initial.level.tolist()
        self.lr = residual.level.tolist()
        self.slr = residual.score_level.tolist()
        self.measures = frame.has_measures.tolist()
        shown = np.zeros_like(residual.contributions)
        shown[residual.finding] = rounded(residual.contributions[residual.finding], 9)
        self.shown = shown
        scores_i, scores_r = initial.score, residual.score
        self.score_text_i = [repr(scores_i[i]) for i in range(n)]
        self.score_text_r = [repr(scores_r[i]) for i in range(n)]
        self.ids = [_field(safe_cell(x)) if isinstance(x, str) else "" for x in frame.ids]
        # The three largest contributions of each row (ties: the earlier item); the positive ones are shown.
        k = min(TOP_ITEMS, shown.shape[0])
        if k and n:
            order = np.argsort(-shown, axis=0, kind="stable")[:k]
            top_vals = np.take_along_axis(shown, order, axis=0)
            self.top_keys: list[tuple[Any, ...]] = list(zip(*order.tolist(), *top_vals.tolist(), strict=True))
        else:
            self.top_keys = [()] * n

    # -- parts, each made once per run -----------------------------------------------------------
    def _findings(self, stage: StageResult, masks: list[Any], i: int) -> tuple[list[int], list[str], str, set[str]]:
        got = self.texts.findings.get(masks[i])
        if got is None:
            words = self.words
            fr = np.flatnonzero(stage.finding[:, i]).tolist()
            ids = [words.item_ids[k] for k in fr]
            cats = {words.category.get(x) or "\0" for x in ids}
            got = self.texts.findings[masks[i]] = (fr, ids, _field(_joined(ids)), cats)
        return got

    def _cell(self, i: int) -> str:
        """The ``findings`` CSV cell of row ``i``."""
        mask = self.mr[i]
        got = self.texts.cells.get(mask)
        if got is None:
            if isinstance(mask, int):
                ids: list[str] = []
                for j, table in enumerate(self.words.byte_ids):
                    ids += table[(mask >> (8 * j)) & 255]
            else:
                ids = self._findings(self.residual, self.mr, i)[1]
            got = self.texts.cells[mask] = _field(_joined(ids))
        return got

    def _hits(self, stage: StageResult, masks: list[Any], i: int) -> list[int]:
        got = self.texts.hits.get(masks[i])
        if got is None:
            got = self.texts.hits[masks[i]] = np.flatnonzero(stage.triggers[:, i]).tolist()
        return got

    def _fired(self, i: int) -> tuple[list[str], str]:
        key = (self.ti[i], self.tr[i], self.measures[i])
        got = self.texts.fired.get(key)
        if got is None:
            words = self.words
            labels = words.trigger_labels
            fired = [labels[k] for k in self._hits(self.residual, self.tr, i)]
            if self.measures[i]:
                seen = set(fired)
                for k in self._hits(self.initial, self.ti, i):
                    if labels[k] not in seen:
                        seen.add(labels[k])
                        fired.append(words.before_only[k])
            got = self.texts.fired[key] = (fired, _field(_joined(fired)))
        return got

    def _decisive(self, i: int) -> list[str] | None:
        lr = self.lr[i]
        if lr == self.slr[i]:
            return None
        key = (self.tr[i], lr)
        got = self.texts.decisive.get(key)
        if got is None:
            words = self.words
            hits = self._hits(self.residual, self.tr, i)
            got = self.texts.decisive[key] = [words.trigger_labels[k] for k in hits if words.trigger_levels[k] == lr]
        return got

    def _gaps(self, i: int) -> tuple[list[str], str]:
        got = self.texts.gaps.get(self.gm[i])
        if got is None:
            words = self.words
            reasons = [words.gap_texts[k] for k in np.flatnonzero(self.residual.gaps[:, i]).tolist()]
            got = self.texts.gaps[self.gm[i]] = (reasons, _field(_joined(reasons)))
        return got

    def _decision(self, i: int) -> tuple[str, str, str, str]:
        """(decision, decision_zh, CSV cells ``decision``, CSV cells ``level_zh,decision_zh``)."""
        key = (self.lr[i], self.frame.regimes[i])
        got = self.texts.decision.get(key)
        if got is None:
            lr = key[0]
            decision, _used, decision_zh = self.words.decision(self.program, lr, key[1])
            level_zh = self.words.level_zh[lr]
            got = self.texts.decision[key] = (
                decision,
                decision_zh,
                _cells([_joined([decision]) if decision else ""]),
                _cells([_joined([level_zh]) if level_zh else "", _joined([decision_zh]) if decision_zh else ""]),
            )
        return got

    def _top(self, i: int) -> tuple[list[str], str]:
        key = self.top_keys[i]
        got = self.texts.top.get(key)
        if got is None:
            k = len(key) // 2
            items = []
            words = self.words
            point_texts = self.texts.points
            for item, p in zip(key[:k], key[k:], strict=True):
                if p > 0:
                    text = point_texts.get((item, p))
                    if text is None:
                        label = words.item_labels[item]
                        text = point_texts[(item, p)] = words.points.format(label=label, points=fmt_number(round(p, 3)))
                    items.append(text)
            got = self.texts.top[key] = (items, _field(_joined(items)))
        return got

    # -- output ------------------------------------------------------------------------------------
    def csv_text(self, lo: int, hi: int) -> str:
        """The CSV lines of rows ``lo`` … ``hi - 1`` (all taken), as the table writer writes them."""
        nums, ids, si, sr = self.row_numbers, self.ids, self.score_text_i, self.score_text_r
        levels = [_field(safe_cell(x)) for x in LEVELS]
        texts = self.texts
        decisions, cells, fired, tops = texts.decision, texts.cells, texts.fired, texts.top
        in_scope, li, lr, gm, mr = self.in_scope, self.li, self.lr, self.gm, self.mr
        ti, tr, measures, regimes, top_keys = self.ti, self.tr, self.measures, self.frame.regimes, self.top_keys
        lines = []
        for i in range(lo, hi):
            if not in_scope[i]:
                lines.append(f"{nums[i]},{ids[i]},out_of_scope,,,,,,,,,,,,,\r\n")
                continue
            # Each part from its cache (made on a miss by the method of the same name).
            decision = decisions.get((lr[i], regimes[i])) or self._decision(i)
            cell = cells.get(mr[i])
            if cell is None:
                cell = self._cell(i)
            fired_cell = (fired.get((ti[i], tr[i], measures[i])) or self._fired(i))[1]
            top = (tops.get(top_keys[i]) or self._top(i))[1]
            if gm[i]:
                flag, reasons = "true", self._gaps(i)[1]
            else:
                flag, reasons = "false", ""
            lines.append(
                f"{nums[i]},{ids[i]},ok,{levels[li[i]]},{si[i]},{levels[lr[i]]},{sr[i]},{decision[2]},"
                f"{flag},{cell},,{fired_cell},{reasons},{top},{decision[3]}\r\n"
            )
        return "".join(lines)

    def row(self, i: int) -> BatchRow:
        """The result row of row ``i`` (taken), as :func:`riskeval.batch.runner.assess_row` makes it."""
        frame = self.frame
        if not self.in_scope[i]:
            return BatchRow(self.row_numbers[i], frame.ids[i], "out_of_scope", name=frame.names[i],
                            kind=self.kinds[i], unit=frame.units[i])
        fr, findings, _cell, _cats = self._findings(self.residual, self.mr, i)
        decision, decision_zh, _d, _z = self._decision(i)
        lr = self.lr[i]
        row = BatchRow(
            self.row_numbers[i],
            frame.ids[i],
            "ok",
            LEVELS[self.li[i]],
            self.initial.score[i],
            LEVELS[lr],
            self.residual.score[i],
            decision,
            bool(self.gm[i]),
            findings,
            name=frame.names[i],
            kind=self.kinds[i],
            unit=frame.units[i],
            initial_findings=self._findings(self.initial, self.mi, i)[1],
            trigger_labels=self._fired(i)[0],
            level_zh=self.words.level_zh[lr],
            decision_zh=decision_zh,
        )
        decisive = self._decisive(i)
        if decisive is not None:
            row.decisive = decisive
        if self.gm[i]:
            row.incomplete_reasons = self._gaps(i)[0]
        row.finding_points = self.shown[fr, i].tolist()
        row.top_items = self._top(i)[0]
        return row

    def _first(self, name: str, make: Callable[[], list[Any]]) -> dict[Any, int]:
        """For each key of a per-row list, the first row of the chunk that has it (made once per chunk)."""
        got: dict[Any, int] | None = self._reps.get(name)
        if got is None:
            keys = make()
            n = len(keys)
            got = self._reps[name] = dict(zip(keys[::-1], range(n - 1, -1, -1), strict=True))
        return got

    def count(self, stats: BatchStats, lo: int, hi: int) -> None:
        """``stats.add(self.row(i))`` for rows ``lo`` … ``hi - 1`` (all taken), with the same result: counters
        gain their keys in order of first occurrence and sums add in row order, as row by row."""
        if hi <= lo:
            return
        stats.total += hi - lo
        scope = self.in_scope[lo:hi]
        everyone = all(scope)
        stats.status.update(Counter("ok" if s else "out_of_scope" for s in scope) if not everyone else {"ok": hi - lo})
        ok = list(range(lo, hi)) if everyone else [i for i in range(lo, hi) if self.in_scope[i]]
        if not ok:
            return

        def pick(values: list[Any]) -> list[Any]:
            return values[lo:hi] if everyone else [values[i] for i in ok]

        li, lr, regimes = pick(self.li), pick(self.lr), pick(self.frame.regimes)
        for level, c in Counter(li).items():
            stats.initial_levels[LEVELS[level]] += c
        for level, c in Counter(lr).items():
            stats.residual_levels[LEVELS[level]] += c
        level_names = [LEVELS[x] for x in lr]
        first = self._first("decision", lambda: list(zip(self.lr, self.frame.regimes, strict=True)))
        for key, c in Counter(zip(lr, regimes, strict=True)).items():
            stats.decisions[self._decision(first[key])[0] or ""] += c
        stats.incomplete += sum(1 for g in pick(self.gm) if g)
        for (kind, level), c in Counter(zip(pick(self.kinds), level_names, strict=True)).items():
            stats.by_kind.setdefault(kind, Counter())[level] += c
        for (unit, level), c in Counter(zip(pick(self.frame.units), level_names, strict=True)).items():
            stats.by_unit.setdefault(unit, Counter())[level] += c
        cols: slice | list[int] = slice(lo, hi) if everyone else ok
        init_items, init_counts, init_cats = self._tally(self.initial, self.mi, cols, ok)
        res_items, res_counts, res_cats = self._tally(self.residual, self.mr, cols, ok)
        item_ids = self.words.item_ids
        for k, c in zip(init_items, init_counts, strict=True):
            stats.factor_initial[item_ids[k]] += c
        for k, c in zip(res_items, res_counts, strict=True):
            stats.factor_residual[item_ids[k]] += c
        points = stats.item_points
        if res_items:
            for k in res_items:
                points.setdefault(item_ids[k], 0.0)
            sub = self.shown[res_items][:, cols]
            start = np.asarray([points[item_ids[k]] for k in res_items], dtype=float)
            # Left to right, as ``points[item] += p`` row by row: a cumulative sum adds in order, and the
            # zeros of rows without the finding change nothing (a sum that starts at +0.0 is never -0.0).
            sums = np.cumsum(np.concatenate((start[:, None], sub), axis=1), axis=1)[:, -1].tolist()
            for k, total in zip(res_items, sums, strict=True):
                points[item_ids[k]] = total
        first_d = self._first("decisive", lambda: list(zip(self.tr, self.lr, self.slr, strict=True)))
        for dkey, c in Counter(zip(pick(self.tr), lr, pick(self.slr), strict=True)).items():
            for label in self._decisive(first_d[dkey]) or ():
                stats.decisive[label] += c
        for cat, c in init_cats:
            stats.category_initial[cat] += c
        for cat, c in res_cats:
            stats.category_residual[cat] += c
        shown = np.asarray(ok)[np.isin(np.asarray(lr), _DETAIL_LEVELS)].tolist()
        room = max(0, stats.max_details - len(stats.details))
        for i in shown[:room]:
            r = self.row(i)
            stats.details.append(
                BatchRow(
                    r.row, r.id, r.status, r.initial_level, r.initial_score, r.residual_level,
                    r.residual_score, r.decision, r.incomplete, list(r.findings), name=r.name, kind=r.kind,
                    unit=r.unit, explanation=r.explanation, trigger_labels=list(r.trigger_labels),
                    top_items=list(r.top_items), decisive=list(r.decisive), level_zh=r.level_zh,
                    decision_zh=r.decision_zh,
                )
            )
        stats.details_omitted += max(0, len(shown) - room)

    def _tally(
        self, stage: StageResult, masks: list[Any], cols: slice | list[int], ok: list[int]
    ) -> tuple[list[int], list[int], list[tuple[str, int]]]:
        """Per stage, over the rows ``cols`` (``ok``: their chunk indices): the items found, in order of
        first occurrence in the rows' findings lists, with their row counts; and the categories, in order of
        first occurrence in the rows' category sets, with their row counts."""
        found = stage.finding[:, cols]
        if not found.size:
            return [], [], []
        present = found.any(axis=1)
        ks = np.flatnonzero(present)
        first = found.argmax(axis=1)
        order = ks[np.lexsort((ks, first[ks]))]
        counts = found.sum(axis=1)
        items = order.tolist()
        words = self.words
        cat_names = list(words.cat_items)
        by_cat = np.stack([found[idx].any(axis=0) for idx in words.cat_items.values()])
        cat_present = by_cat.any(axis=1)
        cat_first = by_cat.argmax(axis=1).tolist()
        cat_counts = by_cat.sum(axis=1).tolist()
        new_at: dict[int, set[str]] = {}
        for j in np.flatnonzero(cat_present).tolist():
            new_at.setdefault(cat_first[j], set()).add(cat_names[j])
        index = {name: j for j, name in enumerate(cat_names)}
        cats: list[tuple[str, int]] = []
        for r in sorted(new_at):
            fresh = new_at[r]
            for cat in self._findings(stage, masks, ok[r])[3]:  # that row's set, in its iteration order
                if cat in fresh:
                    cats.append((cat, cat_counts[index[cat]]))
        return items, counts[order].tolist(), cats


_DETAIL_LEVELS = [LEVELS.index("high"), LEVELS.index("medium")]


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
