"""``extends``: where it may point, the chain of files it builds, and merging them.

Policy (issue 13):

- A bare name (``jiangsu-db32-4013-2021``) is a bundled rule set, never a file of the working
  directory. Anything written as a path (``./x.yaml``, ``sub/x.yaml``, ``x.yaml``) is a YAML
  file inside the directory tree of the file that extends, or inside a configured rule
  directory (``rule_dirs=``, or ``RISKEVAL_RULE_DIRS`` separated by ``os.pathsep``).
- Absolute paths, ``~``, ``..`` that leaves the tree and symbolic links that point out of it
  are refused before the target is opened, so no message can show another file's content.
  (An absolute path is accepted only when it names a file of the bundled set or of a
  configured rule directory, which is what a bare name or a relative path could reach anyway.)
- A chain longer than :data:`MAX_EXTENDS_DEPTH` files and any cycle (a file extending itself
  included) are located errors at the ``extends`` of the file being loaded.

Examples
--------
>>> chain = read_chain(bundled_rules_dir() / "guiyang.yaml", ())
>>> [path.name for path, _ in chain]
['guiyang.yaml', 'jiangsu-db32-4013-2021.yaml']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ..io.yaml import PositionMap
from ..model.rulefile import Dimension, FactDecl, Item, PanelSpec, Procedure, ScopeRule, Scoring, Trigger
from .problems import Problem, RuleSetError
from .source import ID_SECTIONS, Origin, ParsedFile, bundled_rules_dir

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "RULE_DIRS_ENV",
    "Layered",
    "bundled_names",
    "configured_rule_dirs",
    "find_ruleset",
    "merge_layer",
    "merge_raw",
    "read_chain",
    "resolve_extends",
]

#: the longest chain of files (the file itself and its ancestors)
MAX_EXTENDS_DEPTH = 16
RULE_DIRS_ENV = "RISKEVAL_RULE_DIRS"

Raw = tuple[dict[str, Any], PositionMap, str]


def bundled_names() -> list[str]:
    """Names of the bundled rule sets, e.g. ``["guiyang", "jiangsu-db32-4013-2021", "national"]``."""
    directory = bundled_rules_dir()
    return sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []


def configured_rule_dirs(rule_dirs: Sequence[str | os.PathLike[str]] | None = None) -> tuple[Path, ...]:
    """``rule_dirs`` if given, else the directories named by ``RISKEVAL_RULE_DIRS``."""
    if rule_dirs is None:
        rule_dirs = [d for d in os.environ.get(RULE_DIRS_ENV, "").split(os.pathsep) if d.strip()]
    return tuple(Path(d) for d in rule_dirs)


def is_path_like(text: str) -> bool:
    """Whether ``text`` is written as a path rather than a bundled name."""
    return "/" in text or "\\" in text or text.startswith((".", "~")) or text.endswith((".yaml", ".yml"))


def find_ruleset(name_or_path: str | os.PathLike[str], relative_to: Path | None = None) -> Path | None:
    """The file to load for a name or path given by the user, or ``None``.

    A bare name that is bundled (``"guiyang"``) is always the bundled rule set, even when the
    working directory has a file of that name; write ``./guiyang.yaml`` for the file.

    Examples
    --------
    >>> find_ruleset("guiyang") == (bundled_rules_dir() / "guiyang.yaml").resolve()
    True
    """
    if isinstance(name_or_path, str) and not is_path_like(name_or_path) and name_or_path in bundled_names():
        return (bundled_rules_dir() / f"{name_or_path}.yaml").resolve()
    path = Path(name_or_path)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    try:
        return path.resolve() if path.is_file() else None
    except (OSError, RuntimeError, ValueError):
        return None


class ExtendsRefused(Exception):
    """An ``extends`` value that cannot be followed; ``code`` is a message key."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _is_symlink(path: Path) -> bool:
    try:
        return path.is_symlink()
    except (OSError, ValueError):
        return False


