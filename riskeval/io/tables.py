"""The one table reader (CSV, XLSX, JSON Lines) and the spreadsheet-cell guard for every writer.

:func:`open_table` streams a table record by record.  Every record of the input gives exactly one
:class:`TableRow`, in order, whose ``row`` is the input's line (CSV, JSON Lines) or the sheet row (XLSX), so
that a result can always be traced back: blank records are yielded too (``blank``), and a record that cannot
be read is yielded with a :class:`TableRowError` in ``error`` (its location included) instead of stopping
the reading.  A file that cannot be read at all raises :class:`riskeval.errors.InputError` (exit 2).

Per-record robustness
    CSV is decoded line by line in the detected encoding (UTF-8 or GB18030, with or without BOM): a line
    that is not valid text is an error row and the others go on.  A cell over :data:`MAX_CELL` characters,
    a JSON line nested deeper than :data:`MAX_DEPTH`, or a line over :data:`MAX_LINE_BYTES` bytes is an
    error row.  A quoted CSV field that is never closed (or whose record only "closes" many lines later with
    the wrong shape) makes the row where it opened an error; reading resumes at the next line.

:func:`safe_cell` neutralises text that a spreadsheet would run as a formula (CWE-1236).

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
>>> _ = path.write_bytes("id,反对率\\nP1,12\\n\\nP2,\\"3\\n".encode("gb18030") + b"P3,\\xff\\nP4,9\\n")
>>> with open_table(path) as table:
...     rows = list(table)
>>> table.encoding, table.headers
('gb18030', ['id', '反对率'])
>>> [(r.row, r.values, r.blank, r.error.code if r.error else None) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
[(2, {'id': 'P1', '反对率': '12'}, False, None), (3, {}, True, None),
 (4, {'id': 'P2', '反对率': '3'}, False, 'table.row.unterminated_quote'),
 (5, {'id': 'P3'}, False, 'table.row.encoding'), (6, {'id': 'P4', '反对率': '9'}, False, None)]
>>> rows[3].error.location.row, rows[3].error.message("en")
(5, 'the line is not valid gb18030 text')
>>> [safe_cell(v) for v in ("=1+1", "-2", -2, "＝1", "abc")]
["'=1+1", "'-2", -2, '＝1', 'abc']
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from ..errors import InputError, Location
from ._table_rows import (
    MAX_CELL,
    MAX_DEPTH,
    MAX_LINE_BYTES,
    TABLE_SUFFIXES,
    TableRow,
    TableRowError,
    _detail,
    _lines,
    _without_trailing_blanks,
)
from ._table_text import _csv_rows, _jsonl_rows

__all__ = [
    "MAX_CELL",
    "MAX_DEPTH",
    "MAX_LINE_BYTES",
    "TABLE_SUFFIXES",
    "Table",
    "TableRow",
    "TableRowError",
    "detect_encoding",
    "open_table",
    "safe_cell",
    "safe_row",
    "sheet_names",
    "table_kind",
]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_UTF8_BOM = codecs.BOM_UTF8
_GB18030_BOM = b"\x84\x31\x95\x33"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SUFFIX_KIND = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
}


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may show it without running it (OWASP CSV-injection guidance).

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` even when it
    looks numeric (an id ``-2`` is text); numbers, booleans and other text stay as they are.

    Examples
    --------
    >>> [safe_cell(v) for v in ("=cmd|' /C calc'!A0", "+1", "@SUM(1)", "\\t=1", "ok", 3.5, -1)]
    ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "'\\t=1", 'ok', 3.5, -1]
    """
    if isinstance(value, str) and value[:1] in _DANGEROUS:
        return "'" + value
    return value


def safe_row(values: Sequence[Any]) -> list[Any]:
    """:func:`safe_cell` of each value.

    Examples
    --------
    >>> safe_row(["-2", -2, None])
    ["'-2", -2, None]
    """
    return [safe_cell(v) for v in values]


