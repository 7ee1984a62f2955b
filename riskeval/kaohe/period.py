"""The period of an audit: a year, a half, a quarter, a month, or ``FROM..TO`` (dates inclusive).

Examples
--------
>>> parse_period("2026")
Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), label='2026')
>>> p = parse_period("2026-Q2"); (p.start, p.end)
(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
>>> parse_period("2026-02").end, parse_period("2026-H2").start
(datetime.date(2026, 2, 28), datetime.date(2026, 7, 1))
>>> parse_period("2026-03-01..2026-03-15").end
datetime.date(2026, 3, 15)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..errors import InputError
from ..i18n import register_messages

__all__ = ["Period", "PeriodError", "parse_period"]

register_messages(
    {
        "kaohe.period": {
            "zh": "考核期间“{value}”无法识别（应为 2026、2026-H1、2026-Q2、2026-03 或 2026-01-01..2026-06-30）",
            "en": "audit period '{value}' not understood (use 2026, 2026-H1, 2026-Q2, 2026-03 or 2026-01-01..2026-06-30)",
        },
    }
)


class PeriodError(InputError):
    """A period that cannot be read (exit 2)."""

    code = "kaohe.period"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse_period(text: str) -> Period:
    """The period named by ``text`` (see the module docstring).

    Raises
    ------
    PeriodError
        ``text`` is none of the forms, or not a real date range.
    """
    value = str(text).strip()
    try:
        if m := re.fullmatch(r"(\d{4})", value):
            y = int(m[1])
            return Period(date(y, 1, 1), date(y, 12, 31), value)
        if m := re.fullmatch(r"(\d{4})-[Hh]([12])", value):
            y, h = int(m[1]), int(m[2])
            return Period(date(y, 6 * h - 5, 1), _month_end(y, 6 * h), value)
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
            y, q = int(m[1]), int(m[2])
            return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), value)
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            y, mo = int(m[1]), int(m[2])
            return Period(date(y, mo, 1), _month_end(y, mo), value)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end >= start:
                return Period(start, end, value)
    except ValueError:
        pass
    raise PeriodError(value=value)
