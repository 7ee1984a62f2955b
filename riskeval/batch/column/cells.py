"""CSV cells and lines by columns (pyarrow compute): the very bytes the table writer writes, row by row.

The table writer (:class:`riskeval.batch.writers.TableWriter`) writes a cell as ``csv``'s ``excel`` dialect
does after :func:`riskeval.io.tables.safe_cell`: text beginning with a formula sign gets a leading ``'``, and
text holding a comma, a quote or a line break is quoted with its quotes doubled.  A list becomes its items
joined by ``;`` (guarded as one text).  Here each step is one pyarrow kernel over a whole column, so the cost
per row is a few machine instructions whatever the number of rows; only distinct values (scores, labels) are
formatted in Python.

>>> import pyarrow as pa
>>> guarded(strings(["a", "=1", 'x"y', "a,b", ""])).to_pylist()
['a', "'=1", '"x""y"', '"a,b"', '']
>>> hits = np.asarray([[True, False, False], [False, False, True]])
>>> joined([present(hits[0], "-x"), present(hits[1], "y")], 3).to_pylist()
["'-x", '', 'y']
>>> float_reprs(np.asarray([0.1 + 0.2, 3.0, -0.0, 3.0])).to_pylist()
['0.30000000000000004', '3.0', '-0.0', '3.0']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...io.tables import safe_cell

__all__ = [
    "Lines", "factorize", "field", "has_outer_space", "guarded", "joined", "float_reprs", "texts_of", "present", "strings",
    "text", "flags", "mask", "integers",
]

# What riskeval.io.tables.safe_cell guards (a leading =, +, -, @, tab or carriage return) and what the
# excel dialect quotes (a comma, a quote, a line break), as RE2 patterns.
_GUARD = r"^[=+\-@\t\r]"
# What Python's str.strip() removes (str.isspace), as an RE2 class.
_SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
_OUTER_SPACE = f"^{_SPACE}|{_SPACE}$"
BLANK = f"^{_SPACE}*$"  # a cell that str.strip() makes empty
_QUOTE = '[,"\\r\\n]'


# Arrays are built from their buffers: ``pa.array``/``pa.scalar`` (and Python values given to a compute
# function) look for pandas objects first and import pandas, which costs more than a batch of 100,000 rows.
def strings(values: Sequence[str]) -> pa.Array:
    """A string array of ``values``.

    >>> strings(["a", "", "中文"]).to_pylist()
    ['a', '', '中文']
    """
    joined = "".join(values)
    data = joined.encode("utf-8")
    if len(data) == len(joined):  # ASCII: a text's length is its length in bytes
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    else:
        sizes = np.fromiter((len(v.encode("utf-8")) for v in values), dtype=np.int64, count=len(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    kind = pa.string() if offsets[-1] < 2**31 else pa.large_string()
    width = np.int32 if kind == pa.string() else np.int64
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(offsets.astype(width)), pa.py_buffer(data)])


def text(value: str) -> pa.Scalar:
    """A string scalar."""
    return strings([value])[0]


def flags(mask: np.ndarray) -> pa.Array:
    """A boolean array of a numpy mask."""
    mask = np.asarray(mask, dtype=bool)
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(np.packbits(mask, bitorder="little"))])


def mask(flags_array: pa.Array) -> np.ndarray:
    """A numpy mask of a pyarrow boolean array (null: false).

    >>> mask(flags(np.asarray([True, False, True]))).tolist()
    [True, False, True]
    """
    filled = pc.fill_null(flags_array, False) if flags_array.null_count else flags_array
    bits = np.frombuffer(filled.buffers()[1], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[filled.offset : filled.offset + len(filled)].astype(bool)


def integers(values: np.ndarray) -> pa.Array:
    """An int64 array of numpy integers."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


_EMPTY = text("")
_APOSTROPHE = text("'")
_DOT_ZERO = text(".0")
_QUOTE_MARK = text('"')


def guarded(cells: pa.Array) -> pa.Array:
    """Each text (no nulls) as one CSV field: guarded against formulas, then quoted if it must be."""
    danger = pc.match_substring_regex(cells, _GUARD)
    if pc.any(danger).as_py():
        cells = pc.if_else(danger, pc.binary_join_element_wise(_APOSTROPHE, cells, _EMPTY), cells)
    quote = pc.match_substring_regex(cells, _QUOTE)
    if pc.any(quote).as_py():
        doubled = pc.replace_substring(cells, '"', '""')
        cells = pc.if_else(quote, pc.binary_join_element_wise(_QUOTE_MARK, doubled, _QUOTE_MARK, _EMPTY), cells)
    return cells


