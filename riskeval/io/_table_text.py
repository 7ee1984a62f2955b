"""CSV and JSON Lines records from decoded physical lines (for :mod:`riskeval.io.tables`)."""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, Location
from ._table_rows import (
    MAX_CELL,
    MAX_DEPTH,
    TableRow,
    TableRowError,
    _error,
    _Line,
    _line_error,
    _without_trailing_blanks,
)

_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _is_blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells)


def _scan(text: str, in_quote: bool, delim: str) -> tuple[bool, bool]:
    """Whether a CSV record is still inside a quoted field after ``text``, and whether it was malformed
    (a closing quote followed by something other than the delimiter)."""
    i, n, bad = 0, len(text), False
    while True:
        if in_quote:
            j = text.find('"', i)
            while j != -1 and text.startswith('"', j + 1):
                j = text.find('"', j + 2)
            if j == -1:
                return True, bad
            in_quote = False
            nxt = text.find(delim, j + 1)
            tail = text[j + 1 : nxt if nxt != -1 else n]
            bad = bad or bool(tail.strip("\r\n"))
            if nxt == -1:
                return False, bad
            i = nxt + 1
            continue
        if text.startswith('"', i):
            in_quote = True
            i += 1
            continue
        nxt = text.find(delim, i)
        if nxt == -1:
            return False, bad
        i = nxt + 1


def _parse(lines: list[str], delim: str, strict: bool) -> list[str]:
    return next(csv.reader(lines, delimiter=delim, strict=strict), [])


def _csv_rows(lines: Iterator[_Line], file: str, delim: str, encoding: str) -> tuple[Iterator[TableRow], list[str]]:
    headers: list[str] = []
    number = 1
    for number, text, code in lines:
        if code is not None or text is None:
            detail = _line_error(code or "", file, number, encoding).message()
            raise InputError("input.unreadable", path=file, detail=detail, location=Location(file=file, line=number))
        try:
            cells = _parse([text], delim, False)
        except csv.Error as exc:
            raise InputError("input.unreadable", path=file, detail=str(exc), location=Location(file=file, line=number)) from None
        if not _is_blank(cells):
            headers = [c.strip() for c in cells]
            break
    seen: set[str] = set()
    for h in headers:
        if h and h in seen:
            raise InputError("table.header.duplicate", column=h, location=Location(file=file, line=number, field=h))
        seen.add(h)
    return _without_trailing_blanks(_csv_records(lines, file, delim, headers, encoding)), headers


