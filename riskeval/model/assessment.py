"""The result of an assessment: two evaluations (措施前 / 措施后), level, decision and explanation."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..i18n import register_messages, t
from .rulefile import Decision, Level
from .wording import Vocabulary

__all__ = ["Finding", "TriggerHit", "ProcedureGap", "Evaluation", "RuleSetRef", "Assessment"]

register_messages(
    {
        "level.high": {"zh": "高风险", "en": "high risk"},
        "level.medium": {"zh": "中风险", "en": "medium risk"},
        "level.low": {"zh": "低风险", "en": "low risk"},
        "decision.reject": {"zh": "不予实施（不予审批）", "en": "do not implement (not approvable)"},
        "decision.postpone": {"zh": "暂缓实施", "en": "postpone"},
        "decision.proceed_after_measures": {"zh": "采取措施后实施", "en": "implement after measures"},
        "decision.proceed": {"zh": "可以实施", "en": "may implement"},
        "stage.initial": {"zh": "措施前（初始）", "en": "before measures (initial)"},
        "stage.residual": {"zh": "措施后（残余）", "en": "after measures (residual)"},
        "explain.title": {"zh": "社会稳定风险评估：{name}（{id}）", "en": "Social-stability risk assessment: {name} ({id})"},
        "explain.ruleset": {"zh": "规则集：{title}（{id} 版本 {version}）", "en": "Rule set: {title} ({id} version {version})"},
        "explain.out_of_scope": {"zh": "本事项不在须评估范围内，无需评估。", "en": "This matter is outside the scope of mandatory assessment."},
        "explain.in_scope": {"zh": "须评估，依据：{reasons}", "en": "Assessment required because: {reasons}"},
        "explain.conclusion": {
            "zh": "结论：{level}（措施前 {initial}），决策：{decision}（决策规则 {regime}）",
            "en": "Conclusion: {level} (before measures {initial}); decision: {decision} (regime {regime})",
        },
        "explain.stage": {"zh": "【{stage}】得分 {score}，按分值为{score_level}，最终{level}", "en": "[{stage}] score {score}, {score_level} by score, {level} overall"},
        "explain.dimensions": {"zh": "  维度小计：{dims}", "en": "  dimension subtotals: {dims}"},
        "explain.finding": {
            "zh": "  - [{rule}] {dimension}·{label}：{value}（条件 {condition}；事实 {facts}；依据 {source} [{confidence}]）",
            "en": "  - [{rule}] {dimension} · {label}: {value} (condition {condition}; facts {facts}; source {source} [{confidence}])",
        },
        "explain.points": {"zh": "{points} 分", "en": "{points} points"},
        "explain.index": {"zh": "P={p} × I={i} × w={w} = {c}", "en": "P={p} × I={i} × w={w} = {c}"},
        "explain.no_findings": {"zh": "  （无扣分项）", "en": "  (no findings)"},
        "explain.not_applicable": {"zh": "  不适用：{items}", "en": "  not applicable: {items}"},
        "explain.trigger": {
            "zh": "  ! 直接触发 [{id}] {label} → 至少{level}（条件 {condition}；事实 {facts}）",
            "en": "  ! trigger [{id}] {label} → at least {level} (condition {condition}; facts {facts})",
        },
        "explain.missing_procedure": {"zh": "  ✗ 缺少必经程序 [{id}] {label}（要求 {condition}）", "en": "  ✗ missing procedure [{id}] {label} (requires {condition})"},
        "explain.measures": {"zh": "防范化解措施：", "en": "Measures:"},
        "explain.measure": {"zh": "  * [{id}] {label}：{changes}", "en": "  * [{id}] {label}: {changes}"},
        "explain.incomplete": {"zh": "评估不完整：{reasons}", "en": "Assessment incomplete: {reasons}"},
        "explain.warning": {"zh": "提示：{text}", "en": "note: {text}"},
        "explain.panel": {"zh": "专家组：组长 {chair}；综合意见：{opinion}", "en": "Expert panel: chair {chair}; consolidated opinion: {opinion}"},
        "explain.signature": {"zh": "  签名：{line}", "en": "  signed: {line}"},
    }
)


class Finding(BaseModel):
    """A fired scoring item with everything needed to check it."""

    item: str
    rule: str
    label: str
    dimension: str
    dimension_label: str
    category: str | None = None
    source: str
    confidence: str
    condition: str
    branch: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    points: float | None = None
    probability: float | None = None
    impact: float | None = None
    weight: float | None = Field(None, description="指数法：计算所用权重（按适用条目重新归一后的权重）")
    declared_weight: float | None = Field(None, description="指数法：规则文件中的权重（与计算所用权重不同时给出）")
    contribution: float
    panel: bool = False


class TriggerHit(BaseModel):
    trigger: str
    label: str
    level: Level
    condition: str
    factors: list[str] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    source: str
    confidence: str


class ProcedureGap(BaseModel):
    procedure: str
    label: str
    condition: str
    source: str


class Evaluation(BaseModel):
    """One evaluation of the rule set on one set of facts."""

    stage: Literal["initial", "residual"]
    score: float
    score_level: Level
    level: Level
    dimensions: dict[str, float]
    findings: list[Finding]
    triggers: list[TriggerHit]
    missing_procedures: list[ProcedureGap]
    missing_panel_items: list[str] = Field(default_factory=list)
    not_applicable: list[str] = Field(default_factory=list, description="指数法：不适用的条目（条件不成立或无从取值），不计权重")
    rules_fired: list[str] = Field(default_factory=list)


class RuleSetRef(BaseModel):
    id: str
    version: str
    title: str
    hash: str
    authority: str | None = None
    effective: str | None = None
    sources: list[str] = Field(default_factory=list)
    lineage: list[dict[str, str]] = Field(default_factory=list)


class Assessment(BaseModel):
    """The assessment of one project under one rule set.

    ``level`` is the residual (措施后) level; ``initial`` and ``residual`` carry each evaluation.
    Out-of-scope matters have ``in_scope = False`` and no level or decision.
    """

    project_id: str
    project_name: str | None = None
    project_hash: str
    ruleset: RuleSetRef
    in_scope: bool
    scope_reasons: list[str] = Field(default_factory=list)
    regime: str | None = None
    level: Level | None = None
    decision: Decision | None = None
    incomplete: bool = False
    incomplete_reasons: list[str] = Field(default_factory=list)
    initial: Evaluation | None = None
    residual: Evaluation | None = None
    measures: list[dict[str, Any]] = Field(default_factory=list)
    has_measures: bool = False
    panel_record: dict[str, Any] | None = None
    warnings: list[str] = Field(default_factory=list)
    dimension_labels: dict[str, str] = Field(default_factory=dict)
    facts: dict[str, Any] = Field(default_factory=dict, description="评估所用事实（措施前，含默认值）")
    vocabulary: Vocabulary = Field(default_factory=lambda: Vocabulary(), description="规则集的名称、单位、选项与所用条件")
    engine: str = "durable-rules"

    def to_json(self, indent: int | None = 2) -> str:
        """The assessment as JSON (levels ``high``/``medium``/``low``; decisions as codes)."""
        return self.model_dump_json(indent=indent)

    def explain(self, lang: str = "zh", detail: bool = False) -> str:
        """A readable account of every conclusion, in Chinese (default) or English.

        By default it speaks in the rule set's labels and values ("群众满意度 30%（低于 70%）：6 分",
        "恶意炒作：有 → 无"); ``detail=True`` gives the technical form with rule ids, conditions and
        fact names, for checking a rule file.
        """
        if not detail:
            from .explaining import plain_explanation

            return plain_explanation(self, lang)
        lines = [
            t("explain.title", lang, name=self.project_name or self.project_id, id=self.project_id),
            t("explain.ruleset", lang, title=self.ruleset.title, id=self.ruleset.id, version=self.ruleset.version),
        ]
        if not self.in_scope:
            lines.append(t("explain.out_of_scope", lang))
            return "\n".join(lines)
        if self.scope_reasons:
            lines.append(t("explain.in_scope", lang, reasons="；".join(self.scope_reasons)))
        assert self.initial is not None and self.residual is not None and self.level is not None
        lines.append(
            t(
                "explain.conclusion",
                lang,
                level=t(f"level.{self.level}", lang),
                initial=t(f"level.{self.initial.level}", lang),
                decision=t(f"decision.{self.decision}", lang),
                regime=self.regime,
            )
        )
        if self.incomplete:
            lines.append(t("explain.incomplete", lang, reasons="；".join(self.incomplete_reasons)))
        stages = [self.initial] if not self.has_measures else [self.initial, self.residual]
        for ev in stages:
            lines.append("")
            lines.append(
                t(
                    "explain.stage",
                    lang,
                    stage=t(f"stage.{ev.stage}", lang),
                    score=_fmt(ev.score),
                    score_level=t(f"level.{ev.score_level}", lang),
                    level=t(f"level.{ev.level}", lang),
                )
            )
            labels = self.dimension_labels
            dims = "，".join(f"{labels.get(k, k)} {_fmt(v)}" for k, v in ev.dimensions.items())
            lines.append(t("explain.dimensions", lang, dims=dims))
            if not ev.findings:
                lines.append(t("explain.no_findings", lang))
            for f in ev.findings:
                if f.points is not None:
                    value = t("explain.points", lang, points=_fmt(f.points))
                else:
                    value = t("explain.index", lang, p=_fmt(f.probability), i=_fmt(f.impact), w=_fmt(f.weight), c=_fmt(f.contribution))
                lines.append(
                    t(
                        "explain.finding",
                        lang,
                        rule=f.rule,
                        dimension=f.dimension_label,
                        label=f.label,
                        value=value,
                        condition=f.branch or f.condition,
                        facts=_facts(f.facts),
                        source=f.source,
                        confidence=f.confidence,
                    )
                )
            if ev.not_applicable:
                lines.append(t("explain.not_applicable", lang, items=", ".join(ev.not_applicable)))
            for hit in ev.triggers:
                lines.append(
                    t(
                        "explain.trigger",
                        lang,
                        id=hit.trigger,
                        label=hit.label,
                        level=t(f"level.{hit.level}", lang),
                        condition=hit.condition + (f"；{', '.join(hit.factors)}" if hit.factors else ""),
                        facts=_facts(hit.facts),
                    )
                )
            for gap in ev.missing_procedures:
                lines.append(t("explain.missing_procedure", lang, id=gap.procedure, label=gap.label, condition=gap.condition))
        if self.measures:
            lines.append("")
            lines.append(t("explain.measures", lang))
            for m in self.measures:
                changes = "，".join(f"{k}: {_v(c['from'])} → {_v(c['to'])}" for k, c in m["changes"].items())
                lines.append(t("explain.measure", lang, id=m["id"], label=m["label"], changes=changes))
        if self.panel_record:
            record = self.panel_record
            lines.append("")
            lines.append(
                t("explain.panel", lang, chair=record.get("chair") or "-", opinion=record.get("consolidated_opinion") or "-")
            )
            for line in record.get("signature_lines") or []:
                lines.append(t("explain.signature", lang, line=line))
        for w in self.warnings:
            lines.append(t("explain.warning", lang, text=w))
        return "\n".join(lines)


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.4g}" if abs(x) < 1 else f"{round(x, 2):g}"


def _v(x: Any) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    return "—" if x is None else str(x)


def _facts(facts: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_v(v)}" for k, v in facts.items()) or "-"