def resolve_extends(value: str, extending_file: Path, rule_dirs: Sequence[Path] = ()) -> Path:
    """The file ``extends: value`` in ``extending_file`` refers to, under the policy above.

    Raises
    ------
    ExtendsRefused
        ``extends.missing``, ``extends.absolute``, ``extends.not_yaml`` or ``extends.escape``.
    """
    text = value.strip()
    if not is_path_like(text):
        if text in bundled_names():
            return (bundled_rules_dir() / f"{text}.yaml").resolve()
        raise ExtendsRefused("extends.missing", name=text[:80], bundled=", ".join(bundled_names()))
    if not text.endswith((".yaml", ".yml")):
        raise ExtendsRefused("extends.not_yaml", name=text[:80])
    if text.startswith("~") or PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or PureWindowsPath(text).drive:
        # Only a file of the bundled set or of a configured rule directory, written in full.
        try:
            target = Path(text).resolve()
            if target.is_file() and any(_inside(target, root) for root in (bundled_rules_dir(), *rule_dirs)):
                return target
        except (OSError, RuntimeError, ValueError):
            pass
        raise ExtendsRefused("extends.absolute", name=text[:80])
    escaped = False
    for root in (extending_file.resolve().parent, *rule_dirs):
        try:
            candidate = (root / text).resolve()
            exists = candidate.is_file()
        except (OSError, RuntimeError, ValueError):
            continue
        if not _inside(candidate, root):
            escaped = escaped or exists or _is_symlink(root / text)
            continue
        if exists:
            return candidate
    if escaped:
        raise ExtendsRefused("extends.escape", name=text[:80])
    raise ExtendsRefused("extends.missing", name=text[:80], bundled=", ".join(bundled_names()))


def read_chain(path: Path, rule_dirs: Sequence[Path]) -> list[tuple[Path, Raw]]:
    """The file and its ancestors (the file first), each read once; at most :data:`MAX_EXTENDS_DEPTH`.

    Raises
    ------
    RuleSetError
        A file cannot be read, an ``extends`` is refused, the chain is too long or has a cycle.
    """
    from . import source  # looked up at call time, so tests can count the files read

    chain: list[tuple[Path, Raw]] = []
    current = path.resolve()
    while True:
        raw = source.read_raw(current)
        chain.append((current, raw))
        data, positions, display = raw
        extends = data.get("extends")
        if not isinstance(extends, str) or not extends.strip():
            return chain
        here = positions.value(("extends",))
        try:
            parent = resolve_extends(extends, current, rule_dirs)
        except ExtendsRefused as exc:
            raise RuleSetError([Problem(display, here.line, here.column, exc.code, dict(exc.params))]) from None
        _top_data, top_positions, top_display = chain[0][1]
        top = top_positions.value(("extends",))
        seen = [p for p, _ in chain]
        if parent in seen:
            names = " → ".join([*(p.name for p in seen), parent.name])
            raise RuleSetError([Problem(top_display, top.line, top.column, "extends.cycle", {"chain": names})])
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise RuleSetError([Problem(top_display, top.line, top.column, "extends.too_deep", {"limit": MAX_EXTENDS_DEPTH})])
        current = parent


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


def merge_layer(parent: Layered | None, pf: ParsedFile, problems: list[Problem]) -> Layered:
    model = pf.model
    layered = Layered(top=pf, chain=(parent.chain if parent else []) + [pf])
    if parent is not None:
        for name in ("facts", *ID_SECTIONS):
            setattr(layered, name, dict(getattr(parent, name)))
        layered.origins = dict(parent.origins)
        layered.scoring, layered.scope, layered.panel = parent.scoring, parent.scope, parent.panel
        layered.regime, layered.decisions = parent.regime, parent.decisions
        if model.remove is not None:
            for section in ("facts", *ID_SECTIONS):
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
    for section in ID_SECTIONS:
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


def merge_raw(parent: dict[str, dict[str, dict[str, Any]]] | None, data: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    raw: dict[str, dict[str, dict[str, Any]]] = {k: dict(v) for k, v in (parent or {}).items()}
    for section in ("facts", *ID_SECTIONS):
        raw.setdefault(section, {})
    facts = data.get("facts")
    if isinstance(facts, dict):
        raw["facts"].update({k: v for k, v in facts.items() if isinstance(v, dict)})
    for section in ID_SECTIONS:
        for entry in data.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                raw[section][entry["id"]] = entry
    return raw
