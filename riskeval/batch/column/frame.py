"""From a chunk of cells to checked fact columns: each distinct cell is converted once, as the row path would.

The row path turns a record into a project (:meth:`riskeval.batch.columns.ColumnResolver.project_data`,
:func:`riskeval.pipeline.project_from_data`) and checks its facts (:func:`riskeval.check.check_project`, which
calls :func:`riskeval.ruleset.facts.coerce_fact_value`).  Here the same functions are applied to each
distinct cell text of a column (cached for the run), and every row where anything would go wrong or differ
(a value that does not convert, a missing required fact, an invalid kind, a ``facts``/``measures``/panel cell,
two columns naming one field) is marked for the row path, which then produces the very same error text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...check import _IDENTITY_OPTIONS
from ...model.project import Project
from ...ruleset.compiled import RuleSet
from ...ruleset.facts import FactValueError, coerce_fact_value
from ..columns import DEFAULT_MEASURE_ID, ColumnResolver
from .program import IDENTITY_FACTS, ColumnProgram, Stage
from .source import Chunk

__all__ = ["Display", "Frame", "FramePlan", "build_frame"]

_BAD = object()
_PLAIN_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?\Z")
_CACHE_LIMIT = 200_000


def _clean(value: Any) -> Any:
    """A cell as ``project_data`` keeps it: text stripped; ``None`` for an empty cell."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class FramePlan:
    """What each header of an input means for one rule set (built once per header list)."""

    facts: dict[str, str]  # header -> declared fact
    measures: list[tuple[str, str, str]]  # (header, measure id, declared fact), in header order
    measure_cells: list[str]  # every measure header (declared fact or not): a filled one makes a measure
    identity: dict[str, str]  # identity field -> header
    route: list[str]  # headers whose filled cell sends the row to the row path
    measure_id: str | None
    named_measures: bool
    unknown: list[str]
    problem: str | None = None

    @classmethod
    def of(cls, headers: list[str], resolver: ColumnResolver, ruleset: RuleSet, strict: bool) -> FramePlan:
        facts: dict[str, str] = {}
        measures: list[tuple[str, str, str]] = []
        cells: list[str] = []
        identity: dict[str, str] = {}
        route: list[str] = []
        unknown: list[str] = []
        measure_id = None
        problem = None
        named = False
        seen: set[tuple[str, ...]] = set()
        for header in headers:
            col = resolver.resolve(header)
            if col.kind == "fact":
                key: tuple[str, ...] = ("fact", col.name)
                if col.name in ruleset.facts:
                    facts[header] = col.name
            elif col.kind == "measure":
                assert col.measure is not None
                key = ("measure", col.measure, col.name)
                cells.append(header)
                named = named or col.measure != DEFAULT_MEASURE_ID
                if col.name in ruleset.facts:
                    measures.append((header, col.measure, col.name))
            elif col.kind == "identity":
                key = ("identity", col.name)
                identity[col.name] = header
            elif col.kind == "measure_id":
                key = ("measure_id",)
                measure_id = header
            elif col.kind == "measure_label":
                key = ("measure_label",)
            elif col.kind == "pass":
                key = ("pass", header)
                route.append(header)
            elif col.kind == "unknown":
                key = ("unknown", header)
                unknown.append(header)
                if strict:
                    route.append(header)
            else:  # ignored columns, and "facts"/"measures" keys
                key = ("ignore", header)
                if header in ("facts", "measures"):
                    route.append(header)
            if key in seen and key[0] != "ignore":
                problem = f"two columns name {'/'.join(key)}"
            seen.add(key)
        return cls(facts, measures, cells, identity, route, measure_id, named, unknown, problem)


@dataclass
class Frame:
    """A chunk checked and laid out for the program: the rows the program may take (``ok``), the stages,
    which rows have measures, and the identity columns the output needs."""

    ok: np.ndarray
    initial: Stage
    residual: Stage
    has_measures: np.ndarray
    display: dict[str, Display]  # "id", "name", "kind", "unit": the texts the project holds
    regimes: Display  # the checked regime (codes into its values)

    def text(self, field_name: str, i: int) -> str | None:
        """Row ``i``'s ``field_name`` (``id``, ``name``, ``kind``, ``unit``) as the project holds it."""
        return self.display[field_name].at(i)


