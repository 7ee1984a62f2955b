"""Loading the pool, projects and conflicts from YAML, JSON, JSONL or CSV files.

CSV formats (header row; ``;`` separates list items):

* experts ``E.csv``: ``expert,unit,max_load`` required; ``min_load`` (default 0), ``name``,
  ``category`` (社科研究 / 工程技术 / 综合管理), ``domains``, ``available`` (default true) optional;
* projects ``P.csv``: ``project,unit`` required; ``panel_size`` (alias ``reviewers``; empty = filled by
  the panel-size rule), ``name``, ``domains``, ``investment`` (万元), ``kind``, ``decision_level`` and any
  further columns (kept in :attr:`ProjectNeed.extra` and handed to a rule set's panel-size rule);
* conflicts ``C.csv``: ``project,expert``.

A file that cannot be read at all raises :class:`~expert_pool.errors.PoolFileError` (exit code 2).
Every other problem is located (file, row with header = 1, field; or file, line and key for YAML) and
*all* of them are reported together in one :class:`~expert_pool.errors.PoolInputError` (exit code 1),
whose ``problems`` are the individual errors (:class:`~expert_pool.errors.InvalidValueError`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from expert_pool import tabular
from expert_pool.errors import (
    DuplicateIdError,
    InvalidValueError,
    MissingColumnError,
    PoolError,
    PoolFileError,
    ProblemCollector,
    UnknownReferenceError,
)
from expert_pool.models import CATEGORIES, Expert, ProjectNeed, Unit, normalize_category, split_list
from expert_pool.pool import Pool
from expert_pool.values import check, parse_bool, parse_float, parse_int, pydantic_error, require

__all__ = [
    "load_pool",
    "load_experts_csv",
    "load_projects_csv",
    "load_projects",
    "load_conflicts_csv",
    "parse_float",
    "parse_int",
]

# --------------------------------------------------------------------------------------------------
# CSV


def load_experts_csv(path: str | Path, *, units: Iterable[Unit] = ()) -> Pool:
    """Load experts from a CSV file (``expert,unit,max_load[,min_load,name,category,domains,available]``).

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8 or GB18030, a BOM accepted).
    units : iterable of Unit, optional
        Known units; when given, the ``unit`` column must name one of them (by id or name).

    Returns
    -------
    Pool

    Raises
    ------
    PoolFileError
        The file cannot be read.
    PoolInputError
        Every bad row, each with its file, row and field.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "E.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("expert,unit,max_load,min_load,domains\\nE1,U1,3,1,法律;经济\\n")
    >>> load_experts_csv(p).expert("E1").domains
    ['法律', '经济']
    >>> _ = open(p, "w", encoding="utf-8").write("expert,unit,max_load\\nE1,U1,three\\nE2,,1\\n")
    >>> load_experts_csv(p)
    Traceback (most recent call last):
    ...
    expert_pool.errors.PoolInputError: ... 共有 2 处问题
      ...第 2 行，列“max_load”：值“three”不是≥0的整数
      ...第 3 行，列“unit”：值为空
    """
    table = tabular.read_table(path, ["expert", "unit", "max_load"], {"id": "expert", "expert_id": "expert"})
    name = table.name
    bag = ProblemCollector(name)
    bag.problems.extend(table.problems)
    pool = Pool(units=units)
    strict = bool(pool.units)
    first: dict[str, int] = {}
    for line, rec in table.records():
        before = len(bag.problems)
        expert_id = check(bag, require, rec, "expert", file=name, row=line)
        if expert_id is not None and expert_id in first:
            bag.add(DuplicateIdError("expert", expert_id, first[expert_id], file=name, row=line))
        elif expert_id is not None:
            first[expert_id] = line
        unit = check(bag, require, rec, "unit", file=name, row=line)
        max_load = check(bag, parse_int, rec["max_load"], "max_load", file=name, row=line)
        min_load = check(bag, parse_int, rec["min_load"], "min_load", file=name, row=line) if rec.get("min_load") else 0
        if max_load is not None and min_load is not None and min_load > max_load:
            bag.add(InvalidValueError("min_load", rec["min_load"], "exceeds_max_load", max_load=max_load, file=name,
                                      row=line))
        available = (check(bag, parse_bool, rec["available"], "available", file=name, row=line)
                     if rec.get("available") else True)
        category = rec.get("category") or None
        if category is not None and normalize_category(category) is None:
            bag.add(InvalidValueError("category", category, "bad_category", choices=" / ".join(CATEGORIES),
                                      file=name, row=line))
        if len(bag.problems) > before:
            continue
        try:
            expert = Expert(id=expert_id, name=rec.get("name", ""), unit=unit, category=category,
                            domains=split_list(rec.get("domains", "")), max_load=max_load, min_load=min_load,
                            available=available)
            pool.add_expert(expert, create_unit=not strict)
        except ValidationError as exc:
            bag.add(pydantic_error(exc, file=name, row=line))
        except PoolError as exc:
            bag.add(exc.located(file=name, row=line, field="unit"))
    bag.raise_if_any()
    return pool


_PROJECT_ALIASES = {"id": "project", "project_id": "project", "reviewers": "panel_size", "panel": "panel_size"}
_PROJECT_FIELDS = {"project", "name", "unit", "domains", "panel_size", "kind", "investment", "decision_level"}


def _project_from_record(rec: Mapping[str, Any], *, file: str, **position: Any) -> ProjectNeed:
    where: dict[str, Any] = {"file": file, **position}
    data = {_PROJECT_ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v for k, v in rec.items()}
    pid = data.get("project")
    if pid is None or str(pid).strip() == "":
        if "project" not in data:
            raise MissingColumnError("project", **where)
        raise InvalidValueError("project", "", "empty", **where)
    bag = ProblemCollector(file)
    panel = data.get("panel_size")
    if isinstance(panel, str):
        panel = check(bag, parse_int, panel, "panel_size", minimum=1, **where) if panel.strip() else None
    elif panel is not None and (isinstance(panel, bool) or not isinstance(panel, int) or panel < 1):
        bag.add(InvalidValueError("panel_size", panel, "not_integer", minimum=1, **where))
    investment = data.get("investment")
    if isinstance(investment, str):
        investment = check(bag, parse_float, investment, "investment", **where) if investment.strip() else None
    bag.raise_if_any()
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
        raise pydantic_error(exc, **where) from None


def _collect_projects(records: Iterable[tuple[dict[str, Any], Any]], name: str,
                      problems: Iterable[PoolError] = ()) -> list[ProjectNeed]:
    """Projects from ``(position, record)`` pairs (position: ``{"row": n}`` or ``{"line": l, "column": c}``)."""
    bag = ProblemCollector(name)
    bag.problems.extend(problems)
    out: list[ProjectNeed] = []
    first: dict[str, int | None] = {}
    for position, item in records:
        where: dict[str, Any] = {"file": name, **position}
        pos = position.get("row", position.get("line"))
        if isinstance(item, ProjectNeed):
            project: ProjectNeed | None = item
        elif isinstance(item, Mapping):
            project = check(bag, _project_from_record, item, **where)
        else:
            reason = "not_mapping" if name != "<projects>" else "not_project"
            bag.add(InvalidValueError("project", item, reason, **where))
            project = None
        if project is None:
            continue
        if project.id in first:
            bag.add(DuplicateIdError("project", project.id, first[project.id], **where))
            continue
        first[project.id] = pos
        out.append(project)
    bag.raise_if_any()
    return out


def load_projects_csv(path: str | Path) -> list[ProjectNeed]:
    """Load projects from a CSV file (``project,unit[,panel_size,name,domains,investment,kind,...]``).

    ``reviewers`` is accepted as another name of ``panel_size``; an empty ``panel_size`` is filled later
    by the panel-size rule.

    Raises
    ------
    PoolFileError, PoolInputError

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "P.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("project,unit,reviewers,domains\\nP1,U1,3,交通\\nP2,U2,,\\n")
    >>> [(x.id, x.panel_size, x.domains) for x in load_projects_csv(p)]
    [('P1', 3, ['交通']), ('P2', None, [])]
    """
    table = tabular.read_table(path, ["project", "unit"], _PROJECT_ALIASES)
    return _collect_projects((({"row": r}, rec) for r, rec in table.records()), table.name, table.problems)


def load_conflicts_csv(path: str | Path, *, project_ids: Iterable[str] | None = None,
                       expert_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Load declared conflicts of interest (回避) from ``project,expert`` rows.

    When ``project_ids`` / ``expert_ids`` are given, every row must name a known project and expert
    (:class:`UnknownReferenceError` with file, row and field otherwise; all bad rows reported together).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "C.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("project,expert\\nP1,E2\\n")
    >>> load_conflicts_csv(p)
    [('P1', 'E2')]
    """
    table = tabular.read_table(path, ["project", "expert"])
    name = table.name
    bag = ProblemCollector(name)
    bag.problems.extend(table.problems)
    known_p = set(project_ids) if project_ids is not None else None
    known_e = set(expert_ids) if expert_ids is not None else None
    out: list[tuple[str, str]] = []
    first: dict[tuple[str, str], int] = {}
    for line, rec in table.records():
        before = len(bag.problems)
        p = check(bag, require, rec, "project", file=name, row=line)
        e = check(bag, require, rec, "expert", file=name, row=line)
        if p is not None and known_p is not None and p not in known_p:
            bag.add(UnknownReferenceError("project", p, "project", file=name, row=line))
        if e is not None and known_e is not None and e not in known_e:
            bag.add(UnknownReferenceError("expert", e, "expert", file=name, row=line))
        if len(bag.problems) > before:
            continue
        pair = (p, e)
        if pair in first:
            bag.add(DuplicateIdError("project,expert", ",".join(pair), first[pair], file=name, row=line))
            continue
        first[pair] = line
        out.append(pair)
    bag.raise_if_any()
    return out


