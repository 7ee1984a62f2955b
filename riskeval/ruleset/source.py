"""Reading one rule file: YAML with positions, then the schema, every problem located.

Examples
--------
>>> pf = read_rule_file(bundled_rules_dir() / "national.yaml")
>>> pf.model.id, pf.origin("items", 0).at()[1:]
('national', (110, 5))
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..io.yaml import PathKey, PositionMap, YamlError, load_yaml_with_positions
from ..model.rulefile import (
    Dimension,
    FactDecl,
    Item,
    PanelSpec,
    Procedure,
    RuleFile,
    Scoring,
    Trigger,
)
from .conditions import ConditionError
from .intervals import IntervalError
from .messages import schema_reason
from .problems import Problem, RuleSetError, RuleSetNotFound

__all__ = [
    "ID_SECTIONS",
    "Origin",
    "ParsedFile",
    "bundled_rules_dir",
    "condition_problem",
    "dedupe",
    "display_name",
    "read_raw",
    "read_rule_file",
]

#: sections whose entries are overridden by ``id``
ID_SECTIONS = ("dimensions", "items", "triggers", "procedures")


def bundled_rules_dir() -> Path:
    """The directory of bundled rule sets (inside the wheel, or ``rules/`` in a checkout)."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@dataclass
class Origin:
    """Where an entity was written: the file, its position map and the path inside it."""

    file: str
    positions: PositionMap
    path: PathKey

    def at(self, *sub: str | int, key: bool = False) -> tuple[str, int, int]:
        full = (*self.path, *sub)
        pos = self.positions.key(full) if key else self.positions.value(full)
        return self.file, pos.line, pos.column


@dataclass
class ParsedFile:
    path: Path
    display: str
    model: RuleFile
    positions: PositionMap
    raw: dict[str, Any] = field(default_factory=dict)

    def origin(self, *path: str | int) -> Origin:
        return Origin(self.display, self.positions, tuple(path))


def display_name(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _schema_problem(err: Any, display: str, positions: PositionMap) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    path = positions.resolve(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = positions.resolve(loc[:-1])
        pos = positions.key((*parent, key))
        model_fields = _known_keys_at(loc[:-1])
        close = difflib.get_close_matches(key, model_fields, n=1, cutoff=0.6)
        return Problem(display, pos.line, pos.column, "schema.extra", {"key": key, "suggestion": close[0] if close else ""})
    if kind == "missing":
        pos = positions.value(path)
        return Problem(display, pos.line, pos.column, "schema.missing", {"key": str(loc[-1])})
    pos = positions.value(path)
    code, params = schema_reason(err)
    return Problem(display, pos.line, pos.column, code, params)


_SECTION_MODELS: dict[str, type] = {
    "facts": FactDecl,
    "dimensions": Dimension,
    "items": Item,
    "triggers": Trigger,
    "procedures": Procedure,
    "scoring": Scoring,
    "panel": PanelSpec,
}


def _known_keys_at(loc: tuple[Any, ...]) -> list[str]:
    """Field names valid at a location (for 'did you mean' suggestions)."""
    from ..model import rulefile as m

    model: Any = RuleFile
    i = 0
    while i < len(loc):
        part = loc[i]
        if isinstance(part, int):
            i += 1
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            # dict-valued sections: facts.<name> -> FactDecl
            if model is RuleFile and i > 0 and loc[i - 1] == "facts":
                model = FactDecl
            i += 1
            continue
        if model is RuleFile and part in _SECTION_MODELS:
            model = _SECTION_MODELS[part]
            if part == "facts":
                i += 2
                model = FactDecl
                continue
        elif part in ("points", "probability", "impact"):
            model = m.ValueTable
        elif part == "tests":
            model = m.RuleTest
        elif part == "expect":
            model = m.Expect
        elif part == "remove":
            model = m.Removal
        elif part == "rules" and model is PanelSpec:
            model = m.PanelRule
        elif part == "levels":
            model = m.LevelBand
            i += 2
            continue
        i += 1
    return list(getattr(model, "model_fields", {}))


def read_raw(path: Path) -> tuple[dict[str, Any], PositionMap, str]:
    """The YAML mapping of one rule file, its positions and its display name."""
    display = display_name(path)
    try:
        data, positions = load_yaml_with_positions(path, mapping=True)
    except YamlError as exc:
        raise RuleSetError([Problem(display, exc.position.line, exc.position.column, exc.code, exc.params)]) from None
    except OSError:
        raise RuleSetNotFound([Problem(display, 1, 1, "file.unreadable", {"name": display})]) from None
    return data, positions, display


def _complete_from_parent(data: dict[str, Any], parent_raw: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Fill the fields an overriding entity leaves out from the parent's entity of the same id."""
    data = dict(data)
    facts = data.get("facts")
    if isinstance(facts, dict):
        data["facts"] = {
            name: ({**parent_raw["facts"][name], **decl} if isinstance(decl, dict) and name in parent_raw["facts"] else decl)
            for name, decl in facts.items()
        }
    for section in ID_SECTIONS:
        entries = data.get(section)
        if isinstance(entries, list):
            data[section] = [
                {**parent_raw[section][e["id"]], **e}
                if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"] in parent_raw[section]
                else e
                for e in entries
            ]
    return data


def read_rule_file(
    path: Path,
    parent_raw: dict[str, dict[str, dict[str, Any]]] | None = None,
    *,
    raw: tuple[dict[str, Any], PositionMap, str] | None = None,
) -> ParsedFile:
    """Parse and schema-check one rule file (entities overriding a parent's are completed from it).

    ``raw`` is the file's :func:`read_raw` result when it has been read already.
    """
    data, positions, display = raw if raw is not None else read_raw(path)
    if parent_raw is not None:
        data = _complete_from_parent(data, parent_raw)
    try:
        model = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(err, display, positions) for err in exc.errors()]
        raise RuleSetError(dedupe(problems)) from None
    parsed = ParsedFile(path, display, model, positions)
    parsed.raw = data
    return parsed


def dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.file, p.line, p.column, p.code, tuple(sorted((k, str(v)) for k, v in p.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.file, p.line, p.column))


def condition_problem(
    origin: Origin, sub: tuple[str | int, ...], exc: ConditionError | IntervalError, text: str | None = None
) -> Problem:
    """A problem located at the offending character inside a condition string ``text``.

    The column moves into the expression when the value is a one-line scalar (plain or quoted);
    for block scalars it stays at the start of the value.
    """
    f, line, col = origin.at(*sub)
    if isinstance(exc, IntervalError):
        return Problem(f, line, col, exc.code, {"text": exc.text})
    if text is not None and "\n" not in text.strip():
        rest = _source_line(origin.file, line)[col - 1 :]
        quoted = rest[:1] in ("'", '"')
        if rest[int(quoted) :].startswith(text[: exc.offset]):
            col += exc.offset + int(quoted)
    return Problem(f, line, col, exc.code, dict(exc.params))


def _source_line(file: str, line: int) -> str:
    try:
        with open(file, encoding="utf-8-sig") as handle:
            for number, content in enumerate(handle, start=1):
                if number == line:
                    return content.rstrip("\n")
    except OSError:
        pass
    return ""
