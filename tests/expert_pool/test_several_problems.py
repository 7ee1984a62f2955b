"""Every loader reports all the bad rows of a file together, each with its kind and location (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

import expert_pool as ep
from riskeval.errors import EXIT_PROBLEMS, exit_code_for


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(info: pytest.ExceptionInfo[ep.PoolInputError]) -> list[tuple[type, int | None, str | None]]:
    err = info.value
    assert exit_code_for(err) == EXIT_PROBLEMS
    data = err.to_dict("en")
    assert data["code"] == "pool.input_problems" and len(data["problems"]) == len(err.problems)
    assert all(p["location"] for p in data["problems"])
    text = err.render("en")
    assert text.splitlines()[0].endswith(f"{len(err.problems)} problems")
    assert all(p.render("en") in text for p in err.problems)
    return [(type(p), p.row, p.field) for p in err.problems]


def test_experts_csv_three_bad_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "E.csv", "expert,unit,max_load,available\n"
                  "E1,U1,2,是\nE2,U2,lots,是\nE3,,1,是\nE4,U4,1,maybe\nE2,U5,1,是\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_experts_csv(path)
    assert _problems(info) == [
        (ep.InvalidValueError, 3, "max_load"),
        (ep.InvalidValueError, 4, "unit"),
        (ep.InvalidValueError, 5, "available"),
        (ep.DuplicateIdError, 6, "expert"),
    ]


def test_projects_csv_three_bad_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "P.csv", "project,unit,panel_size,investment\n"
                  "P1,U1,3,\nP2,U2,0,\n,U3,3,\nP4,U4,3,很多\nP1,U5,3,\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects_csv(path)
    assert _problems(info) == [
        (ep.InvalidValueError, 3, "panel_size"),
        (ep.InvalidValueError, 4, "project"),
        (ep.InvalidValueError, 5, "investment"),
        (ep.DuplicateIdError, 6, "project"),
    ]


def test_conflicts_csv_three_bad_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "C.csv", "project,expert\nP1,E1\nP9,E1\nP1,E9\nP1,\nP1,E1\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_conflicts_csv(path, project_ids=["P1"], expert_ids=["E1"])
    assert _problems(info) == [
        (ep.UnknownReferenceError, 3, "project"),
        (ep.UnknownReferenceError, 4, "expert"),
        (ep.InvalidValueError, 5, "expert"),
        (ep.DuplicateIdError, 6, "project,expert"),
    ]


def test_affinity_csv_three_bad_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "A.csv", "project,expert,score\nP1,E1,1\nP1,E2,abc\nP1,E9,1\nP1,E1,2\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_affinity_csv(path, expert_ids=["E1", "E2"])
    assert _problems(info) == [
        (ep.InvalidValueError, 3, "score"),
        (ep.UnknownReferenceError, 4, "expert"),
        (ep.DuplicateIdError, 5, "project,expert"),
    ]


def test_pool_yaml_three_bad_entries(tmp_path: Path) -> None:
    path = _write(tmp_path, "pool.yaml", """\
units:
  - {id: U1}
experts:
  - {id: E1, unit: U1, max_load: 2}
  - {id: E2, unit: U1, max_load: lots}
  - {id: E3, unit: U9, max_load: 1}
  - {id: E4, unit: U1, max_load: 1, title: 教授}
  - {id: E1, unit: U1, max_load: 1}
""")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_pool(path)
    assert _problems(info) == [
        (ep.InvalidValueError, 5, "experts[1].max_load"),
        (ep.UnknownReferenceError, 6, "experts[2].unit"),
        (ep.InvalidValueError, 7, "experts[3].title"),
        (ep.DuplicateIdError, 8, "experts[4].id"),
    ]
    first = info.value.problems[0]
    assert (first.location.line, first.location.column) == (5, 34)  # the value itself
    assert "pool.yaml:5:34" in first.render("en") and "experts[1].max_load" in first.render("en")


def test_projects_yaml_three_bad_entries(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.yaml", "projects:\n  - {id: P1, panel_size: 0}\n  - {unit: U1}\n"
                  "  - {id: P3, investment: lots}\n  - {id: P4}\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects(path)
    assert [(kind, row) for kind, row, _ in _problems(info)] == [
        (ep.InvalidValueError, 2), (ep.MissingColumnError, 3), (ep.InvalidValueError, 4)]


def test_exit_codes_of_the_kinds() -> None:
    from riskeval.errors import EXIT_USAGE, InputError, exit_code_table

    table = dict(exit_code_table())
    assert table["PoolFileError"] == EXIT_USAGE and table["InvalidParameterError"] == EXIT_USAGE
    for name in ("PoolError", "PoolInputError", "InvalidValueError", "MissingColumnError", "DuplicateIdError",
                 "UnknownReferenceError", "UnreadableRowError", "PanelSizeError", "InfeasibleAssignment"):
        assert table[name] == EXIT_PROBLEMS, name
    assert issubclass(ep.PoolFileError, InputError) and issubclass(ep.PoolFileError, ep.PoolError)
