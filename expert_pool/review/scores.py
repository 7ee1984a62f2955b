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
>>> print(batch.errors[0].message("en"))
s.csv, row 3, field 'score': score 7 is outside the allowed range 0–3
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskeval import RuleSet

from ..errors import PoolError
from .items import ScoredItem, find_item

__all__ = [
    "RawRow",
    "Score",
    "ExpertNote",
    "ScoreBatch",
    "ScoreRowError",
    "ReviewFileError",
    "RECORD_KEYS",
    "read_score_rows",
    "validate_rows",
    "load_assignment",
    "load_expert_names",
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


class ReviewFileError(PoolError):
    """A score, assignment or expert file that cannot be read at all (missing, wrong columns)."""

    code = "review_file"


class ScoreRowError(PoolError):
    """One row of a score file with a problem; the row is not aggregated.

    Attributes
    ----------
    value
        The offending value.
    """

    code = "score_row"

    def __init__(self, field: str, value: Any, zh: str, en: str, *, file: str | None, row: int | None) -> None:
        self.value = value
        super().__init__(zh, en, file=file, row=row, field=field)


@dataclass(frozen=True)
class RawRow:
    """One unvalidated row: its fields (stripped text) and where it came from."""

    fields: Mapping[str, str]
    file: str
    row: int

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


# -- reading ------------------------------------------------------------------------------------
def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = []
            for record in reader:
                clean = {k: (v or "").strip() for k, v in record.items() if k is not None and isinstance(v, str)}
                if any(clean.values()):
                    rows.append((reader.line_num, clean))
            return header, rows
    except OSError as exc:
        raise ReviewFileError(f"无法读取：{exc.strerror or exc}", f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReviewFileError(f"不是 UTF-8 CSV：{exc}", f"not a UTF-8 CSV: {exc}", file=str(path)) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(ws: Any) -> list[list[str]]:
    return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]


def _template_rows(ws: Any, display: str) -> list[RawRow]:
    """Long rows from one filled score sheet (see :mod:`expert_pool.review.template`)."""
    project = ""
    out: list[RawRow] = []
    header: list[str] = []
    block = ""
    chair: tuple[int, str] | None = None
    chair_opinion = ""
    for r, cells in enumerate(_sheet_rows(ws), start=1):
        first = cells[0] if cells else ""
        second = cells[1] if len(cells) > 1 else ""
        if first in (PROJECT_MARKER, GRID_MARKER, CHAIR_MARKER, CHAIR_OPINION_MARKER, SIGNATURES_MARKER):
            block = first
            if first == PROJECT_MARKER:
                project = second
            elif first == GRID_MARKER:
                header = cells
            elif first == CHAIR_MARKER and second:
                chair = (r, second)
            elif first == CHAIR_OPINION_MARKER:
                chair_opinion = second
            continue
        if not first:
            block = "" if block in (GRID_MARKER, SIGNATURES_MARKER) else block
            continue
        if block == GRID_MARKER:
            for c, key in enumerate(header):
                value = cells[c] if c < len(cells) else ""
                if c < 2 or not key or not value:
                    continue
                if key == OPINION_HEADER:
                    out.append(RawRow({"project": project, "expert": first, "item": "_opinion", "opinion": value}, display, r))
                else:
                    out.append(RawRow({"project": project, "expert": first, "item": key, "score": value}, display, r))
        elif block == SIGNATURES_MARKER:
            signature = cells[2] if len(cells) > 2 else ""
            date = cells[3] if len(cells) > 3 else ""
            if signature:
                text = f"{signature} {date}".strip()
                out.append(RawRow({"project": project, "expert": first, "item": "_signature", "opinion": text}, display, r))
    if chair is not None:
        out.append(RawRow({"project": project, "expert": chair[1], "item": "_chair", "opinion": chair_opinion}, display, chair[0]))
    return out


def _read_xlsx(path: Path) -> list[RawRow]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise ReviewFileError(f"不是可读的 Excel 文件：{exc}", f"not a readable Excel file: {exc}", file=str(path)) from None
    try:
        out: list[RawRow] = []
        for ws in wb.worksheets:
            rows = _sheet_rows(ws)
            if not rows:
                continue
            head = [h.lower() for h in rows[0]]
            display = f"{path}[{ws.title}]"
            if all(c in head for c in SCORE_COLUMNS):
                for r, cells in enumerate(rows[1:], start=2):
                    record = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(head) if h}
                    if any(record.values()):
                        out.append(RawRow(record, display, r))
                return out
            if any(row[:1] == [GRID_MARKER] for row in rows):
                out.extend(_template_rows(ws, display))
        if not out:
            raise ReviewFileError(
                "没有找到评分：需要表头 project,expert,item,score 的工作表，或已填写的评分表",
                "no scores found: need a sheet with header project,expert,item,score, or filled score sheets",
                file=str(path),
            )
        return out
    finally:
        wb.close()


