"""Reviewer assignment: exact min-cost flow by networkx (:mod:`~expert_pool.assign.flow`) or OR-Tools
(:mod:`~expert_pool.assign.ortools_flow`), LP backend (:mod:`~expert_pool.assign.lp`), chosen by
:mod:`~expert_pool.assign.backends` and checked by one optimality certificate
(:mod:`~expert_pool.assign.certificate`); random draw (:mod:`~expert_pool.assign.random_draw`) and
infeasibility explanations (:mod:`~expert_pool.assign.explain`); :func:`assign` is the entry point."""

from expert_pool.assign.api import assign, build_assignment
from expert_pool.assign.backends import BACKENDS, resolve_backend
from expert_pool.assign.certificate import Certificate, CertificateError, certify
from expert_pool.assign.explain import Explanation, Reason, explain
from expert_pool.assign.instance import Instance, build_instance, validate
from expert_pool.assign.result import Assignment, DrawRecord, Metrics, Pair, Panel

__all__ = [
    "assign",
    "build_assignment",
    "build_instance",
    "certify",
    "resolve_backend",
    "BACKENDS",
    "Certificate",
    "CertificateError",
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