class Display:
    """A per-row text column as codes into a table of distinct texts (code ``-1``: none).

    Made from the distinct cells of a chunk (``uniq``), the table is built only when it is read; when the
    reader's pyarrow array of the cells is given and no cell has spaces to strip, it stands for the table
    (``""`` for none) and single rows are read from it.
    """

    def __init__(self, codes: np.ndarray, table: list[str | None] | None = None, uniq: list[Any] | None = None,
                 arrow: Any = None) -> None:
        self.codes = codes
        self._table = table
        self._uniq = uniq
        self.arrow = arrow

    @property
    def table(self) -> list[str | None]:
        if self._table is None:
            uniq = self._uniq if self._uniq is not None else self.arrow.to_pylist() if self.arrow is not None else []
            self._table = [None if (c := _clean(v)) is None else (c if isinstance(c, str) else _text(c)) for v in uniq]
        return self._table

    def at(self, i: int) -> str | None:
        code = int(self.codes[i])
        if code < 0:
            return None
        if self._table is None and self.arrow is not None:
            return self.arrow[code].as_py() or None
        return self.table[code]

    def missing(self) -> np.ndarray:
        """The rows without a text."""
        if self._table is None and self.arrow is not None:
            import pyarrow.compute as pc

            from .cells import mask, text

            none = np.append(mask(pc.equal(self.arrow, text(""))), True)
            return none[np.where(self.codes < 0, len(self.arrow), self.codes)]
        none = np.asarray([x is None for x in self.table] + [True], dtype=bool)
        return none[np.where(self.codes < 0, len(self.table), self.codes)]

    @classmethod
    def empty(cls, n: int) -> Display:
        return cls(np.full(n, -1, dtype=np.int32), [])


