"""Expert pool (专家库) and reviewer assignment for social-stability risk assessment (稳评).

The models are :mod:`expert_pool.models`; the pool (units and experts) is a networkx graph
(:mod:`expert_pool.pool`), loaded from YAML, CSV or XLSX by :mod:`expert_pool.reading` (all bad rows of a
file are reported together in one :class:`PoolInputError`); affinity comes from domain
overlap or explicit ``project,expert,score`` triples (:mod:`expert_pool.affinity`); :func:`assign` finds
the exact optimum (min-cost flow or LP) or draws panels at random, under panel sizes (:mod:`expert_pool.panel_size`),
own-unit exclusion, conflicts, expert and unit loads and a per-unit diversity bound, and explains infeasible
input.  :func:`assign_files` is the whole ``riskeval assign`` command as one call.  Every error is a
:class:`PoolError` (a :class:`riskeval.RiskevalError`) with a stable code from the one message catalogue.

Examples
--------
>>> import expert_pool as ep
>>> pool = ep.Pool(experts=[ep.Expert(id=f"E{i}", unit=f"U{i}", max_load=1) for i in range(4)])
>>> a = ep.assign(pool, [ep.ProjectNeed(id="P1", unit="U0", panel_size=3)])
>>> a.panel("P1").experts
['E1', 'E2', 'E3']
"""

from expert_pool.affinity import Affinity, domain_score, load_affinity_csv
from expert_pool.assign.api import assign
from expert_pool.assign.explain import Explanation, Reason, explain
from expert_pool.assign.files import assign_files
from expert_pool.assign.result import Assignment, DrawRecord, Metrics, Pair, Panel
from expert_pool.errors import (
    DuplicateIdError,
    InfeasibleAssignment,
    InvalidParameterError,
    InvalidValueError,
    MissingColumnError,
    PanelSizeError,
    PoolError,
    PoolFileError,
    PoolInputError,
    UnknownReferenceError,
    UnreadableRowError,
)
from expert_pool.models import CATEGORIES, DOMAINS, Expert, ProjectNeed, Unit
from expert_pool.panel_size import default_panel_size, resolve_panel_sizes
from expert_pool.pool import Pool
from expert_pool.reading import (
    load_conflicts_csv,
    load_experts_csv,
    load_pool,
    load_projects,
    load_projects_csv,
)

__all__ = [
    "CATEGORIES",
    "DOMAINS",
    "Affinity",
    "Assignment",
    "DrawRecord",
    "DuplicateIdError",
    "Expert",
    "Explanation",
    "InfeasibleAssignment",
    "InvalidParameterError",
    "InvalidValueError",
    "Metrics",
    "MissingColumnError",
    "Pair",
    "Panel",
    "PanelSizeError",
    "Pool",
    "PoolError",
    "PoolFileError",
    "PoolInputError",
    "ProjectNeed",
    "Reason",
    "Unit",
    "UnknownReferenceError",
    "UnreadableRowError",
    "assign",
    "assign_files",
    "default_panel_size",
    "domain_score",
    "explain",
    "load_affinity_csv",
    "load_conflicts_csv",
    "load_experts_csv",
    "load_pool",
    "load_projects",
    "load_projects_csv",
    "resolve_panel_sizes",
]
