"""Units, experts and project needs, the pool as a networkx graph, and loading from YAML or CSV.

The pool graph is a :class:`networkx.DiGraph` whose nodes are ``("unit", id)`` and ``("expert", id)``
with the pydantic model under the node attribute ``"model"``, and one edge unit -> expert per membership.

CSV formats (UTF-8, optional BOM, header row; ``;`` separates list items):

* experts ``E.csv``: ``expert,unit,max_load`` required; ``min_load`` (default 0), ``name``,
  ``category`` (社科研究 / 工程技术 / 综合管理), ``domains``, ``available`` (default true) optional;
* projects ``P.csv``: ``project,unit`` required; ``panel_size`` (alias ``reviewers``; empty = filled by
  the panel-size rule), ``name``, ``domains``, ``investment`` (万元), ``kind``, ``decision_level`` and any
  further columns (kept in :attr:`ProjectNeed.extra` and handed to a rule set's panel-size rule).

Examples
--------
>>> pool = Pool(experts=[Expert(id="E1", unit="市司法局", domains=["法律"], max_load=2),
...                      Expert(id="E2", unit="市财政局", domains=["财务", "经济"], max_load=2)])
>>> len(pool), sorted(u.id for u in pool.units)
(2, ['市司法局', '市财政局'])
>>> pool.graph.number_of_nodes(), pool.graph.number_of_edges()
(4, 2)
>>> pool.expert("E2").domains
['财务', '经济']
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from expert_pool.errors import (
    DuplicateIdError,
    InvalidValueError,
    MissingColumnError,
    PoolError,
    PoolFileError,
    UnknownReferenceError,
)

__all__ = [
    "CATEGORIES",
    "DOMAINS",
    "Unit",
    "Expert",
    "ProjectNeed",
    "Pool",
    "load_pool",
    "load_experts_csv",
    "load_projects_csv",
    "load_projects",
    "load_conflicts_csv",
    "split_list",
]

#: Expert categories (domain.md §6).
CATEGORIES: tuple[str, ...] = ("社科研究", "工程技术", "综合管理")

#: Domains seen in published pools (domain.md §6).  Other tags are accepted.
DOMAINS: tuple[str, ...] = (
    "建筑工程", "农林", "水利", "交通", "自然资源", "征地拆迁", "环保", "医疗",
    "社保", "安全生产", "法律", "经济", "金融", "财务", "社会治理", "舆情处置",
)

_CATEGORY_ALIASES = {
    "社科研究": "社科研究", "social_science": "社科研究", "research": "社科研究",
    "工程技术": "工程技术", "engineering": "工程技术",
    "综合管理": "综合管理", "management": "综合管理", "administration": "综合管理",
}


def split_list(value: Any) -> list[str]:
    """Split a ``;``-separated cell (also ``；``) or pass a list through; blanks are dropped.

    >>> split_list("法律; 经济；;")
    ['法律', '经济']
    >>> split_list(["交通", " 水利 "])
    ['交通', '水利']
    """
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.replace("；", ";").split(";")
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return out


class Unit(BaseModel):
    """A unit (单位) that nominates experts: a party or government body, court, people's organisation,
    university or enterprise."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    kind: str | None = None

    @model_validator(mode="after")
    def _default_name(self) -> Unit:
        if not self.name:
            self.name = self.id
        return self


