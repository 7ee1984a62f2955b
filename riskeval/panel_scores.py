"""The expert panel's result as data: reading a ``PANEL.csv`` into panel values and the panel record.

``riskeval review aggregate`` (package :mod:`expert_pool.review`) writes the file; riskeval reads it
here without importing :mod:`expert_pool` (architecture: a panel's result reaches the assessment as
data).  The file is UTF-8 CSV (a BOM is accepted) with the columns :data:`PANEL_COLUMNS`; each row has
a ``kind``:

``value``
    One panel value: ``project``, ``item`` (rule-set item id), ``part`` (``points`` for the points
    method, ``probability`` or ``impact`` for the index method), ``round`` (1 or 2), ``final`` (1 for
    the value the assessment uses, 0 for a first-round value replaced in the Delphi round), ``value``
    and the statistics (``method``, ``n``, ``min``, ``max``, ``std``, ``disagreement``, ``reason``,
    ``raw_value``, ``calibrated_value``, ``scores``).
``chair``
    The panel's 组长: ``expert``, ``name`` and the consolidated opinion (组长综合意见) in ``text``.
``expert``
    One panel member's signature line: ``expert``, ``name``, the written opinion (书面意见) in
    ``text`` and ``signed`` (1 when the expert signed, the signature text in ``signature``).
``bias``
    A fitted expert bias from calibration (``expert``, ``value`` as a share of each item's range).

Only ``value`` rows with ``final`` = 1 become panel values; the others are kept for the record.

Examples
--------
>>> import tempfile, os
>>> rows = [
...     {"project": "P1", "kind": "value", "item": "A", "part": "points", "round": "1", "final": "1",
...      "value": "2", "n": "3", "disagreement": "0"},
...     {"project": "P1", "kind": "value", "item": "F", "part": "probability", "round": "1", "final": "1",
...      "value": "0.5", "n": "3", "disagreement": "0"},
...     {"project": "P1", "kind": "value", "item": "F", "part": "impact", "round": "1", "final": "1",
...      "value": "0.3", "n": "3", "disagreement": "0"},
...     {"project": "P1", "kind": "chair", "expert": "E1", "name": "张三", "text": "同意，风险可控"},
...     {"project": "P1", "kind": "expert", "expert": "E1", "name": "张三", "signed": "1", "signature": "张三"},
... ]
>>> path = os.path.join(tempfile.mkdtemp(), "PANEL.csv")
>>> write_panel_rows(path, rows)
>>> load_panel_values(path, "P1")
{'A': 2.0, 'F': {'probability': 0.5, 'impact': 0.3}}
>>> record = load_panel_record(path, "P1")
>>> record["chair"], record["consolidated_opinion"], record["signature_lines"]
('E1', '同意，风险可控', ['E1 张三：张三（已签）'])
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .check import ProjectError, ProjectProblem
from .errors import InputError
from .i18n import register_messages
from .io.tables import open_table, safe_cell
from .model.project import Project

__all__ = [
    "PANEL_COLUMNS",
    "PanelFileError",
    "load_panel_values",
    "load_panel_record",
    "load_panel",
    "apply_panel",
    "write_panel_rows",
]

#: The columns of a PANEL.csv file, in order.
PANEL_COLUMNS: tuple[str, ...] = (
    "project",
    "kind",
    "item",
    "part",
    "label",
    "round",
    "final",
    "value",
    "method",
    "n",
    "assigned",
    "min",
    "max",
    "std",
    "disagreement",
    "flags",
    "reason",
    "raw_value",
    "calibrated_value",
    "scores",
    "missing",
    "expert",
    "name",
    "text",
    "signed",
    "signature",
)

register_messages(
    {
        "panel.file": {"zh": "无法读取专家组评分文件：{detail}", "en": "cannot read the panel file: {detail}"},
        "panel.row": {"zh": "专家组评分文件的这一行无法读取：{reason}", "en": "this line of the panel file cannot be read: {reason}"},
        "panel.columns": {
            "zh": "专家组评分文件缺少列：{columns}（应由 riskeval review aggregate 生成）",
            "en": "the panel file lacks columns: {columns} (write it with riskeval review aggregate)",
        },
        "panel.no_project": {
            "zh": "专家组评分文件中没有项目 “{project}” 的评分（文件中的项目：{known}）",
            "en": "the panel file has no values for project '{project}' (projects in the file: {known})",
        },
        "panel.bad_value": {
            "zh": "条目 “{item}” 的分值 “{value}” 不是数值",
            "en": "value '{value}' of item '{item}' is not a number",
        },
        "panel.bad_part": {
            "zh": "条目 “{item}” 的 part “{part}” 应为 points、probability 或 impact",
            "en": "part '{part}' of item '{item}' must be points, probability or impact",
        },
        "panel.half_index": {
            "zh": "指数法条目 “{item}” 只有 {have}，缺少 {lack}",
            "en": "index item '{item}' has {have} but lacks {lack}",
        },
    }
)

_REQUIRED = ("project", "kind", "item", "part", "final", "value")
_TRUE = {"1", "true", "yes", "是", "y", "t"}


class PanelFileError(ProjectError):
    """A PANEL.csv that cannot be used (unreadable, wrong columns, no rows for the project, bad value).

    It is a :class:`riskeval.ProjectError`, so the CLI reports it like any other project-data problem.
    """


def _problem(code: str, file: str, line: int = 1, **params: object) -> ProjectProblem:
    return ProjectProblem("panel", code, dict(params), file, line, 1)


def _unquote(text: str) -> str:
    """Undo the formula-injection guard of :func:`write_panel_rows` (``'-2`` was written for ``-2``)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r" else text


def _read(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a PANEL.csv as ``(input line, {column: text})``, read by :mod:`riskeval.io.tables`."""
    source = str(path)
    try:
        with open_table(path, kind="csv") as table:
            header = table.headers or []
            lacking = [c for c in _REQUIRED if c not in header]
            if lacking:
                raise PanelFileError([_problem("panel.columns", source, columns=", ".join(lacking))])
            rows = []
            problems: list[ProjectProblem] = []
            for record in table:
                if record.blank:
                    continue
                if record.error is not None:
                    err = record.error
                    problems.append(_problem("panel.row", source, record.row, reason_code=err.code, reason_params=err.params))
                    continue
                clean = {k.strip(): _unquote("" if v is None else str(v).strip()) for k, v in record.values.items()}
                rows.append((record.row, clean))
            if problems:
                raise PanelFileError(problems)
            return rows
    except InputError as exc:
        raise PanelFileError([_problem("panel.file", source, detail=exc.message("zh"))]) from None


def _project_rows(path: str | Path, project_id: str) -> list[tuple[int, dict[str, str]]]:
    rows = _read(path)
    mine = [(line, r) for line, r in rows if r.get("project") == str(project_id)]
    if not mine:
        known = sorted({r.get("project", "") for _, r in rows if r.get("project") not in ("", "*")})
        raise PanelFileError(
            [_problem("panel.no_project", str(path), project=project_id, known=", ".join(known) or "-")]
        )
    return mine


def _values(path: str | Path, rows: list[tuple[int, dict[str, str]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[ProjectProblem] = []
    for line, row in rows:
        if row.get("kind") != "value" or row.get("final", "").lower() not in _TRUE:
            continue
        item, part, text = row["item"], row.get("part") or "points", row.get("value", "")
        try:
            value = float(text)
        except ValueError:
            problems.append(_problem("panel.bad_value", str(path), line, item=item, value=text))
            continue
        if part == "points":
            out[item] = value
        elif part in ("probability", "impact"):
            entry = out.setdefault(item, {})
            if isinstance(entry, dict):
                entry[part] = value
        else:
            problems.append(_problem("panel.bad_part", str(path), line, item=item, part=part))
    for item, entry in out.items():
        if isinstance(entry, dict) and len(entry) == 1:
            have = next(iter(entry))
            lack = "impact" if have == "probability" else "probability"
            problems.append(_problem("panel.half_index", str(path), 1, item=item, have=have, lack=lack))
    if problems:
        raise PanelFileError(problems)
    return out


def load_panel_values(path: str | Path, project_id: str) -> dict[str, Any]:
    """The panel values of one project, in the form :func:`riskeval.assess` takes as ``panel``.

    Parameters
    ----------
    path
        A PANEL.csv written by ``riskeval review aggregate``.
    project_id
        The project's id (``Project.id``).

    Returns
    -------
    dict
        item id -> number (points method) or item id -> ``{"probability": p, "impact": i}`` (index
        method); only the final values (the second Delphi round where there was one).

    Raises
    ------
    PanelFileError
        The file cannot be read, lacks columns, has no rows for the project or holds a bad value.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.csv")
    >>> write_panel_rows(path, [
    ...     {"project": "P1", "kind": "value", "item": "A", "part": "points", "round": "1", "final": "0", "value": "4"},
    ...     {"project": "P1", "kind": "value", "item": "A", "part": "points", "round": "2", "final": "1", "value": "2"}])
    >>> load_panel_values(path, "P1")
    {'A': 2.0}
    >>> try:
    ...     load_panel_values(path, "P9")
    ... except PanelFileError as exc:
    ...     print(exc.short("en"))
    the panel file has no values for project 'P9' (projects in the file: P1)
    """
    return _values(path, _project_rows(path, project_id))


def _record(path: str | Path, rows: list[tuple[int, dict[str, str]]]) -> dict[str, Any]:
    chair: dict[str, str] | None = None
    experts: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    rounds = 1
    method = ""
    for _, row in rows:
        kind = row.get("kind")
        if kind == "chair":
            chair = row
        elif kind == "expert":
            signed = row.get("signed", "").lower() in _TRUE
            name = row.get("name", "")
            who = f"{row.get('expert', '')} {name}".strip()
            status = f"{row.get('signature') or name}（已签）" if signed else "________（未签）"
            experts.append(
                {
                    "expert": row.get("expert", ""),
                    "name": name,
                    "opinion": row.get("text", ""),
                    "signed": signed,
                    "signature": row.get("signature", ""),
                    "signature_line": f"{who}：{status}",
                }
            )
        elif kind == "value":
            rounds = max(rounds, int(row.get("round") or 1))
            method = row.get("method") or method
            if row.get("final", "").lower() in _TRUE and row.get("disagreement", "").lower() in _TRUE:
                disagreements.append(
                    {"item": row["item"], "part": row.get("part", ""), "reason": row.get("reason", "")}
                )
    return {
        "source": str(path),
        "chair": chair.get("expert", "") if chair else None,
        "chair_name": chair.get("name", "") if chair else None,
        "consolidated_opinion": chair.get("text", "") if chair else None,
        "experts": experts,
        "signature_lines": [e["signature_line"] for e in experts],
        "rounds": rounds,
        "method": method,
        "unresolved_disagreements": disagreements,
    }


def load_panel_record(path: str | Path, project_id: str) -> dict[str, Any]:
    """The panel record of one project, for :attr:`riskeval.Project.panel_record`.

    Parameters
    ----------
    path
        A PANEL.csv written by ``riskeval review aggregate``.
    project_id
        The project's id.

    Returns
    -------
    dict
        ``chair`` (组长's expert id, ``None`` when the file names none), ``chair_name``,
        ``consolidated_opinion`` (组长综合意见), ``experts`` (one entry per panel member: ``expert``,
        ``name``, ``opinion`` 书面意见, ``signed``, ``signature``, ``signature_line``),
        ``signature_lines`` (the lines as text), ``rounds`` (1 or 2), ``method`` and
        ``unresolved_disagreements`` (final values still flagged).

    Raises
    ------
    PanelFileError
        The file cannot be read, lacks columns or has no rows for the project.
    """
    return _record(path, _project_rows(path, project_id))


def load_panel(path: str | Path, project_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both :func:`load_panel_values` and :func:`load_panel_record`, reading the file once.

    Returns
    -------
    tuple
        ``(values, record)``.

    Raises
    ------
    PanelFileError
        As :func:`load_panel_values`.
    """
    rows = _project_rows(path, project_id)
    return _values(path, rows), _record(path, rows)


def apply_panel(project: Project, path: str | Path) -> Project:
    """A copy of ``project`` whose ``panel`` and ``panel_record`` come from the PANEL.csv ``path``.

    The copy's hash (:func:`riskeval.pipeline.project_hash`) then covers the panel's values and record,
    so a gate ledger entry records what the panel decided.

    Parameters
    ----------
    project
        The project to assess.
    path
        A PANEL.csv written by ``riskeval review aggregate``.

    Returns
    -------
    Project

    Raises
    ------
    PanelFileError
        As :func:`load_panel_values`.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.csv")
    >>> write_panel_rows(path, [{"project": "P1", "kind": "value", "item": "A", "part": "points",
    ...                          "round": "1", "final": "1", "value": "3"}])
    >>> p = apply_panel(Project(id="P1"), path)
    >>> p.panel, p.panel_record["chair"]
    ({'A': 3.0}, None)
    """
    values, record = load_panel(path, project.id)
    copy = project.model_copy(update={"panel": values, "panel_record": record})
    copy._source = project._source
    copy._positions = project._positions
    return copy


def write_panel_rows(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write rows (mappings over :data:`PANEL_COLUMNS`; missing keys stay empty) as a PANEL.csv.

    The file is UTF-8 with a BOM so that Excel shows the Chinese text; text cells that a spreadsheet would
    run as a formula get a leading ``'`` (:func:`riskeval.io.tables.safe_cell`; the reader here removes it).

    Parameters
    ----------
    path
        The file to write.
    rows
        The rows; keys outside :data:`PANEL_COLUMNS` are ignored.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PANEL_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else safe_cell(row.get(k)) for k in PANEL_COLUMNS})
