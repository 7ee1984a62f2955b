"""Streaming writers for result tables: CSV, Excel (.xlsx) and JSON Lines, chosen by the file's suffix.

Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at the
start, CWE-1236) are neutralised: prefixed with ``'`` in CSV (:func:`riskeval.io.tables.safe_cell`), and
written as text cells with Excel's quote prefix in XLSX (:func:`riskeval.io.tables.xlsx_row`); numbers stay
numbers.  JSON Lines keeps every value exactly (it is data for programs, not a spreadsheet).

Rows are written as they arrive and flushed on :meth:`TableWriter.flush`, so an interrupted run leaves a
valid file with every row written so far (an Excel workbook is completed when the writer is closed, which
the batch command does on Ctrl-C too).  Lists are ``;``-joined in CSV and Excel and stay lists in JSON Lines.

Examples
--------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
>>> with open_writer(path, ["row", "findings"]) as w:
...     w.write({"row": 1, "findings": ["A", "B"]})
>>> json.loads(path.read_text(encoding="utf-8"))
{'row': 1, 'findings': ['A', 'B']}
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ..i18n import register_messages
from ..io.tables import safe_cell, xlsx_row

__all__ = ["TableWriter", "open_writer", "OUTPUT_SUFFIXES", "output_kind"]

register_messages(
    {
        "batch.output.suffix": {
            "zh": "无法识别输出文件类型 “{suffix}”（可用 .csv、.xlsx、.jsonl）",
            "en": "unknown output type '{suffix}' (use .csv, .xlsx, .jsonl)",
        },
    }
)

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".jsonl")


def output_kind(path: str | Path) -> str:
    """``csv``, ``xlsx`` or ``jsonl`` from the suffix.

    Raises
    ------
    ValueError
        Another suffix (the message key is ``batch.output.suffix``).
    """
    suffix = Path(path).suffix.lower()
    kinds = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    if suffix not in kinds:
        raise ValueError(suffix or str(path))
    return kinds[suffix]


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _cell(value: Any) -> Any:
    """An Excel cell value: lists joined, booleans and numbers kept as they are, ``None`` empty."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


_WIDE = {"error": 40, "findings": 30, "triggers": 40, "incomplete_reasons": 30, "top_items": 40, "decision_zh": 16}


def _width(column: str, header: str) -> float:
    """A column width (in characters) from the column's kind and its header (CJK counts double)."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return float(max(_WIDE.get(column, 10), shown + 2))


class TableWriter:
    """Writes rows (mappings) with fixed ``columns`` to CSV, XLSX or JSONL.

    Parameters
    ----------
    path
        Output file; its parent directory is created.
    columns
        Column names in order.
    sheet
        Worksheet title (Excel only).
    headers
        The header shown for each column (default: the column names); JSON Lines uses them as keys.

    An Excel sheet has its header row frozen, an autofilter over the rows written, column widths, and real
    booleans and numbers (text still goes through :func:`~riskeval.io.tables.xlsx_row`: never a formula).
    """

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str],
        sheet: str = "results",
        headers: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.kind = output_kind(self.path)
        self.columns = list(columns)
        self.headers = list(headers) if headers is not None else list(self.columns)
        if len(self.headers) != len(self.columns):
            raise ValueError("headers and columns differ in length")
        self.count = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._closed = False
        if self.kind == "xlsx":
            from openpyxl import Workbook
            from openpyxl.utils import get_column_letter

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet(sheet)
            self._ws.freeze_panes = "A2"
            for i, (column, header) in enumerate(zip(self.columns, self.headers, strict=True), start=1):
                self._ws.column_dimensions[get_column_letter(i)].width = _width(column, header)
            self._ws.append(xlsx_row(self._ws, self.headers))
        else:
            # CSV with a BOM so that Excel on Chinese Windows reads UTF-8 correctly.
            encoding = "utf-8-sig" if self.kind == "csv" else "utf-8"
            self._fh = self.path.open("w", encoding=encoding, newline="")
            if self.kind == "csv":
                self._csv = csv.writer(self._fh)
                self._csv.writerow([safe_cell(c) for c in self.headers])

    def write(self, row: Mapping[str, Any]) -> None:
        """Append one row (missing columns are empty)."""
        if self.kind == "jsonl":
            record = {h: row.get(c) for c, h in zip(self.columns, self.headers, strict=True)}
            self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self.kind == "csv":
            self._csv.writerow([safe_cell(_flat(row.get(c))) for c in self.columns])
        else:
            self._ws.append(xlsx_row(self._ws, [_cell(row.get(c)) for c in self.columns]))
        self.count += 1

    def write_bytes(self, data: bytes | memoryview, rows: int) -> None:
        """Append ``rows`` CSV lines already formatted as :meth:`write` would write them (cells flattened and
        guarded, quoted as the ``excel`` dialect quotes, ``\\r\\n`` line ends) and encoded in UTF-8.  CSV only."""
        if self.kind != "csv":
            raise ValueError(self.kind)
        self._fh.flush()
        raw: Any = self._fh.buffer  # a BufferedWriter: it takes any bytes-like object, without a copy
        raw.write(data)
        self.count += rows

    def flush(self) -> None:
        """Push written rows to disk (CSV/JSONL; an Excel file is written on close)."""
        if self.kind != "xlsx" and not self._closed:
            self._fh.flush()

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.kind == "xlsx":
            from openpyxl.utils import get_column_letter

            last = get_column_letter(max(1, len(self.columns)))
            self._ws.auto_filter.ref = f"A1:{last}{self.count + 1}"
            self._wb.save(self.path)
        else:
            self._fh.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_writer(
    path: str | Path, columns: Sequence[str], sheet: str = "results", headers: Sequence[str] | None = None
) -> TableWriter:
    """A :class:`TableWriter` for ``path`` (see there)."""
    return TableWriter(path, columns, sheet, headers)
