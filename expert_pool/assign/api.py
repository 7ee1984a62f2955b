"""The public entry point :func:`assign`.

Examples
--------
>>> from expert_pool import Expert, ProjectNeed, assign
>>> experts = [Expert(id=f"E{i}", unit=f"U{i % 3}", domains=["法律", "经济"][i % 2:], max_load=2)
...            for i in range(9)]
>>> projects = [ProjectNeed(id="P1", unit="U0", domains=["法律"], panel_size=3),
...             ProjectNeed(id="P2", unit="U1", panel_size=3)]
>>> a = assign(experts, projects)
>>> a.optimal, [len(p.experts) for p in a.panels]
(True, [3, 3])
>>> "E0" in a.panel("P1").experts or "E3" in a.panel("P1").experts  # own unit U0 excluded
False
>>> r = assign(experts, projects, method="random", seed=42)
>>> r.draw.seed, len(r.draw.pool_hash)
(42, 64)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from expert_pool.assign.backends import resolve_backend, solve
from expert_pool.assign.certificate import CertificateError, certify
from expert_pool.assign.explain import Explanation, Reason, explain, precheck
from expert_pool.assign.instance import Instance, build_instance, validate
from expert_pool.assign.random_draw import draw
from expert_pool.assign.result import Assignment, DrawRecord, Metrics, Pair, Panel
from expert_pool.errors import InfeasibleAssignment, InvalidParameterError
from expert_pool.models import Expert, ProjectNeed
from expert_pool.pool import Pool

__all__ = ["assign", "build_assignment"]


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def assign(
    pool_or_experts: Pool | Iterable[Expert] | str | Path,
    projects: Iterable[ProjectNeed | Mapping[str, Any]] | str | Path,
    *,
    affinity: Any = None,
    conflicts: Iterable[tuple[str, str]] | str | Path | None = None,
    max_per_unit: int | None = None,
    unit_max_load: int | Mapping[str, int] | None = None,
    method: str = "optimal",
    backend: str = "auto",
    seed: int | None = None,
    prob_cap: float | None = None,
    panel_size: Callable[[dict[str, Any]], int | None] | None = None,
) -> Assignment:
    """Assign experts to projects.

    Parameters
    ----------
    pool_or_experts : Pool, iterable of Expert, or path
        The pool (a YAML pool or an experts CSV when a path).
    projects : iterable of ProjectNeed or dict, or path
        The projects (CSV, YAML/JSON or JSONL when a path).
    affinity : None, Affinity, mapping ``{(project, expert): score}``, triples, or path to ``A.csv``
        ``None``: domain overlap (Jaccard); explicit scores take precedence and make absent pairs ineligible.
    conflicts : iterable of ``(project, expert)`` or path to ``C.csv``
        Declared conflicts of interest (回避).
    max_per_unit : int, optional
        At most this many experts of one unit on one project.
    unit_max_load : int or mapping ``{unit: int}``, optional
        At most this many seats in all for the experts of one unit.
    method : ``"optimal"`` or ``"random"``
        Maximise total affinity exactly, or draw at random (随机抽取).
    backend : ``"auto"``, ``"networkx"``, ``"ortools"`` or ``"highs"``
        The exact solver (:mod:`expert_pool.assign.backends`; ``"flow"`` and ``"lp"`` are the older names
        of ``networkx`` and ``highs``).  ``auto`` picks by instance size.  Every optimal result carries
        the solver-independent optimality certificate (:mod:`expert_pool.assign.certificate`).
    seed : int, optional
        Seed of a random draw (generated and recorded when omitted).
    prob_cap : float in (0, 1], optional
        Random draw only: cap on any expert's probability of landing on a given project.
    panel_size : callable ``project dict -> int | None``, optional
        Fills missing panel sizes (e.g. ``ruleset.panel_size``); default rule: :mod:`expert_pool.panel_size`.

    Returns
    -------
    Assignment

    Raises
    ------
    InfeasibleAssignment
        With an explanation naming the projects and the binding constraint.
    CertificateError
        The solver's answer fails its optimality certificate (a bug; never returned silently).
    InvalidParameterError, PanelSizeError, UnknownReferenceError
        And the loading errors when paths are given.
    """
    if method not in ("optimal", "random"):
        raise InvalidParameterError("pool.invalid_parameter.method", field="method", value=method)
    resolve_backend(backend)  # reject an unknown name before any work
    if prob_cap is not None and method != "random":
        raise InvalidParameterError("pool.invalid_parameter.prob_cap_needs_random", field="prob_cap")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise InvalidParameterError("pool.invalid_parameter.seed", field="seed", value=seed)
    inst = build_instance(pool_or_experts, projects, affinity=affinity, conflicts=conflicts,
                          max_per_unit=max_per_unit, unit_max_load=unit_max_load, panel_size=panel_size,
                          prob_cap=prob_cap, extra_hash={"method": method})
    pre = precheck(inst)
    if pre:
        raise InfeasibleAssignment(pre)
    record: DrawRecord | None = None
    solver = resolve_backend(backend, inst.n_pairs)
    if method == "optimal":
        chosen, details, hint = solve(inst, solver)
        certificate: dict[str, Any] = {"optimal": False, "backend": solver, "solver": details}
        if chosen is not None:
            cert = certify(inst, chosen, start_pairs=hint)
            if not cert.ok:
                raise CertificateError(cert, solver)
            certificate.update(cert.model_dump(), optimal=True)
    else:
        drawn_at = _now()
        dres = draw(inst, seed=None if seed is None else int(seed), backend=solver)
        chosen, certificate = dres.chosen, dres.certificate
        record = DrawRecord(seed=dres.seed, procedure=dres.procedure, pool_hash=inst.pool_hash, drawn_at=drawn_at,
                            prob_cap=inst.prob_cap)
    if chosen is None:
        why = explain(inst)
        if not why:
            why = Explanation(reasons=[Reason(kind="unknown", projects=[p.id for p in inst.projects])])
        raise InfeasibleAssignment(why)
    problems = validate(inst, chosen.tolist())
    if problems:  # a bug, never an input problem
        raise RuntimeError("internal error, assignment violates constraints: " + "; ".join(problems[:5]))
    return build_assignment(inst, chosen, method=method, backend=solver, certificate=certificate, draw=record)


def build_assignment(inst: Instance, chosen: np.ndarray, *, method: str, backend: str,
                     certificate: dict[str, Any], draw: DrawRecord | None) -> Assignment:
    """Assemble the :class:`Assignment` (pairs, panels, metrics) from chosen pair indices."""
    chosen = np.asarray(chosen, dtype=np.int64)
    pp, ee, ss = inst.pair_p[chosen], inst.pair_e[chosen], inst.score[chosen]
    by_project: dict[int, list[tuple[float, str]]] = {}
    for i, j, s in zip(pp.tolist(), ee.tolist(), ss.tolist(), strict=True):
        by_project.setdefault(i, []).append((s, inst.experts[j].id))
    pairs: list[Pair] = []
    panels: list[Panel] = []
    for original in range(len(inst.projects)):
        i = inst.input_order[original]
        proj = inst.projects[i]
        members = sorted(by_project.get(i, []), key=lambda t: (-t[0], t[1]))
        pairs.extend(Pair(project=proj.id, expert=e, score=s) for s, e in members)
        panels.append(Panel(project=proj.id, name=proj.name, unit=proj.unit, panel_size=int(inst.k[i]),
                            experts=[e for _, e in members], affinity=float(sum(s for s, _ in members))))
    load = np.bincount(ee, minlength=len(inst.experts))
    used = load > 0
    per_unit_seats = np.bincount(inst.e_unit[ee], minlength=len(inst.units))
    per_unit_experts = np.bincount(inst.e_unit[used], minlength=len(inst.units))
    affinities = [p.affinity for p in panels]
    metrics = Metrics(
        projects=len(panels), seats=int(chosen.size), experts_available=len(inst.experts),
        experts_used=int(used.sum()), total=float(ss.sum()),
        min_project_affinity=min(affinities) if affinities else None,
        mean_project_affinity=float(np.mean(affinities)) if affinities else None,
        load_min=int(load.min()) if load.size else 0, load_max=int(load.max()) if load.size else 0,
        load_spread=int(load.max() - load.min()) if load.size else 0,
        load_mean=float(load.mean()) if load.size else 0.0, load_std=float(load.std()) if load.size else 0.0,
        experts_per_unit={u: int(c) for u, c in zip(inst.units, per_unit_experts, strict=True) if c},
        assignments_per_unit={u: int(c) for u, c in zip(inst.units, per_unit_seats, strict=True) if c},
    )
    parameters = {
        "max_per_unit": inst.max_per_unit,
        "unit_max_load": None if inst.unit_cap is None else sorted(set(inst.unit_cap.tolist())),
        "prob_cap": inst.prob_cap,
        "affinity": inst.affinity.describe(),
        "conflicts": len(inst.conflicts),
        "unavailable_experts": inst.unavailable,
    }
    return Assignment(
        method=method, backend=backend, pool_hash=inst.pool_hash, created_at=_now(), pairs=pairs, panels=panels,
        metrics=metrics, optimal=method == "optimal" and bool(certificate.get("optimal")), certificate=certificate,
        draw=draw, parameters=parameters,
    )
