"""The plain explanation of an assessment: labels and values, never identifiers.

:meth:`Assessment.explain` calls :func:`plain_explanation` unless ``detail=True``; the Word report
(:mod:`riskeval.report.docx`) uses the same phrases (:func:`finding_phrase`, :func:`trigger_phrase`,
:func:`measure_changes`, :func:`scope_phrases`, :func:`decision_words`, :func:`decision_reason`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import register_messages, t
from .wording import Vocabulary, fmt_number

if TYPE_CHECKING:
    from .assessment import Assessment, Evaluation, Finding, ProcedureGap, TriggerHit

__all__ = [
    "decision_reason",
    "decision_words",
    "finding_detail",
    "finding_phrase",
    "finding_value",
    "gap_phrase",
    "incomplete_phrases",
    "measure_changes",
    "measure_people",
    "plain_explanation",
    "regime_words",
    "scope_phrases",
    "trigger_phrase",
]

register_messages(
    {
        "plain.title": {"zh": "社会稳定风险评估：{name}", "en": "Social-stability risk assessment: {name}"},
        "plain.ruleset": {"zh": "评估标准：{title}（版本 {version}）", "en": "Rules applied: {title} (version {version})"},
        "plain.conclusion": {
            "zh": "结论：落实措施后为{level}（措施前为{initial}）；决策：{decision}",
            "en": "Conclusion: {level} after the measures ({initial} before); decision: {decision}",
        },
        "plain.conclusion_once": {"zh": "结论：{level}；决策：{decision}", "en": "Conclusion: {level}; decision: {decision}"},
        "plain.finding": {"zh": "  - {dimension}·{phrase}：{value}", "en": "  - {dimension} · {phrase}: {value}"},
        "plain.finding_same": {"zh": "{label}（{detail}）", "en": "{label} ({detail})"},
        "plain.finding_number": {"zh": "{label} {value}（{band}）", "en": "{label} {value} ({band})"},
        "plain.index": {
            "zh": "概率 {p} × 影响 {i} × 权重 {w} = {c}",
            "en": "probability {p} × impact {i} × weight {w} = {c}",
        },
        "plain.panel_value": {"zh": "（专家组评分）", "en": " (scored by the expert panel)"},
        "plain.not_applicable": {
            "zh": "  不适用（权重由同维度适用条目分摊）：{items}",
            "en": "  not applicable (their weight goes to the applicable items of the dimension): {items}",
        },
        "plain.trigger": {"zh": "  ! {phrase} → 至少{level}", "en": "  ! {phrase} → at least {level}"},
        "plain.trigger_phrase": {"zh": "{label}（{detail}）", "en": "{label} ({detail})"},
        "plain.factors": {"zh": "命中：{items}", "en": "found: {items}"},
        "plain.gap": {"zh": "  ✗ 缺少必经程序：{label}（要求{condition}）", "en": "  ✗ missing procedure: {label} (requires {condition})"},
        "plain.measure": {"zh": "  * {label}", "en": "  * {label}"},
        "plain.measure_changes": {"zh": "      {changes}", "en": "      {changes}"},
        "plain.measure_people": {"zh": "      {people}", "en": "      {people}"},
        "plain.change": {"zh": "{label}：{before} → {after}", "en": "{label}: {before} → {after}"},
        "plain.sep": {"zh": "；", "en": "; "},
        "plain.with_band": {"zh": "{phrase}，{band}", "en": "{phrase}, {band}"},
        "plain.value_band": {"zh": "{value}（{band}）", "en": "{value} ({band})"},
        "measure.owner": {"zh": "责任主体：{value}", "en": "responsible: {value}"},
        "measure.partners": {"zh": "协助单位：{value}", "en": "assisting: {value}"},
        "measure.due": {"zh": "完成时限：{value}", "en": "due: {value}"},
        # the decision in each regime's own words
        "decision.ndrc_project.reject": {"zh": "不予审批（核准）", "en": "not to be approved"},
        "decision.ndrc_project.proceed": {"zh": "可以审批（核准）", "en": "may be approved"},
        "decision.major_decision.reject": {
            "zh": "不予实施（或调整方案后重新评估）",
            "en": "do not implement (or revise the plan and assess again)",
        },
        "decision.major_decision.proceed_after_measures": {
            "zh": "采取有效防范化解措施后实施",
            "en": "implement after effective measures",
        },
        "decision.major_decision.proceed": {"zh": "可以实施", "en": "may implement"},
        "regime.ndrc_project": {
            "zh": "重大固定资产投资项目（发改投资〔2012〕2492号）：高风险和中风险不予审批（核准），低风险且有可靠防控措施的可以审批（核准）",
            "en": "NDRC-approved investment project (2492/2012): high and medium risk are not approved; "
            "low risk with reliable control measures may be approved",
        },
        "regime.major_decision": {
            "zh": "重大决策（中办发〔2012〕2号）：高风险不实施或调整方案后重新评估，中风险采取有效措施后实施，低风险可以实施",
            "en": "major decision (2/2012): high risk is not implemented or the plan is revised and assessed again, "
            "medium risk is implemented after effective measures, low risk may be implemented",
        },
        "regime.custom": {"zh": "本规则集的等级—决策对照表", "en": "the rule set's own table of levels and decisions"},
        "why.level": {
            "zh": "落实防范化解措施后，风险等级为{level}（得分 {score}，按分值为{score_level}）。",
            "en": "After the measures the risk level is {level} (score {score}, {score_level} by score).",
        },
        "why.level_once": {
            "zh": "风险等级为{level}（得分 {score}，按分值为{score_level}）。",
            "en": "The risk level is {level} (score {score}, {score_level} by score).",
        },
        "why.initial": {
            "zh": "落实措施前为{level}（得分 {score}）。",
            "en": "Before the measures it was {level} (score {score}).",
        },
        "why.raised": {
            "zh": "等级由直接认定情形提升：{triggers}。",
            "en": "The level was raised by direct triggers: {triggers}.",
        },
        "why.regime": {"zh": "适用的决策规则：{regime}。据此，本事项{decision}。", "en": "Decision rule: {regime}. Hence: {decision}."},
        "why.incomplete": {
            "zh": "评估尚不完整（{reasons}），补齐后方可作为决策依据。",
            "en": "The assessment is incomplete ({reasons}); complete it before it informs the decision.",
        },
    }
)


def _lvl(level: str | None, lang: str) -> str:
    return t(f"level.{level}", lang) if level else "-"


def decision_words(decision: str | None, regime: str | None, lang: str = "zh") -> str:
    """The decision as the regime words it (不予审批 for a project approved by the NDRC, 不予实施 otherwise)."""
    if decision is None:
        return "-"
    key = f"decision.{regime}.{decision}"
    text = t(key, lang)
    return text if text != key else t(f"decision.{decision}", lang)


def regime_words(regime: str | None, lang: str = "zh") -> str:
    """The decision regime and its rule in words."""
    key = f"regime.{regime or 'custom'}"
    text = t(key, lang)
    return text if text != key else str(regime)


def finding_value(f: Finding, lang: str = "zh") -> str:
    """Points (``6 分``) or probability × impact × weight."""
    if f.points is not None:
        value = t("explain.points", lang, points=fmt_number(f.points))
    else:
        value = t("plain.index", lang, p=fmt_number(f.probability), i=fmt_number(f.impact), w=fmt_number(f.weight), c=fmt_number(f.contribution))
    return value + (t("plain.panel_value", lang) if f.panel else "")


def finding_phrase(f: Finding, vocab: Vocabulary, lang: str = "zh") -> str:
    """The item and the facts that scored it: "群众满意度 30%（低于 70%）", "恶意炒作（有）"."""
    detail, number = _finding_detail(f, vocab, lang)
    if number is not None:
        value, band = number
        return t("plain.finding_number", lang, label=f.label, value=value, band=band)
    return t("plain.finding_same", lang, label=f.label, detail=detail) if detail else f.label


def finding_detail(f: Finding, vocab: Vocabulary, lang: str = "zh") -> str:
    """The facts that scored an item, without the item's label ("30%（低于 70%）", "反对率 62%；…")."""
    detail, number = _finding_detail(f, vocab, lang)
    if number is not None:
        return t("plain.value_band", lang, value=number[0], band=number[1])
    return detail


