"""The monthly bulletin 社会稳定风险预警参考, made from a ledger alone: data first, then HTML and Word.

Examples
--------
>>> from riskeval.bulletin import month_bounds
>>> month_bounds("2026-11")[1].isoformat()
'2026-11-30'
"""

from .build import MonthInvalid, build_bulletin, month_bounds
from .model import (
    Bulletin,
    Count,
    DecisionTaken,
    EscalatedMatter,
    MatterAwaiting,
    OverdueMeasure,
    TrendPoint,
    WatchItem,
)

__all__ = [
    "Bulletin",
    "Count",
    "DecisionTaken",
    "EscalatedMatter",
    "MatterAwaiting",
    "MonthInvalid",
    "OverdueMeasure",
    "TrendPoint",
    "WatchItem",
    "build_bulletin",
    "month_bounds",
]
