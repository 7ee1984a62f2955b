"""Reading score files, assignments and expert lists (the review's inputs).

A score file is CSV (UTF-8, a BOM accepted) or XLSX: long rows ``project,expert,item,score[,opinion]``, or
the filled score sheets of :func:`expert_pool.review.template.write_template`.  Cells that expert_pool
neutralised against formula injection (a leading ``'``) are read back as written
(:func:`expert_pool.writing.unsafe_cell`).

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "out.csv")
>>> _ = open(path, "w", encoding="utf-8").write("project,expert,score\\n'-2,E1,0.5\\n")
>>> load_assignment(path)
{'-2': ['E1']}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from riskeval.errors import InputError, RiskevalError
from riskeval.io.tables import open_table

from ..errors import Cause, PoolInputError, UnreadableRowError
from ..tabular import cell_text
from ..writing import unsafe_cell
from .scores import (
    CHAIR_MARKER,
    CHAIR_OPINION_MARKER,
    GRID_MARKER,
    OPINION_HEADER,
    PROJECT_MARKER,
    SCORE_COLUMNS,
    SIGNATURES_MARKER,
    RawRow,
    ReviewFileError,
)

__all__ = ["read_score_rows", "load_assignment", "load_expert_names"]


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[RiskevalError]]:
    """Header (lower-cased), ``(row, {column: text})`` of the non-blank records, and the unreadable records.

    Through :func:`riskeval.io.tables.open_table`: UTF-8 or GB18030, with or without BOM.
    """
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RiskevalError] = []
    try:
        if path.is_dir():
            raise IsADirectoryError(str(path))
        with open_table(path, kind="csv") as table:
            raw_header = list(table.headers or [])
            header = [h.strip().lower() for h in raw_header]
            for record in table:
                if record.blank:
                    continue
                if record.error is not None:
                    problems.append(record.error)
                    continue
                clean = {h: unsafe_cell(cell_text(record.values.get(r))) for h, r in zip(header, raw_header, strict=True)
                         if h}
                if any(clean.values()):
                    rows.append((record.row, clean))
    except InputError as exc:
        if exc.code == "input.not_found":
            raise ReviewFileError("pool.file.not_found", file=str(path)) from None
        raise ReviewFileError("pool.file.reader", location=exc.location, detail=Cause(exc)) from None
    except OSError as exc:
        raise ReviewFileError("pool.review_file.unreadable", detail=exc.strerror or str(exc), file=str(path)) from None
    return header, rows, problems


def _raise_unreadable(path: str | Path, problems: list[RiskevalError]) -> None:
    if problems:
        raise PoolInputError([UnreadableRowError.from_row_error(p) for p in problems], file=str(path))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(unsafe_cell(str(value).strip()))


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


def _long_sheet_rows(path: Path, sheet: str, display: str) -> list[RawRow]:
    """Long rows (``project,expert,item,score``) of one worksheet, through the table reader."""
    out: list[RawRow] = []
    try:
        with open_table(path, kind="xlsx", sheet=sheet) as table:
            raw_header = list(table.headers or [])
            header = [h.strip().lower() for h in raw_header]
            for record in table:
                if record.blank:
                    continue
                if record.error is not None:
                    out.append(RawRow({}, display, record.row, problem=record.error))
                    continue
                fields = {h: _cell(record.values.get(r)) for h, r in zip(header, raw_header,
                                                                                           strict=True) if h}
                if any(fields.values()):
                    out.append(RawRow(fields, display, record.row))
    except InputError as exc:
        raise ReviewFileError("pool.file.reader", location=exc.location, detail=Cause(exc)) from None
    return out


def _read_xlsx(path: Path) -> list[RawRow]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise ReviewFileError("pool.review_file.not_excel", detail=str(exc), file=str(path)) from None
    try:
        out: list[RawRow] = []
        for ws in wb.worksheets:
            rows = _sheet_rows(ws)
            if not rows:
                continue
            head = [h.lower() for h in rows[0]]
            display = f"{path}[{ws.title}]"
            if all(c in head for c in SCORE_COLUMNS):
                return _long_sheet_rows(path, ws.title, display)
            if any(row[:1] == [GRID_MARKER] for row in rows):
                out.extend(_template_rows(ws, display))
        if not out:
            raise ReviewFileError("pool.review_file.no_scores", file=str(path))
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
            raise ReviewFileError("pool.file.not_found", file=str(path))
        return _read_xlsx(p)
    header, rows, problems = _read_csv(p)
    lacking = [c for c in SCORE_COLUMNS if c not in header]
    if lacking:
        raise ReviewFileError("pool.review_file.score_columns", columns=", ".join(lacking), file=str(path), row=1)
    out = [RawRow(r, str(path), line) for line, r in rows]
    out.extend(RawRow({}, str(path), p.location.row if p.location and p.location.row else 0, problem=p)
               for p in problems)
    return sorted(out, key=lambda r: r.row)


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
    header, rows, problems = _read_csv(Path(path))
    _raise_unreadable(path, problems)
    lacking = [c for c in ("project", "expert") if c not in header]
    if lacking:
        raise ReviewFileError("pool.review_file.assignment_columns", columns=", ".join(lacking), file=str(path), row=1)
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
    header, rows, problems = _read_csv(Path(path))
    _raise_unreadable(path, problems)
    if "expert" not in header:
        raise ReviewFileError("pool.review_file.experts_column", file=str(path), row=1)
    return {r["expert"]: r.get("name", "") for _, r in rows if r.get("expert")}


