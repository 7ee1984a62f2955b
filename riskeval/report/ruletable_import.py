"""The way back from the 评估细则 table: apply the edits of a table (edited in Excel) to a rule file.

``riskeval rules show NAME --format xlsx`` writes the table (:mod:`riskeval.report.ruletable`);
:func:`import_rule_table` reads it back, compares every cell with the table the base rule file
gives, and rewrites only the YAML values behind the cells that changed, in the file's own text: its
comments, citations, layout and everything the table does not show are kept. Without edits the
output is the base file unchanged (same content hash).

Editable cells: an item's label (C), condition (D), values (E: the option/band table with its band
ranges, a constant or a formula; ``P: … / I: …`` for the index method), maximum or weight (F),
category (G), source (H) and confidence (I); a trigger's label, condition (thresholds), level
(``至少高风险``), source and confidence; a procedure's label, ``required_when`` (``总是`` = always),
``satisfied``, source and confidence; the level cut-offs (E of the 等级划分 rows). Rows left out of
the table are kept as they are; a row with an unknown id, a cell that does not parse, an edit of a
value the rule file does not write (inherited through ``extends``, or absent) is an error that names
the sheet and cell (``评估细则!E14``), in Chinese by default. The edited rule file is checked like any
rule file (embedded tests are not run: edits may move their expected results).

Examples
--------
>>> import tempfile, os
>>> from openpyxl import load_workbook
>>> from riskeval import load_ruleset
>>> from riskeval.report.ruletable import rules_xlsx
>>> tmp = tempfile.mkdtemp()
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> table = os.path.join(tmp, "t.xlsx")
>>> rules_xlsx(rs, table)
>>> wb = load_workbook(table); ws = wb["评估细则"]
>>> ws["F3"].value, ws["E3"].value
('3', 'full（全部符合） → 0；basic（基本符合） → 2；none（不符合） → 3')
>>> ws["E3"] = "full（全部符合） → 0；basic（基本符合） → 1；none（不符合） → 3"; wb.save(table)
>>> text = import_rule_table(table, rs.path)
>>> "map: {full: 0, basic: 1, none: 3}" in text
True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, RiskevalError
from ..i18n import register_messages, t
from ..ruleset.compiled import RuleSet
from .ruletable import HEADERS, SHEET, rule_rows

__all__ = ["CellProblem", "RuleTableError", "import_rule_table", "write_imported_rules"]

register_messages(
    {
        "ruletable.failed": {"zh": "评估细则表格有 {count} 处问题，未写出规则文件", "en": "{count} problem(s) in the rule table; no rule file written"},
        "ruletable.no_sheet": {"zh": "工作簿中没有“{sheet}”工作表（现有：{known}）", "en": "the workbook has no sheet '{sheet}' (found: {known})"},
        "ruletable.no_header": {
            "zh": "没有找到表头行（{headers}）",
            "en": "no header row found ({headers})",
        },
        "ruletable.bad_header": {"zh": "表头应为“{expected}”，实际是“{found}”", "en": "the header should be '{expected}', not '{found}'"},
        "ruletable.unknown_row": {
            "zh": "规则文件中没有编号为 “{id}” 的{kind}",
            "en": "the rule file has no {kind} with id '{id}'",
        },
        "ruletable.kind.item": {"zh": "评估条目", "en": "item"},
        "ruletable.kind.trigger": {"zh": "直接触发", "en": "trigger"},
        "ruletable.kind.procedure": {"zh": "必经程序", "en": "procedure"},
        "ruletable.kind.level": {"zh": "等级", "en": "level"},
        "ruletable.duplicate_row": {"zh": "编号 “{id}” 在表格中出现了两次（另见第 {other} 行）", "en": "id '{id}' appears twice in the table (also row {other})"},
        "ruletable.not_number": {"zh": "“{text}” 不是数字", "en": "'{text}' is not a number"},
        "ruletable.not_editable": {
            "zh": "这一列不能在表格中修改（{column}）；请直接修改规则文件",
            "en": "this column cannot be edited in the table ({column}); edit the rule file instead",
        },
        "ruletable.not_in_file": {
            "zh": "{what} 不在规则文件 {file} 中（继承自其他文件或未写出），不能在这里修改；请修改它所在的规则文件或在本文件中写出后再导入",
            "en": "{what} is not written in {file} (inherited or absent), so it cannot be edited here; edit the file that "
            "defines it, or write it out in this file first",
        },
        "ruletable.segments": {
            "zh": "分档数目不对：应有 {expected} 档（以“；”分隔，每档写作“分档 → 分值”），实际 {found} 档",
            "en": "wrong number of bands: {expected} expected (separated by '；', each written 'band → value'), found {found}",
        },
        "ruletable.segment": {
            "zh": "第 {n} 档“{text}”应写作“分档 → 分值”",
            "en": "band {n} '{text}' should be written 'band → value'",
        },
        "ruletable.option_renamed": {
            "zh": "第 {n} 档的选项应为 “{expected}”，不能在表格中改选项（实际 “{found}”）",
            "en": "band {n} should be the option '{expected}'; options cannot be changed in the table (found '{found}')",
        },
        "ruletable.parts": {
            "zh": "指数法的分值应写作“P: … / I: …”",
            "en": "index values should be written 'P: … / I: …'",
        },
        "ruletable.kind_changed": {
            "zh": "分值的写法不能在表格中改变（原为{old}）",
            "en": "the kind of value cannot be changed in the table (it was {old})",
        },
        "ruletable.value_kind.const": {"zh": "常数", "en": "a constant"},
        "ruletable.value_kind.table": {"zh": "分档表", "en": "a table of bands"},
        "ruletable.value_kind.formula": {"zh": "算式", "en": "a formula"},
        "ruletable.value_kind.panel": {"zh": "专家组评分", "en": "panel scores"},
        "ruletable.level_text": {
            "zh": "等级应写作“至少高风险”“至少中风险”或“至少低风险”，实际“{text}”",
            "en": "the level should read 至少高风险, 至少中风险 or 至少低风险, not '{text}'",
        },
        "ruletable.confidence": {"zh": "可信度只能是 V、S 或 U，实际“{text}”", "en": "confidence must be V, S or U, not '{text}'"},
        "ruletable.invalid": {"zh": "修改后的规则文件有问题：{detail}", "en": "the edited rule file has a problem: {detail}"},
    }
)

_LEVEL_WORDS = {"高": "high", "中": "medium", "低": "low"}
_COLUMNS = "ABCDEFGHI"


class RuleTableError(RiskevalError):
    """The edited rule table cannot be applied; each problem names its sheet and cell (exit code 1)."""

    code = "ruletable.failed"


@dataclass
class CellProblem:
    """One problem of the table, at a cell (``评估细则!E14``) or a whole row."""

    location: Location
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)

    def render(self, lang: str = "zh") -> str:
        return f"{self.location.render(lang)}{t('punct.colon', lang)}{self.message(lang)}"

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"code": self.code, "message": self.message(lang), "location": self.location.to_dict()}


# -- the YAML text ---------------------------------------------------------------------------------------


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
        return node.value[key] if 0 <= key < len(node.value) else None
    return None


def _key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k
    return None


def _entry(root: yaml.Node, section: str, ident: str) -> yaml.Node | None:
    seq = _child(root, section)
    if isinstance(seq, yaml.SequenceNode):
        for node in seq.value:
            id_node = _child(node, "id")
            if isinstance(id_node, yaml.ScalarNode) and id_node.value == ident:
                return node
    return None


def _scalar_text(value: Any, original: yaml.ScalarNode | None) -> str:
    """``value`` written as a YAML scalar, plain where that reads back the same, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _num(value)
    text = str(value)
    if original is not None and original.style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if (original is None or original.style in (None, "")) and text and text.strip() == text and "\n" not in text:
        try:
            # plain only where it reads back the same both in block and in flow context
            if yaml.safe_load(f"k: {text}") == {"k": text} and yaml.safe_load(f"{{k: {text}, z: 1}}") == {"k": text, "z": 1}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _num(x: float | int) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    location: Location