class Converter:
    """Cell → checked value, cached per (fact, cell) for the whole run (the row path's functions)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._cache: dict[tuple[str, type, Any], Any] = {}

    def fact(self, name: str, raw: Any) -> Any:
        """The checked value of a cell for fact ``name``: ``None`` when empty, ``_BAD`` when it is an error."""
        key = (name, type(raw), raw)
        got = self._cache.get(key, key)
        if got is not key:
            return got
        value = _clean(raw)
        if value is None:
            got = None
        else:
            try:
                got = coerce_fact_value(self.ruleset.facts[name], value)
            except FactValueError:
                got = _BAD
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = got
        return got

    def identity(self, field: str, raw: Any) -> Any:
        """An identity cell as the project holds it after checking (kind etc. as codes); ``_BAD`` if invalid."""
        key = ("#" + field, type(raw), raw)
        got = self._cache.get(key, key)
        if got is not key:
            return got
        value = _clean(raw)
        if value is None:
            got = None
        elif field == "investment":
            data = value if isinstance(value, int | float) else _text(value).replace(",", "")
            if isinstance(data, str) and _PLAIN_NUMBER.match(data):
                got = float(data)  # what pydantic's float makes of plain decimal text
            else:
                try:
                    got = Project.model_validate({"id": "x", "investment": data}).investment
                except Exception:  # noqa: BLE001 - the row path reports it
                    got = _BAD
        elif field == "domains":
            got = None  # never read by a compiled program; any value is valid
        else:
            text = value if isinstance(value, str) else _text(value)
            options = _IDENTITY_OPTIONS.get(field)
            if options is not None:
                code = text if text in options else next((c for c, label in options.items() if label == text), None)
                got = _BAD if code is None else code
            else:
                got = text
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = got
        return got


def _convert(codes: np.ndarray, uniq: list[Any], fn: Any) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """Checked values of a column: (codes into ``values`` with -1 for missing, ``values``, bad rows)."""
    converted = [fn(v) for v in uniq]
    values: list[Any] = []
    remap = np.full(len(uniq) + 1, -1, dtype=np.int32)
    bad_table = np.zeros(len(uniq) + 1, dtype=bool)
    for k, value in enumerate(converted):
        if value is _BAD:
            bad_table[k] = True
        elif value is not None:
            remap[k] = len(values)
            values.append(value)
    safe = np.where(codes < 0, len(uniq), codes)
    return remap[safe], values, bad_table[safe]


def _display(codes: np.ndarray, uniq: list[Any]) -> Display:
    """A text identity column as the project holds it (``project.name`` etc.), from its distinct cells."""
    return Display(codes, uniq=uniq)


def _bad_investment(chunk: Chunk, header: str, converter: Converter) -> np.ndarray:
    """The rows whose investment cell the project would refuse (when no condition reads the value): plain
    decimal numbers are recognised by one pattern over the column, the other cells are converted."""
    raw = chunk.raw(header)
    if raw is not None:
        import pyarrow.compute as pc

        from .cells import mask

        number = _PLAIN_NUMBER.pattern.replace("\\Z", "")
        plain = mask(pc.match_substring_regex(raw, f"^(?:{number})?$"))  # a plain number or an empty cell
        wrong = np.zeros(len(chunk), dtype=bool)
        others = np.flatnonzero(~plain)
        if len(others):
            from .cells import integers

            cells = raw.take(integers(others)).to_pylist()
            verdict = {v: converter.identity("investment", v) is _BAD for v in set(cells)}
            wrong[others] = [verdict[v] for v in cells]
        return wrong
    codes, uniq = chunk.columns[header]
    table = np.zeros(len(uniq) + 1, dtype=bool)
    for k, value in enumerate(uniq):
        table[k] = converter.identity("investment", value) is _BAD
    return table[np.where(codes < 0, len(uniq), codes)]


def build_frame(program: ColumnProgram, plan: FramePlan, converter: Converter, chunk: Chunk) -> Frame:
    """Check a chunk's cells and build the initial and residual stages (see the module docstring)."""
    rs = program.ruleset
    n = len(chunk)
    bad = chunk.forced.copy()
    empty: tuple[np.ndarray, list[Any]] = (np.full(n, -1, dtype=np.int32), [])
    for header in plan.route:
        codes, uniq = chunk.columns.get(header, empty)
        filled = np.asarray([_clean(v) is not None for v in uniq] + [False], dtype=bool)
        bad |= filled[np.where(codes < 0, len(uniq), codes)]
    # Identity fields.
    identity_stage: dict[str, tuple[np.ndarray, list[Any]]] = {}
    regimes = Display.empty(n)
    for field_name in IDENTITY_FACTS:  # any domains cell is valid (a list of texts); no program reads it
        identity_header = plan.identity.get(field_name)
        if identity_header is None or identity_header not in chunk.columns:
            continue
        if field_name not in program.reads and field_name != "regime":
            if field_name in ("unit", "location"):
                continue  # any text is valid, and no condition reads it
            if field_name == "investment":
                bad |= _bad_investment(chunk, identity_header, converter)
                continue
        codes, uniq = chunk.columns[identity_header]
        got, values, wrong = _convert(codes, uniq, lambda v, f=field_name: converter.identity(f, v))
        bad |= wrong
        identity_stage[field_name] = (got, values)
        if field_name == "regime":
            regimes = Display(got, values)

    def column(header: str | None, distinct: bool) -> Display:
        if header is None or header not in chunk.columns:
            return Display.empty(n)
        raw = chunk.raw(header)
        if not distinct and raw is not None:  # a text per row: the reader's column itself, if no cell needs stripping
            from .cells import has_outer_space

            if not has_outer_space(raw):
                return Display(np.arange(n), arrow=raw)
        return _display(*chunk.columns[header])

    display = {name: column(plan.identity.get(name), name in ("kind", "unit")) for name in ("id", "name", "kind", "unit")}
    bad |= display["id"].missing()
    # Facts before measures (defaults filled in), then after.
    initial: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for header, name in plan.facts.items():
        if header not in chunk.columns:
            continue
        codes, uniq = chunk.columns[header]
        got, values, wrong = _convert(codes, uniq, lambda v, f=name: converter.fact(f, v))
        bad |= wrong
        initial[name] = (got, values)
    for name, decl in rs.facts.items():
        codes, values = initial.get(name, (np.full(n, -1, dtype=np.int32), []))
        if decl.default is not None:
            default = coerce_fact_value(decl, decl.default)
            codes = np.where(codes < 0, len(values), codes).astype(np.int32)
            values = [*values, default]
        if name in program.required:
            bad |= codes < 0
        initial[name] = (codes, values)
    has_measures = np.zeros(n, dtype=bool)
    for header in plan.measure_cells:
        codes, uniq = chunk.columns.get(header, empty)
        filled = np.asarray([_clean(v) is not None for v in uniq] + [False], dtype=bool)
        has_measures |= filled[np.where(codes < 0, len(uniq), codes)]
    if plan.measure_id is not None and plan.named_measures:
        codes, uniq = chunk.columns.get(plan.measure_id, empty)
        filled = np.asarray([_clean(v) is not None for v in uniq] + [False], dtype=bool)
        bad |= filled[np.where(codes < 0, len(uniq), codes)]
    residual = dict(initial)
    order: dict[str, int] = {}
    for _header, measure, _name in plan.measures:
        order.setdefault(measure, len(order))
    for header, _measure, name in sorted(plan.measures, key=lambda m: order[m[1]]):
        if header not in chunk.columns:
            continue
        codes, uniq = chunk.columns[header]
        got, values, wrong = _convert(codes, uniq, lambda v, f=name: converter.fact(f, v))
        bad |= wrong
        base_codes, base_values = residual[name]
        shifted = np.where(got >= 0, got + len(base_values), base_codes).astype(np.int32)
        residual[name] = (shifted, [*base_values, *values])

    def stage(facts: dict[str, tuple[np.ndarray, list[Any]]]) -> Stage:
        laid = {}
        for name, (codes, values) in {**identity_stage, **facts}.items():
            laid[name] = (np.where(codes < 0, len(values), codes), values)
        return program.stage(n, laid)

    first = stage(initial)
    for name, cond in rs.required_when.items():
        if name in program.required:
            continue
        bad |= first.holds(cond) & (initial[name][0] < 0)
    second = stage(residual) if has_measures.any() else first
    return Frame(~bad, first, second, has_measures, display, regimes)