def read_score_rows(path: str | Path) -> list[RawRow]:
    """Read a score file (CSV or XLSX, long rows or filled score sheets) as unvalidated rows.

    Parameters
    ----------
    path
        ``.csv``, or ``.xlsx`` / ``.xlsm``.

    Returns
    -------
    list of RawRow

    Raises
    ------
    ReviewFileError
        The file cannot be read or lacks the columns ``project,expert,item,score``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(path, "w", encoding="utf-8").write("project,expert,item,score\\nP1,E1,A,2\\n")
    >>> [(r.get("expert"), r.get("score"), r.row) for r in read_score_rows(path)]
    [('E1', '2', 2)]
    """
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        if not p.exists():
            raise ReviewFileError("文件不存在", "file not found", file=str(path))
        return _read_xlsx(p)
    header, rows = _read_csv(p)
    lacking = [c for c in SCORE_COLUMNS if c not in header]
    if lacking:
        raise ReviewFileError(
            f"缺少列：{', '.join(lacking)}（需要 project,expert,item,score[,opinion]）",
            f"missing columns: {', '.join(lacking)} (need project,expert,item,score[,opinion])",
            file=str(path),
            row=1,
        )
    return [RawRow(r, str(path), line) for line, r in rows]


def load_assignment(path: str | Path) -> dict[str, list[str]]:
    """Read an assignment (``riskeval assign`` output ``OUT.csv``, columns ``project,expert[,score]``).

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    dict
        project id -> expert ids in file order.

    Raises
    ------
    ReviewFileError
        The file cannot be read or lacks ``project`` / ``expert``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.csv")
    >>> _ = open(path, "w", encoding="utf-8").write("project,expert,score\\nP1,E1,0.5\\nP1,E2,0.4\\nP2,E1,1\\n")
    >>> load_assignment(path)
    {'P1': ['E1', 'E2'], 'P2': ['E1']}
    """
    header, rows = _read_csv(Path(path))
    lacking = [c for c in ("project", "expert") if c not in header]
    if lacking:
        raise ReviewFileError(
            f"分配结果缺少列：{', '.join(lacking)}", f"the assignment lacks columns: {', '.join(lacking)}", file=str(path), row=1
        )
    out: dict[str, list[str]] = {}
    for _, r in rows:
        if r.get("project") and r.get("expert"):
            panel = out.setdefault(r["project"], [])
            if r["expert"] not in panel:
                panel.append(r["expert"])
    return out


def load_expert_names(path: str | Path) -> dict[str, str]:
    """Expert id -> name from an experts CSV (``expert,unit,max_load,min_load[,name,...]``); name may be empty.

    Raises
    ------
    ReviewFileError
        The file cannot be read or lacks ``expert``.
    """
    header, rows = _read_csv(Path(path))
    if "expert" not in header:
        raise ReviewFileError("专家表缺少列：expert", "the experts file lacks the column expert", file=str(path), row=1)
    return {r["expert"]: r.get("name", "") for _, r in rows if r.get("expert")}