# -- the table --------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else repr(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _same(text: str) -> str:
    """A cell compared as people read it: runs of whitespace (folded YAML text, Excel line breaks) as one space."""
    return " ".join(text.split())


def _parse_number(text: str) -> float | None:
    try:
        value = float(text.replace("，", ",").strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


class _Importer:
    def __init__(self, ruleset: RuleSet, base: Path, table: str) -> None:
        self.ruleset = ruleset
        self.base = base
        self.text = base.read_text(encoding="utf-8")
        root = yaml.compose(self.text, Loader=yaml.SafeLoader)  # the file loaded already: only spans are read here
        assert root is not None
        self.root: yaml.Node = root
        self.table = table
        self.sheet = SHEET
        self.problems: list[CellProblem] = []
        self.edits: list[_Edit] = []

    def loc(self, row: int, col: int | None = None) -> Location:
        cell = f"{_COLUMNS[col]}{row}" if col is not None else None
        return Location(file=self.table, sheet=self.sheet, row=row, cell=cell)

    def problem(self, row: int, col: int | None, code: str, **params: Any) -> None:
        self.problems.append(CellProblem(self.loc(row, col), code, params))

    # -- writing one value -------------------------------------------------------------------------
    def set_value(self, row: int, col: int, node: yaml.Node | None, what: str, value: Any) -> None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(row, col, "ruletable.not_in_file", what=what, file=self.base.name)
            return
        text = _scalar_text(value, node)
        end = node.end_mark.index
        if node.style in ("|", ">"):
            # a block scalar runs to the end of its last line: keep that line break
            end = self.text.rfind("\n", node.start_mark.index, end) if self.text[end - 1 : end] == "\n" else end
        self.edits.append(_Edit(node.start_mark.index, end, text, self.loc(row, col)))

    # -- rows ------------------------------------------------------------------------------------------
    def apply(self, rows: list[tuple[int, list[str]]]) -> None:
        expected = {self._key(r): r for r in rule_rows(self.ruleset)}
        seen: dict[tuple[str, str], int] = {}
        for number, cells in rows:
            key = self._key(cells)
            if key in seen:
                self.problem(number, 1, "ruletable.duplicate_row", id=key[1], other=seen[key])
                continue
            seen[key] = number
            old = expected.get(key)
            if old is None:
                kind = key[0]
                self.problem(number, 1, "ruletable.unknown_row", id=key[1], kind=t(f"ruletable.kind.{kind}", "zh"))
                continue
            for col, (new, was) in enumerate(zip(cells, old, strict=True)):
                if _same(new) != _same(was):
                    self._changed(key, number, col, new, was)

    @staticmethod
    def _key(cells: list[str]) -> tuple[str, str]:
        head = cells[0]
        kind = {"直接触发": "trigger", "必经程序": "procedure", "等级划分": "level"}.get(head, "item")
        return kind, cells[1]

    def _changed(self, key: tuple[str, str], row: int, col: int, new: str, was: str) -> None:
        kind, ident = key
        if col in (0, 1) or (kind == "level" and col != 4):
            self.problem(row, col, "ruletable.not_editable", column=HEADERS[col])
            return
        if kind == "level":
            self._level(row, ident, new)
            return
        section = {"item": "items", "trigger": "triggers", "procedure": "procedures"}[kind]
        node = _entry(self.root, section, ident)
        what = f"{t(f'ruletable.kind.{kind}', 'zh')} {ident}"
        if node is None:
            self.problem(row, col, "ruletable.not_in_file", what=what, file=self.base.name)
            return
        if col in (2, 6, 7):
            field_name = {2: "label", 6: "category", 7: "source"}[col]
            if kind != "item" and col == 6:
                self.problem(row, col, "ruletable.not_editable", column=HEADERS[col])
                return
            self.set_value(row, col, _child(node, field_name), f"{what} {field_name}", new)
        elif col == 8:
            if new not in ("V", "S", "U"):
                self.problem(row, col, "ruletable.confidence", text=new)
                return
            self.set_value(row, col, _child(node, "confidence"), f"{what} confidence", new)
        elif col == 3:
            field_name = {"item": "when", "trigger": "when", "procedure": "required_when"}[kind]
            if kind == "procedure" and new in ("总是", ""):
                self.problem(row, col, "ruletable.not_editable", column=HEADERS[col])
                return
            self.set_value(row, col, _child(node, field_name), f"{what} {field_name}", new)
        elif col == 5 and kind == "item":
            number = _parse_number(new)
            if number is None:
                self.problem(row, col, "ruletable.not_number", text=new)
                return
            field_name = "max" if self.ruleset.scoring.method == "points" else "weight"
            self.set_value(row, col, _child(node, field_name), f"{what} {field_name}", number)
        elif col == 4:
            if kind == "item":
                self._values(row, ident, node, what, new)
            elif kind == "trigger":
                m = re.fullmatch(r"至少\s*([高中低])\s*风险", new)
                if not m:
                    self.problem(row, col, "ruletable.level_text", text=new)
                    return
                self.set_value(row, col, _child(node, "level"), f"{what} level", _LEVEL_WORDS[m.group(1)])
            else:
                self.set_value(row, col, _child(node, "satisfied"), f"{what} satisfied", new)
        else:
            self.problem(row, col, "ruletable.not_editable", column=HEADERS[col])

    def _level(self, row: int, level: str, new: str) -> None:
        scoring = _child(self.root, "scoring")
        band = _child(_child(scoring, "levels"), level)
        node = band if isinstance(band, yaml.ScalarNode) else _child(band, "range")
        self.set_value(row, 4, node, f"scoring.levels.{level}", new)

    def _values(self, row: int, ident: str, node: yaml.Node, what: str, new: str) -> None:
        compiled = self.ruleset.item_values.get(ident, {})
        fields = list(compiled)
        if fields == ["points"]:
            parts = {"points": new}
        else:
            pieces = [p.strip() for p in new.split(" / ")]
            parts = {}
            for piece in pieces:
                m = re.match(r"^([PI])\s*[:：]\s*(.*)$", piece)
                if not m:
                    self.problem(row, 4, "ruletable.parts")
                    return
                parts["probability" if m.group(1) == "P" else "impact"] = m.group(2).strip()
            if "probability" in parts and "impact" not in parts and compiled.get("impact") == compiled.get("probability"):
                parts["impact"] = parts["probability"]  # the table shows one part when both are the same
            if set(parts) != set(fields):
                self.problem(row, 4, "ruletable.parts")
                return
        from .ruletable import value_text

        for name in fields:
            old_text = value_text(self.ruleset, ident, name)
            if parts[name] != old_text:
                self._value(row, node, what, name, parts[name])

    def _value(self, row: int, item: yaml.Node, what: str, name: str, text: str) -> None:
        compiled = self.ruleset.item_values[_child_id(item)][name]
        spec = _child(item, name)
        where = f"{what} {name}"
        kind_name = t(f"ruletable.value_kind.{compiled.kind}", "zh")
        if compiled.kind == "const":
            number = _parse_number(text)
            if number is None:
                self.problem(row, 4, "ruletable.not_number", text=text)
                return
            self.set_value(row, 4, spec, where, number)
        elif compiled.kind == "formula":
            if "→" in text:
                self.problem(row, 4, "ruletable.kind_changed", old=kind_name)
                return
            self.set_value(row, 4, _child(spec, "formula"), f"{where}.formula", text)
        elif compiled.kind == "table":
            self._table(row, spec, where, compiled, text, kind_name)
        else:
            self.problem(row, 4, "ruletable.not_editable", column=HEADERS[4])

    def _table(self, row: int, spec: yaml.Node | None, where: str, compiled: Any, text: str, kind_name: str) -> None:
        segments = [s.strip() for s in re.split(r"[；;]", text) if s.strip()]
        if len(segments) != len(compiled.branches):
            if len(segments) == 1 and "→" not in segments[0]:
                self.problem(row, 4, "ruletable.kind_changed", old=kind_name)
            else:
                self.problem(row, 4, "ruletable.segments", expected=len(compiled.branches), found=len(segments))
            return
        table = _child(spec, "map")
        is_map = table is not None
        if table is None:
            table = _child(spec, "bands")
        if not isinstance(table, yaml.MappingNode):
            self.problem(row, 4, "ruletable.not_in_file", what=where, file=self.base.name)
            return
        pairs = table.value
        if len(pairs) != len(segments):
            self.problem(row, 4, "ruletable.segments", expected=len(pairs), found=len(segments))
            return
        from .ruletable import branch_text

        for n, (segment, (key_node, value_node), branch) in enumerate(zip(segments, pairs, compiled.branches, strict=True), 1):
            m = re.fullmatch(r"(.+?)\s*(?:→|->)\s*(\S+)", segment)
            if not m:
                self.problem(row, 4, "ruletable.segment", n=n, text=segment)
                continue
            band, value_text = m.group(1).strip(), m.group(2).strip()
            old_band = branch_text(branch[2])
            if band != old_band:
                if is_map:
                    self.problem(row, 4, "ruletable.option_renamed", n=n, expected=old_band, found=band)
                    continue
                self.set_value(row, 4, key_node, f"{where}.bands", band)
            number = _parse_number(value_text)
            if number is None:
                self.problem(row, 4, "ruletable.not_number", text=value_text)
                continue
            if number != branch[1]:
                self.set_value(row, 4, value_node, f"{where}.{key_node.value}", number)


def _child_id(node: yaml.Node) -> str:
    id_node = _child(node, "id")
    assert isinstance(id_node, yaml.ScalarNode)
    return str(id_node.value)


def _read_rows(table: str) -> tuple[str, list[tuple[int, list[str]]], list[CellProblem]]:
    from ..io.tables import open_workbook

    wb = open_workbook(table)
    try:
        names = list(wb.sheetnames)
        if SHEET not in names:
            loc = Location(file=table)
            return SHEET, [], [CellProblem(loc, "ruletable.no_sheet", {"sheet": SHEET, "known": "、".join(names) or "-"})]
        ws = wb[SHEET]
        header_row = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in list(values)[: len(HEADERS)]]
            cells += [""] * (len(HEADERS) - len(cells))
            if header_row is None:
                if cells[:2] == HEADERS[:2]:
                    header_row = number
                    problems = [
                        CellProblem(Location(file=table, sheet=SHEET, row=number, cell=f"{_COLUMNS[i]}{number}"),
                                    "ruletable.bad_header", {"expected": h, "found": c})
                        for i, (h, c) in enumerate(zip(HEADERS, cells, strict=True)) if h != c
                    ]
                    if problems:
                        return SHEET, [], problems
                continue
            if not any(cells):
                continue
            rows.append((number, cells))
        if header_row is None:
            loc = Location(file=table, sheet=SHEET)
            return SHEET, [], [CellProblem(loc, "ruletable.no_header", {"headers": "、".join(HEADERS)})]
        return SHEET, rows, []
    finally:
        wb.close()


