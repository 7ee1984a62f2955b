"""The input template of ``riskeval batch``: an Excel workbook a 稳评 office fills in, one project per row.

:func:`write_template` writes a sheet ``项目`` whose headers are the Chinese labels of the project fields and
of the rule set's facts (the names ``riskeval batch`` reads back unchanged), with

- a drop-down list (data validation) for every option fact and yes/no fact, and for 事项类型, 决策规则 and
  决策层级 (the lists are kept on a hidden sheet ``选项``, which the batch reader ignores);
- a comment on each header: the fact's name, type, unit, range, options and description;
- required columns marked (bold red header, "必填" in the comment; "条件必填" with the condition);
- one example row (the rule set's first test project), which assesses as it stands.

Examples
--------
>>> import pathlib, tempfile
>>> from openpyxl import load_workbook
>>> from riskeval import load_ruleset
>>> path = write_template(load_ruleset("jiangsu-db32-4013-2021"), pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
>>> ws = load_workbook(path)["项目"]
>>> [c.value for c in ws[1]][:3], ws.max_row
(['编号', '名称', '事项类型'], 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..i18n import register_messages, t
from ..io.tables import xlsx_row
from ..model.wording import FactWords, fmt_number, vocabulary_for
from ..ruleset.compiled import RuleSet
from ..ruleset.conditions import render

__all__ = ["TEMPLATE_SHEET", "OPTIONS_SHEET", "template_columns", "write_template"]

TEMPLATE_SHEET = "项目"
OPTIONS_SHEET = "选项"
_IDENTITY_ORDER = ("kind", "regime", "unit", "domains", "decision_level", "investment", "location")

register_messages(
    {
        "template.col.id": {"zh": "编号", "en": "编号"},
        "template.col.name": {"zh": "名称", "en": "名称"},
        "template.note.id": {"zh": "项目（事项）编号，每行唯一", "en": "project id, unique per row"},
        "template.note.name": {"zh": "项目（事项）名称", "en": "project name"},
        "template.note.fact": {"zh": "事实：{name}", "en": "fact: {name}"},
        "template.note.field": {"zh": "项目字段：{name}", "en": "project field: {name}"},
        "template.note.type.number": {"zh": "类型：数值", "en": "type: number"},
        "template.note.type.integer": {"zh": "类型：整数", "en": "type: integer"},
        "template.note.type.bool": {"zh": "类型：是 / 否", "en": "type: yes / no (是 / 否)"},
        "template.note.type.option": {"zh": "类型：选项（下拉选择）", "en": "type: option (drop-down)"},
        "template.note.type.text": {"zh": "类型：文本", "en": "type: text"},
        "template.note.type.list": {"zh": "类型：列表（用分号 ; 分隔）", "en": "type: list (separated by ;)"},
        "template.note.unit": {"zh": "单位：{unit}", "en": "unit: {unit}"},
        "template.note.range": {"zh": "范围：{min} ～ {max}", "en": "range: {min} to {max}"},
        "template.note.options": {"zh": "可选：{options}", "en": "options: {options}"},
        "template.note.required": {"zh": "必填", "en": "required"},
        "template.note.required_when": {"zh": "条件必填：{when}", "en": "required when {when}"},
        "template.note.optional": {"zh": "选填", "en": "optional"},
        "template.note.description": {"zh": "说明：{text}", "en": "note: {text}"},
        "template.example.id": {"zh": "示例-001", "en": "示例-001"},
        "template.example.name": {"zh": "示例项目（可删除本行）", "en": "example project (delete this row)"},
        "template.bad_values": {"zh": "请从下拉列表中选择", "en": "choose a value from the list"},
    }
)


def _note(name: str, words: FactWords, required: str | None, description: str | None, lang: str) -> str:
    key = "template.note.field" if words.identity else "template.note.fact"
    lines = [t(key, lang, name=name), t(f"template.note.type.{words.type}", lang)]
    if words.unit:
        lines.append(t("template.note.unit", lang, unit=words.unit))
    if words.min is not None or words.max is not None:
        lines.append(t("template.note.range", lang, min=fmt_number(words.min) if words.min is not None else "",
                       max=fmt_number(words.max) if words.max is not None else ""))
    if words.options:
        lines.append(t("template.note.options", lang, options=t("punct.enum", lang).join(words.options.values())))
    lines.append(required or t("template.note.optional", lang))
    if description:
        lines.append(t("template.note.description", lang, text=description))
    return "\n".join(lines)


def template_columns(ruleset: RuleSet, lang: str = "zh") -> list[dict[str, Any]]:
    """The template's columns, in order: ``name`` (field or fact), ``header`` (what is written and read back),
    ``choices`` (labels for a drop-down, or ``None``), ``required`` (bool) and ``note`` (the header comment)."""
    vocab = vocabulary_for(ruleset)
    cols: list[dict[str, Any]] = []
    for name in ("id", "name"):
        cols.append(
            {
                "name": name,
                "header": t(f"template.col.{name}", lang),
                "choices": None,
                "required": False,
                "note": t(f"template.note.{name}", lang),
            }
        )
    declared = ruleset.facts
    names = [n for n in _IDENTITY_ORDER if n in vocab.facts and n not in declared] + list(declared)
    for name in names:
        words = vocab.facts[name]
        decl = declared.get(name)
        required: str | None = None
        if name in ruleset.required_facts:
            required = t("template.note.required", lang)
        elif decl is not None and decl.required_when:
            when = ruleset.required_when.get(name)
            required = t("template.note.required_when", lang, when=render(when) if when is not None else decl.required_when)
        choices: list[str] | None = None
        if words.type == "option" and words.options:
            choices = list(words.options.values())
        elif words.type == "bool":
            choices = [t("words.true", "zh"), t("words.false", "zh")]
        cols.append(
            {
                "name": name,
                "header": words.label,
                "choices": choices,
                "required": name in ruleset.required_facts,
                "note": _note(name, words, required, decl.description if decl is not None else None, lang),
            }
        )
    return cols


def _example(ruleset: RuleSet, columns: list[dict[str, Any]], lang: str) -> list[Any]:
    vocab = vocabulary_for(ruleset)
    project: Mapping[str, Any] = ruleset.tests[0].project if ruleset.tests else {}
    facts: Mapping[str, Any] = project.get("facts") or {}
    values: dict[str, Any] = {
        "id": t("template.example.id", lang),
        "name": project.get("name") or t("template.example.name", lang),
    }
    values.update({k: v for k, v in project.items() if k not in ("facts", "measures", "panel", "id", "name")})
    values.update(facts)
    row: list[Any] = []
    for col in columns:
        name = col["name"]
        value = values.get(name)
        if value is None and name in ruleset.facts and ruleset.facts[name].default is not None:
            value = ruleset.facts[name].default
        words = vocab.facts.get(name)
        if value is None or words is None:
            row.append(value)
        elif isinstance(value, bool):
            row.append(t("words.true" if value else "words.false", "zh"))
        elif words.options and isinstance(value, str):
            row.append(words.options.get(value, value))
        elif isinstance(value, list | tuple):
            row.append(";".join(str(v) for v in value))
        else:
            row.append(value)
    return row


def write_template(ruleset: RuleSet, path: str | Path, lang: str = "zh", example: bool = True) -> Path:
    """Write the input template of ``ruleset`` to ``path`` (``.xlsx``) and return the path.

    Parameters
    ----------
    ruleset
        The rule set whose facts the template asks for.
    path
        The workbook to write (its folder is created).
    lang
        Language of the header comments (the headers are the rule set's labels, as the reader expects).
    example
        Add the example row (the rule set's first test project).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = template_columns(ruleset, lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TEMPLATE_SHEET
    lists = wb.create_sheet(OPTIONS_SHEET)
    lists.sheet_state = "hidden"
    ws.append(xlsx_row(ws, [c["header"] for c in columns]))
    required_font = Font(bold=True, color="C00000")
    plain_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FCE4D6")
    list_col = 0
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i)
        cell.font = required_font if col["required"] else plain_font
        if col["required"]:
            cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(col["note"], "riskeval")
        comment.width, comment.height = 260, 40 + 18 * col["note"].count("\n")
        cell.comment = comment
        shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in col["header"])
        ws.column_dimensions[letter].width = max(10, min(40, shown + 4))
        if col["choices"]:
            list_col += 1
            lists_letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=col["header"])
            for j, choice in enumerate(col["choices"], start=2):
                lists.cell(row=j, column=list_col, value=choice)
            ref = f"{quote_sheetname(OPTIONS_SHEET)}!${lists_letter}$2:${lists_letter}${len(col['choices']) + 1}"
            dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True)
            dv.error = t("template.bad_values", lang)
            dv.add(f"{letter}2:{letter}1000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "C2"
    if example:
        ws.append(xlsx_row(ws, _example(ruleset, columns, lang)))
    wb.save(path)
    return path
