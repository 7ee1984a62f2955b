"""The columnar (pyarrow) reader of large affinity CSVs gives what the row reader gives, errors included,
and ``riskeval assign --backend`` runs every solver from files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import expert_pool.affinity as affinity_module
from expert_pool.affinity import load_affinity_csv
from expert_pool.models import Expert, ProjectNeed
from riskeval.cli import app
from riskeval.errors import RiskevalError

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = [ProjectNeed(id=f"P{i}") for i in range(4)]
EXPERTS = [Expert(id=f"E{j}", unit="U") for j in range(5)]


def _load(path, columnar, monkeypatch, **kw):
    monkeypatch.setattr(affinity_module, "COLUMNAR_MIN_BYTES", 0 if columnar else 1 << 62)
    return load_affinity_csv(path, **kw)


def _outcome(path, columnar, monkeypatch, **kw):
    """(scores, eligible) on the fixed projects and experts, or the rendered error in both languages."""
    try:
        aff = _load(path, columnar, monkeypatch, **kw)
    except RiskevalError as exc:
        return ("error", type(exc).__name__, exc.render("zh"), exc.render("en"), exc.exit_code)
    scores, ok = aff.matrix(PROJECTS, EXPERTS)
    return ("ok", scores.tolist(), ok.tolist(), aff.explicit, aff.describe())


def _random_csv(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lines = ["project,expert,score"]
    for p in PROJECTS:
        for e in EXPERTS:
            if rng.random() < 0.7:
                lines.append(f"{p.id},{e.id},{rng.uniform(-3, 3):.{int(rng.integers(1, 17))}g}")
    order = rng.permutation(len(lines) - 1)
    path.write_text("\n".join([lines[0]] + [lines[1 + i] for i in order]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", range(8))
def test_columnar_equals_row_reader_on_clean_files(tmp_path, monkeypatch, seed):
    path = tmp_path / "A.csv"
    _random_csv(path, seed)
    fast = _load(path, True, monkeypatch)
    assert fast.triples is None  # really the columnar path
    assert _outcome(path, True, monkeypatch) == _outcome(path, False, monkeypatch)
    known = {"project_ids": [p.id for p in PROJECTS], "expert_ids": [e.id for e in EXPERTS]}
    assert _outcome(path, True, monkeypatch, **known) == _outcome(path, False, monkeypatch, **known)


CASES = {
    "bom_case_spaces_extra_column": "\ufeffProject , EXPERT,score,note\nP1, E2 ,0.5,x\nP0,E1,-1e-3,y\n\nP3,E4,7,z\n",
    "quoted": '"project","expert","score"\n"P1","E2","0.25"\n',
    "bad_score": "project,expert,score\nP1,E2,abc\nP0,E1,1\n",
    "infinite_score": "project,expert,score\nP1,E2,inf\n",
    "nan_score": "project,expert,score\nP1,E2,nan\n",
    "empty_score": "project,expert,score\nP1,E2,\n",
    "empty_expert": "project,expert,score\nP1,,0.5\n",
    "duplicate_pair": "project,expert,score\nP1,E2,0.5\nP0,E0,1\nP1,E2,0.7\n",
    "duplicate_after_strip": "project,expert,score\nP1,E2,0.5\nP1, E2,0.7\n",
    "unknown_ids": "project,expert,score\nP9,E2,0.5\nP1,E7,0.5\n",
    "missing_column": "project,expert,weight\nP1,E2,0.5\n",
    "ragged_row": "project,expert,score\nP1,E2,0.5,1\n",
    "spaces_in_score": "project,expert,score\nP1,E2, 0.5 \n",
    "header_only": "project,expert,score\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_columnar_equals_row_reader_on_every_edge(tmp_path, monkeypatch, name):
    path = tmp_path / "A.csv"
    path.write_text(CASES[name], encoding="utf-8")
    known = {"project_ids": [p.id for p in PROJECTS], "expert_ids": [e.id for e in EXPERTS]}
    for kw in ({}, known):
        assert _outcome(path, True, monkeypatch, **kw) == _outcome(path, False, monkeypatch, **kw)


def test_gb18030_file_goes_to_the_row_reader(tmp_path, monkeypatch):
    path = tmp_path / "A.csv"
    path.write_bytes("project,expert,score\n项目1,E2,0.5\n".encode("gb18030"))
    aff = _load(path, True, monkeypatch)
    assert aff.triples == {("项目1", "E2"): 0.5}


# -- the command -----------------------------------------------------------------------------------------


def _files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(4)
    experts = ["expert,unit,max_load"] + [f"E{j:02d},U{j % 4},3" for j in range(16)]
    projects = ["project,unit,panel_size"] + [f"P{i:02d},U{i % 5},3" for i in range(10)]
    scores = ["project,expert,score"] + [f"P{i:02d},E{j:02d},{rng.uniform(-0.2, 1):.6f}"
                                         for i in range(10) for j in range(16)]
    out = {}
    for name, lines in (("E", experts), ("P", projects), ("A", scores)):
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_cli_backends_agree(tmp_path, monkeypatch):
    monkeypatch.setattr(affinity_module, "COLUMNAR_MIN_BYTES", 0)
    files = _files(tmp_path)
    totals = {}
    for backend in ("auto", "networkx", "ortools", "highs"):
        m = tmp_path / f"{backend}.json"
        res = CliRunner().invoke(app, ["assign", "--experts", str(files["E"]), "--projects", str(files["P"]),
                                       "--affinity", str(files["A"]), "--max-per-unit", "1", "--backend", backend,
                                       "--out", str(tmp_path / f"{backend}.csv"), "--json", str(m), "--lang", "en"])
        assert res.exit_code == 0, res.output
        data = json.loads(m.read_text(encoding="utf-8"))
        assert data["certificate"]["verdict"] == "optimal" and data["optimal"] is True
        assert data["backend"] == ("networkx" if backend == "auto" else backend)
        totals[backend] = data["metrics"]["total"]
        assert f"optimal ({data['backend']})" in res.stdout
        assert data['certificate']['potentials_sha256'][:12] in res.stdout
    assert max(totals.values()) - min(totals.values()) < 1e-6


def test_cli_rejects_an_unknown_backend(tmp_path):
    files = _files(tmp_path)
    res = CliRunner().invoke(app, ["assign", "--experts", str(files["E"]), "--projects", str(files["P"]),
                                   "--backend", "cplex", "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and not (tmp_path / "o.csv").exists()


def test_assign_command_imports_no_solver_it_does_not_use():
    code = ("import sys; import riskeval.cli, expert_pool.assign.files; "
            "print(sorted(m for m in ('ortools', 'pyarrow', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.stdout.strip() == "[]"
