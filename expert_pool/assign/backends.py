"""The exact solvers behind ``assign(..., backend=...)`` and ``riskeval assign --backend``.

* ``networkx`` -- networkx's network simplex on the pruned network (:mod:`~expert_pool.assign.flow`); the
  exact solver at the scale of a city's pool.
* ``ortools`` -- OR-Tools' cost-scaling min-cost flow on the same pruned network
  (:mod:`~expert_pool.assign.ortools_flow`), for large instances.
* ``highs`` -- the full LP solved by scipy's HiGHS (:mod:`~expert_pool.assign.lp`); a baseline.
* ``auto`` (the default) -- ``networkx`` up to :data:`AUTO_MAX_NETWORKX_PAIRS` eligible pairs, ``ortools``
  above.  ``python benchmarks/bench_assign.py --sweep`` times both on the same instances: OR-Tools is
  faster at every size beyond a few thousand pairs (30-80 x), but networkx stays the solver of record
  at a city's scale (a round of tens of projects over a pool of hundreds of experts: well under 100 000
  pairs), where it answers in about a second or less; beyond that its time grows to tens of seconds
  (2000 x 1000: ~33 s against ~1 s on a loaded 2-core machine; the issue measured 1.8 s against 0.41 s at
  1000 x 500 idle), so OR-Tools takes over.

``flow`` and ``lp`` are accepted as the older names of ``networkx`` and ``highs``.  Whatever the solver,
:func:`expert_pool.assign.assign` certifies the answer with :func:`~expert_pool.assign.certificate.certify`.

Examples
--------
>>> resolve_backend("flow"), resolve_backend("lp"), resolve_backend("auto", n_pairs=10)
('networkx', 'highs', 'networkx')
>>> resolve_backend("auto", n_pairs=AUTO_MAX_NETWORKX_PAIRS + 1)
'ortools'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from expert_pool.assign.instance import Instance
from expert_pool.errors import InvalidParameterError

__all__ = ["BACKENDS", "AUTO_MAX_NETWORKX_PAIRS", "resolve_backend", "solve"]

#: The names ``backend`` accepts (besides the aliases ``flow`` and ``lp``).
BACKENDS: tuple[str, ...] = ("auto", "networkx", "ortools", "highs")
_ALIASES = {"flow": "networkx", "lp": "highs"}

#: ``auto`` uses networkx up to this many eligible pairs (see the module docstring).
AUTO_MAX_NETWORKX_PAIRS = 100_000


def resolve_backend(name: str, n_pairs: int = 0) -> str:
    """The solver ``name`` stands for on an instance of ``n_pairs`` eligible pairs.

    Raises
    ------
    InvalidParameterError
        ``name`` is not a backend.
    """
    key = _ALIASES.get(str(name).lower(), str(name).lower()) if isinstance(name, str) else ""
    if key not in BACKENDS:
        raise InvalidParameterError("pool.invalid_parameter.backend", field="backend", value=name)
    if key == "auto":
        return "networkx" if n_pairs <= AUTO_MAX_NETWORKX_PAIRS else "ortools"
    return key


def _solver(backend: str) -> Callable[..., Any]:
    if backend == "ortools":
        from expert_pool.assign.ortools_flow import solve_ortools

        return solve_ortools
    if backend == "highs":
        from expert_pool.assign.lp import solve_lp

        return solve_lp
    from expert_pool.assign.flow import solve_flow

    return solve_flow


def solve(inst: Instance, backend: str, weights: np.ndarray | None = None
          ) -> tuple[np.ndarray | None, dict[str, Any], np.ndarray | None]:
    """Run the resolved ``backend`` (not ``auto``) on ``inst``.

    Returns
    -------
    chosen : ndarray or None
        Pair indices (``None`` if infeasible).
    details : dict
        What the solver reports about its run.
    network_pairs : ndarray or None
        The pairs of the last (pruned) network a flow solver ran on: a hint that lets the certificate
        start from a good subgraph (it never changes the certificate's verdict).
    """
    res = _solver(backend)(inst, weights)
    return res.chosen, dict(res.certificate), getattr(res, "network_pairs", None)
