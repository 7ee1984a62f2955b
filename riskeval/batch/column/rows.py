"""Results of the column path: CSV lines and counters straight from the arrays, and, only for the rows that
need one (sample, details, Excel/JSON Lines output), the :class:`BatchRow`
:func:`riskeval.batch.runner.assess_row` builds."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...i18n import t
from ...io.tables import safe_cell
from ...model.vocabulary import KIND_OPTIONS
from ...model.wording import fmt_number
from ..rows import BatchRow
from ..runner import TOP_ITEMS, _word
from ..stats import BatchStats
from .cells import field
from .frame import Display, Frame
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
        self.level_cells = [field(safe_cell(x)) for x in LEVELS]
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


def _key(column: np.ndarray) -> tuple[int, ...]:
    """The set rows of one column of a boolean matrix, as a hashable key."""
    return tuple(np.flatnonzero(column).tolist())


class _Texts:
    """Per run (program and language): the lists of each finding, trigger and gap pattern, keyed by the set
    rows of its column (a pattern means the same in every chunk)."""

    def __init__(self) -> None:
        self.findings: dict[tuple[int, ...], tuple[list[str], set[str]]] = {}
        self.fired: dict[tuple[Any, ...], list[str]] = {}
        self.decisive: dict[tuple[Any, ...], list[str]] = {}
        self.gaps: dict[tuple[int, ...], list[str]] = {}
        self.top: dict[tuple[Any, ...], list[str]] = {}
        self.points: dict[tuple[int, float], str] = {}
        self.unsafe_points = False  # a points text that needs quotes was made (never reset)

    def trim(self) -> None:
        """Forget the patterns of a run with very many distinct ones (memory stays flat)."""
        for cache in (self.findings, self.fired, self.decisive, self.gaps, self.top, self.points):
            if len(cache) > _CACHE_LIMIT:
                cache.clear()


_CACHE_LIMIT = 100_000


class ColumnBlock:
    """The column path's results for the rows ``take`` of one chunk: CSV lines (:meth:`csv_bytes`, made by
    columns, see :mod:`.cells`), counters (:meth:`count`) and, for the rows that need one (sample, details,
    other output formats), the very :class:`BatchRow` :func:`riskeval.batch.runner.assess_row` makes
    (:meth:`row`).  Rows alike in a part (the same findings, triggers, gaps) share that part's texts, made once
    per run."""

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
        self.words = _words(program, lang)
        self.texts = self.words.texts
        self.texts.trim()
        self.frame = frame
        self.initial = initial
        self.residual = residual
        self.rows = rows
        self.take = take
        n = len(rows)
        self.in_scope = initial.in_scope
        self.li = initial.level
        self.lr = residual.level
        self.slr = residual.score_level
        self.incomplete = np.zeros(n, dtype=bool)
        if residual.gaps.shape[0]:
            np.any(residual.gaps, axis=0, out=self.incomplete)
        shown = np.zeros_like(residual.contributions)
        shown[residual.finding] = rounded(residual.contributions[residual.finding], 9)
        self.shown = shown
        self.kind_table = [_KIND_CODES.get(k or "", k) for k in frame.display["kind"].table]
        self._lines: tuple[np.ndarray, memoryview] | None = None

    # -- parts of one row, each made once per run -------------------------------------------------
    def _kind(self, i: int) -> str | None:
        code = int(self.frame.display["kind"].codes[i])
        return None if code < 0 else self.kind_table[code]

    def _findings(self, stage: StageResult, i: int) -> tuple[tuple[int, ...], list[str], set[str]]:
        key = _key(stage.finding[:, i])
        got = self.texts.findings.get(key)
        if got is None:
            words = self.words
            ids = [words.item_ids[k] for k in key]
            got = self.texts.findings[key] = (ids, {words.category.get(x) or "\0" for x in ids})
        return key, got[0], got[1]

    def _fired(self, i: int) -> list[str]:
        hits = _key(self.residual.triggers[:, i])
        before = _key(self.initial.triggers[:, i]) if self.frame.has_measures[i] else ()
        key = (hits, before)
        got = self.texts.fired.get(key)
        if got is None:
            words = self.words
            labels = words.trigger_labels
            got = [labels[k] for k in hits]
            seen = set(got)
            for k in before:
                if labels[k] not in seen:
                    seen.add(labels[k])
                    got.append(words.before_only[k])
            self.texts.fired[key] = got
        return got

    def _decisive(self, i: int) -> list[str] | None:
        lr = int(self.lr[i])
        if lr == int(self.slr[i]):
            return None
        hits = _key(self.residual.triggers[:, i])
        key = (hits, lr)
        got = self.texts.decisive.get(key)
        if got is None:
            words = self.words
            got = self.texts.decisive[key] = [words.trigger_labels[k] for k in hits if words.trigger_levels[k] == lr]
        return got

    def _gaps(self, i: int) -> list[str]:
        key = _key(self.residual.gaps[:, i])
        got = self.texts.gaps.get(key)
        if got is None:
            got = self.texts.gaps[key] = [self.words.gap_texts[k] for k in key]
        return got

    def _point_text(self, item: int, p: float) -> str:
        text = self.texts.points.get((item, p))
        if text is None:
            words = self.words
            text = words.points.format(label=words.item_labels[item], points=fmt_number(round(p, 3)))
            self.texts.points[(item, p)] = text
            if not text or any(c in text for c in ',"\r\n'):
                self.texts.unsafe_points = True
        return text

    def _top(self, i: int) -> list[str]:
        """The three largest contributions of row ``i`` (ties: the earlier item); the positive ones are shown."""
        column = self.shown[:, i]
        order = np.argsort(-column, kind="stable")[: min(TOP_ITEMS, len(column))].tolist()
        values = column[order].tolist()
        key = (*order, *values)
        got = self.texts.top.get(key)
        if got is None:
            got = self.texts.top[key] = [self._point_text(k, p) for k, p in zip(order, values, strict=True) if p > 0]
        return got

    # -- output ------------------------------------------------------------------------------------
    def csv_bytes(self, lo: int, hi: int) -> memoryview:
        """The CSV lines of rows ``lo`` … ``hi - 1`` (all taken), UTF-8, as the table writer writes them."""
        if self._lines is None:
            self._lines = self._csv_lines()
        offsets, data = self._lines
        a, b = np.searchsorted(self.take, [lo, hi]).tolist()
        if b - a != hi - lo:
            raise ValueError("rows not taken by the column path")
        return data[int(offsets[a]) : int(offsets[b])]

    def _csv_lines(self) -> tuple[np.ndarray, memoryview]:
        """Every taken row's CSV line, assembled from pieces (:class:`.cells.Lines`): (line offsets, bytes)."""
        from . import cells

        take = self.take
        words = self.words
        frame = self.frame
        m = len(take)
        lines = cells.Lines(m)
        lines.table(pc.cast(cells.integers(self.rows[take]), pa.string()), np.arange(m))
        lines.constant(",")
        ids = frame.display["id"]
        id_table = ids.arrow if ids.arrow is not None else cells.strings([x or "" for x in ids.table])
        lines.table(cells.guarded(id_table), ids.codes[take])
        scope = self.in_scope[take]
        lines.table([",ok,", ",out_of_scope" + "," * 13 + "\r\n"], np.where(scope, 0, 1))
        status_slot = len(lines.slots) - 1
        li, lr = self.li[take].astype(np.int64), self.lr[take].astype(np.int64)
        lines.table([cell + "," for cell in words.level_cells], li)
        lines.table(*self._score_texts(self.initial.score[take]))
        lines.table(["," + cell + "," for cell in words.level_cells], lr)
        lines.table(*self._score_texts(self.residual.score[take]))
        # Per (level, regime): the decision code and the level and decision in words.
        regimes = frame.regimes
        width = len(regimes.table) + 1
        keys, inverse = cells.factorize(lr * width + regimes.codes[take].astype(np.int64) + 1)
        decided = []
        for key in keys.tolist():
            level, code = divmod(key, width)
            decision, _used, decision_zh = words.decision(self.program, level, regimes.table[code - 1] if code else None)
            decided.append([field(safe_cell(x or "")) for x in (decision, words.level_zh[level], decision_zh)])
        flag = self.incomplete[take].astype(np.int64)
        lines.table(
            ["," + d[0] + "," + f + "," for d in decided for f in ("false", "true")], inverse * 2 + flag
        )
        finding = self.residual.finding[:, take]
        if not lines.listing(finding, words.item_ids):
            lines.table(self._joined_cells(finding, words.item_ids), np.arange(m))
        lines.constant(",,")
        present, labels = self._trigger_parts(take)
        if not lines.listing(present, labels):
            lines.table(self._joined_cells(present, labels), np.arange(m))
        lines.constant(",")
        gaps = self.residual.gaps[:, take]
        if not lines.listing(gaps, words.gap_texts):
            lines.table(self._joined_cells(gaps, words.gap_texts), np.arange(m))
        lines.constant(",")
        self._top_slots(lines, take)
        lines.table(["," + d[1] + "," + d[2] + "\r\n" for d in decided], inverse)
        if not scope.all():
            lines.clear_after(status_slot, np.flatnonzero(~scope))
        return lines.build()

    def _score_texts(self, scores: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """(``repr`` of each distinct score, per row its index): made once per distinct bit pattern."""
        from .cells import factorize, float_reprs

        bits, inverse = factorize(np.ascontiguousarray(scores, dtype=float).view(np.int64))
        return float_reprs(bits.view(float)), inverse

    @staticmethod
    def _joined_cells(present: np.ndarray, labels: list[str]) -> pa.Array:
        """One cell per row listing the present labels (for labels :meth:`.cells.Lines.listing` refuses)."""
        from . import cells

        return cells.joined([cells.present(present[k], label) for k, label in enumerate(labels)], present.shape[1])

    def _trigger_parts(self, take: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The ``triggers`` cell as a listing: the triggers after measures, then those the measures removed
        (marked), a label at most once among the latter (as :meth:`_fired`)."""
        words = self.words
        labels = words.trigger_labels
        hit = self.residual.triggers[:, take]
        before = self.initial.triggers[:, take] & self.frame.has_measures[take]
        shown = np.zeros_like(before)
        group: dict[str, list[int]] = {}
        for k, label in enumerate(labels):
            group.setdefault(label, []).append(k)
        for k, label in enumerate(labels):
            alike = group[label]
            shown[k] = before[k] & ~hit[alike].any(axis=0)
            earlier = [j for j in alike if j < k]
            if earlier:
                shown[k] &= ~before[earlier].any(axis=0)
        return np.concatenate((hit, shown)), [*labels, *words.before_only]

    def _top_slots(self, lines: Any, take: np.ndarray) -> None:
        """The ``top_items`` cell: the three largest contributions (ties: the earlier item), positive ones."""
        from . import cells

        m = len(take)
        k = min(TOP_ITEMS, self.shown.shape[0])
        if not k or not m:
            return
        # The k largest by repeated arg-max (the first of equal values: the earlier item, as a stable sort),
        # a row's contributions side by side in memory.
        rest = np.ascontiguousarray(self.shown[:, take].T)
        rows = np.arange(m)
        order = np.empty((k, m), dtype=np.int64)
        values = np.empty((k, m))
        for j in range(k):
            order[j] = rest.argmax(axis=1)
            values[j] = rest[rows, order[j]]
            rest[rows, order[j]] = -np.inf
        slots: list[tuple[list[str], np.ndarray]] = []
        for j in range(k):
            bits, p_code = cells.factorize(values[j].view(np.int64))
            keys, inverse = cells.factorize(order[j] * len(bits) + p_code)
            points = bits[keys % len(bits)].view(float).tolist()
            table = [self._point_text(item, p) for item, p in zip((keys // len(bits)).tolist(), points, strict=True)]
            slots.append((table, np.where(values[j] > 0, inverse, -1)))
        if self.texts.unsafe_points:
            parts = [cells.texts_of([";" + x for x in table], np.where(codes < 0, 0, codes)) for table, codes in slots]
            parts = [pc.if_else(cells.flags(codes >= 0), part, cells.text("")) for part, (_t, codes) in zip(parts, slots, strict=True)]
            lines.table(cells.joined(parts, m), np.arange(m))
            return
        for j, (table, codes) in enumerate(slots):  # the positive ones come first: position 0 starts the cell
            lines.table([safe_cell(x) for x in table] if j == 0 else [";" + x for x in table], codes)

    def row(self, i: int) -> BatchRow:
        """The result row of row ``i`` (taken), as :func:`riskeval.batch.runner.assess_row` makes it."""
        frame = self.frame
        number = int(self.rows[i])
        if not self.in_scope[i]:
            return BatchRow(number, frame.text("id", i), "out_of_scope", name=frame.text("name", i),
                            kind=self._kind(i), unit=frame.text("unit", i))
        fr, findings, _cats = self._findings(self.residual, i)
        lr = int(self.lr[i])
        decision, _used, decision_zh = self.words.decision(self.program, lr, frame.regimes.at(i))
        row = BatchRow(
            number,
            frame.text("id", i),
            "ok",
            LEVELS[int(self.li[i])],
            float(self.initial.score[i]),
            LEVELS[lr],
            float(self.residual.score[i]),
            decision,
            bool(self.incomplete[i]),
            findings,
            name=frame.text("name", i),
            kind=self._kind(i),
            unit=frame.text("unit", i),
            initial_findings=self._findings(self.initial, i)[1],
            trigger_labels=self._fired(i),
            level_zh=self.words.level_zh[lr],
            decision_zh=decision_zh,
        )
        decisive = self._decisive(i)
        if decisive is not None:
            row.decisive = decisive
        if self.incomplete[i]:
            row.incomplete_reasons = self._gaps(i)
        row.finding_points = self.shown[list(fr), i].tolist()
        row.top_items = self._top(i)
        return row

    # -- statistics --------------------------------------------------------------------------------
    def count(self, stats: BatchStats, lo: int, hi: int) -> None:
        """``stats.add(self.row(i))`` for rows ``lo`` … ``hi - 1`` (all taken), with the same result: counters
        gain their keys in order of first occurrence and sums add in row order, as row by row."""
        if hi <= lo:
            return
        self.count_status(stats, lo, hi)
        self.count_rows(stats, np.flatnonzero(self.in_scope[lo:hi]) + lo)

    def count_status(self, stats: BatchStats, lo: int, hi: int) -> None:
        """The rows and statuses of :meth:`count` (rows ``lo`` … ``hi - 1``, all taken)."""
        if hi <= lo:
            return
        stats.total += hi - lo
        scope = self.in_scope[lo:hi]
        if scope.all():
            stats.status["ok"] += hi - lo
            return
        for flag, c in _ordered_counts(scope.astype(np.int64)):
            stats.status["ok" if flag else "out_of_scope"] += c

    def count_rows(self, stats: BatchStats, ok: np.ndarray) -> None:
        """The rest of :meth:`count` over the assessed rows ``ok`` (taken, in scope, in order)."""
        if not ok.size:
            return
        li, lr = self.li[ok].astype(np.int64), self.lr[ok].astype(np.int64)
        for level, c in _ordered_counts(li):
            stats.initial_levels[LEVELS[level]] += c
        for level, c in _ordered_counts(lr):
            stats.residual_levels[LEVELS[level]] += c
        regimes = self.frame.regimes
        width = len(regimes.table) + 1
        for key, c in _ordered_counts(lr * width + regimes.codes[ok].astype(np.int64) + 1):
            level, code = divmod(key, width)
            decision = self.words.decision(self.program, level, regimes.table[code - 1] if code else None)[0]
            stats.decisions[decision or ""] += c
        stats.incomplete += int(self.incomplete[ok].sum())
        nl = len(LEVELS)
        kinds, kind_names = _canonical(self.frame.display["kind"], ok, self.kind_table)
        for key, c in _ordered_counts(kinds * nl + lr):
            stats.by_kind.setdefault(kind_names[key // nl], Counter())[LEVELS[key % nl]] += c
        units, unit_names = _canonical(self.frame.display["unit"], ok, self.frame.display["unit"].table)
        for key, c in _ordered_counts(units * nl + lr):
            stats.by_unit.setdefault(unit_names[key // nl], Counter())[LEVELS[key % nl]] += c
        ok_list = ok.tolist()
        init_items, init_counts, init_cats = self._tally(self.initial, ok, ok_list)
        res_items, res_counts, res_cats = self._tally(self.residual, ok, ok_list)
        item_ids = self.words.item_ids
        for k, c in zip(init_items, init_counts, strict=True):
            stats.factor_initial[item_ids[k]] += c
        for k, c in zip(res_items, res_counts, strict=True):
            stats.factor_residual[item_ids[k]] += c
        points = stats.item_points
        if res_items:
            for k in res_items:
                points.setdefault(item_ids[k], 0.0)
            sub = self.shown[res_items][:, ok]
            start = np.asarray([points[item_ids[k]] for k in res_items], dtype=float)
            # Left to right, as ``points[item] += p`` row by row: a cumulative sum adds in order, and the
            # zeros of rows without the finding change nothing (a sum that starts at +0.0 is never -0.0).
            sums = np.cumsum(np.concatenate((start[:, None], sub), axis=1), axis=1)[:, -1].tolist()
            for k, total in zip(res_items, sums, strict=True):
                points[item_ids[k]] = total
        self._count_decisive(stats, ok, lr)
        for cat, c in init_cats:
            stats.category_initial[cat] += c
        for cat, c in res_cats:
            stats.category_residual[cat] += c
        shown = ok[np.isin(lr, _DETAIL_LEVELS)]
        room = max(0, stats.max_details - len(stats.details))
        kept = shown[:room]
        stats.details.defer(self._detail, kept.tolist(), [LEVELS[x] for x in self.lr[kept].tolist()])
        stats.details_omitted += max(0, len(shown) - room)

    def _detail(self, i: int) -> BatchRow:
        """A kept detail row: :meth:`row` with lists of its own (as ``BatchStats.add`` keeps it)."""
        r = self.row(i)
        return BatchRow(
            r.row, r.id, r.status, r.initial_level, r.initial_score, r.residual_level, r.residual_score,
            r.decision, r.incomplete, list(r.findings), name=r.name, kind=r.kind, unit=r.unit,
            explanation=r.explanation, trigger_labels=list(r.trigger_labels), top_items=list(r.top_items),
            decisive=list(r.decisive), level_zh=r.level_zh, decision_zh=r.decision_zh,
        )

    def _count_decisive(self, stats: BatchStats, ok: np.ndarray, lr: np.ndarray) -> None:
        """``stats.decisive`` as row by row: each label counted once per row and trigger that decided the
        level, labels new to the counter in order of (first row, trigger)."""
        changed = lr != self.slr[ok]
        if not changed.any():
            return
        words = self.words
        hit = self.residual.triggers[:, ok]
        counts: dict[str, int] = {}
        first: dict[str, tuple[int, int]] = {}
        for k, label in enumerate(words.trigger_labels):
            mask = hit[k] & changed & (lr == words.trigger_levels[k])
            c = int(mask.sum())
            if c:
                counts[label] = counts.get(label, 0) + c
                at = (int(np.argmax(mask)), k)
                first[label] = min(first.get(label, at), at)
        for label in sorted(counts, key=first.__getitem__):
            stats.decisive[label] += counts[label]

    def _tally(
        self, stage: StageResult, cols: np.ndarray, ok: list[int]
    ) -> tuple[list[int], list[int], list[tuple[str, int]]]:
        """Per stage, over the rows ``cols`` (``ok``: the same as a list): the items found, in order of first
        occurrence in the rows' findings lists, with their row counts; and the categories, in order of first
        occurrence in the rows' category sets, with their row counts."""
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
            for cat in self._findings(stage, ok[r])[2]:  # that row's set, in its iteration order
                if cat in fresh:
                    cats.append((cat, cat_counts[index[cat]]))
        return items, counts[order].tolist(), cats


def _ordered_counts(keys: np.ndarray) -> list[tuple[int, int]]:
    """``Counter(keys).items()`` of integer keys: (key, count) in order of first occurrence."""
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return list(zip(uniq[order].tolist(), counts[order].tolist(), strict=True))


def _canonical(display: Display, rows: np.ndarray, names: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """Per row of ``rows``, an index into distinct values (``names[code]`` of the display's codes, ``None``
    for no text): two codes that name the same value get one index."""
    out: list[Any] = [None]
    index: dict[Any, int] = {None: 0}
    remap = np.zeros(len(names) + 1, dtype=np.int64)
    for j, name in enumerate(names):
        got = index.get(name)
        if got is None:
            got = index[name] = len(out)
            out.append(name)
        remap[j] = got
    codes = display.codes[rows]
    return remap[np.where(codes < 0, len(names), codes)], out


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
