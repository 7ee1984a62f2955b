"""Read rule files, resolve ``extends``, validate everything, and build a :class:`RuleSet`.

Every problem is collected (not just the first) with ``file:line:column``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..io.yaml import PathKey, PositionMap, YamlError, load_yaml_with_positions
from ..model.ruleset import (
    Dimension,
    FactDecl,
    Item,
    PanelSpec,
    Procedure,
    RuleFile,
    ScopeRule,
    Scoring,
    Trigger,
)
from . import messages as _messages  # noqa: F401  (registers messages)
from .conditions import ConditionError
from .intervals import IntervalError, find_gaps_and_overlaps, parse_interval
from .problems import Problem, RuleSetError, RuleSetNotFound

__all__ = ["bundled_rules_dir", "bundled_names", "find_ruleset", "read_rule_file", "load_ruleset", "validate_file"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def bundled_rules_dir() -> Path:
    """The directory of bundled rule sets (inside the wheel, or ``rules/`` in a checkout)."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def bundled_names() -> list[str]:
    """Names of the bundled rule sets, e.g. ``["guiyang", "jiangsu-db32-4013-2021", "national"]``."""
    directory = bundled_rules_dir()
    return sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []


def find_ruleset(name_or_path: str | Path, relative_to: Path | None = None) -> Path | None:
    """Resolve a bundled name or a path (relative to ``relative_to`` when given)."""
    text = str(name_or_path)
    candidates: list[Path] = []
    if relative_to is not None and ("/" in text or text.endswith((".yaml", ".yml"))):
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    if re.match(r"^[A-Za-z0-9_.-]+$", text):
        candidates.append(bundled_rules_dir() / f"{text}.yaml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


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


def _display(path: Path) -> str:
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
    value = err.get("input")
    shown = json.dumps(value, ensure_ascii=False)[:60] if not isinstance(value, dict | list) else type(value).__name__
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        return Problem(display, pos.line, pos.column, "schema.literal", {"expected": expected, "value": shown})
    base = kind.split("_")[0]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        from .messages import TYPE_NAMES

        return Problem(
            display,
            pos.line,
            pos.column,
            "schema.type",
            {
                "expected": TYPE_NAMES["zh"].get(base, base),
                "expected_en": TYPE_NAMES["en"].get(base, base),
                "value": shown,
            },
        )
    return Problem(display, pos.line, pos.column, "schema.other", {"detail": err.get("msg", kind)})


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
    from ..model import ruleset as m

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


def _read_raw(path: Path) -> tuple[dict[str, Any], PositionMap, str]:
    display = _display(path)
    try:
        data, positions = load_yaml_with_positions(path, mapping=True)
    except YamlError as exc:
        raise RuleSetError([Problem(display, exc.position.line, exc.position.column, exc.code, exc.params)]) from None
    except OSError as exc:
        raise RuleSetNotFound([Problem(display, 1, 1, "file.not_found", {"name": str(path), "bundled": str(exc)})]) from None
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
    for section in _ID_SECTIONS:
        entries = data.get(section)
        if isinstance(entries, list):
            data[section] = [
                {**parent_raw[section][e["id"]], **e}
                if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"] in parent_raw[section]
                else e
                for e in entries
            ]
    return data


def read_rule_file(path: Path, parent_raw: dict[str, dict[str, dict[str, Any]]] | None = None) -> ParsedFile:
    """Parse and schema-check one rule file (entities overriding a parent's are completed from it)."""
    data, positions, display = _read_raw(path)
    if parent_raw is not None:
        data = _complete_from_parent(data, parent_raw)
    try:
        model = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(err, display, positions) for err in exc.errors()]
        raise RuleSetError(_dedupe(problems)) from None
    parsed = ParsedFile(path, display, model, positions)
    parsed.raw = data
    return parsed


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.file, p.line, p.column, p.code, tuple(sorted((k, str(v)) for k, v in p.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.file, p.line, p.column))


@dataclass
class Layered:
    """The merged content of a rule file and its ancestors, with each entity's origin."""

    top: ParsedFile
    chain: list[ParsedFile]
    facts: dict[str, FactDecl] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    scoring: Scoring | None = None
    scope: list[str | ScopeRule] | None = None
    panel: PanelSpec | None = None
    regime: str | None = None
    decisions: dict[str, str] | None = None
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    raw: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


_ID_SECTIONS = ("dimensions", "items", "triggers", "procedures")


def _merge(parent: Layered | None, pf: ParsedFile, problems: list[Problem]) -> Layered:
    model = pf.model
    layered = Layered(top=pf, chain=(parent.chain if parent else []) + [pf])
    if parent is not None:
        for name in ("facts", *_ID_SECTIONS):
            setattr(layered, name, dict(getattr(parent, name)))
        layered.origins = dict(parent.origins)
        layered.scoring, layered.scope, layered.panel = parent.scoring, parent.scope, parent.panel
        layered.regime, layered.decisions = parent.regime, parent.decisions
        if model.remove is not None:
            for section in ("facts", *_ID_SECTIONS):
                for i, ident in enumerate(getattr(model.remove, section)):
                    table = getattr(layered, section)
                    if ident in table:
                        del table[ident]
                    else:
                        f, line, col = pf.origin("remove", section, i).at()
                        problems.append(Problem(f, line, col, "remove.unknown", {"id": ident}))
    for name, decl in model.facts.items():
        old = layered.facts.get(name)
        layered.facts[name] = _overlay(old, decl)
        layered.origins[("facts", name)] = pf.origin("facts", name)
    for section in _ID_SECTIONS:
        seen: set[str] = set()
        table = getattr(layered, section)
        for i, entity in enumerate(getattr(model, section)):
            if entity.id in seen:
                f, line, col = pf.origin(section, i, "id").at()
                problems.append(Problem(f, line, col, "dup.id", {"id": entity.id, "section": section}))
                continue
            seen.add(entity.id)
            table[entity.id] = _overlay(table.get(entity.id), entity)
            layered.origins[(section, entity.id)] = pf.origin(section, i)
    if model.scoring is not None:
        layered.scoring = model.scoring
        layered.origins[("scoring", "")] = pf.origin("scoring")
    if model.scope is not None:
        layered.scope = model.scope
        layered.origins[("scope", "")] = pf.origin("scope")
    if model.panel is not None:
        layered.panel = model.panel
        layered.origins[("panel", "")] = pf.origin("panel")
    if model.regime is not None:
        layered.regime = model.regime
    if model.decisions is not None:
        layered.decisions = {str(k): str(v) for k, v in model.decisions.items()}
    return layered


