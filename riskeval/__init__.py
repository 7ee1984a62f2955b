"""riskeval: social-stability risk assessment (社会稳定风险评估, 稳评) as a mandatory pre-decision gate.

The pipeline: load rules -> check project -> evaluate -> score -> decide -> record.
"""

from .assess import assess, load_project
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
from .report.docx import write_report
from .ruleset import Problem, RuleSet, RuleSetError, RuleSetNotFound, bundled_names, load_ruleset
from .ruleset.analysis import check_ruleset

__version__ = "0.1.0"

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
