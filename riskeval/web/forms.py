"""The assessment form: fields generated from a rule set's fact declarations, and the project read back.

Form names: ``p:<identity field>`` (``p:id``, ``p:kind``...), ``f:<fact>``, and for measure ``K`` (a
random key, measures keep the order of the form) ``m<K>:label``, ``m<K>:owner``, ``m<K>:partners``,
``m<K>:due`` and for each fact it changes (key ``J``) ``m<K>:set<J>:fact`` and ``m<K>:set<J>:value``.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("guiyang")
>>> spec = {f.name: f for f in fact_fields(rs)}["satisfaction_rate"]
>>> spec.label, spec.unit, spec.min, spec.max, spec.required, spec.widget
('群众满意度', '%', 0.0, 100.0, True, 'number')
>>> form = [("p:id", "P-1"), ("p:kind", "project"), ("f:satisfaction_rate", "78"), ("f:hearing_held", "true"),
...         ("ma1:label", "入户宣传"), ("ma1:seta:fact", "satisfaction_rate"), ("ma1:seta:value", "88")]
>>> read = read_project(form, rs)
>>> read.data["facts"], read.data["measures"][0]["sets"], read.problems
({'satisfaction_rate': 78, 'hearing_held': True}, {'satisfaction_rate': 88}, {})
>>> read_project([("p:id", "P-1"), ("f:satisfaction_rate", "很多")], rs).problems
{'f:satisfaction_rate': '请填写数值'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import register_messages, t
from ..model.vocabulary import DECISION_LEVEL_OPTIONS, KIND_OPTIONS, REGIME_OPTIONS
from ..model.wording import condition_data, vocabulary_for
from ..ruleset.compiled import RuleSet

__all__ = ["FieldSpec", "ProjectForm", "fact_fields", "identity_fields", "problem_field", "read_project"]

register_messages(
    {
        "web.form.number": {"zh": "请填写数值", "en": "enter a number"},
        "web.form.integer": {"zh": "请填写整数", "en": "enter a whole number"},
        "web.form.min": {"zh": "不能小于 {min}", "en": "must be at least {min}"},
        "web.form.max": {"zh": "不能大于 {max}", "en": "must be at most {max}"},
        "web.form.required": {"zh": "必填", "en": "required"},
        "web.form.measure_label": {"zh": "请填写措施名称", "en": "enter the measure's name"},
        "web.form.measure_fact": {"zh": "请选择措施改变的事项", "en": "choose what the measure changes"},
        "web.form.required_when": {"zh": "当{condition}时必填", "en": "required when {condition}"},
        "web.form.default": {"zh": "未填写时按 {value}", "en": "{value} when left empty"},
        "web.form.yes": {"zh": "是", "en": "yes"},
        "web.form.no": {"zh": "否", "en": "no"},
        "web.form.unset": {"zh": "（未填写）", "en": "(not given)"},
        "web.id.id": {"zh": "项目编号", "en": "Project id"},
        "web.id.name": {"zh": "项目名称", "en": "Name"},
        "web.id.kind": {"zh": "事项类型", "en": "Kind of matter"},
        "web.id.regime": {"zh": "决策规则", "en": "Decision rule"},
        "web.id.unit": {"zh": "申报（提出）单位", "en": "Proposing unit"},
        "web.id.domains": {"zh": "涉及领域", "en": "Domains"},
        "web.id.decision_level": {"zh": "决策层级", "en": "Decision level"},
        "web.id.investment": {"zh": "总投资", "en": "Total investment"},
        "web.id.location": {"zh": "地点", "en": "Location"},
        "web.id.domains_help": {"zh": "多个领域用顿号或逗号分隔", "en": "separate several domains with commas"},
        "web.id.regime_help": {"zh": "不选则按规则集的决策规则", "en": "leave empty for the rule set's rule"},
        "web.unit.wan_yuan": {"zh": "万元", "en": "10k yuan"},
    }
)

_LIST_SPLIT = re.compile(r"[,，、;；\n]+")
_MEASURE = re.compile(r"^m([0-9A-Za-z_-]{1,32}):(label|owner|partners|due)$")
_CHANGE = re.compile(r"^m([0-9A-Za-z_-]{1,32}):set([0-9A-Za-z_-]{1,32}):(fact|value)$")
MAX_MEASURES = 50
_IDENTITY_NAMES = frozenset({"id", "name", "kind", "unit", "decision_level", "investment", "location", "domains", "regime"})


@dataclass(frozen=True)
class FieldSpec:
    """One input of the form: ``widget`` is ``number``, ``integer``, ``bool``, ``option``, ``text`` or ``list``."""

    name: str
    label: str
    widget: str
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    required_when: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    help: str | None = None
    default: Any = None
    notes: tuple[str, ...] = ()

    @property
    def step(self) -> str:
        return "1" if self.widget == "integer" else "any"


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _item_notes(rs: RuleSet) -> dict[str, list[str]]:
    """The notes of the items (``note:`` in the rule file), by each fact the item reads."""
    out: dict[str, list[str]] = {}
    for item in rs.items:
        if not item.note:
            continue
        text = " ".join(str(part) for part in (item.when, item.points, item.probability, item.impact) if part is not None)
        for name in rs.facts:
            if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text):
                out.setdefault(name, []).append(f"{item.label}：{' '.join(item.note.split())}")
    return out


def fact_fields(rs: RuleSet, lang: str = "zh") -> list[FieldSpec]:
    """The fact inputs of ``rs`` in declaration order (labels, units, ranges, options, required marks, notes)."""
    vocab = vocabulary_for(rs)
    notes = _item_notes(rs)
    out = []
    for name, decl in rs.facts.items():
        when = None
        if name in rs.required_when:
            when = t("web.form.required_when", lang, condition=vocab.condition(condition_data(rs.required_when[name]), lang))
        out.append(
            FieldSpec(
                name=name,
                label=decl.label,
                widget=decl.type,
                unit=decl.unit,
                min=decl.min,
                max=decl.max,
                required=name in rs.required_facts,
                required_when=when,
                options=tuple((o.code, o.label) for o in decl.options),
                help=decl.description,
                default=decl.default,
                notes=tuple(notes.get(name, ())),
            )
        )
    return out


def identity_fields(lang: str = "zh") -> list[FieldSpec]:
    """The project's identity inputs (编号, 名称, 类型, 单位, 层级, 投资...)."""

    def opts(mapping: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple(mapping.items())

    return [
        FieldSpec("id", t("web.id.id", lang), "text", required=True),
        FieldSpec("name", t("web.id.name", lang), "text"),
        FieldSpec("kind", t("web.id.kind", lang), "option", options=opts(KIND_OPTIONS)),
        FieldSpec("unit", t("web.id.unit", lang), "text"),
        FieldSpec("decision_level", t("web.id.decision_level", lang), "option", options=opts(DECISION_LEVEL_OPTIONS)),
        FieldSpec("investment", t("web.id.investment", lang), "number", unit=t("web.unit.wan_yuan", lang), min=0),
        FieldSpec("location", t("web.id.location", lang), "text"),
        FieldSpec("domains", t("web.id.domains", lang), "list", help=t("web.id.domains_help", lang)),
        FieldSpec("regime", t("web.id.regime", lang), "option", options=opts(REGIME_OPTIONS), help=t("web.id.regime_help", lang)),
    ]


@dataclass
class ProjectForm:
    """A project read from the form: ``data`` in the project-file format, ``values`` as typed (to show the
    form again), ``problems`` by form name, and the measure and change keys in form order."""

    data: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    measures: list[dict[str, Any]] = field(default_factory=list)


def _convert(spec: FieldSpec, text: str, lang: str) -> tuple[Any, str | None]:
    """The typed value of ``text`` for ``spec``, or a problem."""
    if spec.widget in ("number", "integer"):
        try:
            number = float(text.replace(",", "").replace("，", ""))
        except ValueError:
            return None, t("web.form.number", lang)
        if number != number or number in (float("inf"), float("-inf")):
            return None, t("web.form.number", lang)
        if spec.widget == "integer" and not number.is_integer():
            return None, t("web.form.integer", lang)
        if spec.min is not None and number < spec.min:
            return None, t("web.form.min", lang, min=_num(spec.min))
        if spec.max is not None and number > spec.max:
            return None, t("web.form.max", lang, max=_num(spec.max))
        return (int(number) if number.is_integer() else number), None
    if spec.widget == "bool":
        return text == "true", None
    if spec.widget == "list":
        return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()], None
    return text, None