# -- validation ---------------------------------------------------------------------------------
def _err(errors: list[ScoreRowError], raw: RawRow, field: str, value: Any, zh: str, en: str) -> None:
    errors.append(ScoreRowError(field, value, zh, en, file=raw.file, row=raw.row))


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
    s.csv 第 2 行，字段“expert”：专家“E9”未被分配评审项目“P1”（也不在分配结果的任何项目中）
    """
    table = {s.key: s for s in items}
    known_experts = set(experts) if experts is not None else None
    assigned_anywhere = {e for panel in (assignment or {}).values() for e in panel}
    batch = ScoreBatch()
    seen: dict[tuple[str, str, str], int] = {}
    for raw in rows:
        batch.rows += 1
        errors = batch.errors
        project, expert, key = raw.get("project"), raw.get("expert"), raw.get("item")
        bad = False
        for name, value in (("project", project), ("expert", expert), ("item", key)):
            if not value:
                _err(errors, raw, name, value, "不能为空", "must not be empty")
                bad = True
        if bad:
            continue
        if assignment is not None and project not in assignment:
            _err(errors, raw, "project", project, f"项目“{project}”不在分配结果中", f"project '{project}' is not in the assignment")
            continue
        if known_experts is not None and expert not in known_experts:
            _err(errors, raw, "expert", expert, f"未知专家“{expert}”（不在专家表中）", f"unknown expert '{expert}' (not in the experts file)")
            continue
        if assignment is not None and expert not in assignment[project]:
            if expert in assigned_anywhere:
                zh, en = f"专家“{expert}”未被分配评审项目“{project}”", f"expert '{expert}' is not assigned to project '{project}'"
            else:
                zh = f"专家“{expert}”未被分配评审项目“{project}”（也不在分配结果的任何项目中）"
                en = f"expert '{expert}' is not assigned to project '{project}' (nor to any project in the assignment)"
            _err(errors, raw, "expert", expert, zh, en)
            continue
        record = RECORD_KEYS.get(key) or RECORD_KEYS.get(key.lower())
        text = raw.get("opinion")
        if record is not None:
            dup = (project, expert, record)
            if dup in seen:
                _err(errors, raw, "item", key, f"重复的记录行（第 {seen[dup]} 行已有）", f"duplicate record row (already in row {seen[dup]})")
                continue
            if record == "_chair" and project in batch.chairs:
                first = batch.chairs[project][0]
                _err(errors, raw, "expert", expert, f"项目“{project}”已有组长“{first}”", f"project '{project}' already has the chair '{first}'")
                continue
            seen[dup] = raw.row
            if raw.get("score"):
                _err(errors, raw, "score", raw.get("score"), f"记录行“{key}”不应有分值", f"record row '{key}' takes no score")
                continue
            note = batch.notes.setdefault((project, expert), ExpertNote())
            if record == "_chair":
                batch.chairs[project] = (expert, text)
            elif record == "_opinion":
                note.opinion = text
            else:
                note.signature = text or expert
            continue
        item, zh, en = find_item(key, table, ruleset)
        if item is None:
            _err(errors, raw, "item", key, zh, en)
            continue
        text_score = raw.get("score")
        if not text_score:
            _err(errors, raw, "score", "", "缺少分值", "the score is missing")
            continue
        try:
            number = float(text_score)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            _err(errors, raw, "score", text_score, f"分值“{text_score}”不是数值", f"score '{text_score}' is not a number")
            continue
        if not item.contains(number):
            allowed = f"{item.low:g}–{item.high:g}"
            _err(errors, raw, "score", text_score, f"分值 {text_score} 超出允许范围 {allowed}", f"score {text_score} is outside the allowed range {allowed}")
            continue
        dup = (project, expert, item.key)
        if dup in seen:
            _err(
                errors, raw, "item", key,
                f"重复评分：项目“{project}”、专家“{expert}”、条目“{item.key}”已在第 {seen[dup]} 行评过",
                f"duplicate score: project '{project}', expert '{expert}', item '{item.key}' already in row {seen[dup]}",
            )
            continue
        if allowed_keys is not None and (project, item.key) not in allowed_keys:
            _err(
                errors, raw, "item", key,
                f"第二轮只对第一轮有分歧的条目评分：项目“{project}”的条目“{item.key}”第一轮没有分歧",
                f"the second round scores only items flagged in the first: item '{item.key}' of project '{project}' was not flagged",
            )
            continue
        seen[dup] = raw.row
        batch.scores.append(Score(project, expert, item.key, number, text, raw.file, raw.row, round))
        if text:
            batch.notes.setdefault((project, expert), ExpertNote()).item_opinions[item.key] = text
    return batch
