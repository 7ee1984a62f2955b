"""考核: the assessment-work audit of units, scored against a scheme file.

- :mod:`.scheme`: the scheme (indicators, weights, parameters), read from YAML with located errors.
- :mod:`.score`: :func:`score_units` over the ledger and the decisions actually taken.
- :mod:`.result`: the ranking and every deduction (text, JSON); :mod:`.xlsx`: the workbook.

Examples
--------
>>> scheme = scheme_from_text("id: s\\ntitle: 示例\\nindicators: {coverage: {weight: 100}}\\n")
>>> scheme.label("coverage"), scheme.label("coverage", "en")
('应评尽评', 'coverage (every decision assessed)')
"""

from .matters import Matters
from .period import Period, PeriodError, parse_period
from .result import AuditResult, Deduction, IndicatorScore, UnitScore
from .scheme import INDICATORS, Scheme, SchemeError, SchemeProblem, load_scheme, scheme_from_text
from .score import score_units
from .xlsx import write_audit_xlsx

__all__ = [
    "INDICATORS",
    "AuditResult",
    "Deduction",
    "IndicatorScore",
    "Matters",
    "Period",
    "PeriodError",
    "Scheme",
    "SchemeError",
    "SchemeProblem",
    "UnitScore",
    "load_scheme",
    "parse_period",
    "scheme_from_text",
    "score_units",
    "write_audit_xlsx",
]