# --------------------------------------------------------------------------------------------------
# YAML


def _yaml_list(data: Mapping[str, Any], key: str, *, file: str, where: dict[str, Any], required: bool = True
               ) -> list[Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise MissingColumnError(key, file=file, **where)
        return []
    if not isinstance(value, list):
        raise InvalidValueError(key, type(value).__name__, "not_list", file=file, **where)
    return value


_M = TypeVar("_M", bound=BaseModel)


def _yaml_entries(
    doc: tabular.YamlDoc, key: str, model: type[_M], bag: ProblemCollector, *, required: bool
) -> Iterator[tuple[_M, str, int]]:
    """Validate each entry of ``doc[key]`` as ``model`` (problems into ``bag``); yields (entry, prefix, index)."""
    name = doc.name
    seen: dict[str, int | None] = {}
    top = doc.where((key,)) if key in doc.data else {"line": 1, "column": 1}
    items = check(bag, _yaml_list, doc.data, key, file=name, where=top, required=required, default=[])
    for i, item in enumerate(items):
        prefix = f"{key}[{i}]."
        if not isinstance(item, Mapping):
            bag.add(InvalidValueError(prefix.rstrip("."), item, "not_mapping", file=name, **doc.where((key, i))))
            continue
        try:
            entry = model(**{str(k): v for k, v in item.items()})
        except ValidationError as exc:
            bag.add(pydantic_error(exc, file=name, prefix=prefix, where_of=partial(_field_where, doc, key, i)))
            continue
        ident = str(entry.id)  # type: ignore[attr-defined]
        if ident in seen:
            bag.add(DuplicateIdError(prefix + "id", ident, seen[ident], file=name, **doc.where((key, i, "id"))))
            continue
        seen[ident] = doc.where((key, i))["line"]
        yield entry, prefix, i


def _field_where(doc: tabular.YamlDoc, key: str, i: int, loc: tuple[Any, ...]) -> dict[str, Any]:
    """Position of the value (or, when missing, the entry) that pydantic's ``loc`` names inside ``doc[key][i]``."""
    path: tuple[Any, ...] = (key, i, *loc)
    if doc.positions is not None:
        path = doc.positions.resolve(path)
    return doc.where(path)


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
    PoolFileError
        The file cannot be read (missing, not UTF-8, YAML syntax, wrong top level).
    PoolInputError
        Every bad entry, with the file, the line of the entry and the field (e.g. ``experts[3].max_load``).

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
    expert_pool.errors.PoolInputError: ... 共有 1 处问题
      ...pool.yaml:4:20，字段“experts[0].unit”: 未知的单位“U9”
    """
    name = str(path)
    if name.lower().endswith(".csv"):
        return load_experts_csv(path)
    doc = tabular.read_yaml_doc(path)
    if not isinstance(doc.data, Mapping):
        raise PoolFileError("pool.file.pool_top_level", file=name, line=1)
    bag = ProblemCollector(name)
    units = [unit for unit, _, _ in _yaml_entries(doc, "units", Unit, bag, required=False)]
    pool = Pool(name=str(doc.data.get("name") or ""))
    for unit in units:
        pool.add_unit(unit)
    # names of unit entries that had problems themselves: an expert naming one is not a second problem
    raw = doc.data.get("units")
    raw_units: list[Any] = raw if isinstance(raw, list) else []
    refs = {str(u.get(k)) for u in raw_units if isinstance(u, Mapping) for k in ("id", "name") if u.get(k)}
    tainted = refs - {u.id for u in units} - {u.name for u in units}
    for expert, prefix, i in _yaml_entries(doc, "experts", Expert, bag, required=True):
        where = doc.where(("experts", i, "unit"))
        try:
            pool.add_expert(expert, create_unit=not units and not raw_units)
        except UnknownReferenceError as exc:
            if expert.unit not in tainted:
                bag.add(exc.located(file=name, field=prefix + "unit", **where))
        except PoolError as exc:
            bag.add(exc.located(file=name, field=prefix + "unit", **where))
    bag.raise_if_any()
    return pool


def load_projects(source: str | Path | Iterable[Any]) -> list[ProjectNeed]:
    """Projects from a CSV, YAML/JSON (a list, or a mapping with ``projects:``) or JSONL file, or from an
    iterable of :class:`ProjectNeed` or dicts (``id`` or ``project`` key).

    >>> [p.id for p in load_projects([{"id": "P1", "unit": "U1", "panel_size": 3}])]
    ['P1']
    """
    if not isinstance(source, (str, Path)):
        return _collect_projects((({}, item) for item in source), "<projects>")
    name = str(source)
    lower = name.lower()
    if lower.endswith(".csv"):
        return load_projects_csv(source)
    if lower.endswith(".jsonl"):
        records, problems = tabular.read_jsonl(source)
        return _collect_projects((({"row": r}, rec) for r, rec in records), name, problems)
    doc = tabular.read_yaml_doc(source)
    data, base = doc.data, cast(tuple[str, ...], ())
    if isinstance(data, Mapping) and "projects" in data:
        data, base = data["projects"], ("projects",)
    if not isinstance(data, list):
        raise PoolFileError("pool.file.projects_top_level", file=name, line=1)
    return _collect_projects(((doc.where((*base, i)), item) for i, item in enumerate(data)), name)
