"""The pre-decision gate, its errors, the hash-chained ledger and the audit of decisions.

Examples
--------
>>> from riskeval.gate import GateError, AssessmentStale
>>> issubclass(AssessmentStale, GateError)
True
"""

from .audit import AuditFinding, AuditInputError, AuditReport, DecisionRow, audit, read_decisions
from .errors import (
    AssessmentIncomplete,
    AssessmentRequired,
    AssessmentStale,
    GateBlocked,
    GateError,
    LedgerError,
)
from .gate import Gate
from .ledger import Ledger, LedgerRecord, VerifyReport

__all__ = [
    "AssessmentIncomplete",
    "AssessmentRequired",
    "AssessmentStale",
    "AuditFinding",
    "AuditInputError",
    "AuditReport",
    "DecisionRow",
    "Gate",
    "GateBlocked",
    "GateError",
    "Ledger",
    "LedgerError",
    "LedgerRecord",
    "VerifyReport",
    "audit",
    "read_decisions",
]
