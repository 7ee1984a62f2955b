"""User-facing messages of rule-file loading and validation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..i18n import register_messages

register_messages(
    {
        "file.not_found": {"zh": "找不到规则集 “{name}”（内置规则集：{bundled}）", "en": "rule set '{name}' not found (bundled: {bundled})"},
        "schema.extra": {"zh": "未知的键 “{key}”{hint}", "en": "unknown key '{key}'{hint}"},
        "schema.hint": {"zh": "（是否想写 “{suggestion}”？）", "en": " (did you mean '{suggestion}'?)"},
        "schema.missing": {"zh": "缺少必填项 “{key}”", "en": "missing required key '{key}'"},
        "schema.literal": {"zh": "取值必须是 {expected} 之一，实际为 {value}", "en": "must be one of {expected}, got {value}"},
        "schema.type": {"zh": "类型错误：应为{expected}，实际为 {value}", "en": "wrong type: expected {expected_en}, got {value}"},
        "schema.other": {"zh": "取值无效：{detail}", "en": "invalid value: {detail}"},
        "extends.missing": {
            "zh": "找不到被继承的规则集 “{name}”（内置规则集：{bundled}；文件请写相对本文件的路径，如 ./上级细则.yaml）",
            "en": "parent rule set '{name}' not found (bundled: {bundled}; write a file as a path relative to this file, e.g. ./parent.yaml)",
        },
        "extends.cycle": {"zh": "extends 形成循环：{chain}", "en": "extends cycle: {chain}"},
        "extends.too_deep": {
            "zh": "extends 层级过多（最多 {limit} 层）",
            "en": "extends chain too long (at most {limit} files)",
        },
        "extends.absolute": {
            "zh": "extends 不能写绝对路径 “{name}”：请写内置名称，或相对本文件的路径（如 ./上级细则.yaml）",
            "en": "extends cannot be an absolute path ('{name}'): write a bundled name or a path relative to this file (e.g. ./parent.yaml)",
        },
        "extends.escape": {
            "zh": "extends 指向本文件所在目录之外（“{name}”），不予读取；请把上级规则文件放在本目录或其子目录中，或配置规则目录",
            "en": "extends points outside this file's directory ('{name}') and is not read; keep the parent in this directory tree or configure a rule directory",
        },
        "extends.not_yaml": {
            "zh": "extends 只能指向 .yaml/.yml 规则文件（“{name}”）",
            "en": "extends can only point to a .yaml/.yml rule file ('{name}')",
        },
        "file.unreadable": {"zh": "无法读取规则文件 “{name}”", "en": "cannot read rule file '{name}'"},
        "dup.id": {"zh": "重复的编号 “{id}”（{section}）", "en": "duplicate id '{id}' in {section}"},
        "remove.unknown": {"zh": "remove 中的 “{id}” 在被继承的规则集中不存在", "en": "remove: '{id}' is not in the parent rule set"},
        "fact.bad_name": {"zh": "事实名称 “{name}” 只能由英文字母、数字和下划线组成", "en": "fact name '{name}' must be an identifier"},
        "fact.identity": {"zh": "“{name}” 是项目身份字段，不能声明为事实", "en": "'{name}' is an identity field, not a fact"},
        "fact.options_missing": {"zh": "选项型事实 “{name}” 必须列出 options", "en": "option fact '{name}' needs options"},
        "fact.options_unexpected": {"zh": "只有 option 类型可以有 options（“{name}” 是 {type}）", "en": "only option facts have options ('{name}' is {type})"},
        "fact.bounds_order": {"zh": "“{name}” 的 min 大于 max", "en": "'{name}': min is greater than max"},
        "fact.bounds_type": {"zh": "只有数值型事实可以有 min/max（“{name}”）", "en": "only numeric facts have min/max ('{name}')"},
        "fact.bad_default": {"zh": "“{name}” 的默认值无效：{reason}", "en": "bad default for '{name}': {reason}"},
        "fact.required_and_default": {"zh": "“{name}” 不能既 required 又有 default", "en": "'{name}' cannot be both required and defaulted"},
        "dim.unknown": {"zh": "未定义的维度 “{id}”{hint}", "en": "unknown dimension '{id}'{hint}"},
        "dim.weights": {"zh": "各维度权重之和为 {total}，应为 1", "en": "dimension weights add up to {total}, not 1"},
        "dim.weight_missing": {"zh": "指数法下维度 “{id}” 必须有 weight", "en": "index scoring: dimension '{id}' needs a weight"},
        "dim.item_weights": {"zh": "维度 “{id}” 的条目权重之和为 {total}，应为 1", "en": "item weights of dimension '{id}' add up to {total}, not 1"},
        "dim.max_total": {"zh": "各维度满分之和为 {total}，应为总分 {expected}", "en": "dimension maxima add up to {total}, not {expected}"},
        "dim.items_total": {"zh": "维度 “{id}” 满分 {max}，但其条目满分之和为 {total}", "en": "dimension '{id}' max {max} but its items add up to {total}"},
        "scoring.missing": {"zh": "规则集缺少 scoring（计分方法与等级区间）", "en": "the rule set has no scoring section"},
        "scoring.no_dimensions": {"zh": "规则集没有定义任何维度", "en": "the rule set defines no dimensions"},
        "levels.missing": {"zh": "等级区间缺少 {level}", "en": "levels: {level} is missing"},
        "levels.order": {"zh": "等级区间顺序错误：{lower} 应低于 {higher}", "en": "levels out of order: {lower} must lie below {higher}"},
        "levels.gap": {"zh": "等级区间之间有空档：{detail}", "en": "gap between level bands: {detail}"},
        "levels.overlap": {"zh": "等级区间重叠：{detail}", "en": "level bands overlap: {detail}"},
        "interval.syntax": {"zh": "区间 “{text}” 写法错误，应如 [70, 85) 或 (20, 35]", "en": "bad interval '{text}', write e.g. [70, 85) or (20, 35]"},
        "interval.empty": {"zh": "区间 “{text}” 为空（下限大于上限）", "en": "interval '{text}' is empty"},
        "bands.gap": {"zh": "“{fact}” 的分段有空档：{detail}", "en": "bands of '{fact}' leave a gap: {detail}"},
        "bands.overlap": {"zh": "“{fact}” 的分段重叠：{detail}", "en": "bands of '{fact}' overlap: {detail}"},
        "item.points_missing": {"zh": "扣分法条目 “{id}” 需要 points（或 panel: true）", "en": "points item '{id}' needs points (or panel: true)"},
        "item.index_missing": {"zh": "指数法条目 “{id}” 需要 probability、impact 和 weight（或 panel: true）", "en": "index item '{id}' needs probability, impact and weight (or panel: true)"},
        "item.wrong_method": {"zh": "条目 “{id}” 的 {field} 不属于 {method} 计分法", "en": "item '{id}': {field} does not belong to {method} scoring"},
        "item.over_max": {"zh": "条目 “{id}” 的分值 {value} 超过本条最高分 {max}", "en": "item '{id}': value {value} exceeds its max {max}"},
        "item.negative": {"zh": "条目 “{id}” 的分值 {value} 为负", "en": "item '{id}': negative value {value}"},
        "item.unit_range": {"zh": "条目 “{id}” 的 {field} 值 {value} 不在 0–1 之间", "en": "item '{id}': {field} value {value} is outside 0–1"},
        "value.shape": {"zh": "取值表必须且只能写 map、bands、formula 之一", "en": "a value table needs exactly one of map, bands, formula"},
        "value.fact_missing": {"zh": "map/bands 需要写明 fact", "en": "map/bands need a fact"},
        "value.unknown_fact": {"zh": "未声明的事实 “{name}”{hint}", "en": "undeclared fact '{name}'{hint}"},
        "value.map_type": {"zh": "map 只能用于选项型或是否型事实（“{name}” 是 {type}）", "en": "map needs an option or bool fact ('{name}' is {type})"},
        "value.bands_type": {"zh": "bands 只能用于数值型事实（“{name}” 是 {type}）", "en": "bands need a numeric fact ('{name}' is {type})"},
        "value.unknown_option": {"zh": "“{value}” 不是 “{name}” 的选项（可选：{options}）", "en": "'{value}' is not an option of '{name}' (options: {options})"},
        "value.map_incomplete": {"zh": "map 没有覆盖 “{name}” 的选项：{missing}", "en": "map does not cover options of '{name}': {missing}"},
        "cond.syntax": {"zh": "表达式写法有误（Python 解析器：{detail}），请检查运算符、引号和括号", "en": "syntax error in expression: {detail}"},
        "cond.empty": {"zh": "表达式为空", "en": "empty expression"},
        "cond.not_text": {"zh": "表达式必须是文本", "en": "an expression must be text"},
        "cond.too_long": {"zh": "表达式过长（上限 {limit} 字符）", "en": "expression too long (limit {limit})"},
        "cond.too_deep": {"zh": "表达式嵌套过深（括号、运算或函数层数过多）", "en": "expression nested too deeply"},
        "cond.unknown_fact": {"zh": "未声明的事实 “{name}”{hint}", "en": "undeclared fact '{name}'{hint}"},
        "cond.not_literal": {"zh": "这里应为数值、文本或 true/false", "en": "expected a number, text or true/false here"},
        "cond.nested_list": {"zh": "列表中不能再有列表", "en": "lists cannot be nested"},
        "cond.bare_not_bool": {"zh": "“{name}” 是 {type} 型，不能单独作为条件，请写比较式", "en": "'{name}' is {type}; write a comparison"},
        "cond.unsupported": {"zh": "表达式中不允许使用 {what}", "en": "{what} is not allowed in an expression"},
        "cond.in_needs_list": {"zh": "“in 事实” 要求列表型事实（“{name}” 是 {type}）", "en": "'x in fact' needs a list fact ('{name}' is {type})"},
        "cond.member_not_text": {"zh": "列表成员必须是文本", "en": "a list member must be text"},
        "cond.in_needs_values": {"zh": "in 右边应为取值列表，如 [\"some\", \"nimby\"]", "en": "in needs a list of values, e.g. [\"some\", \"nimby\"]"},
        "cond.list_in_values": {"zh": "列表型事实 “{name}” 请写成 \"值\" in {name}", "en": "for list fact '{name}' write \"value\" in {name}"},
        "cond.one_fact_one_value": {"zh": "比较式两边须一边是事实、一边是取值", "en": "a comparison needs one fact and one value"},
        "cond.list_compare": {"zh": "只能用 in 与列表比较", "en": "compare with a list only through in"},
        "cond.list_compare_fact": {"zh": "列表型事实 “{name}” 只能用 in 判断", "en": "list fact '{name}' can only be tested with in"},
        "cond.type_mismatch": {"zh": "类型不符：“{name}” 是 {type} 型，不能与 {value} 比较", "en": "type mismatch: '{name}' is {type}, cannot compare with {value}"},
        "cond.bad_operator": {"zh": "“{name}” 是 {type} 型，只能用 == 或 !=（不能用 {op}）", "en": "'{name}' is {type}: only == and != (not {op})"},
        "cond.unknown_option": {"zh": "“{value}” 不是 “{name}” 的选项（可选：{options}）", "en": "'{value}' is not an option of '{name}' (options: {options})"},
        "formula.empty": {"zh": "算式为空", "en": "empty formula"},
        "formula.unknown_fact": {"zh": "算式中的 “{name}” 不是数值事实{hint}", "en": "'{name}' in the formula is not a numeric fact{hint}"},
        "formula.unsupported": {"zh": "算式中不允许使用 {what}", "en": "{what} is not allowed in a formula"},
        "formula.not_finite": {
            "zh": "算式 “{formula}” 可能得出无穷大或非数值，无法计算；请缩小常数或为事实设定 min/max",
            "en": "formula '{formula}' can produce infinity or NaN; use smaller constants or bound the facts with min/max",
        },
        "formula.divide_by_zero": {"zh": "算式 “{formula}” 除以 0", "en": "formula '{formula}' divides by 0"},
        "formula.divisor_may_be_zero": {
            "zh": "算式 “{formula}” 的除数在事实的取值范围内可能为 0，此时该商按 0 计；如不合意，请为事实设定 min 或改写算式",
            "en": "a divisor in formula '{formula}' can be 0 within the facts' declared ranges; the quotient then counts as 0",
        },
        "trigger.empty": {"zh": "直接触发 “{id}” 须写 when 或 factors", "en": "trigger '{id}' needs when or factors"},
        "trigger.unknown_factor": {"zh": "factors 中的 “{id}” 不是本规则集的条目{hint}", "en": "'{id}' in factors is not an item of this rule set{hint}"},
        "trigger.factors_count": {"zh": "factors 最多 {limit} 项且不能重复", "en": "factors: at most {limit}, without repeats"},
        "trigger.min_factors": {"zh": "min_factors 为 {need}，但只列了 {count} 项", "en": "min_factors is {need} but only {count} factors are listed"},
        "trigger.min_without_factors": {"zh": "min_factors 须与 factors 一起使用", "en": "min_factors needs factors"},
        "regime.missing": {"zh": "规则集须写 regime（ndrc_project / major_decision）或 decisions 对照表", "en": "a rule set needs a regime or a decisions table"},
        "test.project": {"zh": "测试 “{name}” 的项目数据有误：{detail}", "en": "test '{name}': bad project data: {detail}"},
        "test.unknown_item": {"zh": "测试 “{name}” 引用了不存在的编号 “{id}”", "en": "test '{name}' refers to unknown id '{id}'"},
        "fact.unread_required": {"zh": "“{name}” 标为 required，但没有任何规则读取它，将不作要求", "en": "'{name}' is required but no rule reads it; it will not be required"},
    }
)

TYPE_NAMES = {
    "zh": {"int": "整数", "float": "数值", "string": "文本", "bool": "true/false", "list": "列表", "dict": "映射（键: 值）"},
    "en": {"int": "an integer", "float": "a number", "string": "text", "bool": "true/false", "list": "a list", "dict": "a mapping"},
}


def schema_reason(err: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A pydantic error as a catalogue message: ``(code, params)`` of ``schema.*`` (never pydantic's English).

    Examples
    --------
    >>> from riskeval.i18n import t
    >>> code, params = schema_reason({"type": "int_parsing", "loc": ("n",), "msg": "...", "input": "x"})
    >>> t(code, "zh", **params), t(code, "en", **params)
    ('类型错误：应为整数，实际为 "x"', 'wrong type: expected an integer, got "x"')
    """
    kind = str(err.get("type", ""))
    loc = tuple(err.get("loc", ()))
    if kind == "extra_forbidden":
        return "schema.extra", {"key": str(loc[-1]) if loc else "", "hint": ""}
    if kind == "missing":
        return "schema.missing", {"key": str(loc[-1]) if loc else ""}
    value = err.get("input")
    shown = json.dumps(value, ensure_ascii=False, default=str)[:60] if not isinstance(value, dict | list) else type(value).__name__
    if kind in ("literal_error", "enum"):
        return "schema.literal", {"expected": err.get("ctx", {}).get("expected", ""), "value": shown}
    base = kind.split("_")[0]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "schema.type", {
            "expected": TYPE_NAMES["zh"].get(base, base),
            "expected_en": TYPE_NAMES["en"].get(base, base),
            "value": shown,
        }
    return "schema.other", {"detail": err.get("msg", kind)}
