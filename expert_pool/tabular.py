"""File access for :mod:`expert_pool.reading`: CSV tables, YAML/JSON documents with line numbers, JSONL.

Problems with a file as a whole raise :class:`~expert_pool.errors.PoolFileError`; problems of the header
raise :class:`~expert_pool.errors.PoolInputError` (all of them); problems of single rows are returned in
:attr:`CsvTable.problems` so that the loaders report them together with their own.

Examples
--------
>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> _ = open(p, "w", encoding="utf-8").write("Expert, unit\\nE1,U1\\n\\nE2,U2,extra\\n")
>>> table = read_csv_table(p, ["expert"])
>>> table.columns, list(table.records()), [e.row for e in table.problems]
(['expert', 'unit'], [(2, {'expert': 'E1', 'unit': 'U1'})], [4])
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from expert_pool.errors import (
    DuplicateIdError,
    InvalidValueError,
    MissingColumnError,
    PoolError,
    PoolFileError,
    ProblemCollector,
)

__all__ = ["CsvTable", "YamlDoc", "read_csv_table", "read_yaml_doc", "read_jsonl", "open_error"]


def open_error(exc: OSError | UnicodeDecodeError, name: str) -> PoolFileError:
    """The :class:`PoolFileError` for a failure to open or decode ``name``."""
    if isinstance(exc, FileNotFoundError):
        return PoolFileError("pool.file.not_found", file=name)
    if isinstance(exc, IsADirectoryError):
        return PoolFileError("pool.file.is_directory", file=name)
    if isinstance(exc, UnicodeDecodeError):
        return PoolFileError("pool.file.not_utf8", file=name)
    return PoolFileError("pool.file.unreadable", file=name, detail=exc.strerror or str(exc))


@dataclass
class CsvTable:
    """A CSV file read as text: normalised header, ``(row, cells)`` and the row problems found."""

    name: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[PoolError] = field(default_factory=list)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(row, {column: stripped text})`` for each non-blank row without a problem."""
        keep = [(i, col) for i, col in enumerate(self.columns) if col]
        for line, cells in self.rows:
            yield line, {col: cells[i] for i, col in keep}


def read_csv_table(path: str | Path, required: Iterable[str] = (), aliases: Mapping[str, str] | None = None
                   ) -> CsvTable:
    """Read a CSV file (UTF-8, optional BOM); header names are stripped, lower-cased and de-aliased.

    Raises
    ------
    PoolFileError
        Missing, a directory, not UTF-8, malformed, or empty.
    PoolInputError
        The header repeats a column or lacks required ones (all of them reported).
    """
    name = str(path)
    aliases = dict(aliases or {})
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise PoolFileError("pool.file.empty", file=name) from None
            columns = [aliases.get(h.strip().lower(), h.strip().lower()) for h in header]
            bag = ProblemCollector(name)
            seen: set[str] = set()
            for col in columns:
                if col and col in seen:
                    bag.add(DuplicateIdError("header", col, 1, file=name, row=1))
                seen.add(col)
            for col in required:
                if col not in columns:
                    bag.add(MissingColumnError(col, file=name, row=1))
            bag.raise_if_any()
            width = len(columns)
            table = CsvTable(name, columns, [])
            for cells in reader:
                stripped = [c.strip() for c in cells]
                if not any(stripped):
                    continue
                if len(stripped) > width:
                    table.problems.append(InvalidValueError("-", "", "too_many_cells", cells=len(stripped),
                                                            width=width, file=name, row=reader.line_num))
                    continue
                stripped.extend([""] * (width - len(stripped)))
                table.rows.append((reader.line_num, stripped))
    except (OSError, UnicodeDecodeError) as exc:
        raise open_error(exc, name) from None
    except csv.Error as exc:
        raise PoolFileError("pool.file.csv_syntax", file=name, detail=str(exc)) from None
    return table


@dataclass
class YamlDoc:
    """A YAML or JSON document: plain data and the line of every node (by its path of keys and indexes)."""

    name: str
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """The 1-based line where the node at ``path`` starts (``None`` if unknown)."""
        return self.lines.get(tuple(path))


def _node_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int], depth: int = 0) -> None:
    out[path] = node.start_mark.line + 1
    if depth > 64:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _node_lines(value, (*path, key.value), out, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out, depth + 1)


def read_yaml_doc(path: str | Path) -> YamlDoc:
    """Read a YAML file (or ``.json``) with the line of every node.

    Raises
    ------
    PoolFileError
        Missing, not UTF-8, or a syntax error (at its line).
    """
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise open_error(exc, name) from None
    if name.lower().endswith(".json"):
        try:
            return YamlDoc(name, json.loads(text))
        except json.JSONDecodeError as exc:
            raise PoolFileError("pool.file.json_syntax", file=name, line=exc.lineno, detail=exc.msg) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PoolFileError("pool.file.yaml_syntax", file=name, line=line, detail=problem) from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return YamlDoc(name, data, lines)


def read_jsonl(path: str | Path) -> list[tuple[int, Any]]:
    """``(line, value)`` for each non-blank line of a JSON Lines file.

    Raises
    ------
    PoolFileError
        Missing, not UTF-8, or a line that is not JSON (at that line).
    """
    name = str(path)
    out: list[tuple[int, Any]] = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for i, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    out.append((i, json.loads(text)))
                except json.JSONDecodeError as exc:
                    raise PoolFileError("pool.file.json_syntax", file=name, line=i, detail=exc.msg) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise open_error(exc, name) from None
    return out
