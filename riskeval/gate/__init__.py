"""The pre-decision gate, its errors and the audit of decisions (the ledger is :mod:`riskeval.ledger`).

Examples
--------
>>> from riskeval.gate import GateError, AssessmentStale
>>> issubclass(AssessmentStale, GateError)
True
"""

from ..ledger import (
    Ledger,
    LedgerBusy,
    LedgerError,
    LedgerKeyError,
    LedgerNotFound,
    LedgerRecord,
    LedgerTampered,
    VerifyReport,
)
from .audit import AuditFinding, AuditInputError, AuditReport, DecisionRow, audit, read_decisions
from .errors import (
    AssessmentIncomplete,
    AssessmentRequired,
    AssessmentStale,
    GateBlocked,
    GateError,
)
from .gate import Gate
from .measures import MeasureState, measure_statuses
from .tracking import (
    MEASURE_STATUSES,
    MeasureStatusInvalid,
    NotDecided,
    TrackingBlocked,
    UnknownMatter,
    UnknownMeasure,
)

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
    "LedgerBusy",
    "LedgerError",
    "LedgerKeyError",
    "LedgerNotFound",
    "LedgerRecord",
    "LedgerTampered",
    "MEASURE_STATUSES",
    "MeasureState",
    "MeasureStatusInvalid",
    "NotDecided",
    "TrackingBlocked",
    "UnknownMatter",
    "UnknownMeasure",
    "VerifyReport",
    "audit",
    "measure_statuses",
    "read_decisions",
]
