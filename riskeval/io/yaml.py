"""The one YAML reader of riskeval: plain data plus the position of every value.

The PyYAML composer gives nodes with marks; the Python data is built here so that no tag is
ever constructed into an object. Hostile input is refused with a located
:class:`YamlError` (a :class:`riskeval.errors.RiskevalError`), never an internal error:

- files over :data:`MAX_FILE_BYTES`, files that are not UTF-8 (a BOM is fine), empty files
  and, when a mapping is expected, a top level that is not a mapping (all at line 1);
- nesting deeper than :data:`MAX_DEPTH` (checked on the event stream before composing, so the
  recursive composer never sees it) and aliases expanding beyond :data:`MAX_NODES` (alias bombs);
- integers with more than :data:`MAX_INT_DIGITS` digits and numbers that overflow to infinity;
- lone surrogates and characters YAML does not allow;
- duplicate keys, non-scalar keys, several documents in one file.

Syntax errors are reported at the line of the mistake with the fix, in Chinese or English
(full-width punctuation, tabs, an unclosed quote, bad indentation, ``key:value``); see
:mod:`riskeval.io.yaml_syntax`. A PyYAML message only ever appears wrapped in a catalogue message.

Examples
--------
>>> data, pos = load_yaml_with_positions("x.yaml", "a:\\n  b: [1, 2]\\n")
>>> data, pos.value(("a", "b", 1))
({'a': {'b': [1, 2]}}, Position(line=2, column=10))
>>> try:
...     load_yaml_with_positions("x.yaml", "a: 1\\na: 2\\n")
... except YamlError as exc:
...     print(exc.render("en"))
x.yaml:2:1: duplicate key 'a'
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, RiskevalError
from ..i18n import register_messages
from .yaml_syntax import diagnose_syntax_error

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "PathKey",
    "Position",
    "PositionMap",
    "YamlError",
    "YamlProblem",
    "load_yaml_with_positions",
]

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000
#: deepest nesting of mappings and lists (a rule file needs fewer than 10 levels)
MAX_DEPTH = 64
#: longest integer accepted (a float carries 15 to 17 significant digits anyway)
MAX_INT_DIGITS = 100

PathKey = tuple[str | int, ...]

register_messages(
    {
        "yaml.too_big": {"zh": "文件过大（{size} 字节，上限 {limit}），拒绝读取", "en": "file too large ({size} bytes, limit {limit})"},
        "yaml.encoding": {
            "zh": "文件不是 UTF-8 编码（第 {line} 行有无法解码的字节）；请用 UTF-8 编码另存",
            "en": "the file is not UTF-8 (undecodable byte on line {line}); save it as UTF-8",
        },
        "yaml.empty": {"zh": "文件是空的", "en": "the file is empty"},
        "yaml.not_mapping": {
            "zh": "文件顶层必须是映射（键: 值），实际是{found}",
            "en": "the top level of the file must be a mapping (key: value), not {found_en}",
        },
        "yaml.syntax": {
            "zh": "YAML 写法有误（解析器提示：{detail}）；请检查这一行的缩进、冒号和引号",
            "en": "YAML syntax error: {detail}",
        },
        "yaml.duplicate_key": {"zh": "重复的键 “{key}”", "en": "duplicate key '{key}'"},
        "yaml.too_many_nodes": {
            "zh": "内容展开后超过 {limit} 个节点（疑似别名炸弹），拒绝读取",
            "en": "more than {limit} nodes after expanding aliases (alias bomb?); refused",
        },
        "yaml.too_deep": {
            "zh": "嵌套超过 {limit} 层，拒绝读取",
            "en": "nested deeper than {limit} levels; refused",
        },
        "yaml.int_too_big": {
            "zh": "整数位数过多（{digits} 位，上限 {limit} 位）",
            "en": "integer too long ({digits} digits, limit {limit})",
        },
        "yaml.number_out_of_range": {
            "zh": "数值 {text} 超出范围（不能是无穷大）",
            "en": "number {text} is out of range (it would be infinite)",
        },
        "yaml.bad_unicode": {
            "zh": "含有不允许的字符 {char}（如孤立的代理码位）；请删除或改写",
            "en": "contains a character that is not allowed ({char}, e.g. a lone surrogate); remove it",
        },
        "yaml.undefined_alias": {"zh": "未定义的锚点 *{name}（先用 &{name} 定义）", "en": "undefined alias *{name} (define it with &{name} first)"},
        "yaml.multiple_documents": {"zh": "一个文件只能有一个 YAML 文档", "en": "only one YAML document per file"},
        "yaml.bad_key": {"zh": "键必须是简单文本", "en": "keys must be plain scalars"},
        "yaml.merge_key": {"zh": "合并键 << 只能引用映射", "en": "a merge key (<<) must refer to a mapping"},
    }
)

_KIND_NAMES = {
    "list": ("列表", "a list"),
    "str": ("文本", "text"),
    "int": ("数值", "a number"),
    "float": ("数值", "a number"),
    "bool": ("true/false", "true/false"),
}


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


class YamlError(RiskevalError):
    """A YAML file that cannot be read, located at ``file:line:column``.

    ``code`` is a message-catalogue key (``yaml.syntax``, ``yaml.duplicate_key``, ...);
    :attr:`position` is the 1-based line and column.
    """

    code = "yaml.syntax"

    def __init__(self, code: str, position: Position, *, file: str | None = None, **params: Any) -> None:
        super().__init__(code, location=Location(file=file, line=position.line, column=position.column), **params)
        self.position = position


#: the name used before ``riskeval.io.yaml`` existed
YamlProblem = YamlError

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEY_FULLWIDTH_COLON = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*(：)")


@dataclass(eq=False)
class _Node:
    """A composed YAML node: ``kind`` is ``scalar``, ``seq`` or ``map`` (``value`` a list of pairs)."""

    kind: str
    position: Position
    value: Any = None
    style: str | None = None
    pending_key: _Node | None = None


def _pos(node: _Node | yaml.Event) -> Position:
    if isinstance(node, _Node):
        return node.position
    mark: Any = node.start_mark
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position(1, 1)


def _join_surrogate_pairs(text: str) -> str:
    """Combine escaped UTF-16 surrogate pairs into their character; lone halves stay."""
    return re.sub(
        "[\ud800-\udbff][\udc00-\udfff]",
        lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"),
        text,
    )


def _scalar(node: _Node, file: str | None) -> Any:
    value = node.value
    if _SURROGATE.search(value):
        value = _join_surrogate_pairs(value)  # "\ud83d\ude00" escapes one character in two halves
        bad = _SURROGATE.search(value)
        if bad:
            raise YamlError("yaml.bad_unicode", _pos(node), file=file, char=f"U+{ord(bad.group()):04X}")
    if node.style in ("'", '"', "|", ">"):
        return value
    if value in _NULL:
        return None
    if value in _BOOL_TRUE:
        return True
    if value in _BOOL_FALSE:
        return False
    if _INT.match(value):
        digits = sum(c.isdigit() for c in value)
        if digits > MAX_INT_DIGITS:
            raise YamlError("yaml.int_too_big", _pos(node), file=file, digits=digits, limit=MAX_INT_DIGITS)
        return int(value.replace("_", ""))
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        number = float(value.replace("_", ""))
        if number in (float("inf"), float("-inf")):
            raise YamlError("yaml.number_out_of_range", _pos(node), file=file, text=value[:40])
        return number
    if _DATE.match(value):
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return value
    return value


def _read_text(path: Path, file: str) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlError("yaml.too_big", Position(1, 1), file=file, size=size, limit=MAX_FILE_BYTES)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError("yaml.encoding", Position(1, 1), file=file, line=line) from None


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _events(text: str, loader: Any) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=loader)


def _compose_events(events: Iterable[yaml.Event], file: str | None) -> list[_Node]:
    """Build the node trees from the event stream without recursion, refusing deep nesting."""
    documents: list[_Node] = []
    anchors: dict[str, _Node] = {}
    stack: list[_Node] = []
    root: _Node | None = None
    for event in events:
        node: _Node | None = None
        if isinstance(event, yaml.DocumentStartEvent):
            anchors.clear()
            root = None
        elif isinstance(event, yaml.DocumentEndEvent):
            if root is not None:
                documents.append(root)
        elif isinstance(event, yaml.AliasEvent):
            node = anchors.get(str(event.anchor))
            if node is None:
                raise YamlError("yaml.undefined_alias", _pos(event), file=file, name=event.anchor)
        elif isinstance(event, yaml.ScalarEvent):
            node = _Node("scalar", _pos(event), event.value, event.style or None)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise YamlError("yaml.too_deep", _pos(event), file=file, limit=MAX_DEPTH)
            node = _Node("map" if isinstance(event, yaml.MappingStartEvent) else "seq", _pos(event), [])
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
        if node is None:
            continue
        anchor = getattr(event, "anchor", None)
        if anchor and not isinstance(event, yaml.AliasEvent):
            anchors[anchor] = node
        if not stack:
            root = node
        elif stack[-1].kind == "seq":
            stack[-1].value.append(node)
        elif stack[-1].pending_key is None:
            stack[-1].pending_key = node
        else:
            stack[-1].value.append((stack[-1].pending_key, node))
            stack[-1].pending_key = None
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append(node)
    return documents


def _compose(text: str, file: str | None) -> list[_Node]:
    bad = _SURROGATE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise YamlError("yaml.bad_unicode", Position(line, column), file=file, char=f"U+{ord(bad.group()):04X}")
    if _FAST_LOADER is not None:
        try:
            return _compose_events(_events(text, _FAST_LOADER), file)
        except yaml.YAMLError:
            pass  # parse again with the pure-Python parser for its detailed marks and messages
    try:
        return _compose_events(_events(text, yaml.SafeLoader), file)
    except yaml.MarkedYAMLError as exc:
        code, position, params = diagnose_syntax_error(text, exc)
        raise YamlError(code, Position(*position), file=file, **params) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise YamlError("yaml.bad_unicode", Position(line, column), file=file, char=f"U+{char:04X}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a mark
        raise YamlError("yaml.syntax", Position(1, 1), file=file, detail=type(exc).__name__) from None


def load_yaml_with_positions(
    source: str | os.PathLike[str], text: str | None = None, *, mapping: bool = False
) -> tuple[Any, PositionMap]:
    """Read a YAML file (or ``text``) into plain data and a :class:`PositionMap`.

    Parameters
    ----------
    source
        The file to read, or only its name for messages when ``text`` is given.
    text
        The content, if already read.
    mapping
        The top level must be a mapping: an empty file (``yaml.empty``) or a list
        (``yaml.not_mapping``) is an error at line 1. Without it an empty file gives ``None``.

    Raises
    ------
    YamlError
        Located at ``file:line:column``; ``code`` names the problem.
    OSError
        The file cannot be opened (missing, a directory, no permission).

    Examples
    --------
    >>> load_yaml_with_positions("x.yaml", "")[0] is None
    True
    >>> try:
    ...     load_yaml_with_positions("x.yaml", "- a\\n", mapping=True)
    ... except YamlError as exc:
    ...     print(exc.code, exc.position)
    yaml.not_mapping Position(line=1, column=1)
    """
    file = os.fspath(source)
    if text is None:
        text = _read_text(Path(source), file)
    else:
        if text.startswith("\ufeff"):
            text = text[1:]
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_FILE_BYTES:
            raise YamlError("yaml.too_big", Position(1, 1), file=file, size=size, limit=MAX_FILE_BYTES)
    nodes = _compose(text, file)
    if len(nodes) > 1:
        raise YamlError("yaml.multiple_documents", _pos(nodes[1]), file=file)
    positions = PositionMap()
    if not nodes or nodes[0] is None:
        if mapping:
            raise YamlError("yaml.empty", Position(1, 1), file=file)
        return None, positions
    budget = [MAX_NODES]

    def build(node: _Node, path: PathKey, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise YamlError("yaml.too_many_nodes", _pos(node), file=file, limit=MAX_NODES)
        if depth > MAX_DEPTH:  # aliases can nest what the event check saw as shallow
            raise YamlError("yaml.too_deep", _pos(node), file=file, limit=MAX_DEPTH)
        positions.values.setdefault(path, _pos(node))
        if node.kind == "scalar":
            return _scalar(node, file)
        if node.kind == "seq":
            return [build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        return build_mapping(node, path, depth)

    def build_mapping(node: _Node, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.kind != "scalar":
                raise YamlError("yaml.bad_key", _pos(key_node), file=file)
            key = key_node.value
            bad = _SURROGATE.search(key)
            if bad:
                raise YamlError("yaml.bad_unicode", _pos(key_node), file=file, char=f"U+{ord(bad.group()):04X}")
            colon = _KEY_FULLWIDTH_COLON.match(key) if key_node.style is None else None
            if colon:
                where = Position(key_node.position.line, key_node.position.column + colon.start(2))
                source_line = text.split("\n")[where.line - 1] if text else key
                rest = source_line[where.column :].strip() if where.column <= len(source_line) else ""
                fixed = f"{colon.group(1)}: {rest}".rstrip()
                raise YamlError("yaml.fullwidth_colon", where, file=file, key=colon.group(1), fixed=fixed)
            if key == "<<" and key_node.style is None:
                # YAML merge key: explicit keys of this mapping win over merged ones.
                sources = value_node.value if value_node.kind == "seq" else [value_node]
                for merge_source in sources:
                    base = build(merge_source, path, depth + 1)
                    if not isinstance(base, dict):
                        raise YamlError("yaml.merge_key", _pos(key_node), file=file)
                    for k, v in base.items():
                        merged.setdefault(k, v)
                continue
            if key in result:
                raise YamlError("yaml.duplicate_key", _pos(key_node), file=file, key=key)
            positions.keys[(*path, key)] = _pos(key_node)
            result[key] = build(value_node, (*path, key), depth + 1)
        for k, v in merged.items():
            result.setdefault(k, v)
        return result

    data = build(nodes[0], (), 0)
    if mapping and not isinstance(data, dict):
        zh, en = _KIND_NAMES.get(type(data).__name__, ("其他内容", "something else"))
        raise YamlError("yaml.not_mapping", Position(1, 1), file=file, found=zh, found_en=en)
    return data, positions
