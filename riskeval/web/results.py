"""An assessment as the pages show it: levels and decision in words, findings and triggers in labels.

Every phrase comes from :mod:`riskeval.model.explaining` (the same words as ``Assessment.explain`` and
the Word report); this module only arranges them for the templates.
"""

from __future__ import annotations

from typing import Any

from ..i18n import register_messages, t
from ..model.assessment import Assessment, Evaluation
from ..model.explaining import (
    decision_reason,
    decision_words,
    finding_phrase,
    finding_value,
    gap_phrase,
    incomplete_phrases,
    measure_changes,
    measure_people,
    scope_phrases,
    trigger_phrase,
)
from ..model.wording import fmt_number

__all__ = ["assessment_view", "what_if_view"]

register_messages(
    {
        "web.result.title": {"zh": "评估结果", "en": "Result"},
        "web.result.initial": {"zh": "措施前", "en": "Before measures"},
        "web.result.residual": {"zh": "措施后", "en": "After measures"},
        "web.result.level": {"zh": "风险等级", "en": "Risk level"},
        "web.result.decision": {"zh": "决策", "en": "Decision"},
        "web.result.score": {"zh": "得分 {score}", "en": "score {score}"},
        "web.result.reasons": {"zh": "评估结论", "en": "Conclusion"},
        "web.result.scope": {"zh": "须评估的依据", "en": "Why it must be assessed"},
        "web.result.stage": {"zh": "{stage}：{level}（得分 {score}，按分值为{score_level}）", "en": "{stage}: {level} (score {score}, {score_level} by score)"},
        "web.result.dimensions": {"zh": "维度小计", "en": "By dimension"},
        "web.result.findings": {"zh": "扣分（计分）项", "en": "Scoring items"},
        "web.result.no_findings": {"zh": "无扣分项", "en": "no scoring item"},
        "web.result.triggers": {"zh": "直接认定情形", "en": "Direct triggers"},
        "web.result.trigger_level": {"zh": "至少{level}", "en": "at least {level}"},
        "web.result.gaps": {"zh": "缺少的必经程序", "en": "Missing procedures"},
        "web.result.measures": {"zh": "防范化解措施", "en": "Measures"},
        "web.result.what_if": {"zh": "如何降低风险等级", "en": "How to lower the risk level"},
        "web.result.what_if_row": {"zh": "{changes} → {level}（得分 {score}）", "en": "{changes} → {level} (score {score})"},
        "web.result.warnings": {"zh": "提示", "en": "Notes"},
        "web.result.out_of_scope": {"zh": "不属于须评估事项", "en": "Outside the scope of mandatory assessment"},
        "web.result.incomplete": {"zh": "评估不完整", "en": "Incomplete"},
        "web.result.ruleset": {"zh": "评估标准", "en": "Rules applied"},
        "web.result.project": {"zh": "评估事项", "en": "Matter"},
        "web.col.dimension": {"zh": "维度", "en": "Dimension"},
        "web.col.item": {"zh": "事项及情形", "en": "Item and facts"},
        "web.col.value": {"zh": "分值", "en": "Value"},
        "web.paren": {"zh": "{a}（{b}）", "en": "{a} ({b})"},
    }
)


def _level(level: str | None, lang: str) -> str:
    return t(f"level.{level}", lang) if level else "-"


def _stage(a: Assessment, ev: Evaluation, lang: str) -> dict[str, Any]:
    vocab = a.vocabulary
    return {
        "stage": ev.stage,
        "heading": t(
            "web.result.stage",
            lang,
            stage=t(f"web.result.{ev.stage}", lang),
            level=_level(ev.level, lang),
            score=fmt_number(ev.score),
            score_level=_level(ev.score_level, lang),
        ),
        "level": ev.level,
        "score": fmt_number(ev.score),
        "dimensions": [(a.dimension_labels.get(k, k), fmt_number(v)) for k, v in ev.dimensions.items()],
        "findings": [(f.dimension_label, finding_phrase(f, vocab, lang), finding_value(f, lang)) for f in ev.findings],
        "triggers": [
            (trigger_phrase(h, vocab, lang), t("web.result.trigger_level", lang, level=_level(h.level, lang)))
            for h in ev.triggers
        ],
        "gaps": [(g.label, gap_phrase(g, vocab, lang)) for g in ev.missing_procedures],
    }


def _get(entry: Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)


def what_if_view(a: Assessment, lang: str = "zh") -> list[str]:
    """The changes that would lower the level, in words, when the assessment offers them (else empty)."""
    entries = getattr(a, "what_if", None)
    if not entries:
        return []
    vocab = a.vocabulary
    out = []
    for entry in entries:
        changes = _get(entry, "changes") or {}
        words = t("plain.sep", lang).join(vocab.fact_phrase(fact, value, lang) for fact, value in dict(changes).items())
        score = _get(entry, "score")
        out.append(
            t(
                "web.result.what_if_row",
                lang,
                changes=words,
                level=_level(_get(entry, "level"), lang),
                score=fmt_number(score) if isinstance(score, int | float) else "-",
            )
        )
    return out


def assessment_view(a: Assessment, lang: str = "zh") -> dict[str, Any]:
    """What the result template shows of ``a``."""
    view: dict[str, Any] = {
        "project": a.project_name or a.project_id,
        "project_id": a.project_id,
        "ruleset": t("web.paren", lang, a=a.ruleset.title, b=a.ruleset.version),
        "in_scope": a.in_scope,
        "incomplete": a.incomplete,
        "incomplete_reasons": incomplete_phrases(a, lang),
        "warnings": list(a.warnings),
        "what_if": what_if_view(a, lang),
    }
    if not a.in_scope or a.initial is None or a.residual is None:
        return view
    view.update(
        {
            "has_measures": a.has_measures,
            "initial_level": a.initial.level,
            "initial_words": _level(a.initial.level, lang),
            "initial_score": fmt_number(a.initial.score),
            "level": a.level,
            "level_words": _level(a.level, lang),
            "score": fmt_number(a.residual.score),
            "decision": a.decision,
            "decision_words": decision_words(a.decision, a.regime, lang),
            "reasons": decision_reason(a, lang),
            "scope": scope_phrases(a, lang),
            "stages": [_stage(a, ev, lang) for ev in ([a.initial, a.residual] if a.has_measures else [a.initial])],
            "measures": [
                (m.get("label") or m.get("id"), measure_changes(m, a.vocabulary, lang), measure_people(m, lang))
                for m in a.measures
            ],
        }
    )
    return view
