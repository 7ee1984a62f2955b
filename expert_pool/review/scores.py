"""Reading and validating expert scores, assignments and expert lists.

Score files are long: one row per score, columns ``project,expert,item,score[,opinion]`` (CSV in UTF-8,
a BOM accepted, or the first sheet of an XLSX with that header).  A filled score sheet written by
:func:`expert_pool.review.template.write_template` is read as well (each panel sheet becomes long rows).

Besides the rule-set items, four *record* keys carry the panel record (the score column stays empty):

=================  ==========================================================================
``_chair`` / 组长    the expert on the row chairs the panel; ``opinion`` = 组长综合意见
``_opinion`` / 书面意见  the expert's written opinion on the project
``_signature`` / 签名  the expert signed; ``opinion`` = the signature text (name, date)
=================  ==========================================================================

Every row is validated and each problem becomes a :class:`ScoreRowError` naming the file, the row (as a
spreadsheet shows it: header = row 1), the field and the reason; a row with a problem is left out of the
aggregation, and the problem is listed — nothing is dropped silently.

Examples
--------
>>> import riskeval
>>> from expert_pool.review.items import scored_items
>>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
>>> rows = [RawRow({"project": "P1", "expert": "E1", "item": "JS-LEG-1", "score": "2"}, "s.csv", 2),
...         RawRow({"project": "P1", "expert": "E1", "item": "JS-LEG-1", "score": "7"}, "s.csv", 3)]
>>> batch = validate_rows(rows, rs, scored_items(rs), assignment={"P1": ["E1", "E2", "E3"]})
>>> [(s.expert, s.key, s.value) for s in batch.scores]
[('E1', 'JS-LEG-1', 2.0)]
>>> print(batch.errors[0].render("en"))
s.csv: row 3, column 'score': score 7 is outside the allowed range 0–3
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskeval import RuleSet
from riskeval.errors import RiskevalError
from riskeval.i18n import register_messages

from ..errors import Cause, PoolError, PoolFileError
from .items import ScoredItem, find_item

__all__ = [
    "RawRow",
    "Score",
    "ExpertNote",
    "ScoreBatch",
    "ScoreRowError",
    "ReviewFileError",
    "RECORD_KEYS",
    "validate_rows",
]

#: Record keys (and their Chinese spellings) -> canonical key.
RECORD_KEYS: dict[str, str] = {
    "_chair": "_chair",
    "组长": "_chair",
    "_opinion": "_opinion",
    "书面意见": "_opinion",
    "_signature": "_signature",
    "签名": "_signature",
}
SCORE_COLUMNS = ("project", "expert", "item", "score")
#: Marker in column A of a score sheet's grid header (see :mod:`expert_pool.review.template`).
GRID_MARKER = "专家编号 expert"
PROJECT_MARKER = "项目编号 project"
CHAIR_MARKER = "组长 chair"
CHAIR_OPINION_MARKER = "组长综合意见 consolidated opinion"
SIGNATURES_MARKER = "专家签名 signatures"
OPINION_HEADER = "书面意见 opinion"
NAME_HEADER = "姓名 name"


register_messages(
    {
        "pool.review_file.unreadable": {"zh": "无法读取：{detail}", "en": "cannot read: {detail}"},
        "pool.review_file.not_csv": {"zh": "不是 UTF-8 CSV：{detail}", "en": "not a UTF-8 CSV: {detail}"},
        "pool.review_file.not_excel": {"zh": "不是可读的 Excel 文件：{detail}", "en": "not a readable Excel file: {detail}"},
        "pool.review_file.no_scores": {
            "zh": "没有找到评分：需要表头 project,expert,item,score 的工作表，或已填写的评分表",
            "en": "no scores found: need a sheet with header project,expert,item,score, or filled score sheets",
        },
        "pool.review_file.score_columns": {
            "zh": "缺少列：{columns}（需要 project,expert,item,score[,opinion]）",
            "en": "missing columns: {columns} (need project,expert,item,score[,opinion])",
        },
        "pool.review_file.assignment_columns": {
            "zh": "分配结果缺少列：{columns}",
            "en": "the assignment lacks columns: {columns}",
        },
        "pool.review_file.experts_column": {"zh": "专家表缺少列：expert", "en": "the experts file lacks the column expert"},
        "pool.score_row.empty": {"zh": "不能为空", "en": "must not be empty"},
        "pool.score_row.unreadable": {"zh": "{detail}", "en": "{detail}"},
        "pool.score_row.project_not_assigned": {
            "zh": "项目“{value}”不在分配结果中",
            "en": "project '{value}' is not in the assignment",
        },
        "pool.score_row.unknown_expert": {
            "zh": "未知专家“{value}”（不在专家表中）",
            "en": "unknown expert '{value}' (not in the experts file)",
        },
        "pool.score_row.not_assigned": {
            "zh": "专家“{value}”未被分配评审项目“{project}”",
            "en": "expert '{value}' is not assigned to project '{project}'",
        },
        "pool.score_row.not_assigned_anywhere": {
            "zh": "专家“{value}”未被分配评审项目“{project}”（也不在分配结果的任何项目中）",
            "en": "expert '{value}' is not assigned to project '{project}' (nor to any project in the assignment)",
        },
        "pool.score_row.duplicate_record": {
            "zh": "重复的记录行（第 {first_row} 行已有）",
            "en": "duplicate record row (already in row {first_row})",
        },
        "pool.score_row.chair_exists": {
            "zh": "项目“{project}”已有组长“{chair}”",
            "en": "project '{project}' already has the chair '{chair}'",
        },
        "pool.score_row.record_with_score": {"zh": "记录行“{key}”不应有分值", "en": "record row '{key}' takes no score"},
        "pool.score_row.index_needs_part": {
            "zh": "指数法条目须分别写 {base}.probability 与 {base}.impact",
            "en": "an index item takes {base}.probability and {base}.impact",
        },
        "pool.score_row.not_panel": {"zh": "条目“{base}”不由专家组评分", "en": "item '{base}' is not scored by the panel"},
        "pool.score_row.unknown_item": {"zh": "未知条目“{value}”", "en": "unknown item '{value}'"},
        "pool.score_row.unknown_item_hint": {
            "zh": "未知条目“{value}”（是否为“{close}”？）",
            "en": "unknown item '{value}' (did you mean '{close}'?)",
        },
        "pool.score_row.score_missing": {"zh": "缺少分值", "en": "the score is missing"},
        "pool.score_row.not_number": {"zh": "分值“{value}”不是数值", "en": "score '{value}' is not a number"},
        "pool.score_row.out_of_range": {
            "zh": "分值 {value} 超出允许范围 {allowed}",
            "en": "score {value} is outside the allowed range {allowed}",
        },
        "pool.score_row.duplicate_score": {
            "zh": "重复评分：项目“{project}”、专家“{expert}”、条目“{key}”已在第 {first_row} 行评过",
            "en": "duplicate score: project '{project}', expert '{expert}', item '{key}' already in row {first_row}",
        },
        "pool.score_row.round2_not_flagged": {
            "zh": "第二轮只对第一轮有分歧的条目评分：项目“{project}”的条目“{key}”第一轮没有分歧",
            "en": "the second round scores only items flagged in the first: item '{key}' of project '{project}' was "
            "not flagged",
        },
    }
)


class ReviewFileError(PoolFileError):
    """A score, assignment or expert file that cannot be read at all (missing, wrong columns); exit code 2."""

    code = "pool.review_file.unreadable"


class ScoreRowError(PoolError):
    """One row of a score file with a problem; the row is not aggregated (``reason`` names the problem).

    Attributes
    ----------
    value
        The offending value.
    """

    code = "pool.score_row.empty"

    def __init__(self, field: str, value: Any, reason: str, *, file: str | None, row: int | None,
                 **params: Any) -> None:
        self.value = value
        super().__init__(f"pool.score_row.{reason}", file=file, row=row, field=field, value=value, **params)


@dataclass(frozen=True)
class RawRow:
    """One unvalidated row: its fields (stripped text) and where it came from."""

    fields: Mapping[str, str]
    file: str
    row: int
    #: the reader's error when the record could not be read at all (the row is then an error row)
    problem: RiskevalError | None = None

    def get(self, name: str) -> str:
        return str(self.fields.get(name) or "").strip()


@dataclass(frozen=True)
class Score:
    """One valid score."""

    project: str
    expert: str
    key: str
    value: float
    opinion: str = ""
    file: str = ""
    row: int = 0
    round: int = 1


@dataclass
class ExpertNote:
    """An expert's written opinion and signature for one project (from record rows and opinions)."""

    opinion: str = ""
    item_opinions: dict[str, str] = field(default_factory=dict)
    signature: str = ""


