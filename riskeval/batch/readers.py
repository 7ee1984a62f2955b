"""Streaming readers for project lists: CSV, Excel (.xlsx), JSON Lines and YAML.

CSV, Excel and JSON Lines are read by the one table reader, :mod:`riskeval.io.tables`: every input record
gives exactly one :class:`~riskeval.io.tables.TableRow`, in order, whose ``row`` is the input's line (the
sheet row in Excel), blank records and records that cannot be read included (``blank``, ``error``), so that
each output row can be traced back to its input.  A YAML list is read item by item: an item with a syntax
error is one error row at its line, and the other items go on.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
>>> _ = path.write_text("id,反对率\\nP1,12\\n\\nP2,30\\n", encoding="utf-8")
>>> with open_rows(path) as source:
...     [(r.row, r.values, r.blank) for r in source]
[(2, {'id': 'P1', '反对率': '12'}, False), (3, {}, True), (4, {'id': 'P2', '反对率': '30'}, False)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from ..errors import InputError, Location
from ..i18n import register_messages
from ..io.tables import Table, TableRow, TableRowError, open_table, sheet_names
from .columns import IDENTITY_ALIASES, is_missing

__all__ = ["BadRow", "RowSource", "open_rows", "InputError", "INPUT_SUFFIXES"]

register_messages(
    {
        "batch.input.suffix": {
            "zh": "无法识别输入文件类型 “{suffix}”（可用 .csv、.xlsx、.jsonl、.yaml）",
            "en": "unknown input type '{suffix}' (use .csv, .xlsx, .jsonl, .yaml)",
        },
        "batch.input.open": {
            "zh": "无法读取输入文件 {path}：{detail}",
            "en": "cannot read the input {path}: {detail}",
        },
        "batch.input.no_sheet": {
            "zh": "Excel 文件中没有项目工作表",
            "en": "the workbook has no project sheet",
        },
        "batch.input.yaml_item": {
            "zh": "YAML 文档应为项目或项目列表",
            "en": "a YAML document must be a project or a list",
        },
        "batch.input.yaml_syntax": {
            "zh": "YAML 语法错误（第 {line} 行）：{detail}",
            "en": "YAML syntax error (line {line}): {detail}",
        },
    }
)

INPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".yaml", ".yml")
PROJECT_SHEETS = ("projects", "项目", "项目清单", "事项")
MEASURE_SHEETS = ("measures", "措施")
_ID_HEADERS = {a.lower() for a in IDENTITY_ALIASES["id"]}
_MEASURE_HEADERS = {
    "project": {"project", "project_id", "项目", "项目编号", "事项编号", "id", "编号"},
    "measure": {"measure_id", "措施编号"},
    "label": {"label", "measure_label", "措施", "措施名称"},
    "fact": {"fact", "事实", "事实名称"},
    "value": {"value", "取值", "措施后取值", "值"},
}


@dataclass
class BadRow:
    """A record that could not be parsed (kept for callers that build rows themselves).

    The readers yield :class:`~riskeval.io.tables.TableRow` objects with ``error`` set instead.
    """

    code: str
    params: dict[str, object] = field(default_factory=dict)


class RowSource:
    """An open input: iterate for :class:`~riskeval.io.tables.TableRow`; ``headers`` and ``estimate``.

    Use as a context manager so the file is closed even when the run is interrupted.
    """

    def __init__(
        self, rows: Iterator[TableRow], headers: list[str] | None, estimate: int | None, handles: list[Any]
    ) -> None:
        self._rows = rows
        self.headers = headers
        self.estimate = estimate
        self._handles = handles

    def __iter__(self) -> Iterator[TableRow]:
        return self._rows

    def close(self) -> None:
        for handle in self._handles:
            try:
                handle.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self._handles = []

    def __enter__(self) -> RowSource:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_rows(path: str | Path, *, fmt: str | None = None) -> RowSource:
    """Open a project list for streaming.

    Parameters
    ----------
    path
        The input file.
    fmt
        ``csv``, ``xlsx``, ``jsonl`` or ``yaml``; by default from the suffix.

    Returns
    -------
    RowSource
        Iterable of :class:`~riskeval.io.tables.TableRow`, one per input record.

    Raises
    ------
    InputError
        Unknown type, unreadable file, or a workbook without a project sheet (:class:`riskeval.InputError`).
    """
    path = Path(path)
    kind = fmt or _kind(path)
    if kind == "yaml":
        return RowSource(_yaml_rows(path), None, None, [])
    if kind == "xlsx":
        return _xlsx(path)
    big = _size(path) >= (1 << 31)
    table = open_table(path, kind=kind, estimate=not big)
    return _source(table)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # open_table reports it


def _source(table: Table) -> RowSource:
    return RowSource(iter(table), table.headers, table.estimate, [table])


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise InputError("batch.input.suffix", suffix=suffix or path.name, location=Location(file=str(path)))


# -- Excel ---------------------------------------------------------------------------------------------


def _xlsx(path: Path) -> RowSource:
    sheets = sheet_names(path)
    names = {name.strip().lower(): name for name in sheets}
    measure_sheet = next((names[n] for n in MEASURE_SHEETS if n in names), None)
    project_sheet = next((names[n] for n in PROJECT_SHEETS if n in names), None)
    if project_sheet is None:
        project_sheet = next((n for n in sheets if n != measure_sheet), None)
    if project_sheet is None:
        raise InputError("batch.input.no_sheet", location=Location(file=str(path)))
    measures: dict[str, list[dict[str, Any]]] = {}
    if measure_sheet:
        with open_table(path, sheet=measure_sheet) as table:
            measures = _measures_by_project(table)
    table = open_table(path, sheet=project_sheet)
    id_header = next((h for h in table.headers or () if h.lower() in _ID_HEADERS), "")

    def rows() -> Iterator[TableRow]:
        for row in table:
            if measures and id_header and not row.blank and row.error is None:
                key = _key(row.values.get(id_header))
                if key in measures:
                    row.values["measures"] = measures[key]
            yield row

    return RowSource(rows(), table.headers, table.estimate, [table])


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _measures_by_project(table: Table) -> dict[str, list[dict[str, Any]]]:
    """A ``measures`` sheet: one row per (project, measure, fact) ("fact"/"value" columns) or per measure (fact columns)."""
    out: dict[str, list[dict[str, Any]]] = {}
    roles: dict[str, str] = {}
    for header in table.headers or ():
        low = header.lower()
        for role, names in _MEASURE_HEADERS.items():
            if low in names and role not in roles:
                roles[role] = header
                break
    used = set(roles.values())
    for record in table:
        if record.blank or record.error is not None:
            continue
        row = record.values
        project = _key(row.get(roles.get("project", "")))
        if not project:
            continue
        mid = _key(row.get(roles.get("measure", ""))) or "M1"
        label = _key(row.get(roles.get("label", ""))) or mid
        sets: dict[str, Any] = {}
        if "fact" in roles:
            fact = _key(row.get(roles["fact"]))
            if fact:
                sets[fact] = row.get(roles.get("value", ""))
        else:
            sets = {h: v for h, v in row.items() if h not in used and not is_missing(v)}
        entries = out.setdefault(project, [])
        entry = next((e for e in entries if e["id"] == mid), None)
        if entry is None:
            entries.append({"id": mid, "label": label, "sets": sets})
        else:
            entry["sets"].update(sets)
    return out


# -- YAML ----------------------------------------------------------------------------------------------

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ITEM = re.compile(r"( *)-(?: |$)")
_DOC = re.compile(r"---(?:\s|$)")
_PROJECTS_KEY = re.compile(r"projects\s*:\s*(?:#.*)?$")


def _yaml_rows(path: Path) -> Iterator[TableRow]:
    """The projects of a YAML file, one :class:`TableRow` per list item (or per document), at its line.

    The whole stream is composed first (anchors and flow style work); if it has a syntax error, the file is
    cut into its top-level items and each is read alone, so that one broken item is one error row.
    """
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("input.not_found", path=file, location=Location(file=file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise InputError("input.unreadable", path=file, detail=detail, location=Location(file=file, line=1)) from None
    try:
        nodes = _compose_all(text)
    except (yaml.YAMLError, RecursionError):
        yield from _yaml_items_one_by_one(text, file)
        return
    loader = _LOADER("")
    try:
        for doc in nodes:
            items = _top_items(doc)
            for node in items:
                yield _yaml_row(file, node.start_mark.line + 1, lambda n=node: loader.construct_document(n))
    finally:
        loader.dispose()


def _compose_all(text: str) -> list[yaml.Node]:
    loader = _LOADER(text)
    try:
        nodes = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
        return nodes
    finally:
        loader.dispose()


def _top_items(doc: yaml.Node) -> list[yaml.Node]:
    if isinstance(doc, yaml.MappingNode):
        for key, value in doc.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "projects" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
        return [doc]
    if isinstance(doc, yaml.SequenceNode):
        return list(doc.value)
    if isinstance(doc, yaml.ScalarNode) and doc.tag.endswith(":null"):
        return []
    return [doc]


def _yaml_row(file: str, line: int, build: Any) -> TableRow:
    try:
        value = build()
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return _yaml_error(file, line, exc)
    if not isinstance(value, dict):
        error = TableRowError("batch.input.yaml_item", location=Location(file=file, row=line))
        return TableRow(line, {}, file, error=error)
    return TableRow(line, {str(k): v for k, v in value.items()}, file)


def _yaml_error(file: str, line: int, exc: BaseException) -> TableRow:
    mark = getattr(exc, "problem_mark", None)
    where = line + mark.line if mark is not None else line
    problem = getattr(exc, "problem", None) or type(exc).__name__
    error = TableRowError(
        "batch.input.yaml_syntax", line=where, detail=str(problem)[:200], location=Location(file=file, row=line)
    )
    return TableRow(line, {}, file, error=error)


def _yaml_items_one_by_one(text: str, file: str) -> Iterator[TableRow]:
    """Cut the text into top-level list items (or documents) and read each alone."""
    lines = text.splitlines(keepends=True)
    indent = _list_indent(lines)
    chunk: list[str] = []
    start = 0
    in_list = False

    def flush() -> Iterator[TableRow]:
        if not chunk or not any(line.strip() and not line.lstrip().startswith("#") for line in chunk):
            return
        body = "".join(chunk)

        def build() -> Any:
            value = yaml.load(body, Loader=_LOADER)  # noqa: S506 - a safe loader
            return value[0] if in_list and isinstance(value, list) and len(value) == 1 else value

        yield _yaml_row(file, start + 1, build)

    for number, line in enumerate(lines):
        stripped = line.strip()
        if _DOC.match(line) or stripped == "...":
            yield from flush()
            chunk, in_list = [], False
            continue
        m = _ITEM.match(line)
        if indent is not None and m and len(m.group(1)) == indent:
            yield from flush()
            chunk, start, in_list = [line], number, True
            continue
        outdented = stripped and not stripped.startswith("#") and len(line) - len(line.lstrip(" ")) <= (indent or 0)
        if in_list and outdented and indent is not None:
            yield from flush()  # the list has ended: what follows belongs to the enclosing mapping
            chunk, in_list = [], False
            continue
        if not in_list and indent is not None:
            continue  # text around the list (``projects:`` and other keys)
        if not chunk:
            start = number
        chunk.append(line)
    yield from flush()


def _list_indent(lines: list[str]) -> int | None:
    """The indentation of the top-level list's ``-`` (the document itself, or under ``projects:``), if any."""
    content = [
        line for line in lines if line.strip() and not line.lstrip().startswith("#") and not _DOC.match(line)
    ]
    for i, line in enumerate(content):
        m = _ITEM.match(line)
        if i == 0 and m:
            return len(m.group(1))
        if _PROJECTS_KEY.match(line) and i + 1 < len(content):
            m = _ITEM.match(content[i + 1])
            return len(m.group(1)) if m else None
    return None
