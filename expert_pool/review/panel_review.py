"""The whole panel review: validation, aggregation, the Delphi round and calibration, and its record.

:func:`review_panel` runs the procedure described in :mod:`expert_pool.review.aggregate`;
:class:`PanelReview` holds what it found and writes the PANEL.csv (:meth:`PanelReview.write`) and the
second-round list (:meth:`PanelReview.write_delphi`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskeval import Project, RuleSet
from riskeval.i18n import register_messages, t
from riskeval.panel_scores import write_panel_rows

from ..errors import InvalidParameterError, PoolInputError
from ..writing import write_csv
from .aggregate import METHODS, ItemResult, aggregate_scores, aggregate_value
from .calibrate import Calibration, calibrate_scores, fit_leniency
from .delphi import delphi_list, merge_rounds, rescored_pairs
from .flags import (
    DEFAULT_AGREE_SHARE,
    DEFAULT_SPREAD,
    AssessmentLevelCheck,
    LevelCheck,
    ScaleLevelCheck,
    panel_values,
)
from .items import ScoredItem, scored_items
from .scores import RawRow, ScoreBatch, ScoreRowError, validate_rows

__all__ = ["PanelReview", "review_panel", "DELPHI_COLUMNS"]

register_messages(
    {
        "pool.review.bias.stricter": {"zh": "偏严（评分偏高）", "en": "stricter (rates risk higher)"},
        "pool.review.bias.lenient": {"zh": "偏宽（评分偏低）", "en": "more lenient"},
        "pool.review.bias.neutral": {"zh": "居中", "en": "neutral"},
        "pool.review.summary": {
            "zh": "{projects} 个项目，{values} 个专家组分值（{method}），{rounds} 轮",
            "en": "{projects} projects, {values} panel values ({method}), {rounds} round(s)",
        },
        "pool.review.flagged": {
            "zh": "{n} 个条目有分歧（第二轮评分清单）：",
            "en": "{n} items with disagreement (second-round list):",
        },
        "pool.review.row_errors": {
            "zh": "{n} 行有错误，未计入汇总（其余有效行已汇总并写出）：",
            "en": "{n} rows have errors and were not aggregated (the valid rows were aggregated and written):",
        },
        "pool.review.no_disagreement": {"zh": "无分歧条目", "en": "no disagreement"},
        "pool.review.missing_scores": {
            "zh": "提示：{project} {key} 缺少 {who} 的评分",
            "en": "note: {project} {key} lacks scores of {who}",
        },
    }
)

#: Columns of the second-round (Delphi) list written by :meth:`PanelReview.write_delphi`.
DELPHI_COLUMNS = ("project", "item", "label", "value", "min", "max", "flags", "reason", "scores")


@dataclass
class PanelReview:
    """Everything :func:`review_panel` found: results of both rounds, records, calibration, errors."""

    ruleset: RuleSet
    items: list[ScoredItem]
    results: list[ItemResult]
    first: ScoreBatch
    second: ScoreBatch | None
    calibration: Calibration | None
    assignment: Mapping[str, list[str]] | None
    names: Mapping[str, str]
    method: str

    @property
    def errors(self) -> list[ScoreRowError]:
        """Every row error of both rounds."""
        return list(self.first.errors) + (list(self.second.errors) if self.second else [])

    @property
    def final(self) -> list[ItemResult]:
        """The final result per project and item (round 2 where there was one)."""
        return [r for r in self.results if r.final]

    @property
    def delphi(self) -> list[ItemResult]:
        """Final results still flagged: the list for a (further) Delphi round."""
        return delphi_list(self.results)

    @property
    def projects(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.results:
            seen.setdefault(r.project, None)
        for p in self.first.chairs:
            seen.setdefault(p, None)
        for p, _ in self.first.notes:
            seen.setdefault(p, None)
        return list(seen)

    def panel_values(self, project: str) -> dict[str, Any]:
        """The final panel values of ``project`` as :func:`riskeval.assess` takes them."""
        table = {s.key: s for s in self.items}
        return panel_values({r.key: r.value for r in self.final if r.project == project}, table)

    def _members(self, project: str) -> list[str]:
        if self.assignment is not None and project in self.assignment:
            return list(self.assignment[project])
        seen: dict[str, None] = {}
        for r in self.results:
            if r.project == project:
                for e in r.scores:
                    seen.setdefault(e, None)
        for p, e in self.first.notes:
            if p == project:
                seen.setdefault(e, None)
        return list(seen)

    def panel_rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """The rows of the PANEL.csv (:mod:`riskeval.panel_scores` describes the format)."""
        rows: list[dict[str, Any]] = []
        batches = [self.first] + ([self.second] if self.second else [])
        for project in self.projects:
            rows.extend(r.row(lang) for r in self.results if r.project == project)
            chair = None
            for batch in batches:
                chair = batch.chairs.get(project, chair)
            if chair is not None:
                rows.append(
                    {"project": project, "kind": "chair", "expert": chair[0], "name": self.names.get(chair[0], ""),
                     "text": chair[1]}
                )
            for expert in self._members(project):
                opinion, signature, item_notes = "", "", {}
                for batch in batches:
                    note = batch.notes.get((project, expert))
                    if note is not None:
                        opinion = note.opinion or opinion
                        signature = note.signature or signature
                        item_notes.update(note.item_opinions)
                if not opinion and item_notes:
                    opinion = "; ".join(f"{k}: {v}" for k, v in item_notes.items())
                rows.append(
                    {"project": project, "kind": "expert", "expert": expert, "name": self.names.get(expert, ""),
                     "text": opinion, "signed": int(bool(signature)), "signature": signature}
                )
        if self.calibration is not None and self.calibration.ok:
            for expert, bias in sorted(self.calibration.biases.items()):
                side = "stricter" if bias > 0 else "lenient" if bias < 0 else "neutral"
                text = t(f"pool.review.bias.{side}", lang)
                rows.append(
                    {"project": "*", "kind": "bias", "expert": expert, "name": self.names.get(expert, ""),
                     "value": round(bias, 6), "text": text}
                )
        return rows

    def write(self, path: str | Path, lang: str = "zh") -> None:
        """Write the PANEL.csv."""
        write_panel_rows(path, self.panel_rows(lang))

    def delphi_rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """The rows of the second-round list (columns :data:`DELPHI_COLUMNS`)."""
        out = []
        for r in self.delphi:
            row = r.row(lang)
            out.append({"project": r.project, "item": r.key, "label": r.item.label, "value": row["value"],
                        "min": row["min"], "max": row["max"], "flags": row["flags"], "reason": row["reason"],
                        "scores": row["scores"]})
        return out

    def write_delphi(self, path: str | Path, lang: str = "zh") -> None:
        """Write the second-round (Delphi) list as CSV (UTF-8 with BOM; text cells neutralised)."""
        write_csv(path, DELPHI_COLUMNS, self.delphi_rows(lang), bom=True)

    def raise_for_errors(self) -> None:
        """Raise :class:`~expert_pool.errors.PoolInputError` listing every row error of both rounds, if any."""
        if self.errors:
            raise PoolInputError(self.errors, code="pool.review.row_errors")

    def summary(self, lang: str = "zh") -> str:
        """A short account: projects, items, flagged items (the Delphi list), missing scores, calibration."""
        final = self.final
        rounds = 2 if any(r.round == 2 for r in self.results) else 1
        lines = [t("pool.review.summary", lang, projects=len(self.projects), values=len(final), method=self.method,
                   rounds=rounds)]
        flagged = self.delphi
        if flagged:
            lines.append(t("pool.review.flagged", lang, n=len(flagged)))
            for r in flagged:
                lines.append(f"  {r.project} {r.key}: {r.reason(lang)}")
        else:
            lines.append(t("pool.review.no_disagreement", lang))
        for r in final:
            if r.missing:
                who = ", ".join(r.missing)
                lines.append("  " + t("pool.review.missing_scores", lang, project=r.project, key=r.key, who=who))
        if self.calibration is not None:
            lines.append(self.calibration.message(lang))
        return "\n".join(lines)


def review_panel(
    rows: Iterable[RawRow],
    ruleset: RuleSet,
    *,
    round2: Iterable[RawRow] | None = None,
    assignment: Mapping[str, list[str]] | None = None,
    experts: Mapping[str, str] | None = None,
    method: str = "median",
    spread: float = DEFAULT_SPREAD,
    agree_share: float = DEFAULT_AGREE_SHARE,
    calibrate: bool = False,
    projects: Mapping[str, Project] | None = None,
    items: list[ScoredItem] | None = None,
) -> PanelReview:
    """Validate, aggregate, run the Delphi round and calibrate: the whole panel review.

    Parameters
    ----------
    rows
        First-round rows (:func:`expert_pool.review.score_files.read_score_rows`).
    ruleset
        The rule set.
    round2
        Second-round rows, scoring only items flagged in the first round.
    assignment
        project -> assigned experts (validation, missing scores, panel members).
    experts
        expert id -> name (an experts file): unknown experts become errors; names go to the record.
    method, spread, agree_share
        See the module docstring.
    calibrate
        Fit the leniency model and report calibrated values (``value`` = calibrated, ``raw_value`` beside).
    projects
        project id -> :class:`riskeval.Project` for the assessment-based level test.
    items
        Scored items (default :func:`expert_pool.review.items.scored_items`).

    Returns
    -------
    PanelReview

    Raises
    ------
    InvalidParameterError
        An unknown method or a threshold outside ``[0, 1]`` (exit code 2).

    Examples
    --------
    >>> import riskeval
    >>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    >>> raw = [RawRow({"project": "P1", "expert": e, "item": "JS-RSN-4", "score": v}, "s.csv", i + 2)
    ...        for i, (e, v) in enumerate([("E1", "0"), ("E2", "4"), ("E3", "2")])]
    >>> review = review_panel(raw, rs)
    >>> r = review.final[0]
    >>> r.value, r.n, [f.code for f in r.flags]
    (2.0, 3, ['spread', 'level'])
    >>> again = [RawRow({"project": "P1", "expert": e, "item": "JS-RSN-4", "score": v}, "s2.csv", i + 2)
    ...          for i, (e, v) in enumerate([("E1", "2"), ("E2", "2")])]
    >>> review = review_panel(raw, rs, round2=again)
    >>> [(r.round, r.final, r.value, r.disagreement) for r in review.results]
    [(1, False, 2.0, True), (2, True, 2.0, False)]
    """
    if method not in METHODS:
        raise InvalidParameterError("pool.invalid_parameter.aggregate_method", field="method", value=method)
    for name, value in (("spread", spread), ("agree_share", agree_share)):
        if not (0.0 <= value <= 1.0) or math.isnan(value):
            raise InvalidParameterError("pool.invalid_parameter.share", field=name, value=value)
    items = items if items is not None else scored_items(ruleset)
    table = {s.key: s for s in items}
    check: LevelCheck = AssessmentLevelCheck(ruleset, projects, table) if projects else ScaleLevelCheck()
    known = list(experts) if experts else None
    first = validate_rows(rows, ruleset, items, assignment=assignment, experts=known, round=1)
    settings: dict[str, Any] = dict(
        method=method, spread=spread, agree_share=agree_share, level_check=check, assignment=assignment
    )
    results = aggregate_scores(first.scores, items, round=1, **settings)
    second: ScoreBatch | None = None
    final_scores = list(first.scores)
    if round2 is not None:
        flagged = {(r.project, r.key) for r in results if r.disagreement}
        second = validate_rows(
            round2, ruleset, items, assignment=assignment, experts=known, round=2, allowed_keys=flagged
        )
        final_scores = merge_rounds(first.scores, second.scores)
        again = rescored_pairs(second.scores)
        base: dict[str, dict[str, float]] = {}
        for r in results:
            base.setdefault(r.project, {})[r.key] = r.value
        merged = [s for s in final_scores if (s.project, s.key) in again]
        round2_results = aggregate_scores(merged, items, round=2, base_values=base, **settings)
        for r in results:
            if (r.project, r.key) in again:
                r.final = False
        by_pair = {(r.project, r.key): r for r in round2_results}
        ordered: list[ItemResult] = []
        for r in results:
            ordered.append(r)
            if (r.project, r.key) in by_pair:
                ordered.append(by_pair[(r.project, r.key)])
        results = ordered
    calibration: Calibration | None = None
    if calibrate:
        calibration = fit_leniency(final_scores, table)
        if calibration.ok:
            adjusted = calibrate_scores(final_scores, calibration, table)
            per_pair: dict[tuple[str, str], list[float]] = {}
            for s in adjusted:
                per_pair.setdefault((s.project, s.key), []).append(s.value)
            for r in results:
                if r.final and (r.project, r.key) in per_pair:
                    item = table[r.key]
                    value = aggregate_value(per_pair[(r.project, r.key)], method)
                    r.calibrated_value = min(max(value, item.low), item.high)
                    r.value = r.calibrated_value
    return PanelReview(
        ruleset=ruleset,
        items=items,
        results=results,
        first=first,
        second=second,
        calibration=calibration,
        assignment=assignment,
        names=dict(experts or {}),
        method=method,
    )

