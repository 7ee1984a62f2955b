"""File access for :mod:`expert_pool.reading`, through riskeval's one table reader and one YAML reader.

Tables (:func:`read_table`) go through :func:`riskeval.io.tables.open_table`: CSV in UTF-8 or GB18030 with or
without a BOM, XLSX (first sheet) or JSON Lines, every record with its row.  YAML (:func:`read_yaml_doc`)
goes through :func:`riskeval.io.yaml.load_yaml_with_positions`: no aliases beyond a budget, no duplicate
keys, depth and size limits, and the line and column of every value.

A file that cannot be read at all raises :class:`~expert_pool.errors.PoolFileError` (wrapping the reader's
own located message); problems of the header raise :class:`~expert_pool.errors.PoolInputError` (all of
them); records that cannot be read are returned in :attr:`TextTable.problems` so that the loaders report
them together with their own.

Examples
--------
>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> _ = open(p, "w", encoding="utf-8").write("Expert, unit\\nE1,U1\\n\\nE2,U2,extra\\n")
>>> table = read_table(p, ["expert"])
>>> table.columns, list(table.records()), [e.row for e in table.problems]
(['expert', 'unit'], [(2, {'expert': 'E1', 'unit': 'U1'})], [4])
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expert_pool.errors import (
    Cause,
    DuplicateIdError,
    MissingColumnError,
    PoolError,
    PoolFileError,
    ProblemCollector,
    UnreadableRowError,
)
from riskeval.errors import InputError, RiskevalError
from riskeval.io.tables import open_table
from riskeval.io.yaml import PathKey, PositionMap, YamlError, load_yaml_with_positions

__all__ = ["TextTable", "YamlDoc", "read_table", "read_yaml_doc", "read_jsonl", "open_error",
           "cell_text", "no_gc"]


def open_error(exc: OSError | RiskevalError, name: str) -> PoolFileError:
    """The :class:`PoolFileError` for a file that cannot be opened or read at all."""
    if isinstance(exc, RiskevalError):
        if exc.code == "input.not_found":  # the reader's message repeats the path the location already names
            return PoolFileError("pool.file.not_found", file=name)
        return PoolFileError("pool.file.reader", location=exc.location, detail=Cause(exc))
    if isinstance(exc, FileNotFoundError):
        return PoolFileError("pool.file.not_found", file=name)
    if isinstance(exc, IsADirectoryError):
        return PoolFileError("pool.file.is_directory", file=name)
    return PoolFileError("pool.file.unreadable", file=name, detail=exc.strerror or str(exc))


def cell_text(value: Any) -> str:
    """A cell as stripped text (an XLSX ``3.0`` is ``"3"``, an empty cell ``""``).

    >>> cell_text(3.0), cell_text(None), cell_text(" a ")
    ('3', '', 'a')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class TextTable:
    """A table read as text: normalised header, ``(row, cells)`` and the records that could not be read."""

    name: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[PoolError] = field(default_factory=list)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(row, {column: stripped text})`` for each non-blank readable record."""
        keep = [(i, col) for i, col in enumerate(self.columns) if col]
        for line, cells in self.rows:
            yield line, {col: cells[i] for i, col in keep}


def read_table(path: str | Path, required: Iterable[str] = (), aliases: Mapping[str, str] | None = None
               ) -> TextTable:
    """Read a CSV (UTF-8 or GB18030, BOM or not), XLSX (first sheet) or ``.tsv`` table.

    Header names are stripped, lower-cased and de-aliased; blank records are skipped.

    Raises
    ------
    PoolFileError
        Missing, a directory, an unknown type, an unsupported encoding, no header.
    PoolInputError
        The header repeats a column or lacks required ones (all of them reported).
    """
    name = str(path)
    aliases = dict(aliases or {})
    try:
        if Path(path).is_dir():
            raise IsADirectoryError(name)
        with open_table(path) as table:
            header = list(table.headers or [])
            if not header:
                raise PoolFileError("pool.file.empty", file=name)
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
            out = TextTable(name, columns, [])
            with no_gc():  # a large table is many small lists: the cyclic collector would only slow it down
                _collect_rows(table, header, out)
    except (OSError, InputError) as exc:
        raise open_error(exc, name) from None
    return out


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _collect_rows(table: Any, header: list[str], out: TextTable) -> None:
    for record in table:
        if record.blank:
            continue
        if record.error is not None:
            out.problems.append(UnreadableRowError.from_row_error(record.error))
            continue
        get = record.values.get
        cells = [v.strip() if type(v) is str else cell_text(v) for v in map(get, header)]
        if any(cells):
            out.rows.append((record.row, cells))


@dataclass
class YamlDoc:
    """A YAML or JSON document: plain data and the position of every node (by its path of keys and indexes)."""

    name: str
    data: Any
    positions: PositionMap | None = None

    def where(self, path: PathKey) -> dict[str, int | None]:
        """``{"line": ..., "column": ...}`` of the node at ``path`` (``None`` values for JSON)."""
        if self.positions is None:
            return {"line": None, "column": None}
        pos = self.positions.value(tuple(path))
        return {"line": pos.line, "column": pos.column}

    def line_of(self, path: PathKey) -> int | None:
        """The 1-based line where the node at ``path`` starts (``None`` if unknown)."""
        return self.where(path)["line"]


def read_yaml_doc(path: str | Path) -> YamlDoc:
    """Read a YAML file (or ``.json``) with the position of every node.

    Raises
    ------
    PoolFileError
        Missing, not UTF-8, too large or deep, a syntax error, an alias bomb or a duplicate key (located).
    """
    name = str(path)
    if name.lower().endswith(".json"):
        try:
            with open(path, encoding="utf-8-sig") as fh:
                return YamlDoc(name, json.load(fh))
        except json.JSONDecodeError as exc:
            raise PoolFileError("pool.file.json_syntax", file=name, line=exc.lineno, detail=exc.msg) from None
        except UnicodeDecodeError:
            raise PoolFileError("pool.file.not_utf8", file=name) from None
        except OSError as exc:
            raise open_error(exc, name) from None
    try:
        if Path(path).is_dir():
            raise IsADirectoryError(name)
        data, positions = load_yaml_with_positions(path)
    except YamlError as exc:
        raise open_error(exc, name) from None
    except OSError as exc:
        raise open_error(exc, name) from None
    return YamlDoc(name, data, positions)


def read_jsonl(path: str | Path) -> tuple[list[tuple[int, Any]], list[PoolError]]:
    """``(line, object)`` for each non-blank line of a JSON Lines file, and the lines that cannot be read.

    Raises
    ------
    PoolFileError
        The file cannot be read at all.
    """
    name = str(path)
    out: list[tuple[int, Any]] = []
    problems: list[PoolError] = []
    try:
        if Path(path).is_dir():
            raise IsADirectoryError(name)
        with open_table(path, kind="jsonl") as table:
            for record in table:
                if record.blank:
                    continue
                if record.error is not None:
                    problems.append(UnreadableRowError.from_row_error(record.error))
                    continue
                out.append((record.row, record.values))
    except (OSError, InputError) as exc:
        raise open_error(exc, name) from None
    return out, problems
