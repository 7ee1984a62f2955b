"""The result of an assignment: pairs, panels, metrics, and the audit record of a random draw.

Examples
--------
>>> a = Assignment(method="optimal", backend="flow", pool_hash="0" * 64, created_at="2024-01-01T00:00:00Z",
...                pairs=[Pair(project="P1", expert="E1", score=0.5)],
...                panels=[Panel(project="P1", panel_size=1, experts=["E1"], affinity=0.5)],
...                metrics=Metrics(projects=1, seats=1, total=0.5, min_project_affinity=0.5,
...                                mean_project_affinity=0.5))
>>> a.panel("P1").experts
['E1']
>>> import json; json.loads(a.metrics_json())["metrics"]["total"]
0.5
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from expert_pool.writing import write_csv

__all__ = ["Pair", "Panel", "Metrics", "DrawRecord", "Assignment"]


class Pair(BaseModel):
    """One expert on one project, with the pair's affinity score."""

    project: str
    expert: str
    score: float


class Panel(BaseModel):
    """The panel (专家组) of one project and its affinity (sum of its pairs' scores)."""

    project: str
    name: str = ""
    unit: str | None = None
    panel_size: int
    experts: list[str]
    affinity: float


class Metrics(BaseModel):
    """Summary of an assignment.

    ``load_*`` are over all available experts (unused ones have load 0); ``experts_per_unit`` counts the
    distinct experts of each unit used, ``assignments_per_unit`` their seats.
    """

    projects: int
    seats: int
    experts_available: int = 0
    experts_used: int = 0
    total: float
    min_project_affinity: float | None = None
    mean_project_affinity: float | None = None
    load_min: int = 0
    load_max: int = 0
    load_spread: int = 0
    load_mean: float = 0.0
    load_std: float = 0.0
    experts_per_unit: dict[str, int] = Field(default_factory=dict)
    assignments_per_unit: dict[str, int] = Field(default_factory=dict)


class DrawRecord(BaseModel):
    """What is needed to re-run and audit a random draw."""

    seed: int
    procedure: str
    pool_hash: str
    drawn_at: str
    prob_cap: float | None = None


class Assignment(BaseModel):
    """An assignment of experts to projects.

    Attributes
    ----------
    pairs : list of Pair
        In project input order, each panel by decreasing score.
    panels : list of Panel
    metrics : Metrics
    optimal : bool
        Proven optimal for the total affinity (``method="optimal"``).
    certificate : dict
        How optimality was established (solver, rounds, reduced-cost check, precision bound).
    draw : DrawRecord or None
        Seed, pool hash and UTC time of a random draw.
    """

    method: str
    backend: str
    pool_hash: str
    created_at: str
    pairs: list[Pair]
    panels: list[Panel]
    metrics: Metrics
    optimal: bool = False
    certificate: dict[str, Any] = Field(default_factory=dict)
    draw: DrawRecord | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)

    def panel(self, project: str) -> Panel:
        """The panel of one project (``KeyError`` if absent)."""
        for p in self.panels:
            if p.project == project:
                return p
        raise KeyError(project)

    def to_csv(self, path: str | Path) -> None:
        """Write ``project,expert,score`` rows (UTF-8; identifiers neutralised against formula injection)."""
        write_csv(path, ("project", "expert", "score"), ([p.project, p.expert, float(p.score)] for p in self.pairs))

    def write(self, out: str | Path, json_path: str | Path | None = None) -> None:
        """Write the pairs CSV to ``out`` and, if given, the summary JSON (:meth:`metrics_json`) to ``json_path``.

        Raises
        ------
        PoolFileError
            A file cannot be written (exit code 2).
        """
        from expert_pool.errors import PoolFileError

        for path, write in ((out, self.to_csv), (json_path, self._write_json)):
            if path is None:
                continue
            try:
                write(path)
            except OSError as exc:
                raise PoolFileError("pool.file.write_failed", file=str(path), path=str(path),
                                    detail=exc.strerror or str(exc)) from None

    def _write_json(self, path: str | Path) -> None:
        Path(path).write_text(self.metrics_json() + "\n", encoding="utf-8")

    def summary(self) -> dict[str, Any]:
        """Everything except the pairs: method, hash, metrics, panels, certificate, draw record."""
        return self.model_dump(exclude={"pairs"})

    def metrics_json(self, indent: int | None = 2) -> str:
        """The summary (see :meth:`summary`) as JSON text."""
        return json.dumps(self.summary(), ensure_ascii=False, indent=indent)
