"""Columnar reading in chunks: pyarrow's CSV reader for plain CSV files, the table reader's records otherwise.

A :class:`Chunk` holds a slice of the input as columns: per header the *codes* of its cells into the list of
the distinct cell values of the chunk (``-1``: no cell).  Rows that only the row path may read (a blank or
unreadable record, a cell that is not a scalar) are ``forced`` and keep their
:class:`~riskeval.io.tables.TableRow`; every other row can be rebuilt as the table reader would have given it
(:meth:`Chunk.table_row`), so that the row path sees exactly what it would have read.

pyarrow reads a CSV file only when it is UTF-8 without a quote character or a lone carriage return, the
header on the first line with unique, non-empty names.  Any surprise during reading (a record with the wrong
number of cells, invalid UTF-8, an overlong cell, a record whose cells are all blank, as an empty line
makes) raises :class:`FallBack` and the batch starts again with the table reader, which numbers and reports
such records; the columns are then read in chunks (the columns no rule reads are never decoded into Python
values, see :class:`ArrowColumns`).  Excel and JSON Lines files are read by the table reader (openpyxl read-only) and
transposed into columns here: pyarrow reads neither without further dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...io.tables import MAX_CELL, TableRow, detect_encoding

__all__ = ["Chunk", "FallBack", "arrow_chunks", "record_chunks", "plain_csv"]

#: Rows per chunk of the record reader.
CHUNK_ROWS = 8192
#: pyarrow reads blocks of this size (its read-ahead holds several), gathered into chunks of at least
#: ``CHUNK_MIN_ROWS`` rows.
BLOCK_BYTES = 1 << 20
CHUNK_MIN_ROWS = 12_000
_SCALARS = (str, int, float, bool)


class FallBack(Exception):
    """The fast CSV reader met something only the table reader reports correctly."""


class ArrowColumns(Mapping[str, tuple[np.ndarray, list[Any]]]):
    """The columns of a pyarrow record batch, each dictionary-encoded (codes, distinct cells) when first
    read: columns no rule reads are never encoded."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self.arrays = arrays
        self._encoded: dict[str, tuple[np.ndarray, list[Any]]] = {}

    def __getitem__(self, header: str) -> tuple[np.ndarray, list[Any]]:
        got = self._encoded.get(header)
        if got is None:
            encoded = self.arrays[header].dictionary_encode()
            got = self._encoded[header] = (_codes(encoded.indices), encoded.dictionary.to_pylist())
        return got

    def __contains__(self, header: object) -> bool:
        return header in self.arrays

    def __iter__(self) -> Iterator[str]:
        return iter(self.arrays)

    def __len__(self) -> int:
        return len(self.arrays)

    def cell(self, header: str, i: int) -> Any:
        """The cell of row ``i`` (without encoding the column)."""
        got = self._encoded.get(header)
        if got is not None:
            return got[1][got[0][i]]
        return self.arrays[header][i].as_py()


@dataclass
class Chunk:
    """Consecutive input records as columns (see the module docstring)."""

    rows: np.ndarray
    columns: Mapping[str, tuple[np.ndarray, list[Any]]]
    forced: np.ndarray
    items: list[TableRow | None]
    file: str = ""
    sheet: str | None = None
    complete: bool = field(default=True)

    def __len__(self) -> int:
        return len(self.rows)

    def raw(self, header: str) -> Any:
        """The column as the pyarrow reader gave it (``None`` for other readers)."""
        return self.columns.arrays.get(header) if isinstance(self.columns, ArrowColumns) else None

    def table_rows(self, rows: list[int]) -> list[TableRow]:
        """:meth:`table_row` of several records (a pyarrow column read once for them all)."""
        columns = self.columns
        if not isinstance(columns, ArrowColumns) or len(rows) < 2:
            return [self.table_row(i) for i in rows]
        from .cells import integers

        picked = integers(np.asarray(rows, dtype=np.int64))
        cells: dict[str, list[Any]] = {}
        for header in columns:
            encoded = columns._encoded.get(header)
            if encoded is not None:
                codes, uniq = encoded
                cells[header] = [uniq[c] for c in codes[rows].tolist()]
            else:
                cells[header] = columns.arrays[header].take(picked).to_pylist()
        out = []
        for k, i in enumerate(rows):
            item = self.items[i]
            if item is None:
                item = TableRow(int(self.rows[i]), {h: v[k] for h, v in cells.items()}, self.file, self.sheet)
            out.append(item)
        return out

    def table_row(self, i: int) -> TableRow:
        """Record ``i`` as the table reader gives it."""
        item = self.items[i]
        if item is not None:
            return item
        values: dict[str, Any] = {}
        columns = self.columns
        if isinstance(columns, ArrowColumns):  # every cell is there (no nulls)
            for header in columns:
                values[header] = columns.cell(header, i)
        else:
            for header, (codes, uniq) in columns.items():
                code = codes[i]
                if code >= 0:
                    values[header] = uniq[code]
        return TableRow(int(self.rows[i]), values, self.file, self.sheet)