def _csv_records(lines: Iterator[_Line], file: str, delim: str, headers: list[str], encoding: str) -> Iterator[TableRow]:
    width = len(headers)
    named = all(headers)
    queue: deque[_Line] = deque()
    pending: list[tuple[int, str]] = []
    size = 0

    def record(number: int, cells: list[str]) -> TableRow:
        if len(cells) <= width and named:
            values = dict(zip(headers, cells, strict=False))
            extra = 0
        else:
            values = {h: c for h, c in zip(headers, cells, strict=False) if h}
            extra = sum(1 for i, c in enumerate(cells) if c.strip() and (i >= width or not headers[i]))
        if _is_blank(cells):
            return TableRow(number, {}, file, blank=True)
        error = None
        if extra:
            error = _error("table.row.extra_cells", file, number, count=extra)
        else:
            for h, c in values.items():
                if len(c) > MAX_CELL:
                    error = TableRowError("table.row.cell_too_long", length=len(c), limit=MAX_CELL,
                                          location=Location(file=file or None, row=number, field=h))
                    values = {k: v for k, v in values.items() if len(v) <= MAX_CELL}
                    break
        return TableRow(number, values, file, error=error)

    def salvage(number: int, text: str | None, error: TableRowError) -> TableRow:
        """An error row with the cells that could be read (so that its id can still be reported)."""
        values: dict[str, str] = {}
        if text is not None:
            try:
                got = record(number, _parse([text.rstrip("\r\n")], delim, False))
            except csv.Error:
                return TableRow(number, values, file, error=error)
            values = {k: v for k, v in got.values.items() if len(v) <= MAX_CELL and "\ufffd" not in v}
        return TableRow(number, values, file, error=error)

    def unterminated() -> TableRow:
        first, text = pending[0]
        for item in reversed(pending[1:]):
            queue.appendleft((item[0], item[1], None))
        pending.clear()
        return salvage(first, text, _error("table.row.unterminated_quote", file, first))

    while True:
        if queue:
            item: _Line | None = queue.popleft()
        else:
            item = next(lines, None)
        if item is None:
            if pending:
                yield unterminated()
                continue
            return
        number, text, code = item
        if code is not None or text is None:
            if pending:  # a line that cannot be read inside an open quote: the quote was never closed
                queue.appendleft(item)
                yield unterminated()
                continue
            yield salvage(number, text, _line_error(code or "", file, number, encoding))
            continue
        if pending:
            pending.append((number, text))
            size += len(text)
            in_quote, bad = _scan(text, True, delim)
            if in_quote:
                if size > MAX_CELL:
                    yield unterminated()
                continue
            try:
                cells = _parse([t for _, t in pending], delim, True)
            except csv.Error:
                bad = True
            if bad or len(cells) != width:
                yield unterminated()
                continue
            first = pending[0][0]
            pending.clear()
            yield record(first, cells)
            continue
        if '"' not in text:
            line = text.rstrip("\r\n")
            if not line.strip(delim + " \t"):
                yield TableRow(number, {}, file, blank=True)
                continue
            cells = line.split(delim)
            if len(cells) == width and named and len(line) <= MAX_CELL:
                yield TableRow(number, dict(zip(headers, cells, strict=False)), file)
            else:
                yield record(number, cells)
            continue
        in_quote, bad = _scan(text, False, delim)
        if in_quote:
            pending.append((number, text))
            size = len(text)
            continue
        try:
            cells = _parse([text], delim, False)
        except csv.Error as exc:
            if "field limit" in str(exc):
                error = _error("table.row.cell_too_long", file, number, length=f">{MAX_CELL}", limit=MAX_CELL)
            else:
                error = _error("table.row.csv", file, number, detail=str(exc))
            yield salvage(number, None, error)
            continue
        yield record(number, cells)


# -- JSON Lines ------------------------------------------------------------------------------------------


def _depth(text: str) -> int:
    depth = deepest = 0
    for m in _NESTING.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _long_text(value: Any, depth: int = 0) -> int:
    """The length of the longest text in a parsed JSON value."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max([len(k) for k in value] + [_long_text(v, depth + 1) for v in value.values()], default=0)
    if isinstance(value, list):
        return max((_long_text(v, depth + 1) for v in value), default=0)
    return 0


def _jsonl_rows(lines: Iterator[_Line], file: str, encoding: str) -> Iterator[TableRow]:
    for number, text, code in lines:
        if code is not None or text is None:
            yield TableRow(number, {}, file, error=_line_error(code or "", file, number, encoding))
            continue
        stripped = text.strip()
        if not stripped:
            yield TableRow(number, {}, file, blank=True)
            continue
        if stripped.count("[") + stripped.count("{") > MAX_DEPTH and _depth(stripped) > MAX_DEPTH:
            yield TableRow(number, {}, file, error=_error("table.row.too_deep", file, number, limit=MAX_DEPTH))
            continue
        try:
            value = json.loads(stripped)
        except RecursionError:
            yield TableRow(number, {}, file, error=_error("table.row.too_deep", file, number, limit=MAX_DEPTH))
            continue
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} (column {exc.colno})"
            yield TableRow(number, {}, file, error=_error("table.row.json", file, number, detail=detail))
            continue
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            yield TableRow(number, {}, file, error=_error("table.row.json", file, number, detail=str(exc)[:200]))
            continue
        if not isinstance(value, dict):
            yield TableRow(number, {}, file, error=_error("table.row.not_object", file, number))
            continue
        if len(stripped) > MAX_CELL:
            for key, cell in value.items():
                length = _long_text(cell)
                if length > MAX_CELL:
                    error = TableRowError("table.row.cell_too_long", length=length, limit=MAX_CELL,
                                          location=Location(file=file or None, row=number, field=str(key)))
                    small = {k: v for k, v in value.items() if _long_text(v) <= MAX_CELL}
                    yield TableRow(number, small, file, error=error)
                    break
            else:
                yield TableRow(number, value, file)
            continue
        yield TableRow(number, value, file)
