"""Rows, row errors and physical lines of the table reader (:mod:`riskeval.io.tables`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from ..errors import EXIT_PROBLEMS, Location, RiskevalError
from ..i18n import register_messages

#: Longest cell (characters); a longer one makes its row an error.
MAX_CELL = 131_072
#: Deepest nesting of a JSON line.
MAX_DEPTH = 64
#: Longest physical line (bytes); a longer one is an error row (the file is not held in memory).
MAX_LINE_BYTES = 1 << 24
#: Suffixes :func:`open_table` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson")

register_messages(
    {
        "table.row.error": {"zh": "该行无法读取", "en": "the row cannot be read"},
        "table.row.encoding": {"zh": "该行不是有效的 {encoding} 编码文本", "en": "the line is not valid {encoding} text"},
        "table.row.cell_too_long": {
            "zh": "单元格过长（{length} 个字符，上限 {limit}）",
            "en": "the cell is too long ({length} characters, at most {limit})",
        },
        "table.row.line_too_long": {
            "zh": "该行过长（超过 {limit} 字节）",
            "en": "the line is too long (over {limit} bytes)",
        },
        "table.row.too_deep": {"zh": "嵌套超过 {limit} 层", "en": "nested deeper than {limit} levels"},
        "table.row.unterminated_quote": {
            "zh": "本行开始的带引号字段没有结束（缺少右引号 \"），从下一行起继续读取",
            "en": "a quoted field opened on this line is never closed (missing \"); reading resumes at the next line",
        },
        "table.row.extra_cells": {
            "zh": "该行的单元格比表头多（{count} 个多余）",
            "en": "the row has more cells than the header ({count} extra)",
        },
        "table.row.csv": {"zh": "该行不是有效的 CSV：{detail}", "en": "the line is not valid CSV: {detail}"},
        "table.row.json": {"zh": "无法解析 JSON：{detail}", "en": "not valid JSON: {detail}"},
        "table.row.not_object": {
            "zh": "该行不是 JSON 对象（{{\"列名\": 取值}}）",
            "en": "the line is not a JSON object ({{\"column\": value}})",
        },
        "table.suffix": {
            "zh": "无法识别表格文件类型 “{suffix}”（可用 .csv、.xlsx、.jsonl）",
            "en": "unknown table type '{suffix}' (use .csv, .xlsx, .jsonl)",
        },
        "table.encoding": {
            "zh": "文件 {path} 的编码无法识别（应为 UTF-8 或 GB18030）",
            "en": "the encoding of {path} is not supported (use UTF-8 or GB18030)",
        },
        "table.header.duplicate": {"zh": "表头中列名“{column}”重复", "en": "column '{column}' appears twice in the header"},
        "table.no_sheet": {
            "zh": "工作簿中没有工作表“{sheet}”（有：{known}）",
            "en": "the workbook has no sheet '{sheet}' (it has: {known})",
        },
    }
)


class TableRowError(RiskevalError):
    """One record that cannot be read; carried in :attr:`TableRow.error`, never raised by the reader."""

    code = "table.row.error"
    exit_code: ClassVar[int] = EXIT_PROBLEMS


@dataclass(slots=True)
class TableRow:
    """One input record: ``row`` (input line or sheet row), ``values`` (column → value) and its state.

    ``values`` holds CSV cells as text, XLSX cells as typed values and JSON Lines objects as parsed; a short
    record lacks its missing columns.  ``blank`` marks an empty record; ``error`` a record that cannot be
    read (``values`` then holds what could be read of it, so that its id can still be reported).
    """

    row: int
    values: dict[str, Any]
    file: str = ""
    sheet: str | None = None
    blank: bool = False
    error: TableRowError | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (TableRow, (self.row, self.values, self.file, self.sheet, self.blank, self.error))

    @property
    def location(self) -> Location:
        """Where the record is (file, sheet, row)."""
        return Location(file=self.file or None, sheet=self.sheet, row=self.row)

    def location_of(self, field: str) -> Location:
        """Where one of its values is (file, sheet, row, column)."""
        return Location(file=self.file or None, sheet=self.sheet, row=self.row, field=field)


#: (line number, text (``None`` if it could not be read), the error code of a line that is not valid text)
_Line = tuple[int, str | None, str | None]



def _detail(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _lines(handle: BinaryIO, encoding: str) -> Iterator[_Line]:
    """Physical lines, decoded one by one.

    An undecodable line is ``(n, text decoded with replacement characters, code)``, an overlong one
    ``(n, None, code)``.
    """
    readline = handle.readline
    number = 0
    while True:
        raw = readline(MAX_LINE_BYTES)
        if not raw:
            return
        number += 1
        if len(raw) >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the overlong line
                more = readline(MAX_LINE_BYTES)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None, "table.row.line_too_long"
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            yield number, raw.decode(encoding, "replace"), "table.row.encoding"
            continue
        yield number, text, None


def _error(code: str, file: str, row: int, **params: Any) -> TableRowError:
    return TableRowError(code, location=Location(file=file or None, row=row), **params)


def _line_error(code: str, file: str, number: int, encoding: str) -> TableRowError:
    if code == "table.row.encoding":
        return _error(code, file, number, encoding=encoding)
    return _error(code, file, number, limit=MAX_LINE_BYTES)


def _without_trailing_blanks(rows: Iterator[TableRow]) -> Iterator[TableRow]:
    """Blank records between records are yielded; those after the last record (a sheet's formatted but empty
    tail, a file's trailing empty lines) are not records and are dropped."""
    held: list[TableRow] = []
    for row in rows:
        if row.blank:
            held.append(row)
            continue
        if held:
            yield from held
            held = []
        yield row
