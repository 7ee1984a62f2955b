"""Labels and words: how an assessment speaks to people instead of in identifiers.

An :class:`~riskeval.model.assessment.Assessment` carries a :class:`Vocabulary`, taken from its
rule set when it is made: the label, unit and option labels of every fact, the label of every
item, and the conditions of the rules that fired (as data, not code). With it the explanation and
the Word report say "群众满意度 30%（低于 70%）" rather than ``satisfaction_rate ∈ [0, 70)``, also for an
assessment read back from a ledger record.

Examples
--------
>>> vocab = Vocabulary(facts={"rate": FactWords(label="反对率", type="number", unit="%", min=0, max=100)})
>>> vocab.value("rate", 62)
'62%'
>>> vocab.condition({"fact": "rate", "op": ">", "value": 50})
'反对率超过 50%'
>>> vocab.condition({"and": [{"fact": "rate", "op": ">=", "value": 0}, {"fact": "rate", "op": "<", "value": 70}]},
...                 relative=True)
'低于 70%'
>>> vocab.condition({"fact": "rate", "op": ">", "value": 50}, lang="en")
'反对率 above 50%'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..i18n import register_messages, t
from .vocabulary import DECISION_LEVEL_OPTIONS, KIND_OPTIONS, REGIME_OPTIONS

__all__ = ["FactWords", "Vocabulary", "condition_data", "fmt_number", "rules_to_explain", "vocabulary_for"]

register_messages(
    {
        "words.true": {"zh": "是", "en": "yes"},
        "words.false": {"zh": "否", "en": "no"},
        "words.missing": {"zh": "未填写", "en": "not given"},
        "words.always": {"zh": "所有事项", "en": "every matter"},
        "words.never": {"zh": "无", "en": "none"},
        "words.and": {"zh": "且", "en": " and "},
        "words.or": {"zh": "，或", "en": ", or "},
        "words.rel_and": {"zh": "、", "en": ", "},
        "words.list_or": {"zh": "{head}或{last}", "en": "{head} or {last}"},
        "words.list_sep": {"zh": "、", "en": ", "},
        "words.op.>": {"zh": "{label}超过 {value}", "en": "{label} above {value}"},
        "words.op.>=": {"zh": "{label}不低于 {value}", "en": "{label} at least {value}"},
        "words.op.<": {"zh": "{label}低于 {value}", "en": "{label} below {value}"},
        "words.op.<=": {"zh": "{label}不超过 {value}", "en": "{label} at most {value}"},
        "words.op.==": {"zh": "{label}为{value}", "en": "{label} is {value}"},
        "words.op.!=": {"zh": "{label}不为{value}", "en": "{label} is not {value}"},
        "words.num.==": {"zh": "{label}为 {value}", "en": "{label} is {value}"},
        "words.num.!=": {"zh": "{label}不为 {value}", "en": "{label} is not {value}"},
        "words.bool.true": {"zh": "{label}", "en": "{label}"},
        "words.bool.false": {"zh": "非“{label}”", "en": "not “{label}”"},
        "words.has": {"zh": "{label}包含{member}", "en": "{label} includes {member}"},
        "words.has_not": {"zh": "{label}不包含{member}", "en": "{label} does not include {member}"},
        "words.fact_value": {"zh": "{label}：{value}", "en": "{label}: {value}"},
        "words.fact_number": {"zh": "{label} {value}", "en": "{label} {value}"},
        "identity.kind": {"zh": "事项类型", "en": "kind of matter"},
        "identity.regime": {"zh": "决策规则", "en": "decision regime"},
        "identity.unit": {"zh": "申报（提出）单位", "en": "proposing unit"},
        "identity.domains": {"zh": "涉及领域", "en": "domains"},
        "identity.decision_level": {"zh": "决策层级", "en": "decision level"},
        "identity.investment": {"zh": "总投资", "en": "total investment"},
        "identity.location": {"zh": "地点", "en": "location"},
        "identity.kind.project": {"zh": KIND_OPTIONS["project"], "en": "major construction project"},
        "identity.kind.policy": {"zh": KIND_OPTIONS["policy"], "en": "major policy"},
        "identity.kind.reform": {"zh": KIND_OPTIONS["reform"], "en": "major reform"},
        "identity.kind.event": {"zh": KIND_OPTIONS["event"], "en": "major event"},
        "identity.kind.other": {"zh": KIND_OPTIONS["other"], "en": "other matter"},
        "identity.regime.ndrc_project": {"zh": REGIME_OPTIONS["ndrc_project"], "en": "project approved by the NDRC"},
        "identity.regime.major_decision": {"zh": REGIME_OPTIONS["major_decision"], "en": "major decision"},
        "identity.decision_level.county": {"zh": DECISION_LEVEL_OPTIONS["county"], "en": "county"},
        "identity.decision_level.department": {"zh": DECISION_LEVEL_OPTIONS["department"], "en": "department"},
        "identity.decision_level.city": {"zh": DECISION_LEVEL_OPTIONS["city"], "en": "city"},
        "identity.decision_level.province": {"zh": DECISION_LEVEL_OPTIONS["province"], "en": "province"},
        "identity.decision_level.national": {"zh": DECISION_LEVEL_OPTIONS["national"], "en": "national"},
    }
)

_IDENTITY_UNITS = {"investment": "万元"}
_IDENTITY_OPTIONS = {"kind": KIND_OPTIONS, "regime": REGIME_OPTIONS, "decision_level": DECISION_LEVEL_OPTIONS}


def fmt_number(x: float | int | None) -> str:
    """A number as people write it: at most two decimals, four significant digits below 1.

    >>> fmt_number(61.0), fmt_number(0.42351), fmt_number(120000.0)
    ('61', '0.4235', '120000')
    """
    if x is None:
        return "-"
    return f"{x:.4g}" if abs(x) < 1 else f"{round(x, 2):g}"


class FactWords(BaseModel):
    """What people call a fact: its label, unit, range and option labels."""

    label: str
    type: str = "text"
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    options: dict[str, str] = Field(default_factory=dict)
    identity: bool = False


class Vocabulary(BaseModel):
    """The words of one rule set that one assessment needs (see the module docstring)."""

    facts: dict[str, FactWords] = Field(default_factory=dict)
    items: dict[str, str] = Field(default_factory=dict, description="条目编号 → 名称")
    conditions: dict[str, Any] = Field(default_factory=dict, description="规则编号 → 条件（数据形式）")
    scope_labels: dict[str, str] = Field(default_factory=dict, description="须评估事项规则 → 事项类别")
    method: str | None = None  # 评分方法 points / index
    total: float | None = None  # 扣分法总分
    levels: dict[str, dict[str, str | None]] = Field(default_factory=dict, description="等级 → 分值区间与定义")
    dimensions: dict[str, dict[str, float | None]] = Field(default_factory=dict, description="维度 → 满分、权重")

    # -- facts -----------------------------------------------------------------------------
    def label(self, fact: str, lang: str = "zh") -> str:
        """The label of ``fact`` (identity fields in ``lang``); an undeclared name stays as it is."""
        words = self.facts.get(fact)
        if words is None or words.identity:
            key = f"identity.{fact}"
            text = t(key, lang)
            return text if text != key else (words.label if words else fact)
        return words.label

    def value(self, fact: str, value: Any, lang: str = "zh") -> str:
        """``value`` of ``fact`` in words: option labels, 是/否, numbers with their unit."""
        words = self.facts.get(fact)
        if value is None:
            return t("words.missing", lang)
        if isinstance(value, bool):
            return t(f"words.{'true' if value else 'false'}", lang)
        if isinstance(value, list | tuple):
            return t("words.list_sep", lang).join(self.value(fact, v, lang) for v in value) or t("words.never", lang)
        if isinstance(value, int | float):
            unit = (words.unit if words else None) or ""
            text = fmt_number(float(value))
            return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"
        if words is not None and value in words.options:
            if words.identity:
                key = f"identity.{fact}.{value}"
                text = t(key, lang)
                if text != key:
                    return text
            return words.options[value]
        return str(value)

    def fact_phrase(self, fact: str, value: Any, lang: str = "zh") -> str:
        """``label value`` for numbers, ``label：value`` otherwise."""
        words = self.facts.get(fact)
        number = isinstance(value, int | float) and not isinstance(value, bool) and (words is None or words.type != "bool")
        key = "words.fact_number" if number else "words.fact_value"
        return t(key, lang, label=self.label(fact, lang), value=self.value(fact, value, lang))

    # -- conditions ------------------------------------------------------------------------
    def condition(self, cond: Any, lang: str = "zh", *, relative: bool = False) -> str:
        """A condition (as :func:`condition_data` gives it) in words.

        ``relative`` leaves out the fact's label and the bounds that merely repeat the fact's
        declared range, for a band shown next to its value ("30%（低于 70%）").
        """
        if relative:
            parts = [p for p in _flatten(cond) if not self._is_trivial_bound(p)]
            return t("words.rel_and", lang).join(self._atom(p, lang, "") for p in parts)
        return self._words(cond, lang)

    def _is_trivial_bound(self, part: Any) -> bool:
        words = self.facts.get(part.get("fact", "")) if isinstance(part, dict) else None
        if words is None or "op" not in part:
            return False
        value = part["value"]
        if part["op"] == ">=" and words.min is not None and value <= words.min:
            return True
        return part["op"] == "<=" and words.max is not None and value >= words.max

    def _words(self, cond: Any, lang: str) -> str:
        if not isinstance(cond, dict):
            return str(cond)
        if "and" in cond or "or" in cond:
            parts = cond.get("and", cond.get("or")) or []
            if not parts:
                return t("words.always" if "and" in cond else "words.never", lang)
            same = {p.get("fact") for p in parts if isinstance(p, dict)}
            ops = {p.get("op") for p in parts if isinstance(p, dict)}
            if len(same) == 1 and len(parts) > 1 and (("or" in cond and ops == {"=="}) or ("and" in cond and ops == {"!="})):
                fact = str(next(iter(same)))
                values = [self.value(fact, p["value"], lang) for p in parts]
                sep = t("words.list_sep", lang)
                listed = t("words.list_or", lang, head=sep.join(values[:-1]), last=values[-1])
                return t("words.op.==" if "or" in cond else "words.op.!=", lang, label=self.label(fact, lang), value=listed)
            joiner = t("words.and" if "and" in cond else "words.or", lang)
            return joiner.join(self._words(p, lang) for p in parts)
        if cond.get("true"):
            return t("words.always", lang)
        return self._atom(cond, lang, self.label(cond.get("fact", ""), lang))

    def _atom(self, cond: dict[str, Any], lang: str, label: str) -> str:
        fact = cond.get("fact", "")
        if "member" in cond:
            key = "words.has" if cond.get("positive", True) else "words.has_not"
            return t(key, lang, label=label, member=cond["member"]).strip()
        op, value = cond.get("op", "=="), cond.get("value")
        words = self.facts.get(fact)
        if isinstance(value, bool):
            truth = value if op == "==" else not value
            if label:
                return t(f"words.bool.{'true' if truth else 'false'}", lang, label=label)
            return self.value(fact, truth, lang)
        shown = self.value(fact, value, lang)
        if isinstance(value, int | float) and op in ("==", "!=") and (words is None or words.type != "option"):
            return t(f"words.num.{op}", lang, label=label, value=shown).strip()
        return t(f"words.op.{op}", lang, label=label, value=shown).strip()

    def item(self, item_id: str) -> str:
        """The label of an item (its id if unknown)."""
        return self.items.get(item_id, item_id)


def _flatten(cond: Any) -> list[Any]:
    if isinstance(cond, dict) and "and" in cond:
        out: list[Any] = []
        for part in cond["and"]:
            out.extend(_flatten(part))
        return out
    return [cond]


def condition_data(cond: Any) -> Any:
    """A parsed condition (:mod:`riskeval.ruleset.conditions`) as plain data for :class:`Vocabulary`."""
    from ..ruleset.conditions import And, Cmp, Has, Or

    if isinstance(cond, Cmp):
        return {"fact": cond.fact, "op": cond.op, "value": cond.value}
    if isinstance(cond, Has):
        return {"fact": cond.fact, "member": cond.member, "positive": cond.positive}
    if isinstance(cond, And):
        return {"and": [condition_data(p) for p in cond.parts]}
    if isinstance(cond, Or):
        return {"or": [condition_data(p) for p in cond.parts]}
    return {"true": True}


_FACT_CACHE: dict[tuple[str, str], tuple[dict[str, FactWords], dict[str, str], dict[str, Any]]] = {}


def _rule_set_words(ruleset: Any) -> tuple[dict[str, FactWords], dict[str, str], dict[str, Any]]:
    key = (ruleset.name, ruleset.content_hash)
    cached = _FACT_CACHE.get(key)
    if cached is not None:
        return cached
    facts: dict[str, FactWords] = {}
    for name, decl in ruleset.facts.items():
        facts[name] = FactWords(
            label=decl.label,
            type=decl.type,
            unit=decl.unit,
            min=decl.min,
            max=decl.max,
            options={o.code: o.label for o in decl.options},
        )
    for name, spec in ruleset.specs.items():
        if name not in facts:
            options = dict(_IDENTITY_OPTIONS.get(name, {})) or dict(spec.options)
            label = t(f"identity.{name}", "zh")
            facts[name] = FactWords(
                label=label if not label.startswith("identity.") else name,
                type=spec.type,
                unit=_IDENTITY_UNITS.get(name),
                options=options,
                identity=True,
            )
    items = {i.id: i.label for i in ruleset.items}
    scoring = ruleset.scoring
    extra: dict[str, Any] = {
        "method": scoring.method,
        "total": scoring.total,
        "levels": {lvl: {"range": band.range, "label": band.label} for lvl, band in scoring.levels.items()},
        "dimensions": {d.id: {"max": d.max, "weight": d.weight} for d in ruleset.dimensions},
    }
    if len(_FACT_CACHE) > 64:
        _FACT_CACHE.clear()
    _FACT_CACHE[key] = (facts, items, extra)
    return facts, items, extra


def vocabulary_for(ruleset: Any, rule_ids: set[str] | None = None) -> Vocabulary:
    """The :class:`Vocabulary` of ``ruleset`` with the conditions of ``rule_ids`` (the rules to be explained)."""
    facts, items, extra = _rule_set_words(ruleset)
    conditions: dict[str, Any] = {}
    scope_labels: dict[str, str] = {}
    wanted = rule_ids or set()
    for rule in ruleset.rules:
        if rule.id in wanted:
            conditions[rule.id] = condition_data(rule.condition)
    if ruleset.scope is not None:
        from ..ruleset.conditions import render

        for i, (text, cond) in enumerate(ruleset.scope):
            plain = render(cond)
            # a labelled scope entry reads "label（condition）"; keep the label only
            if text.endswith("）") and "（" in text and text != plain:
                label = text[: text.rfind("（")]
                if label and f"scope:{i}" in wanted:
                    scope_labels[f"scope:{i}"] = label
    return Vocabulary(facts=facts, items=items, conditions=conditions, scope_labels=scope_labels, **extra)


def rules_to_explain(*evaluations: Any) -> set[str]:
    """The rule ids whose conditions an explanation of ``evaluations`` shows: scored items, triggers,
    the scope entries that fired and the procedures found missing."""
    out: set[str] = set()
    for ev in evaluations:
        if ev is None:
            continue
        out.update(f.rule for f in ev.findings)
        out.update(f"trigger:{h.trigger}" for h in ev.triggers)
        out.update(f"proc-satisfied:{g.procedure}" for g in ev.missing_procedures)
        out.update(r for r in ev.rules_fired if r.startswith("scope:"))
    return out
