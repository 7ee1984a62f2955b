"""Writing tables that a spreadsheet may open: no cell is ever run as a formula (CWE-1236).

Every CSV and XLSX cell that :mod:`expert_pool` writes goes through :func:`safe_cell` (riskeval's one
guard, :func:`riskeval.io.tables.safe_cell`): text beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP CSV-injection
guidance), also when it looks numeric (an id ``-2`` is text); numbers stay numbers.  The readers of
files that expert_pool itself writes (assignments, score sheets) undo the prefix with
:func:`unsafe_cell`, so identifiers survive the round trip.

Examples
--------
>>> [safe_cell(v) for v in ("=cmd|' /C calc'!A0", "-2", "@x", "\\t1", "ok", -2, 0.5)]
["'=cmd|' /C calc'!A0", "'-2", "'@x", "'\\t1", 'ok', -2, 0.5]
>>> unsafe_cell("'-2"), unsafe_cell("'ok"), unsafe_cell("ok")
('-2', "'ok", 'ok')
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from riskeval.io.tables import safe_cell

__all__ = ["safe_cell", "safe_row", "unsafe_cell", "write_csv"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` of each value."""
    return [safe_cell(v) for v in values]


def unsafe_cell(value: Any) -> Any:
    """Undo :func:`safe_cell` on text read back from a file expert_pool wrote."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in _DANGEROUS:
        return value[1:]
    return value


def write_csv(path: str | Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]], *,
              bom: bool = False) -> None:
    """Write a header and rows (mappings over ``columns`` or sequences) with every cell through :func:`safe_cell`.

    Floats are written with ``repr`` (full precision); ``None`` as an empty cell.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(safe_row(columns))
        for row in rows:
            cells = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
            writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else safe_cell(v) for v in cells])