def _overlay(old: Any, new: Any) -> Any:
    """Override by id: the child's fields replace the parent's, the rest is kept."""
    if old is None:
        return new
    return old.model_copy(update={name: getattr(new, name) for name in new.model_fields_set})


class _Cycle(Exception):
    def __init__(self, chain: list[Path]) -> None:
        super().__init__("cycle")
        self.chain = chain


def _resolve(path: Path, stack: list[Path], problems: list[Problem]) -> Layered:
    data, positions, display = _read_raw(path)
    parent: Layered | None = None
    extends = data.get("extends")
    if isinstance(extends, str) and extends:
        pos = positions.value(("extends",))
        parent_path = find_ruleset(extends, relative_to=path.parent)
        if parent_path is None:
            raise RuleSetError([Problem(display, pos.line, pos.column, "extends.missing", {"name": extends})])
        if parent_path in stack or parent_path == path:
            raise _Cycle([*stack, path, parent_path])
        try:
            parent = _resolve(parent_path, [*stack, path], problems)
        except _Cycle as cycle:
            if stack:
                raise
            chain = " → ".join(p.name for p in cycle.chain)
            raise RuleSetError([Problem(display, pos.line, pos.column, "extends.cycle", {"chain": chain})]) from None
    pf = read_rule_file(path, parent.raw if parent else None)
    layered = _merge(parent, pf, problems)
    layered.raw = _merge_raw(parent.raw if parent else None, pf.raw)
    return layered


def _merge_raw(parent: dict[str, dict[str, dict[str, Any]]] | None, data: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    raw: dict[str, dict[str, dict[str, Any]]] = {k: dict(v) for k, v in (parent or {}).items()}
    for section in ("facts", *_ID_SECTIONS):
        raw.setdefault(section, {})
    facts = data.get("facts")
    if isinstance(facts, dict):
        raw["facts"].update({k: v for k, v in facts.items() if isinstance(v, dict)})
    for section in _ID_SECTIONS:
        for entry in data.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                raw[section][entry["id"]] = entry
    return raw


def load_ruleset(name_or_path: str | Path, *, strict_tests: bool = True) -> Any:
    """Load a bundled rule set by name (``"guiyang"``) or a rule file by path, fully validated.

    Parameters
    ----------
    name_or_path
        A bundled name (see :func:`bundled_names`) or a path to a YAML rule file.
    strict_tests
        Also check the embedded tests' project data against the declared facts.

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleSetNotFound
        No such file and no bundled rule set of that name.
    RuleSetError
        The file (or a parent) has errors; ``.problems`` holds each with its position.

    Examples
    --------
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> rs.id, rs.scoring.method
    ('jiangsu-db32-4013-2021', 'points')
    """
    from .build import build_ruleset

    path = find_ruleset(name_or_path)
    if path is None:
        raise RuleSetNotFound(
            [Problem(str(name_or_path), 1, 1, "file.not_found", {"name": str(name_or_path), "bundled": ", ".join(bundled_names())})]
        )
    problems: list[Problem] = []
    layered = _resolve(path, [], problems)
    ruleset = build_ruleset(layered, problems, strict_tests=strict_tests)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RuleSetError(_dedupe(errors))
    ruleset.warnings = [p for p in problems if p.severity == "warning"]
    return ruleset


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem (errors and warnings) of one rule file; an empty list means valid."""
    try:
        ruleset = load_ruleset(path)
    except RuleSetError as exc:
        return exc.problems
    return list(ruleset.warnings)


def content_hash(data: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace)."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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


def check_levels(scoring: Scoring, origin: Origin, problems: list[Problem], total: float | None) -> dict[str, Any]:
    """Parse the level bands and check order, gaps and overlaps."""
    bands: dict[str, Any] = {}
    for level in ("low", "medium", "high"):
        band = scoring.levels.get(level)
        if band is None:
            f, line, col = origin.at("levels", key=True)
            problems.append(Problem(f, line, col, "levels.missing", {"level": level}))
            continue
        try:
            bands[level] = parse_interval(band.range)
        except IntervalError as exc:
            f, line, col = origin.at("levels", level)
            problems.append(Problem(f, line, col, exc.code, {"text": exc.text}))
    if len(bands) == 3:
        order = ["low", "medium", "high"]
        for lower, higher in zip(order, order[1:], strict=False):
            if bands[lower].low >= bands[higher].low:
                f, line, col = origin.at("levels", higher)
                problems.append(Problem(f, line, col, "levels.order", {"lower": lower, "higher": higher}))
                return bands
        low_bound = 0.0
        high_bound = total if total is not None else (1.0 if scoring.method == "index" else None)
        for kind, detail in find_gaps_and_overlaps(list(bands.values()), low_bound, high_bound):
            f, line, col = origin.at("levels")
            problems.append(Problem(f, line, col, f"levels.{kind}", {"detail": detail}))
    return bands

