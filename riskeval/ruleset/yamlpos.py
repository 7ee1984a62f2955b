"""Load YAML into plain data while remembering where every value came from.

The composer gives us nodes with marks; we build the Python data ourselves so that
no tag is ever constructed into an object, aliases are counted against a budget
(an alias bomb is refused, never expanded) and duplicate keys are errors.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Position", "PositionMap", "YamlProblem", "load_yaml_with_positions", "MAX_FILE_BYTES", "MAX_NODES"]

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass
class PositionMap:
    """Where each value (and each mapping key) of a YAML document starts."""

    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def value(self, path: PathKey) -> Position:
        """Position of the value at ``path``, or of the nearest enclosing value."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(1, 1))

    def key(self, path: PathKey) -> Position:
        """Position of the key at ``path`` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.value(path)

    def resolve(self, loc: tuple[Any, ...]) -> PathKey:
        """Keep the longest prefix of ``loc`` that names real YAML nodes (drops pydantic's union tags)."""
        out: list[str | int] = []
        for part in loc:
            candidate = (*out, part)
            if candidate in self.values or candidate in self.keys:
                out.append(part)
        return tuple(out)


class YamlProblem(Exception):
    """A YAML file that cannot be read; carries a position and a message key."""

    def __init__(self, code: str, position: Position, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.position = position
        self.params = params


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if value in _NULL:
        return None
    if value in _BOOL_TRUE:
        return True
    if value in _BOOL_FALSE:
        return False
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value.replace("_", ""))
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return value
    return value


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml_with_positions(source: str | os.PathLike[str], text: str | None = None) -> tuple[Any, PositionMap]:
    """Read a YAML file (or ``text``) into plain data and a :class:`PositionMap`.

    Raises
    ------
    YamlProblem
        ``yaml.too_big``, ``yaml.syntax``, ``yaml.duplicate_key``, ``yaml.too_many_nodes``,
        ``yaml.multiple_documents`` or ``yaml.bad_key``.

    Examples
    --------
    >>> data, pos = load_yaml_with_positions("x.yaml", "a:\\n  b: [1, 2]\\n")
    >>> data, pos.value(("a", "b", 1))
    ({'a': {'b': [1, 2]}}, Position(line=2, column=10))
    """
    if text is None:
        path = Path(source)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem("yaml.too_big", Position(1, 1), size=size, limit=MAX_FILE_BYTES)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlProblem("yaml.encoding", Position(1, 1), detail=str(exc)) from None
    elif len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise YamlProblem("yaml.too_big", Position(1, 1), size=len(text), limit=MAX_FILE_BYTES)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlProblem("yaml.syntax", position, detail=str(exc.problem or exc)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        raise YamlProblem("yaml.syntax", Position(1, 1), detail=str(exc)) from None
    if len(nodes) > 1:
        raise YamlProblem("yaml.multiple_documents", _pos(nodes[1]))
    positions = PositionMap()
    if not nodes or nodes[0] is None:
        return None, positions
    budget = [MAX_NODES]

    def build(node: yaml.Node, path: PathKey) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise YamlProblem("yaml.too_many_nodes", _pos(node), limit=MAX_NODES)
        positions.values.setdefault(path, _pos(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            merged: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem("yaml.bad_key", _pos(key_node))
                key = key_node.value
                if key == "<<":
                    # YAML merge key: explicit keys of this mapping win over merged ones.
                    sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                    for source in sources:
                        base = build(source, path)
                        if not isinstance(base, dict):
                            raise YamlProblem("yaml.merge_key", _pos(key_node))
                        for k, v in base.items():
                            merged.setdefault(k, v)
                    continue
                if key in result:
                    raise YamlProblem("yaml.duplicate_key", _pos(key_node), key=key)
                positions.keys[(*path, key)] = _pos(key_node)
                result[key] = build(value_node, (*path, key))
            for k, v in merged.items():
                result.setdefault(k, v)
            return result
        raise YamlProblem("yaml.syntax", _pos(node), detail="unknown node")  # pragma: no cover

    return build(nodes[0], ()), positions