def table_kind(path: str | Path) -> str:
    """``csv``, ``xlsx`` or ``jsonl`` from the suffix; :class:`InputError` for another.

    Examples
    --------
    >>> table_kind("a.TSV"), table_kind("b.ndjson")
    ('csv', 'jsonl')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_KIND:
        raise InputError("table.suffix", suffix=suffix or Path(path).name, location=Location(file=str(path)))
    return _SUFFIX_KIND[suffix]


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a text file from its first bytes, and the length of its BOM.

    UTF-8 unless the start is not UTF-8 but is GB18030 (Excel on Chinese Windows saves that).

    Examples
    --------
    >>> detect_encoding(b"\\xef\\xbb\\xbfid"), detect_encoding("编号".encode("gb18030")), detect_encoding(b"id")
    (('utf-8', 3), ('gb18030', 0), ('utf-8', 0))
    """
    if head.startswith(_UTF8_BOM):
        return "utf-8", len(_UTF8_BOM)
    if head.startswith(_GB18030_BOM):
        return "gb18030", len(_GB18030_BOM)
    if head.startswith(_UTF16_BOMS):
        return "utf-16", 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    utf8 = gb = 0  # non-ASCII lines that are valid UTF-8, and those that are not but are GB18030
    for line in head.split(b"\n")[:-1] or [head]:
        if line.isascii():
            continue
        if _decodes(line, "utf-8"):
            utf8 += 1
        elif _decodes(line, "gb18030"):
            gb += 1
    return ("gb18030", 0) if gb > utf8 else ("utf-8", 0)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


class Table:
    """An open table: iterate for :class:`TableRow`; ``headers``, ``encoding``, ``estimate``; close when done.

    Use :func:`open_table`; as a context manager it closes the file even when the reading is interrupted.
    """

    def __init__(self, rows: Iterator[TableRow], *, kind: str, file: str, headers: list[str] | None,
                 encoding: str | None, sheet: str | None, estimate: int | None, handle: Any) -> None:
        self._rows = rows
        self.kind = kind
        self.file = file
        self.headers = headers
        self.encoding = encoding
        self.sheet = sheet
        self.estimate = estimate
        self._handle = handle

    def __iter__(self) -> Iterator[TableRow]:
        return self._rows

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._handle is not None:
            try:
                self._handle.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
            self._handle = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def open_table(path: str | Path, *, kind: str | None = None, sheet: str | None = None,
               delimiter: str | None = None, estimate: bool = False) -> Table:
    """Open a CSV, XLSX or JSON Lines table for streaming.

    Parameters
    ----------
    path
        The file.
    kind
        ``csv``, ``xlsx`` or ``jsonl``; by default from the suffix.
    sheet
        The worksheet to read (XLSX; default the first).
    delimiter
        The CSV delimiter (default ``,``, a tab for ``.tsv``).
    estimate
        Count the lines of a CSV/JSON Lines file first (for progress bars) into :attr:`Table.estimate`.

    Returns
    -------
    Table

    Raises
    ------
    InputError
        Unknown type, missing or unreadable file, unsupported encoding, a duplicate column, no such sheet.
    """
    p = Path(path)
    kind = kind or table_kind(p)
    file = str(path)
    try:
        if kind == "xlsx":
            return _open_xlsx(p, file, sheet)
        handle = p.open("rb")
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError("input.not_found", path=file, location=Location(file=file)) from None
    except Exception as exc:  # noqa: BLE001 - a workbook that does not open at all: zip, XML, permission
        raise InputError("input.unreadable", path=file, detail=_detail(exc), location=Location(file=file)) from None
    try:
        head = handle.read(1 << 16)
        encoding, bom = detect_encoding(head)
        if encoding == "utf-16":
            raise InputError("table.encoding", path=file, location=Location(file=file, line=1))
        handle.seek(bom)
        count = _count_lines(handle, bom) if estimate else None
        lines = _lines(handle, encoding)
        if kind == "jsonl":
            return Table(_without_trailing_blanks(_jsonl_rows(lines, file, encoding)), kind=kind, file=file, headers=None, encoding=encoding,
                         sheet=None, estimate=count, handle=handle)
        delim = delimiter or ("\t" if p.suffix.lower() == ".tsv" else ",")
        rows, headers = _csv_rows(lines, file, delim, encoding)
        return Table(rows, kind="csv", file=file, headers=headers, encoding=encoding, sheet=None,
                     estimate=None if count is None else max(count - 1, 0), handle=handle)
    except BaseException:
        handle.close()
        raise