def _finding_detail(f: Finding, vocab: Vocabulary, lang: str) -> tuple[str, tuple[str, str] | None]:
    cond = vocab.conditions.get(f.rule)
    branch_fact, band = None, ""
    if cond is not None and "#" in f.rule:  # a branch of a table: its band is worth showing
        numeric = [p for p in _atoms(cond) if isinstance(p.get("value"), int | float) and not isinstance(p.get("value"), bool)]
        facts = {p.get("fact") for p in numeric}
        if len(facts) == 1:
            branch_fact = next(iter(facts))
            words = vocab.facts.get(branch_fact or "")
            if words is not None and words.type in ("number", "integer"):
                band = vocab.condition({"and": numeric}, lang, relative=True)
    shown = _ordered(f.facts, vocab)
    if len(shown) == 1:
        (fact, value), = shown.items()
        if vocab.label(fact, lang) == f.label:
            words = vocab.facts.get(fact)
            if words is not None and words.type in ("number", "integer") and band and fact == branch_fact:
                return "", (vocab.value(fact, value, lang), band)
            return vocab.value(fact, value, lang), None
    parts = []
    for fact, value in shown.items():
        phrase = vocab.fact_phrase(fact, value, lang)
        if fact == branch_fact and band:
            phrase = t("plain.with_band", lang, phrase=phrase, band=band)
        parts.append(phrase)
    return t("plain.sep", lang).join(parts), None