class Expert(BaseModel):
    """An expert of the pool.

    ``max_load`` and ``min_load`` bound the number of projects the expert reviews in one assignment run;
    unavailable experts are never assigned.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    unit: str = Field(min_length=1)
    category: str | None = None
    domains: list[str] = Field(default_factory=list)
    max_load: int = Field(default=1, ge=0)
    min_load: int = Field(default=0, ge=0)
    available: bool = True

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, v: Any) -> str | None:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        key = str(v).strip()
        if key not in _CATEGORY_ALIASES:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
        return _CATEGORY_ALIASES[key]

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, v: Any) -> list[str]:
        return split_list(v)

    @model_validator(mode="after")
    def _loads(self) -> Expert:
        if self.min_load > self.max_load:
            raise ValueError("min_load must not exceed max_load")
        return self


class ProjectNeed(BaseModel):
    """A project (or decision) that needs a review panel.

    ``unit`` is the proposing unit: its own experts are never assigned to it.  ``panel_size`` may be left
    empty and filled by a panel-size rule (see :mod:`expert_pool.panel`).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    unit: str | None = None
    domains: list[str] = Field(default_factory=list)
    panel_size: int | None = Field(default=None, ge=1)
    kind: str | None = None
    investment: float | None = None
    decision_level: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, v: Any) -> list[str]:
        return split_list(v)

    @field_validator("unit", "kind", "decision_level", mode="before")
    @classmethod
    def _blank_none(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            return None
        return v.strip() if isinstance(v, str) else v

    def facts(self) -> dict[str, Any]:
        """The project as a plain dict (standard fact names) for a rule set's panel-size rule.

        >>> ProjectNeed(id="P1", kind="project", investment=5e4, extra={"location": "X"}).facts()["investment"]
        50000.0
        """
        out: dict[str, Any] = dict(self.extra)
        out.update(
            id=self.id, name=self.name, unit=self.unit, domains=list(self.domains), kind=self.kind,
            investment=self.investment, decision_level=self.decision_level,
        )
        if self.panel_size is not None:
            out["panel_size"] = self.panel_size
        return out


def _expert_node(expert_id: str) -> tuple[str, str]:
    return ("expert", expert_id)


def _unit_node(unit_id: str) -> tuple[str, str]:
    return ("unit", unit_id)


class Pool:
    """An expert pool: units and experts as a networkx graph.

    Parameters
    ----------
    units : iterable of Unit, optional
        The units.  When empty, units are created from the experts' ``unit`` fields.
    experts : iterable of Expert
        The experts.  ``expert.unit`` may name a unit by id or by name; it is normalised to the id.
    name : str
        A label for the pool.

    Raises
    ------
    DuplicateIdError
        Two units or two experts share an id.
    UnknownReferenceError
        Units were given and an expert names a unit that is not among them.

    Examples
    --------
    >>> pool = Pool(units=[Unit(id="U1", name="市信访局")],
    ...             experts=[Expert(id="E1", unit="市信访局", max_load=3)])
    >>> pool.expert("E1").unit, pool.resolve_unit("市信访局"), pool.resolve_unit("外单位")
    ('U1', 'U1', '外单位')
    >>> [e.id for e in pool.members("U1")]
    ['E1']
    """

    def __init__(self, units: Iterable[Unit] = (), experts: Iterable[Expert] = (), *, name: str = "") -> None:
        self.name = name
        self.graph: nx.DiGraph = nx.DiGraph(name=name)
        self._by_name: dict[str, str] = {}
        unit_list = list(units)
        strict = bool(unit_list)
        for unit in unit_list:
            self.add_unit(unit)
        for expert in experts:
            self.add_expert(expert, create_unit=not strict)

    # -- construction -------------------------------------------------------------------------------
    def add_unit(self, unit: Unit) -> None:
        """Add a unit; raises :class:`DuplicateIdError` if its id exists."""
        node = _unit_node(unit.id)
        if node in self.graph:
            raise DuplicateIdError("id", unit.id, None)
        self.graph.add_node(node, kind="unit", model=unit)
        self._by_name.setdefault(unit.name, unit.id)

    def add_expert(self, expert: Expert, *, create_unit: bool = True) -> None:
        """Add an expert (normalising its unit to a unit id)."""
        node = _expert_node(expert.id)
        if node in self.graph:
            raise DuplicateIdError("id", expert.id, None)
        unit_id = self.resolve_unit(expert.unit)
        if _unit_node(unit_id) not in self.graph:
            if not create_unit:
                raise UnknownReferenceError("unit", expert.unit, "单位", "unit")
            self.add_unit(Unit(id=unit_id))
        if unit_id != expert.unit:
            expert = expert.model_copy(update={"unit": unit_id})
        self.graph.add_node(node, kind="expert", model=expert)
        self.graph.add_edge(_unit_node(unit_id), node, kind="member")

    # -- access ----------------------------------------------------------------------------------------
    def resolve_unit(self, key: str | None) -> str:
        """The unit id for ``key`` (a unit id or name); unknown keys are returned unchanged."""
        if key is None:
            return ""
        if _unit_node(key) in self.graph:
            return key
        return self._by_name.get(key, key)

    @property
    def units(self) -> list[Unit]:
        """The units, in insertion order."""
        return [d["model"] for _, d in self.graph.nodes(data=True) if d["kind"] == "unit"]

    @property
    def experts(self) -> list[Expert]:
        """The experts, in insertion order."""
        return [d["model"] for _, d in self.graph.nodes(data=True) if d["kind"] == "expert"]

    def expert(self, expert_id: str) -> Expert:
        """The expert with this id (``KeyError`` if absent)."""
        model: Expert = self.graph.nodes[_expert_node(expert_id)]["model"]
        return model

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id or name (``KeyError`` if absent)."""
        model: Unit = self.graph.nodes[_unit_node(self.resolve_unit(unit_id))]["model"]
        return model

    def members(self, unit_id: str) -> list[Expert]:
        """The experts of a unit."""
        node = _unit_node(self.resolve_unit(unit_id))
        return [self.graph.nodes[v]["model"] for v in self.graph.successors(node)]

    def __len__(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d["kind"] == "expert")

    def __iter__(self) -> Iterator[Expert]:
        return iter(self.experts)

    def __repr__(self) -> str:
        return f"Pool(name={self.name!r}, units={len(self.units)}, experts={len(self)})"

    def candidate_graph(
        self,
        projects: Iterable[ProjectNeed],
        affinity: Any = None,
        conflicts: Iterable[tuple[str, str]] | None = None,
    ) -> nx.DiGraph:
        """The pool graph extended by project nodes ``("project", id)`` and one edge expert -> project
        per eligible pair (attribute ``score``), as used by the assignment algorithms.

        >>> pool = Pool(experts=[Expert(id="E1", unit="A", domains=["法律"], max_load=1),
        ...                      Expert(id="E2", unit="B", domains=["法律"], max_load=1)])
        >>> g = pool.candidate_graph([ProjectNeed(id="P1", unit="A", domains=["法律"], panel_size=1)])
        >>> list(g.predecessors(("project", "P1")))
        [('expert', 'E2')]
        """
        from expert_pool.affinity import as_affinity

        project_list = list(projects)
        aff = as_affinity(affinity)
        conflict_set = {(str(p), str(e)) for p, e in (conflicts or ())}
        g = self.graph.copy()
        for project in project_list:
            g.add_node(("project", project.id), kind="project", model=project)
        for project in project_list:
            own = self.resolve_unit(project.unit)
            for expert in self.experts:
                if not expert.available or expert.unit == own or (project.id, expert.id) in conflict_set:
                    continue
                score = aff.score(project, expert)
                if score is not None:
                    g.add_edge(_expert_node(expert.id), ("project", project.id), kind="candidate", score=score)
        return g


# --------------------------------------------------------------------------------------------------
# parsing helpers


def _pydantic_error(exc: ValidationError, *, file: str | None, row: int | None, prefix: str = "") -> PoolError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    field = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or None)
    value = err.get("input")
    msg = err.get("msg", "invalid")
    if err.get("type") == "missing":
        return MissingColumnError(field or "?", file=file, row=row)
    if isinstance(value, dict):
        value = ""
    return InvalidValueError(field or "?", value, f"无效（{msg}）", f"is invalid ({msg})", file=file, row=row)


def _parse_int(value: str, field: str, *, file: str, row: int, minimum: int = 0) -> int:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise InvalidValueError(field, value, f"不是≥{minimum}的整数", f"is not an integer >= {minimum}",
                                file=file, row=row)
    return int(number)


def _parse_float(value: str, field: str, *, file: str, row: int) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidValueError(field, value, "不是有限实数", "is not a finite number", file=file, row=row)
    return number


_TRUE = {"1", "true", "yes", "y", "t", "是", "可用", "在岗"}
_FALSE = {"0", "false", "no", "n", "f", "否", "不可用", "暂停"}


def _parse_bool(value: str, field: str, *, file: str, row: int) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValueError(field, value, "不是布尔值（是/否、true/false、1/0）", "is not a boolean (true/false, 1/0)",
                            file=file, row=row)


def _read_rows(path: str | Path, required: Iterable[str], aliases: Mapping[str, str] | None = None
               ) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """Header (normalised) and rows of a CSV file as ``(row number, stripped cells)``, padded to the header."""
    name = str(path)
    aliases = dict(aliases or {})
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise PoolFileError("文件为空（缺少表头）", "file is empty (no header row)", file=name) from None
            columns = [aliases.get(h.strip().lower(), h.strip().lower()) for h in header]
            seen: dict[str, int] = {}
            for col in columns:
                if col and col in seen:
                    raise DuplicateIdError("header", col, 1, file=name, row=1)
                seen[col] = 1
            for col in required:
                if col not in columns:
                    raise MissingColumnError(col, file=name, row=1)
            width = len(columns)
            rows: list[tuple[int, list[str]]] = []
            for cells in reader:
                stripped = [c.strip() for c in cells]
                if not any(stripped):
                    continue
                if len(stripped) != width:
                    if len(stripped) > width:
                        raise InvalidValueError("-", ",".join(cells), "的列数多于表头", "has more cells than the header",
                                                file=name, row=reader.line_num)
                    stripped.extend([""] * (width - len(stripped)))
                rows.append((reader.line_num, stripped))
    except FileNotFoundError:
        raise PoolFileError("文件不存在", "file not found", file=name) from None
    except IsADirectoryError:
        raise PoolFileError("路径是目录而不是文件", "path is a directory, not a file", file=name) from None
    except UnicodeDecodeError:
        raise PoolFileError("文件不是 UTF-8 编码", "file is not UTF-8 encoded", file=name) from None
    except csv.Error as exc:
        raise PoolFileError(f"CSV 格式错误：{exc}", f"malformed CSV: {exc}", file=name) from None
    return name, columns, rows


def _read_csv(path: str | Path, required: Iterable[str], aliases: Mapping[str, str] | None = None
              ) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """Rows of a CSV file as ``(row number, {column: stripped text})``; header names are normalised."""
    name, columns, raw = _read_rows(path, required, aliases)
    keep = [(i, col) for i, col in enumerate(columns) if col]
    return name, [(line, {col: cells[i] for i, col in keep}) for line, cells in raw]


def _require(record: dict[str, str], field: str, *, file: str, row: int) -> str:
    value = record.get(field, "")
    if not value:
        raise InvalidValueError(field, value, "为空", "is empty", file=file, row=row)
    return value


def load_experts_csv(path: str | Path, *, units: Iterable[Unit] = ()) -> Pool:
    """Load experts from a CSV file (``expert,unit,max_load[,min_load,name,category,domains,available]``).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    units : iterable of Unit, optional
        Known units; when given, the ``unit`` column must name one of them (by id or name).

    Returns
    -------
    Pool

    Raises
    ------
    PoolFileError, MissingColumnError, InvalidValueError, DuplicateIdError, UnknownReferenceError
        Each names the file, the row and the field.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "E.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("expert,unit,max_load,min_load,domains\\nE1,U1,3,1,法律;经济\\n")
    >>> load_experts_csv(p).expert("E1").domains
    ['法律', '经济']
    >>> _ = open(p, "w", encoding="utf-8").write("expert,unit,max_load\\nE1,U1,three\\n")
    >>> load_experts_csv(p)
    Traceback (most recent call last):
    ...
    expert_pool.errors.InvalidValueError: ... 第 2 行，字段“max_load”：值“three”不是≥0的整数
    """
    name, rows = _read_csv(path, ["expert", "unit", "max_load"], {"id": "expert", "expert_id": "expert"})
    pool = Pool(units=units)
    strict = bool(pool.units)
    first: dict[str, int] = {}
    for line, rec in rows:
        expert_id = _require(rec, "expert", file=name, row=line)
        if expert_id in first:
            raise DuplicateIdError("expert", expert_id, first[expert_id], file=name, row=line)
        first[expert_id] = line
        unit = _require(rec, "unit", file=name, row=line)
        max_load = _parse_int(rec["max_load"], "max_load", file=name, row=line)
        min_load = _parse_int(rec["min_load"], "min_load", file=name, row=line) if rec.get("min_load") else 0
        if min_load > max_load:
            raise InvalidValueError("min_load", rec["min_load"], f"大于 max_load（{max_load}）",
                                    f"exceeds max_load ({max_load})", file=name, row=line)
        available = _parse_bool(rec["available"], "available", file=name, row=line) if rec.get("available") else True
        try:
            expert = Expert(id=expert_id, name=rec.get("name", ""), unit=unit, category=rec.get("category") or None,
                            domains=split_list(rec.get("domains", "")), max_load=max_load, min_load=min_load, available=available)
        except ValidationError as exc:
            raise _pydantic_error(exc, file=name, row=line) from None
        try:
            pool.add_expert(expert, create_unit=not strict)
        except PoolError as exc:
            exc.file, exc.row, exc.field = name, line, "unit"
            raise
    return pool


_PROJECT_ALIASES = {"id": "project", "project_id": "project", "reviewers": "panel_size", "panel": "panel_size"}
_PROJECT_FIELDS = {"project", "name", "unit", "domains", "panel_size", "kind", "investment", "decision_level"}


def _project_from_record(rec: Mapping[str, Any], *, file: str, row: int | None) -> ProjectNeed:
    data = {_PROJECT_ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v for k, v in rec.items()}
    pid = data.get("project")
    if pid is None or str(pid).strip() == "":
        if "project" not in data:
            raise MissingColumnError("project", file=file, row=row)
        raise InvalidValueError("project", "", "为空", "is empty", file=file, row=row)
    panel = data.get("panel_size")
    if isinstance(panel, str):
        panel = _parse_int(panel, "panel_size", file=file, row=row or 0, minimum=1) if panel.strip() else None
    elif panel is not None and (isinstance(panel, bool) or not isinstance(panel, int) or panel < 1):
        raise InvalidValueError("panel_size", panel, "不是≥1的整数", "is not an integer >= 1", file=file, row=row)
    investment = data.get("investment")
    if isinstance(investment, str):
        investment = _parse_float(investment, "investment", file=file, row=row or 0) if investment.strip() else None
    extra = {k: v for k, v in data.items() if k not in _PROJECT_FIELDS and k != "extra" and k}
    if isinstance(data.get("extra"), Mapping):
        extra.update(data["extra"])
    try:
        return ProjectNeed(
            id=str(pid).strip(), name=str(data.get("name") or ""),
            unit=None if data.get("unit") is None else str(data.get("unit")),
            domains=split_list(data.get("domains")), panel_size=panel, kind=data.get("kind"), investment=investment,
            decision_level=data.get("decision_level"), extra=extra,
        )
    except ValidationError as exc:
        raise _pydantic_error(exc, file=file, row=row) from None


def load_projects_csv(path: str | Path) -> list[ProjectNeed]:
    """Load projects from a CSV file (``project,unit[,panel_size,name,domains,investment,kind,...]``).

    ``reviewers`` is accepted as another name of ``panel_size``; an empty ``panel_size`` is filled later
    by the panel-size rule.

    Raises
    ------
    PoolFileError, MissingColumnError, InvalidValueError, DuplicateIdError

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "P.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("project,unit,reviewers,domains\\nP1,U1,3,交通\\nP2,U2,,\\n")
    >>> [(x.id, x.panel_size, x.domains) for x in load_projects_csv(p)]
    [('P1', 3, ['交通']), ('P2', None, [])]
    """
    name, rows = _read_csv(path, ["project", "unit"], _PROJECT_ALIASES)
    out: list[ProjectNeed] = []
    first: dict[str, int] = {}
    for line, rec in rows:
        project = _project_from_record(rec, file=name, row=line)
        if project.id in first:
            raise DuplicateIdError("project", project.id, first[project.id], file=name, row=line)
        first[project.id] = line
        out.append(project)
    return out


def load_conflicts_csv(path: str | Path, *, project_ids: Iterable[str] | None = None,
                       expert_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Load declared conflicts of interest (回避) from ``project,expert`` rows.

    When ``project_ids`` / ``expert_ids`` are given, every row must name a known project and expert
    (:class:`UnknownReferenceError` with file, row and field otherwise).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "C.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("project,expert\\nP1,E2\\n")
    >>> load_conflicts_csv(p)
    [('P1', 'E2')]
    """
    name, rows = _read_csv(path, ["project", "expert"])
    known_p = set(project_ids) if project_ids is not None else None
    known_e = set(expert_ids) if expert_ids is not None else None
    out: list[tuple[str, str]] = []
    first: dict[tuple[str, str], int] = {}
    for line, rec in rows:
        pair = (_require(rec, "project", file=name, row=line), _require(rec, "expert", file=name, row=line))
        if known_p is not None and pair[0] not in known_p:
            raise UnknownReferenceError("project", pair[0], "项目", "project", file=name, row=line)
        if known_e is not None and pair[1] not in known_e:
            raise UnknownReferenceError("expert", pair[1], "专家", "expert", file=name, row=line)
        if pair in first:
            raise DuplicateIdError("project,expert", ",".join(pair), first[pair], file=name, row=line)
        first[pair] = line
        out.append(pair)
    return out


# --------------------------------------------------------------------------------------------------
# YAML


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping under the key ``__line__``."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: str | Path) -> Any:
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            if name.endswith(".json"):
                return json.load(fh)
            return yaml.load(fh, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except FileNotFoundError:
        raise PoolFileError("文件不存在", "file not found", file=name) from None
    except IsADirectoryError:
        raise PoolFileError("路径是目录而不是文件", "path is a directory, not a file", file=name) from None
    except UnicodeDecodeError:
        raise PoolFileError("文件不是 UTF-8 编码", "file is not UTF-8 encoded", file=name) from None
    except json.JSONDecodeError as exc:
        raise PoolFileError(f"JSON 语法错误：{exc.msg}", f"JSON syntax error: {exc.msg}", file=name,
                            row=exc.lineno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PoolFileError(f"YAML 语法错误：{problem}", f"YAML syntax error: {problem}", file=name, row=row) from None


def _pop_line(item: Any) -> int | None:
    if isinstance(item, dict):
        line = item.pop("__line__", None)
        for value in item.values():
            _strip_lines(value)
        return line if isinstance(line, int) else None
    return None


def _strip_lines(value: Any) -> None:
    if isinstance(value, dict):
        value.pop("__line__", None)
        for v in value.values():
            _strip_lines(v)
    elif isinstance(value, list):
        for v in value:
            _strip_lines(v)


def _yaml_list(data: dict[str, Any], key: str, *, file: str, required: bool = True) -> list[Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise MissingColumnError(key, file=file, row=data.get("__line__"))
        return []
    if not isinstance(value, list):
        raise InvalidValueError(key, type(value).__name__, "应为列表", "should be a list", file=file,
                                row=data.get("__line__"))
    return value


_M = TypeVar("_M", bound=BaseModel)


def _yaml_entries(
    data: dict[str, Any], key: str, model: type[_M], name: str, *, required: bool
) -> Iterator[tuple[_M, str, int | None]]:
    """Validate each entry of ``data[key]`` as ``model``; ids must be unique. Yields (entry, prefix, line)."""
    seen: dict[str, int | None] = {}
    for i, item in enumerate(_yaml_list(data, key, file=name, required=required)):
        line = _pop_line(item)
        prefix = f"{key}[{i}]."
        if not isinstance(item, dict):
            raise InvalidValueError(prefix.rstrip("."), item, "应为映射", "should be a mapping", file=name, row=line)
        try:
            entry = model(**{str(k): v for k, v in item.items()})
        except ValidationError as exc:
            raise _pydantic_error(exc, file=name, row=line, prefix=prefix) from None
        ident = str(entry.id)  # type: ignore[attr-defined]
        if ident in seen:
            raise DuplicateIdError(prefix + "id", ident, seen[ident], file=name, row=line)
        seen[ident] = line
        yield entry, prefix, line


def load_pool(path: str | Path) -> Pool:
    """Load a pool from YAML (``units:`` and ``experts:`` lists) or, for a ``.csv`` path, from an experts CSV.

    YAML layout::

        name: 示例专家库
        units:
          - {id: U01, name: 市委政法委员会, kind: 党政机关}
        experts:
          - {id: E001, name: 张三, unit: U01, category: 社科研究, domains: [法律, 社会治理],
             max_load: 3, min_load: 0, available: true}

    Raises
    ------
    PoolFileError, MissingColumnError, InvalidValueError, DuplicateIdError, UnknownReferenceError
        With the file, the line of the offending entry, and the field (e.g. ``experts[3].max_load``).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "pool.yaml")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "units:\\n  - {id: U1, name: 市总工会}\\nexperts:\\n  - {id: E1, unit: 市总工会, max_load: 2}\\n")
    >>> load_pool(p).expert("E1").unit
    'U1'
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "units:\\n  - {id: U1}\\nexperts:\\n  - {id: E1, unit: U9, max_load: 2}\\n")
    >>> load_pool(p)
    Traceback (most recent call last):
    ...
    expert_pool.errors.UnknownReferenceError: ... 第 4 行，字段“experts[0].unit”：未知的单位“U9”
    """
    name = str(path)
    if name.lower().endswith(".csv"):
        return load_experts_csv(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise PoolFileError("顶层应为映射（含 units 与 experts）", "top level should be a mapping with units and experts",
                            file=name)
    units = [unit for unit, _, _ in _yaml_entries(data, "units", Unit, name, required=False)]
    pool = Pool(units=units, name=str(data.get("name") or ""))
    for expert, prefix, line in _yaml_entries(data, "experts", Expert, name, required=True):
        try:
            pool.add_expert(expert, create_unit=not units)
        except PoolError as exc:
            exc.file, exc.row, exc.field = name, line, prefix + "unit"
            raise
    return pool


def load_projects(source: str | Path | Iterable[Any]) -> list[ProjectNeed]:
    """Projects from a CSV, YAML/JSON (a list, or a mapping with ``projects:``) or JSONL file, or from an
    iterable of :class:`ProjectNeed` or dicts (``id`` or ``project`` key).

    >>> [p.id for p in load_projects([{"id": "P1", "unit": "U1", "panel_size": 3}])]
    ['P1']
    """
    if isinstance(source, (str, Path)):
        name = str(source)
        lower = name.lower()
        if lower.endswith(".csv"):
            return load_projects_csv(source)
        if lower.endswith(".jsonl"):
            records: list[tuple[int | None, Any]] = []
            try:
                with open(source, encoding="utf-8-sig") as fh:
                    for i, text in enumerate(fh, start=1):
                        if text.strip():
                            try:
                                records.append((i, json.loads(text)))
                            except json.JSONDecodeError as exc:
                                raise PoolFileError(f"JSON 语法错误：{exc.msg}", f"JSON syntax error: {exc.msg}",
                                                    file=name, row=i) from None
            except FileNotFoundError:
                raise PoolFileError("文件不存在", "file not found", file=name) from None
        else:
            data = _read_yaml(source)
            if isinstance(data, dict) and "projects" in data:
                data = data["projects"]
            if not isinstance(data, list):
                raise PoolFileError("应为项目列表（或含 projects 的映射）",
                                    "should be a list of projects (or a mapping with projects)", file=name)
            records = [(_pop_line(item), item) for item in data]
        out: list[ProjectNeed] = []
        first: dict[str, int | None] = {}
        for row, item in records:
            if not isinstance(item, dict):
                raise InvalidValueError("project", item, "应为映射", "should be a mapping", file=name, row=row)
            project = _project_from_record(item, file=name, row=row)
            if project.id in first:
                raise DuplicateIdError("project", project.id, first[project.id], file=name, row=row)
            first[project.id] = row
            out.append(project)
        return out
    out2: list[ProjectNeed] = []
    for item in source:
        if isinstance(item, ProjectNeed):
            out2.append(item)
        elif isinstance(item, Mapping):
            out2.append(_project_from_record(item, file="<projects>", row=None))
        else:
            raise InvalidValueError("project", item, "不是项目", "is not a project", file="<projects>")
    ids = [p.id for p in out2]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DuplicateIdError("project", dup, None, file="<projects>")
    return out2
