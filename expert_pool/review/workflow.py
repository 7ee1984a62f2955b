"""The review steps from files, as library calls: what ``riskeval review template`` and ``aggregate`` do.

:func:`make_template` reads an assignment (and optionally an experts file for names) and writes the score
workbook; :func:`aggregate_files` reads the scores (and the optional assignment, experts file, second
round and projects), runs :func:`~expert_pool.review.panel_review.review_panel`, writes the PANEL.csv and
optionally the second-round (Delphi) list.  Write failures become
:class:`~expert_pool.errors.PoolFileError` (exit code 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from riskeval import RuleSet
from riskeval.i18n import register_messages, t

from ..errors import InvalidParameterError, PoolFileError
from .flags import DEFAULT_AGREE_SHARE, DEFAULT_SPREAD
from .items import ScoredItem, scored_items
from .panel_review import PanelReview, review_panel
from .score_files import load_assignment, load_expert_names, read_score_rows
from .scores import ReviewFileError
from .template import write_template

__all__ = ["TemplateReport", "make_template", "aggregate_files", "TEMPLATE_SUFFIXES"]

#: Workbook suffixes a score template may have.
TEMPLATE_SUFFIXES = (".xlsx", ".xlsm")

register_messages(
    {
        "pool.review.template_written": {
            "zh": "已写出评分表 {path}：{n} 个专家组（{sheets}），{items} 个评分条目{note}",
            "en": "wrote score sheets {path}: {n} panels ({sheets}), {items} scored items{note}",
        },
        "pool.review.all_items": {
            "zh": "；规则集未指定专家评分条目（panel: true），列出全部条目",
            "en": "; the rule set marks no item panel: true, so every item is offered",
        },
        "pool.review_file.empty_assignment": {"zh": "分配结果中没有专家组", "en": "the assignment has no panel"},
        "pool.invalid_parameter.template_suffix": {
            "zh": "评分表须为 Excel 工作簿（{suffixes}），而不是“{value}”",
            "en": "the score sheets must be an Excel workbook ({suffixes}), not '{value}'",
        },
        "pool.review.written": {"zh": "已写出 {path}", "en": "wrote {path}"},
        "pool.review.delphi_written": {"zh": "第二轮评分清单已写出 {path}", "en": "wrote the second-round list {path}"},
    }
)

_T = TypeVar("_T")


def _ruleset(rules: RuleSet | str | Path) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    import riskeval

    return riskeval.load_ruleset(rules)


def _writing(path: str | Path, write: Callable[[], _T]) -> _T:
    try:
        return write()
    except OSError as exc:
        raise PoolFileError("pool.file.write_failed", file=str(path), detail=exc.strerror or str(exc)) from None


@dataclass
class TemplateReport:
    """What :func:`make_template` wrote."""

    path: str
    titles: list[str]
    items: list[ScoredItem]

    def message(self, lang: str = "zh") -> str:
        """One line: the file, the panels (first five sheet titles) and the number of scored items."""
        note = "" if any(i.panel for i in self.items) else t("pool.review.all_items", lang)
        shown = ", ".join(self.titles[:5]) + ("…" if len(self.titles) > 5 else "")
        return t("pool.review.template_written", lang, path=self.path, n=len(self.titles), sheets=shown,
                 items=len(self.items), note=note)


def make_template(assignment: str | Path, rules: RuleSet | str | Path, out: str | Path, *,
                  experts: str | Path | None = None) -> TemplateReport:
    """Write the score workbook ``out`` (``.xlsx``) for every panel of the assignment file.

    Raises
    ------
    InvalidParameterError
        ``out`` is not an ``.xlsx`` / ``.xlsm`` path.
    ReviewFileError
        The assignment or experts file cannot be used, or the assignment has no panel.
    PoolFileError
        The workbook cannot be written.
    """
    if Path(out).suffix.lower() not in TEMPLATE_SUFFIXES:
        raise InvalidParameterError("pool.invalid_parameter.template_suffix", field="out", value=str(out),
                                    suffixes=", ".join(TEMPLATE_SUFFIXES))
    ruleset = _ruleset(rules)
    panels = load_assignment(assignment)
    if not panels:
        raise ReviewFileError("pool.review_file.empty_assignment", file=str(assignment))
    names = load_expert_names(experts) if experts else {}
    items = scored_items(ruleset)
    titles = _writing(out, lambda: write_template(out, panels, ruleset, names=names, items=items))
    return TemplateReport(str(out), titles, items)


def aggregate_files(
    scores: str | Path,
    rules: RuleSet | str | Path,
    out: str | Path,
    *,
    assignment: str | Path | None = None,
    experts: str | Path | None = None,
    method: str = "median",
    spread: float = DEFAULT_SPREAD,
    agree_share: float = DEFAULT_AGREE_SHARE,
    round2: str | Path | None = None,
    calibrate: bool = False,
    projects: Iterable[str | Path] = (),
    delphi_out: str | Path | None = None,
    lang: str = "zh",
) -> PanelReview:
    """Validate and aggregate a score file and write the PANEL.csv (and the Delphi list to ``delphi_out``).

    Row problems do not stop the aggregation: they are in :attr:`PanelReview.errors`
    (:meth:`PanelReview.raise_for_errors` raises them together after the files are written).

    Raises
    ------
    InvalidParameterError
        An unknown method or a threshold outside ``[0, 1]``.
    ReviewFileError, PoolFileError
        An input cannot be read or an output cannot be written.
    riskeval.ProjectError, riskeval.RuleSetError
        A project file or the rule set has problems.
    """
    from riskeval.pipeline import load_project

    ruleset = _ruleset(rules)
    panels = load_assignment(assignment) if assignment else None
    names = load_expert_names(experts) if experts else None
    rows = read_score_rows(scores)
    rows2 = read_score_rows(round2) if round2 else None
    known: dict[str, Any] = {}
    for path in projects:
        project = load_project(path)
        known[project.id] = project
    review = review_panel(rows, ruleset, round2=rows2, assignment=panels, experts=names, method=method,
                          spread=spread, agree_share=agree_share, calibrate=calibrate, projects=known or None)
    _writing(out, lambda: review.write(out, lang))
    if delphi_out is not None:
        _writing(delphi_out, lambda: review.write_delphi(delphi_out, lang))
    return review
