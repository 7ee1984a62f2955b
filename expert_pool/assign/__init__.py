"""Reviewer assignment: exact min-cost flow (:mod:`~expert_pool.assign.flow`), LP backend
(:mod:`~expert_pool.assign.lp`), random draw (:mod:`~expert_pool.assign.random_draw`) and infeasibility
explanations (:mod:`~expert_pool.assign.explain`); :func:`assign` is the entry point."""

from expert_pool.assign.api import assign, build_assignment
from expert_pool.assign.explain import Explanation, Reason, explain
from expert_pool.assign.instance import Instance, build_instance, validate
from expert_pool.assign.result import Assignment, DrawRecord, Metrics, Pair, Panel

__all__ = [
    "assign",
    "build_assignment",
    "build_instance",
    "validate",
    "explain",
    "Explanation",
    "Reason",
    "Instance",
    "Assignment",
    "DrawRecord",
    "Metrics",
    "Pair",
    "Panel",
]