def sheet_names(path: str | Path) -> list[str]:
    """The worksheet names of an XLSX workbook; :class:`InputError` when it does not open."""
    wb = _workbook(Path(path), str(path))
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _count_lines(handle: BinaryIO, start: int) -> int:
    count = 0
    for block in iter(lambda: handle.read(1 << 20), b""):
        count += block.count(b"\n")
    handle.seek(start)
    return count


# -- XLSX ------------------------------------------------------------------------------------------------


def _workbook(p: Path, file: str) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("input.not_found", path=file, location=Location(file=file)) from None
    except Exception as exc:  # noqa: BLE001 - not a workbook: zip, XML or permission errors
        raise InputError("input.unreadable", path=file, detail=_detail(exc), location=Location(file=file)) from None


def _open_xlsx(p: Path, file: str, sheet: str | None) -> Table:
    wb = _workbook(p, file)
    names = list(wb.sheetnames)
    name = sheet if sheet is not None else (names[0] if names else None)
    if name is None or name not in names:
        wb.close()
        raise InputError("table.no_sheet", sheet=sheet or "", known=", ".join(names) or "-",
                         location=Location(file=file))
    ws = wb[name]
    rows = ws.iter_rows(values_only=True)
    headers: list[str] = []
    start = 0
    try:
        for start, values in enumerate(rows, start=1):  # noqa: B007 - start is used after the loop
            if values and not all(_empty(v) for v in values):
                headers = ["" if v is None else str(v).strip() for v in values]
                break
    except Exception as exc:
        wb.close()
        raise InputError("input.unreadable", path=file, detail=_detail(exc), location=Location(file=file)) from None
    seen: set[str] = set()
    for h in headers:
        if h and h in seen:
            wb.close()
            raise InputError("table.header.duplicate", column=h, location=Location(file=file, sheet=name, row=start, field=h))
        seen.add(h)
    max_row = ws.max_row
    estimate = max_row - start if isinstance(max_row, int) and headers else None
    records = _without_trailing_blanks(_xlsx_rows(rows, start, headers, file, name))
    return Table(records, kind="xlsx", file=file, headers=headers, encoding=None, sheet=name,
                 estimate=estimate, handle=wb)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], start: int, headers: list[str], file: str, sheet: str) -> Iterator[TableRow]:
    width = len(headers)
    number = start
    try:
        for number, values in enumerate(rows, start=start + 1):
            if not values or all(_empty(v) for v in values):
                yield TableRow(number, {}, file, sheet, blank=True)
                continue
            out: dict[str, Any] = {}
            extra = 0
            error: TableRowError | None = None
            for i, value in enumerate(values):
                header = headers[i] if i < width else ""
                if not header:
                    extra += not _empty(value)
                    continue
                if isinstance(value, str) and len(value) > MAX_CELL:
                    error = error or TableRowError("table.row.cell_too_long", length=len(value), limit=MAX_CELL,
                                                   location=Location(file=file or None, sheet=sheet, row=number, field=header))
                    continue
                out[header] = value
            if extra and error is None:
                error = TableRowError("table.row.extra_cells", count=extra,
                                      location=Location(file=file or None, sheet=sheet, row=number))
            yield TableRow(number, out, file, sheet, error=error)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet whose XML breaks off: the file cannot be read on
        raise InputError("input.unreadable", path=file, detail=_detail(exc),
                         location=Location(file=file, sheet=sheet, row=number + 1)) from None
