"""riskeval: social-stability risk assessment (社会稳定风险评估, 稳评) as a mandatory pre-decision gate.

The pipeline: load rules -> check project -> evaluate -> score -> decide -> record.

The public names below are imported on first use (``import riskeval`` loads nothing else; ``riskeval.assess``
loads the assessment modules, not the ledger, the reports or the service), so that a command starts quickly.
The function ``assess`` lives in :mod:`riskeval.pipeline`; ``riskeval.assess`` is only the function (the former
module path ``riskeval.assess`` still imports, see :class:`_FormerModule`, without shadowing it).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_names

__version__ = "0.1.0"


class _FormerModule(types.ModuleType):
    """``riskeval.assess`` as a module path, the former name of :mod:`riskeval.pipeline`
    (``from riskeval.assess import project_from_data`` keeps working): its attributes are those of
    :mod:`riskeval.pipeline`, imported on first use.  It is in ``sys.modules`` from the start, so that importing
    it never replaces the function ``riskeval.assess`` with a module."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__all__":
            raise AttributeError(name)
        return getattr(importlib.import_module(".pipeline", __name__), name)


sys.modules.setdefault(f"{__name__}.assess", _FormerModule(f"{__name__}.assess"))

#: public name -> the module that defines it
_SOURCES: dict[str, str] = {
    "assess": ".pipeline",
    "load_project": ".pipeline",
    "assess_frame": ".batch",
    "assess_many": ".batch",
    "ProjectError": ".check",
    "EngineError": ".engine",
    "InputError": ".errors",
    "Location": ".errors",
    "RiskevalError": ".errors",
    "exit_code_for": ".errors",
    "AssessmentIncomplete": ".gate",
    "AssessmentRequired": ".gate",
    "AssessmentStale": ".gate",
    "Gate": ".gate",
    "GateBlocked": ".gate",
    "GateError": ".gate",
    "Ledger": ".ledger",
    "LedgerBusy": ".ledger",
    "LedgerError": ".ledger",
    "LedgerKeyError": ".ledger",
    "LedgerNotFound": ".ledger",
    "LedgerTampered": ".ledger",
    "Assessment": ".model.assessment",
    "Evaluation": ".model.assessment",
    "Finding": ".model.assessment",
    "ProcedureGap": ".model.assessment",
    "TriggerHit": ".model.assessment",
    "Measure": ".model.project",
    "Project": ".model.project",
    "write_report": ".report.docx",
    "Problem": ".ruleset",
    "RuleSet": ".ruleset",
    "RuleSetError": ".ruleset",
    "RuleSetNotFound": ".ruleset",
    "bundled_names": ".ruleset",
    "load_ruleset": ".ruleset",
    "check_ruleset": ".ruleset.analysis",
}

if TYPE_CHECKING:  # what type checkers and readers see; at run time each name is imported on first use
    from .batch import assess_frame, assess_many
    from .check import ProjectError
    from .engine import EngineError
    from .errors import InputError, Location, RiskevalError, exit_code_for
    from .gate import (
        AssessmentIncomplete,
        AssessmentRequired,
        AssessmentStale,
        Gate,
        GateBlocked,
        GateError,
    )
    from .ledger import Ledger, LedgerBusy, LedgerError, LedgerKeyError, LedgerNotFound, LedgerTampered
    from .model.assessment import Assessment, Evaluation, Finding, ProcedureGap, TriggerHit
    from .model.project import Measure, Project
    from .pipeline import assess, load_project
    from .report.docx import write_report
    from .ruleset import Problem, RuleSet, RuleSetError, RuleSetNotFound, bundled_names, load_ruleset
    from .ruleset.analysis import check_ruleset


__getattr__, __dir__ = lazy_names(__name__, _SOURCES, globals())


__all__ = [
    "AssessmentIncomplete",
    "AssessmentRequired",
    "AssessmentStale",
    "Gate",
    "GateBlocked",
    "GateError",
    "Ledger",
    "LedgerBusy",
    "LedgerError",
    "LedgerKeyError",
    "LedgerNotFound",
    "LedgerTampered",
    "Assessment",
    "EngineError",
    "InputError",
    "Location",
    "RiskevalError",
    "exit_code_for",
    "Evaluation",
    "Finding",
    "Measure",
    "Problem",
    "ProcedureGap",
    "Project",
    "ProjectError",
    "RuleSet",
    "RuleSetError",
    "RuleSetNotFound",
    "TriggerHit",
    "assess",
    "assess_frame",
    "assess_many",
    "bundled_names",
    "check_ruleset",
    "load_project",
    "load_ruleset",
    "write_report",
]