def has_outer_space(cells: pa.Array) -> bool:
    """Whether a text begins or ends with a character ``str.strip`` removes.

    >>> has_outer_space(strings(["a b", "中文"])), has_outer_space(strings(["a", "b\\u3000"]))
    (False, True)
    """
    return bool(pc.any(pc.match_substring_regex(cells, _OUTER_SPACE)).as_py())


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values in order of first occurrence, per value its index): a hash table, not a sort.

    >>> [x.tolist() for x in factorize(np.asarray([5, 3, 5, 9]))]
    [[5, 3, 9], [0, 1, 0, 2]]
    """
    encoded = pc.dictionary_encode(integers(values))
    uniq = np.frombuffer(encoded.dictionary.buffers()[1], dtype=np.int64, count=len(encoded.dictionary))
    codes = np.frombuffer(encoded.indices.buffers()[1], dtype=np.int32, count=len(values))
    return uniq, codes.astype(np.int64)


def joined(parts: Sequence[pa.Array], n: int) -> pa.Array:
    """Per row, the parts (each ``";" + text`` or ``""``, see :func:`present`) joined by ``;`` as one
    guarded field (``""`` when there is none)."""
    if not parts:
        return strings([""] * n)
    cells = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _EMPTY)
    # (pyarrow's null_handling="skip" would drop the rows whose parts are all null: so no nulls are used.)
    return guarded(pc.utf8_slice_codeunits(cells, 1))


def present(mask: np.ndarray, label: str) -> pa.Array:
    """A part for :func:`joined`: ``label`` where ``mask`` holds."""
    return pc.if_else(flags(mask), strings([";" + label])[0], _EMPTY)


def texts_of(table: Sequence[str], codes: np.ndarray) -> pa.Array:
    """``table[code]`` per row (a code is never negative here)."""
    return strings(table).take(integers(codes))


def float_reprs(values: np.ndarray) -> pa.Array:
    """``repr`` of each float, by pyarrow: its shortest round-trip digits are Python's, and between 1e-4 and
    1e9 (and for zero) both write them without an exponent, Python adding ``.0`` to a whole number; other
    values (rare for scores) are written by ``repr`` itself.

    >>> float_reprs(np.asarray([0.1 + 0.2, 35.0, -0.0, 1e-05, 2.5e12, float("nan")])).to_pylist()
    ['0.30000000000000004', '35.0', '-0.0', '1e-05', '2500000000000.0', 'nan']
    """
    data = np.ascontiguousarray(values, dtype=np.float64)
    text = pc.cast(pa.Array.from_buffers(pa.float64(), len(data), [None, pa.py_buffer(data)]), pa.string())
    size = np.abs(data)
    with np.errstate(invalid="ignore"):
        fixed = ((size >= 1e-4) & (size < 1e9)) | (data == 0)
    whole = fixed & ~mask(pc.match_substring(text, "."))
    if whole.any():
        text = pc.if_else(flags(whole), pc.binary_join_element_wise(text, _DOT_ZERO, _EMPTY), text)
    if not fixed.all():
        out = text.to_pylist()
        for k in np.flatnonzero(~fixed).tolist():
            out[k] = repr(float(data[k]))
        text = strings(out)
    return text


def needs_quotes(value: str) -> bool:
    """Whether the excel dialect quotes ``value`` (as :func:`guarded` decides)."""
    return any(c in value for c in ',"\r\n')


def field(value: str) -> str:
    """One CSV field of a text as :mod:`csv`'s ``excel`` dialect writes it among others (minimal quoting).

    >>> [field(x) for x in ("a", "", "a,b", "x\\ny")]
    ['a', '', '"a,b"', '"x\\ny"']
    >>> field('say "hi"') == '"say ' + '""hi""' + '"'
    True
    """
    return '"' + value.replace('"', '""') + '"' if needs_quotes(value) else value


class Lines:
    """Lines of ``m`` rows assembled from *slots*: each slot puts in each row one piece of text from a
    table (or nothing), and a row's line is its pieces in slot order.  :meth:`build` makes all lines with
    one ``take`` over the pieces (a copy per piece), so no text is made per row in Python.

    >>> lines = Lines(3)
    >>> lines.table(["1", "2", "3"], np.arange(3))
    >>> lines.constant(",")
    >>> lines.listing(np.asarray([[True, False, True], [True, False, False]]), ["a", "-b"])
    True
    >>> lines.constant("\\n")
    >>> offsets, data = lines.build()
    >>> bytes(data).decode(), offsets.tolist()
    ('1,a;-b\\n2,\\n3,a\\n', [0, 7, 10, 14])
    """

    def __init__(self, m: int) -> None:
        self.m = m
        self.tables: list[pa.Array] = []
        self.slots: list[np.ndarray] = []
        self.size = 0
        self.length = np.zeros(m, dtype=np.int64)  # bytes per line so far

    def table(self, table: pa.Array | Sequence[str], codes: np.ndarray) -> None:
        """A slot: the piece ``table[codes[r]]`` in row ``r`` (nothing where the code is negative)."""
        array = table if isinstance(table, pa.Array) else strings(table)
        self._add(array, [np.asarray(codes, dtype=np.int64)])

    def _add(self, array: pa.Array, slots: list[np.ndarray]) -> None:
        """A table of pieces and slots of codes into it (negative: nothing)."""
        array = array.cast(pa.string()) if array.type != pa.string() else array
        bounds = np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4)
        sizes = np.append(np.diff(bounds), 0)  # code -1: no bytes
        for codes in slots:
            self.length += sizes[codes]
            self.slots.append(np.where(codes >= 0, codes + self.size, -1).astype(np.int32))
        self.tables.append(array)
        self.size += len(array)

    def constant(self, value: str, where: np.ndarray | None = None) -> None:
        """A slot: ``value`` in every row (or in the rows ``where`` holds)."""
        codes = np.zeros(self.m, dtype=np.int64) if where is None else np.where(where, 0, -1)
        self.table([value], codes)

    def listing(self, present: np.ndarray, labels: Sequence[str]) -> bool:
        """Slots for one cell listing, per row, the ``labels`` whose row of ``present`` holds, joined by ``;``
        and guarded as one text.  Returns ``False`` (adding nothing) when a label is empty or would need
        quotes: the caller makes that cell otherwise."""
        if any(not label or needs_quotes(label) for label in labels):
            return False
        k = len(labels)
        if not k:
            return True
        first = present.argmax(axis=0)
        slots = [np.where(present[j], j + np.where(first == j, 0, k), -1) for j in range(k)]
        self._add(strings([safe_cell(label) for label in labels] + [";" + label for label in labels]), slots)
        return True

    def clear_after(self, slot: int, rows: np.ndarray) -> None:
        """No pieces in ``rows`` after slot number ``slot`` (counted from 0)."""
        if not len(rows):
            return
        sizes = np.concatenate(
            [np.diff(np.frombuffer(t.buffers()[1], dtype=np.int32, count=len(t) + 1, offset=t.offset * 4)) for t in self.tables]
        )
        for column in self.slots[slot + 1 :]:
            self.length[rows] -= np.where(column[rows] >= 0, sizes[column[rows]], 0)
            column[rows] = -1

    def build(self) -> tuple[np.ndarray, memoryview]:
        """(the byte offset of each line and of the end, the lines' UTF-8 bytes)."""
        table = pa.concat_arrays(self.tables) if self.tables else strings([])
        offsets = np.zeros(self.m + 1, dtype=np.int64)
        np.cumsum(self.length, out=offsets[1:])
        pieces = np.stack(self.slots, axis=1) if self.slots else np.full((self.m, 1), -1, dtype=np.int32)
        flat = pieces.reshape(-1)
        chosen = np.ascontiguousarray(flat[flat >= 0])
        out = table.take(pa.Array.from_buffers(pa.int32(), len(chosen), [None, pa.py_buffer(chosen)]))
        buffers = out.buffers()
        if not len(out) or buffers[2] is None:
            return offsets, memoryview(b"")
        start = int(np.frombuffer(buffers[1], dtype=np.int32, count=1, offset=out.offset * 4)[0])
        return offsets, memoryview(buffers[2])[start : start + int(offsets[-1])]