@dataclass
class ScoreBatch:
    """The result of validating a score file: valid scores, the panel record parts, and the errors."""

    scores: list[Score] = field(default_factory=list)
    chairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: dict[tuple[str, str], ExpertNote] = field(default_factory=dict)
    errors: list[ScoreRowError] = field(default_factory=list)
    rows: int = 0


# -- validation ---------------------------------------------------------------------------------
def _err(errors: list[ScoreRowError], raw: RawRow, field: str, value: Any, reason: str, **params: Any) -> None:
    errors.append(ScoreRowError(field, value, reason, file=raw.file, row=raw.row, **params))


def validate_rows(
    rows: Iterable[RawRow],
    ruleset: RuleSet,
    items: list[ScoredItem],
    *,
    assignment: Mapping[str, list[str]] | None = None,
    experts: Iterable[str] | None = None,
    round: int = 1,
    allowed_keys: set[tuple[str, str]] | None = None,
) -> ScoreBatch:
    """Validate raw rows into scores, record parts and per-row errors.

    Parameters
    ----------
    rows
        From :func:`read_score_rows`.
    ruleset, items
        The rule set and its scored items (:func:`expert_pool.review.items.scored_items`).
    assignment
        project -> assigned experts; when given, an unknown project, an unknown expert and an expert
        not assigned to the project are errors.
    experts
        Known expert ids (an experts file); an expert not among them is an error.
    round
        1, or 2 for a Delphi round.
    allowed_keys
        Second round only: the ``(project, key)`` pairs flagged in the first round; a score for any
        other pair is an error.

    Returns
    -------
    ScoreBatch

    Examples
    --------
    >>> import riskeval
    >>> from expert_pool.review.items import scored_items
    >>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    >>> rows = [RawRow({"project": "P1", "expert": "E9", "item": "JS-LEG-1", "score": "1"}, "s.csv", 2)]
    >>> print(validate_rows(rows, rs, scored_items(rs), assignment={"P1": ["E1"]}).errors[0])
    s.csv：第 2 行，列“expert”：专家“E9”未被分配评审项目“P1”（也不在分配结果的任何项目中）
    """
    table = {s.key: s for s in items}
    known_experts = set(experts) if experts is not None else None
    assigned_anywhere = {e for panel in (assignment or {}).values() for e in panel}
    batch = ScoreBatch()
    seen: dict[tuple[str, str, str], int] = {}
    for raw in rows:
        batch.rows += 1
        errors = batch.errors
        if raw.problem is not None:
            err = ScoreRowError("-", "", "unreadable", file=raw.file, row=raw.row, detail=Cause(raw.problem))
            if raw.problem.location is not None:
                err.location = raw.problem.location
            errors.append(err)
            continue
        project, expert, key = raw.get("project"), raw.get("expert"), raw.get("item")
        bad = False
        for name, value in (("project", project), ("expert", expert), ("item", key)):
            if not value:
                _err(errors, raw, name, value, "empty")
                bad = True
        if bad:
            continue
        if assignment is not None and project not in assignment:
            _err(errors, raw, "project", project, "project_not_assigned")
            continue
        if known_experts is not None and expert not in known_experts:
            _err(errors, raw, "expert", expert, "unknown_expert")
            continue
        if assignment is not None and expert not in assignment[project]:
            reason = "not_assigned" if expert in assigned_anywhere else "not_assigned_anywhere"
            _err(errors, raw, "expert", expert, reason, project=project)
            continue
        record = RECORD_KEYS.get(key) or RECORD_KEYS.get(key.lower())
        text = raw.get("opinion")
        if record is not None:
            dup = (project, expert, record)
            if dup in seen:
                _err(errors, raw, "item", key, "duplicate_record", first_row=seen[dup])
                continue
            if record == "_chair" and project in batch.chairs:
                first = batch.chairs[project][0]
                _err(errors, raw, "expert", expert, "chair_exists", project=project, chair=first)
                continue
            seen[dup] = raw.row
            if raw.get("score"):
                _err(errors, raw, "score", raw.get("score"), "record_with_score", key=key)
                continue
            note = batch.notes.setdefault((project, expert), ExpertNote())
            if record == "_chair":
                batch.chairs[project] = (expert, text)
            elif record == "_opinion":
                note.opinion = text
            else:
                note.signature = text or expert
            continue
        item, reason, params = find_item(key, table, ruleset)
        if item is None:
            _err(errors, raw, "item", key, reason, **params)
            continue
        text_score = raw.get("score")
        if not text_score:
            _err(errors, raw, "score", "", "score_missing")
            continue
        try:
            number = float(text_score)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            _err(errors, raw, "score", text_score, "not_number")
            continue
        if not item.contains(number):
            allowed = f"{item.low:g}–{item.high:g}"
            _err(errors, raw, "score", text_score, "out_of_range", allowed=allowed)
            continue
        dup = (project, expert, item.key)
        if dup in seen:
            _err(errors, raw, "item", key, "duplicate_score", project=project, expert=expert, key=item.key,
                 first_row=seen[dup])
            continue
        if allowed_keys is not None and (project, item.key) not in allowed_keys:
            _err(errors, raw, "item", key, "round2_not_flagged", project=project, key=item.key)
            continue
        seen[dup] = raw.row
        batch.scores.append(Score(project, expert, item.key, number, text, raw.file, raw.row, round))
        if text:
            batch.notes.setdefault((project, expert), ExpertNote()).item_opinions[item.key] = text
    return batch