def _ordered(facts: dict[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    """``facts`` in the rule set's order of declaration (identity fields last)."""
    order = {name: i for i, name in enumerate(vocab.facts)}
    return dict(sorted(facts.items(), key=lambda kv: order.get(kv[0], len(order))))


def _atoms(cond: Any) -> list[dict[str, Any]]:
    if isinstance(cond, dict) and ("and" in cond or "or" in cond):
        out: list[dict[str, Any]] = []
        for part in cond.get("and", cond.get("or")) or []:
            out.extend(_atoms(part))
        return out
    return [cond] if isinstance(cond, dict) and "fact" in cond else []


def trigger_phrase(hit: TriggerHit, vocab: Vocabulary, lang: str = "zh") -> str:
    """"超过 50% 的群众反对（62%）": the trigger's label and the values that set it off."""
    details = []
    shown = _ordered(hit.facts, vocab)
    if len(shown) == 1:
        (fact, value), = shown.items()
        details.append(vocab.value(fact, value, lang))
    else:
        details.extend(vocab.fact_phrase(fact, value, lang) for fact, value in shown.items())
    if hit.factors:
        items = t("words.list_sep", lang).join(vocab.item(i) for i in hit.factors)
        details.append(t("plain.factors", lang, items=items))
    if not details:
        return hit.label
    return t("plain.trigger_phrase", lang, label=hit.label, detail=t("plain.sep", lang).join(details))


def gap_phrase(gap: ProcedureGap, vocab: Vocabulary, lang: str = "zh") -> str:
    """What a missing procedure requires, in words."""
    cond = vocab.conditions.get(f"proc-satisfied:{gap.procedure}")
    return vocab.condition(cond, lang) if cond is not None else gap.label


def measure_changes(measure: dict[str, Any], vocab: Vocabulary, lang: str = "zh") -> list[str]:
    """"恶意炒作：有 → 无" for each fact the measure changes."""
    return [
        t(
            "plain.change",
            lang,
            label=vocab.label(fact, lang),
            before=vocab.value(fact, change.get("from"), lang),
            after=vocab.value(fact, change.get("to"), lang),
        )
        for fact, change in (measure.get("changes") or {}).items()
    ]


def measure_people(measure: dict[str, Any], lang: str = "zh") -> list[str]:
    """责任主体、协助单位、完成时限, those that are given."""
    out = []
    for key in ("owner", "partners", "due"):
        value = measure.get(key)
        if value:
            shown = t("words.list_sep", lang).join(value) if isinstance(value, list) else str(value)
            out.append(t(f"measure.{key}", lang, value=shown))
    return out


def scope_phrases(a: Assessment, lang: str = "zh") -> list[str]:
    """Why the matter must be assessed, in words ("环境影响为涉邻避")."""
    vocab = a.vocabulary
    fired = a.initial.rules_fired if a.initial is not None else []
    keys = [r for r in fired if r.startswith("scope:")]
    if not keys:
        return [t("scope.all", lang)] if a.in_scope else []
    keys.sort(key=lambda r: int(r.split(":", 1)[1]) if r.split(":", 1)[1].isdigit() else 0)
    out = []
    for key in keys:
        if key in vocab.scope_labels:
            out.append(vocab.scope_labels[key])
        elif key in vocab.conditions:
            out.append(vocab.condition(vocab.conditions[key], lang))
    return out


def incomplete_phrases(a: Assessment, lang: str = "zh") -> list[str]:
    """Why the assessment is incomplete, by label."""
    ev = a.residual
    if ev is None:
        return []
    out = [t("incomplete.procedure", lang, label=g.label) for g in ev.missing_procedures]
    if ev.missing_panel_items:
        items = t("words.list_sep", lang).join(a.vocabulary.item(i) for i in ev.missing_panel_items)
        out.append(t("incomplete.panel", lang, items=items))
    return out


def decision_reason(a: Assessment, lang: str = "zh") -> list[str]:
    """The decision and why, as sentences for 评估结论 (level, what raised it, the regime's rule)."""
    if not a.in_scope or a.initial is None or a.residual is None:
        return [t("explain.out_of_scope", lang)]
    ev = a.residual
    out = []
    key = "why.level" if a.has_measures else "why.level_once"
    out.append(t(key, lang, level=_lvl(ev.level, lang), score=fmt_number(ev.score), score_level=_lvl(ev.score_level, lang)))
    if a.has_measures:
        out.append(t("why.initial", lang, level=_lvl(a.initial.level, lang), score=fmt_number(a.initial.score)))
    raised = [h for h in ev.triggers if h.level == ev.level and ev.level != ev.score_level]
    if raised:
        out.append(t("why.raised", lang, triggers=t("plain.sep", lang).join(trigger_phrase(h, a.vocabulary, lang) for h in raised)))
    out.append(t("why.regime", lang, regime=regime_words(a.regime, lang), decision=decision_words(a.decision, a.regime, lang)))
    if a.incomplete:
        out.append(t("why.incomplete", lang, reasons=t("plain.sep", lang).join(incomplete_phrases(a, lang))))
    return out


def _stage_lines(a: Assessment, ev: Evaluation, lang: str) -> list[str]:
    vocab = a.vocabulary
    lines = [
        t(
            "explain.stage",
            lang,
            stage=t(f"stage.{ev.stage}", lang),
            score=fmt_number(ev.score),
            score_level=_lvl(ev.score_level, lang),
            level=_lvl(ev.level, lang),
        )
    ]
    dims = t("words.list_sep", lang).join(f"{a.dimension_labels.get(k, k)} {fmt_number(v)}" for k, v in ev.dimensions.items())
    lines.append(t("explain.dimensions", lang, dims=dims))
    if not ev.findings:
        lines.append(t("explain.no_findings", lang))
    for f in ev.findings:
        lines.append(t("plain.finding", lang, dimension=f.dimension_label, phrase=finding_phrase(f, vocab, lang), value=finding_value(f, lang)))
    if ev.not_applicable:
        items = t("words.list_sep", lang).join(vocab.item(i) for i in ev.not_applicable)
        lines.append(t("plain.not_applicable", lang, items=items))
    for hit in ev.triggers:
        lines.append(t("plain.trigger", lang, phrase=trigger_phrase(hit, vocab, lang), level=_lvl(hit.level, lang)))
    for gap in ev.missing_procedures:
        lines.append(t("plain.gap", lang, label=gap.label, condition=gap_phrase(gap, vocab, lang)))
    return lines


def plain_explanation(a: Assessment, lang: str = "zh") -> str:
    """The explanation in labels and values (see :meth:`Assessment.explain`)."""
    lines = [
        t("plain.title", lang, name=a.project_name or a.project_id),
        t("plain.ruleset", lang, title=a.ruleset.title, version=a.ruleset.version),
    ]
    if not a.in_scope:
        lines.append(t("explain.out_of_scope", lang))
        return "\n".join(lines)
    reasons = scope_phrases(a, lang)
    if reasons:
        lines.append(t("explain.in_scope", lang, reasons=t("plain.sep", lang).join(reasons)))
    assert a.initial is not None and a.residual is not None
    decision = decision_words(a.decision, a.regime, lang)
    if a.has_measures:
        lines.append(t("plain.conclusion", lang, level=_lvl(a.level, lang), initial=_lvl(a.initial.level, lang), decision=decision))
    else:
        lines.append(t("plain.conclusion_once", lang, level=_lvl(a.level, lang), decision=decision))
    if a.incomplete:
        lines.append(t("explain.incomplete", lang, reasons=t("plain.sep", lang).join(incomplete_phrases(a, lang))))
    for ev in [a.initial] if not a.has_measures else [a.initial, a.residual]:
        lines.append("")
        lines.extend(_stage_lines(a, ev, lang))
    if a.measures:
        lines.append("")
        lines.append(t("explain.measures", lang))
        for m in a.measures:
            lines.append(t("plain.measure", lang, label=m.get("label") or m.get("id")))
            changes = measure_changes(m, a.vocabulary, lang)
            if changes:
                lines.append(t("plain.measure_changes", lang, changes=t("plain.sep", lang).join(changes)))
            people = measure_people(m, lang)
            if people:
                lines.append(t("plain.measure_people", lang, people=t("plain.sep", lang).join(people)))
    if a.panel_record:
        record = a.panel_record
        lines.append("")
        lines.append(t("explain.panel", lang, chair=record.get("chair") or "-", opinion=record.get("consolidated_opinion") or "-"))
        for line in record.get("signature_lines") or []:
            lines.append(t("explain.signature", lang, line=line))
    for w in a.warnings:
        lines.append(t("explain.warning", lang, text=w))
    return "\n".join(lines)
