"""Run a rule set's embedded tests (like ``opa test``) and describe each difference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import register_messages, t
from .compiled import RuleSet

__all__ = ["CaseResult", "run_tests"]

register_messages(
    {
        "test.diff": {"zh": "{field}：期望 {expected}，实际 {actual}", "en": "{field}: expected {expected}, got {actual}"},
        "test.missing_finding": {"zh": "应命中 {id}，实际未命中", "en": "expected finding {id}, not fired"},
        "test.unexpected_finding": {"zh": "不应命中 {id}，实际命中", "en": "{id} should not fire"},
        "test.missing_trigger": {"zh": "应触发 {id}，实际未触发", "en": "expected trigger {id}, not fired"},
        "test.missing_gap": {"zh": "应缺少程序 {id}，实际未缺", "en": "expected missing procedure {id}"},
        "test.error": {"zh": "评估出错：{detail}", "en": "assessment failed: {detail}"},
    }
)


@dataclass
class CaseResult:
    name: str
    passed: bool
    differences: list[str] = field(default_factory=list)


def _diff(lang: str, name: str, expected: Any, actual: Any) -> str:
    return t("test.diff", lang, field=name, expected=expected, actual=actual)


def run_tests(ruleset: RuleSet, lang: str = "zh") -> list[CaseResult]:
    """Run every embedded test of ``ruleset``; each result lists its differences."""
    from ..pipeline import assess

    results = []
    for case in ruleset.tests:
        diffs: list[str] = []
        try:
            result = assess({"id": case.name, **case.project}, ruleset)
        except Exception as exc:  # a failing case is reported, never raised
            detail = exc.short(lang) if hasattr(exc, "short") else f"{type(exc).__name__}: {exc}"
            results.append(CaseResult(case.name, False, [t("test.error", lang, detail=detail)]))
            continue
        exp = case.expect
        initial = result.initial
        residual = result.residual
        checks: list[tuple[str, Any, Any]] = [
            ("in_scope", exp.in_scope, result.in_scope),
            ("level", exp.level, result.level),
            ("initial_level", exp.initial_level, initial.level if initial else None),
            ("decision", exp.decision, result.decision),
            ("incomplete", exp.incomplete, result.incomplete),
        ]
        for name, expected, actual in checks:
            if expected is not None and expected != actual:
                diffs.append(_diff(lang, name, expected, actual))
        for name, expected, ev in (("score", exp.score, residual), ("initial_score", exp.initial_score, initial)):
            if expected is not None and (ev is None or abs(ev.score - expected) > 1e-6):
                diffs.append(_diff(lang, name, expected, ev.score if ev else None))
        fired = {f.item for f in residual.findings} if residual else set()
        for ident in exp.findings or []:
            if ident not in fired:
                diffs.append(t("test.missing_finding", lang, id=ident))
        triggered = {h.trigger for ev in (initial, residual) if ev for h in ev.triggers}
        gaps = {g.procedure for g in residual.missing_procedures} if residual else set()
        for ident in exp.absent or []:
            if ident in fired or ident in triggered or ident in gaps:
                diffs.append(t("test.unexpected_finding", lang, id=ident))
        for ident in exp.triggers or []:
            if ident not in triggered:
                diffs.append(t("test.missing_trigger", lang, id=ident))
        for ident in exp.missing_procedures or []:
            if ident not in gaps:
                diffs.append(t("test.missing_gap", lang, id=ident))
        results.append(CaseResult(case.name, not diffs, diffs))
    return results