def read_project(form: Iterable[tuple[str, Any]], rs: RuleSet, lang: str = "zh") -> ProjectForm:
    """The project of a submitted form (empty inputs are left out, so the rule set's defaults apply)."""
    pairs = [(k, v.strip()) for k, v in form if isinstance(v, str)]
    facts = {f.name: f for f in fact_fields(rs, lang)}
    ident = {f.name: f for f in identity_fields(lang)}
    result = ProjectForm(data={"facts": {}})
    measures: dict[str, dict[str, Any]] = {}
    changes: dict[tuple[str, str], dict[str, str]] = {}
    for key, text in pairs:
        result.values[key] = text
        if key.startswith("p:") and key[2:] in ident:
            if text:
                value, problem = _convert(ident[key[2:]], text, lang)
                if problem:
                    result.problems[key] = problem
                else:
                    result.data[key[2:]] = value
        elif key.startswith("f:") and key[2:] in facts:
            if text:
                value, problem = _convert(facts[key[2:]], text, lang)
                if problem:
                    result.problems[key] = problem
                else:
                    result.data["facts"][key[2:]] = value
        elif match := _MEASURE.match(key):
            if match.group(1) in measures or len(measures) < MAX_MEASURES:
                measures.setdefault(match.group(1), {"key": match.group(1), "changes": []})[match.group(2)] = text
        elif match := _CHANGE.match(key):
            mkey, ckey, part = match.groups()
            if mkey in measures or len(measures) < MAX_MEASURES:
                measure = measures.setdefault(mkey, {"key": mkey, "changes": []})
                if (mkey, ckey) not in changes:
                    changes[(mkey, ckey)] = {"key": ckey}
                    measure["changes"].append(changes[(mkey, ckey)])
                changes[(mkey, ckey)][part] = text
    out: list[dict[str, Any]] = []
    for measure in measures.values():
        sets: dict[str, Any] = {}
        for change in measure["changes"]:
            fact, text = change.get("fact", ""), change.get("value", "")
            where = f"m{measure['key']}:set{change['key']}"
            if not fact and not text:
                continue
            if fact not in facts:
                result.problems[f"{where}:fact"] = t("web.form.measure_fact", lang)
                continue
            if not text:
                result.problems[f"{where}:value"] = t("web.form.required", lang)
                continue
            value, problem = _convert(facts[fact], text, lang)
            if problem:
                result.problems[f"{where}:value"] = problem
            else:
                sets[fact] = value
        label = measure.get("label", "")
        if not label and not sets and not any(measure.get(k) for k in ("owner", "partners", "due")):
            continue
        if not label:
            result.problems[f"m{measure['key']}:label"] = t("web.form.measure_label", lang)
        item: dict[str, Any] = {"id": f"M{len(out) + 1}", "label": label, "sets": sets}
        for extra in ("owner", "partners", "due"):
            if measure.get(extra):
                item[extra] = measure[extra]
        out.append(item)
        result.measures.append(measure)
    if out:
        result.data["measures"] = out
    return result


def problem_field(field_path: str, facts: Iterable[str] = ()) -> str:
    """The form name of a :class:`~riskeval.check.ProjectProblem` field (``x`` or ``facts.x`` → ``f:x`` for a
    declared fact, ``kind`` → ``p:kind``), or ``""`` when the problem has no input of its own.

    >>> problem_field("opposition_rate", ["opposition_rate"]), problem_field("facts.opposition_rate")
    ('f:opposition_rate', 'f:opposition_rate')
    >>> problem_field("kind"), problem_field("measures.0.sets"), problem_field("unknown_fact")
    ('p:kind', '', '')
    """
    if field_path.startswith("facts."):
        return "f:" + field_path[len("facts.") :].split(".")[0]
    if field_path in set(facts):
        return "f:" + field_path
    if field_path in _IDENTITY_NAMES:
        return "p:" + field_path
    return ""
