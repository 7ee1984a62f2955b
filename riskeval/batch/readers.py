"""Streaming readers for project lists: CSV, Excel (.xlsx), JSON Lines and YAML.

Each reader yields one mapping per record (column → cell value), in file order, without holding the file
in memory (CSV, JSON Lines and Excel stream; a YAML file is read document by document).  A record that cannot
be parsed (a broken JSON line) is yielded as a :class:`BadRow`, so that it keeps its place in the output.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
>>> _ = path.write_text("id,反对率\\nP1,12\\n\\nP2,30\\n", encoding="utf-8")
>>> with open_rows(path) as source:
...     [dict(r) for r in source]
[{'id': 'P1', '反对率': '12'}, {'id': 'P2', '反对率': '30'}]
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import yaml

from ..i18n import register_messages
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


class InputError(ValueError):
    """The input file as a whole cannot be read; ``code``/``params`` form the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params


@dataclass
class BadRow:
    """A record that could not be parsed; it becomes an error row in the output."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


class RowSource:
    """An open input: iterate for rows; ``headers`` (tabular inputs) and ``estimate`` (row count or ``None``).

    Use as a context manager so the file is closed even when the run is interrupted.
    """

    def __init__(
        self, rows: Iterator[Any], headers: list[str] | None, estimate: int | None, handles: list[Any]
    ) -> None:
        self._rows = rows
        self.headers = headers
        self.estimate = estimate
        self._handles = handles

    def __iter__(self) -> Iterator[Any]:
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
        Iterable of row mappings (or :class:`BadRow`).

    Raises
    ------
    InputError
        Unknown type, unreadable file, or a workbook without a project sheet.
    """
    path = Path(path)
    kind = fmt or _kind(path)
    try:
        if kind == "csv":
            return _csv(path, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        if kind == "xlsx":
            return _xlsx(path)
        if kind == "jsonl":
            handle = path.open("r", encoding="utf-8-sig")
            return RowSource(_jsonl(handle), None, None, [handle])
        handle = path.open("r", encoding="utf-8-sig")
        return RowSource(_yaml(handle), None, None, [handle])
    except InputError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            "batch.input.open", path=str(path), detail=getattr(exc, "strerror", None) or str(exc)
        ) from None


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
    raise InputError("batch.input.suffix", suffix=suffix or path.name)


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) unless the start of the file is not UTF-8: then GB18030 (Excel on Chinese Windows)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def _csv(path: Path, delimiter: str) -> RowSource:
    handle = path.open("r", encoding=_encoding(path), newline="")
    reader = csv.DictReader(handle, delimiter=delimiter)
    headers = [h.strip() if isinstance(h, str) else h for h in (reader.fieldnames or [])]
    reader.fieldnames = headers

    def rows() -> Iterator[Any]:
        for row in reader:
            if all(is_missing(v) for k, v in row.items() if k is not None) and None not in row:
                continue
            yield row

    estimate = max(_count_lines(path) - 1, 0) if path.stat().st_size < (1 << 31) else None
    return RowSource(rows(), headers, estimate, [handle])


def _sheet_rows(ws: Any) -> Iterator[dict[str, Any]]:
    it = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    for values in it:
        if header is None:
            if values is None or all(is_missing(v) for v in values):
                continue
            header = ["" if v is None else str(v).strip() for v in values]
            continue
        if all(is_missing(v) for v in values):
            continue
        row: dict[str, Any] = {}
        for i, value in enumerate(values):
            if i < len(header) and header[i]:
                row[header[i]] = value
            elif not is_missing(value):
                row.setdefault(None, []).append(value)  # type: ignore[call-overload]
        yield row


def _xlsx(path: Path) -> RowSource:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    names = {name.strip().lower(): name for name in wb.sheetnames}
    measure_sheet = next((names[n] for n in MEASURE_SHEETS if n in names), None)
    project_sheet = next((names[n] for n in PROJECT_SHEETS if n in names), None)
    if project_sheet is None:
        project_sheet = next((n for n in wb.sheetnames if n != measure_sheet), None)
    if project_sheet is None:
        wb.close()
        raise InputError("batch.input.no_sheet")
    measures = _measures_by_project(wb[measure_sheet]) if measure_sheet else {}
    ws = wb[project_sheet]
    max_row = ws.max_row

    def rows() -> Iterator[Any]:
        id_header: str | None = None
        for row in _sheet_rows(ws):
            if id_header is None:
                id_header = next((h for h in row if isinstance(h, str) and h.lower() in _ID_HEADERS), "")
            if measures and id_header:
                pid = row.get(id_header)
                key = _key(pid)
                if key in measures:
                    row["measures"] = measures[key]
            yield row

    return RowSource(rows(), None, (max_row - 1) if isinstance(max_row, int) else None, [wb])


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _measures_by_project(ws: Any) -> dict[str, list[dict[str, Any]]]:
    """A ``measures`` sheet: one row per (project, measure, fact) ("fact"/"value" columns) or per measure (fact columns)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _sheet_rows(ws):
        roles: dict[str, str] = {}
        for header in row:
            if not isinstance(header, str):
                continue
            low = header.lower()
            for role, names in _MEASURE_HEADERS.items():
                if low in names and role not in roles:
                    roles[role] = header
                    break
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
            used = set(roles.values())
            sets = {
                h: v for h, v in row.items() if isinstance(h, str) and h not in used and not is_missing(v)
            }
        entries = out.setdefault(project, [])
        entry = next((e for e in entries if e["id"] == mid), None)
        if entry is None:
            entries.append({"id": mid, "label": label, "sets": sets})
        else:
            entry["sets"].update(sets)
    return out


def _jsonl(handle: IO[str]) -> Iterator[Any]:
    for line in handle:
        text = line.strip()
        if not text:
            continue
        try:
            yield json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadRow("batch.row.parse", {"detail": f"JSON: {exc.msg} (column {exc.colno})"})


def _yaml(handle: IO[str]) -> Iterator[Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for doc in yaml.load_all(handle, Loader=loader):  # noqa: S506 - a safe loader
            if doc is None:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("projects"), list):
                doc = doc["projects"]
            if isinstance(doc, list):
                yield from doc
            elif isinstance(doc, dict):
                yield doc
            else:
                yield BadRow("batch.input.yaml_item")
    except yaml.YAMLError as exc:
        yield BadRow("batch.row.parse", {"detail": f"YAML: {str(exc)[:200]}"})
