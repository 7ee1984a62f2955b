"""No formula in any file expert_pool writes (CWE-1236): assignment CSV, score sheets, PANEL.csv, Delphi list.

An injection corpus goes through every writer as expert ids, names, units and project ids.  Every text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading ``'``
(also when it looks numeric); numbers stay numbers; no workbook cell is a formula; and the ids survive the
round trip through the readers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

import riskeval
from expert_pool.assign.files import assign_files
from expert_pool.review import load_assignment, read_score_rows
from expert_pool.review.scores import GRID_MARKER
from expert_pool.review.workflow import aggregate_files, make_template
from expert_pool.writing import safe_cell, unsafe_cell, write_csv
from riskeval.panel_scores import load_panel_values

#: ids and names a hostile or careless input may carry
CORPUS = ["=cmd|' /C calc'!A0", "-2", "@x", "+1", "=HYPERLINK(\"http://x\")", "-1+1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _raw_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _assert_neutral(cell: object) -> None:
    """A written text cell never begins with a formula trigger."""
    if isinstance(cell, str) and cell:
        assert cell[0] not in DANGEROUS, repr(cell)


@pytest.mark.parametrize("text", [*CORPUS, "\t=1", "\r=1"])
def test_safe_cell_round_trip(text: str) -> None:
    assert safe_cell(text) == "'" + text and unsafe_cell(safe_cell(text)) == text
    assert safe_cell(-2) == -2 and safe_cell(0.5) == 0.5 and safe_cell("ok") == "ok"


def test_write_csv_numbers_stay_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, ("id", "score"), [["-2", -0.5], ["\t=1", 3.0], ["P1", None]])
    rows = _raw_cells(path)
    assert rows[1] == ["'-2", "-0.5"] and rows[2] == ["'\t=1", "3.0"] and rows[3] == ["P1", ""]


@pytest.fixture()
def hostile_assignment(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    """An assignment run on experts and projects named by the corpus; returns (OUT.csv, experts, projects)."""
    experts = [f"E{i}{c}" if i else c for i, c in enumerate(CORPUS)]  # the first is exactly "=cmd|..."
    experts_csv = tmp_path / "E.csv"
    with open(experts_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["expert", "name", "unit", "max_load"])
        for i, e in enumerate(experts):
            w.writerow([e, CORPUS[(i + 1) % len(CORPUS)], f"@unit{i}", 2])
    projects = ["-2", "=1+1"]
    projects_csv = tmp_path / "P.csv"
    with open(projects_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["project", "unit", "panel_size"])
        for p in projects:
            w.writerow([p, "+other", 3])
    affinity_csv = tmp_path / "A.csv"
    with open(affinity_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["project", "expert", "score"])
        for p in projects:
            for j, e in enumerate(experts):
                w.writerow([p, e, -0.25 * (j + 1)])
    out = tmp_path / "OUT.csv"
    result = assign_files(projects=projects_csv, experts=experts_csv, affinity=affinity_csv, out=out,
                          json_path=tmp_path / "m.json")
    assert {p.project for p in result.panels} == set(projects)
    return out, experts, projects


def test_assignment_csv_is_neutral_and_round_trips(hostile_assignment: tuple[Path, list[str], list[str]]) -> None:
    out, experts, projects = hostile_assignment
    rows = _raw_cells(out)
    assert rows[0] == ["project", "expert", "score"]
    for project, expert, score in rows[1:]:
        _assert_neutral(project)
        _assert_neutral(expert)
        assert float(score) < 0  # a number, written as a number (negative scores are not text)
    assert any(r[1] == "'=cmd|' /C calc'!A0" for r in rows[1:])
    panels = load_assignment(out)
    assert set(panels) == set(projects)
    assert {e for members in panels.values() for e in members} <= set(experts)


def test_score_sheets_hold_no_formula(hostile_assignment: tuple[Path, list[str], list[str]],
                                      panel_rules: riskeval.RuleSet, tmp_path: Path) -> None:
    out, experts, projects = hostile_assignment
    book = tmp_path / "sheets.xlsx"
    report = make_template(out, panel_rules, book)
    assert len(report.titles) == 2
    wb = openpyxl.load_workbook(book)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                _assert_neutral(cell.value)
                seen += 1
    assert seen > 100
    # fill one score per expert and read the workbook back: the ids come back as they were
    for title in report.titles:
        ws = wb[title]
        grid = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)].index(GRID_MARKER) + 1
        r = grid + 1
        while ws.cell(r, 1).value:
            ws.cell(r, 3, 2)
            r += 1
    wb.save(book)
    rows = read_score_rows(book)
    assert {r.get("project") for r in rows} == set(projects)
    assert {r.get("expert") for r in rows} <= set(experts)


def test_panel_and_delphi_files_are_neutral(panel_rules_path: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    with open(scores, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["project", "expert", "item", "score", "opinion"])
        for expert, value in zip(CORPUS[:3], (0, 4, 2), strict=True):
            w.writerow(["-2", expert, "JS-RSN-4", value, "=1+1 看法"])
    panel = tmp_path / "PANEL.csv"
    delphi = tmp_path / "delphi.csv"
    review = aggregate_files(scores, panel_rules_path, panel, delphi_out=delphi)
    assert review.delphi, "the corpus scores disagree, so there is a second-round list"
    for path in (panel, delphi):
        for row in _raw_cells(path)[1:]:
            for cell in row:
                _assert_neutral(cell)
    assert any("'-2" == row[0] for row in _raw_cells(panel)[1:])
    assert load_panel_values(panel, "-2") == {"JS-RSN-4": 2.0}  # the id survives the guard