def plain_csv(path: Path, headers: list[str] | None) -> bool:
    """Whether pyarrow may read ``path``: UTF-8, no quote character or lone carriage return, a plain header
    (see the module docstring)."""
    if path.suffix.lower() not in (".csv", ".txt") or not headers:
        return False
    if len(set(headers)) != len(headers) or not all(headers):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
            encoding, bom = detect_encoding(head)
            if encoding != "utf-8":
                return False
            fh.seek(bom)
            first = fh.readline()
            if not first.strip() or b'"' in first:
                return False
            # pyarrow reads quotes as text, and ends a line at a lone carriage return where the table reader
            # does not; an empty line makes pyarrow give a blank record, which ends its reading (FallBack).
            for block in iter(lambda: fh.read(1 << 22), b""):
                if block.endswith(b"\r"):
                    block += fh.read(1)
                if b'"' in block or (b"\r" in block and block.count(b"\r") != block.count(b"\r\n")):
                    return False
    except OSError:
        return False
    return True


def arrow_chunks(path: Path, headers: list[str]) -> Iterator[Chunk]:
    """The records of a plain CSV file (:func:`plain_csv`) read by pyarrow, as chunks.

    Raises
    ------
    FallBack
        Whenever the file turns out not to be plain after all.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    read = pacsv.ReadOptions(column_names=headers, skip_rows=1, block_size=BLOCK_BYTES, use_threads=True)
    parse = pacsv.ParseOptions(delimiter=",", quote_char=False, newlines_in_values=False, ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in headers}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    file = str(path)
    start = 2
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        for table in _gathered(reader, CHUNK_MIN_ROWS):
            n = table.num_rows
            arrays = {h: column.chunk(0) for h, column in zip(headers, table.columns, strict=True)}
            for array in arrays.values():  # characters, as Python's len counts them (never more than bytes)
                bounds = np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4)
                if len(array) and int(np.diff(bounds).max()) > MAX_CELL:
                    longest = pc.max(pc.utf8_length(array)).as_py()
                    if longest is not None and longest > MAX_CELL:
                        raise FallBack("a cell is too long")
            if _any_blank(arrays):
                raise FallBack("a blank record")
            rows = np.arange(start, start + n, dtype=np.int64)
            start += n
            yield Chunk(rows, ArrowColumns(arrays), np.zeros(n, dtype=bool), [None] * n, file)
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError) as exc:
        raise FallBack(str(exc)) from None


def _codes(indices: Any) -> np.ndarray:
    """The dictionary codes of a column as a numpy array, read from the Arrow buffer (``to_numpy`` would
    import pandas, which costs more than reading 100,000 rows).  There are no nulls
    (``strings_can_be_null=False``)."""
    if indices.null_count or indices.type.bit_width != 32:
        raise FallBack("unexpected dictionary indices")
    data = indices.buffers()[1]
    return np.frombuffer(data, dtype=np.int32, count=len(indices), offset=indices.offset * 4).copy()


def _gathered(reader: Any, rows: int) -> Iterator[Any]:
    """The reader's record batches gathered into tables of at least ``rows`` rows (the last may be shorter),
    each column in one piece: small blocks keep pyarrow's read-ahead small, large chunks keep the column
    work's fixed costs small."""
    import pyarrow as pa

    pending: list[Any] = []
    count = 0
    for batch in reader:
        if batch.num_rows:
            pending.append(batch)
            count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(pending).combine_chunks()
            pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending).combine_chunks()


def _any_blank(arrays: dict[str, Any]) -> bool:
    """Whether a record has only blank cells (as Python's ``str.strip`` sees them): the blank rows of the
    first column, then of each next column among those."""
    import pyarrow.compute as pc

    from .cells import BLANK, integers, mask

    candidates: np.ndarray | None = None
    for array in arrays.values():
        part = array if candidates is None else array.take(integers(candidates))
        blank = mask(pc.match_substring_regex(part, BLANK))
        candidates = np.flatnonzero(blank) if candidates is None else candidates[blank]
        if not len(candidates):
            return False
    return True


def _key(value: Any) -> tuple[type, Any]:
    return (type(value), value)


def record_chunks(records: Iterator[TableRow], size: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """Table records (any format) transposed into chunks of columns."""
    batch: list[TableRow] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield _transpose(batch)
            batch = []
    if batch:
        yield _transpose(batch)


def _transpose(batch: list[TableRow]) -> Chunk:
    n = len(batch)
    rows = np.fromiter((r.row for r in batch), dtype=np.int64, count=n)
    forced = np.zeros(n, dtype=bool)
    items: list[TableRow | None] = list(batch)
    index: dict[str, dict[tuple[type, Any], int]] = {}
    uniqs: dict[str, list[Any]] = {}
    codes: dict[str, np.ndarray] = {}
    for i, record in enumerate(batch):
        if record.blank or record.error is not None:
            forced[i] = True
            continue
        for header, value in record.values.items():
            if not isinstance(header, str) or not isinstance(value, _SCALARS) and value is not None:
                forced[i] = True
                break
        else:
            for header, value in record.values.items():
                col = codes.get(header)
                if col is None:
                    col = codes[header] = np.full(n, -1, dtype=np.int32)
                    index[header] = {}
                    uniqs[header] = []
                if value is None:
                    continue
                key = _key(value)
                seen = index[header]
                code = seen.get(key)
                if code is None:
                    code = seen[key] = len(uniqs[header])
                    uniqs[header].append(value)
                col[i] = code
    first = batch[0]
    return Chunk(rows, {h: (codes[h], uniqs[h]) for h in codes}, forced, items, first.file, first.sheet)