def import_rule_table(table: str | Path, base: str | Path) -> str:
    """The text of ``base`` with the edits of the rule table ``table`` applied.

    Raises
    ------
    RuleTableError
        A cell that cannot be applied, or a rule file that the edits make invalid (each problem
        located at its sheet and cell).
    InputError
        The workbook cannot be read.
    RuleSetError
        ``base`` does not load.
    """
    from ..ruleset import load_ruleset

    base_path = Path(base)
    ruleset = load_ruleset(base_path, strict_tests=False)
    table_name = str(table)
    _, rows, problems = _read_rows(table_name)
    if problems:
        raise RuleTableError(problems=problems, count=len(problems))
    importer = _Importer(ruleset, base_path, table_name)
    importer.apply(rows)
    if importer.problems:
        raise RuleTableError(problems=importer.problems, count=len(importer.problems))
    text = importer.text
    for edit in sorted(importer.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    if importer.edits:
        _check(text, base_path, importer.edits, table_name)
    return text


def _check(text: str, base: Path, edits: list[_Edit], table: str) -> None:
    """Load the edited text beside ``base`` (``extends`` is relative to it); map problems to cells."""
    import tempfile

    from ..ruleset import load_ruleset
    from ..ruleset.problems import RuleSetError

    try:
        handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=base.parent, delete=False, encoding="utf-8")
    except OSError:  # a read-only directory (an installed package): ``extends`` by bundled name still resolves
        handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")
    with handle as fh:
        fh.write(text)
        tmp = Path(fh.name)
    try:
        load_ruleset(tmp, strict_tests=False)
    except RuleSetError as exc:
        lines = _edit_lines(text, edits)
        problems = []
        for p in exc.problems:
            line = getattr(p, "line", None)
            loc = next((loc for first, last, loc in lines if line is not None and first <= line <= last), None)
            detail = p.message("zh") if hasattr(p, "message") else str(p)
            problems.append(CellProblem(loc or Location(file=table, sheet=SHEET), "ruletable.invalid", {"detail": detail}))
        raise RuleTableError(problems=problems, count=len(problems)) from None
    finally:
        tmp.unlink(missing_ok=True)


def _edit_lines(text: str, edits: list[_Edit]) -> list[tuple[int, int, Location]]:
    """The line span of each edit in the edited text."""
    out = []
    shift = 0
    for edit in sorted(edits, key=lambda e: e.start):
        start = edit.start + shift
        first = text.count("\n", 0, start) + 1
        out.append((first, first + edit.text.count("\n"), edit.location))
        shift += len(edit.text) - (edit.end - edit.start)
    return out


def write_imported_rules(table: str | Path, base: str | Path, out: str | Path) -> Path:
    """Write :func:`import_rule_table` to ``out`` (UTF-8) and return its path."""
    text = import_rule_table(table, base)
    path = Path(out)
    path.write_text(text, encoding="utf-8")
    return path
