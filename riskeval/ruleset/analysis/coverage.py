"""Which parts of a rule set its embedded tests exercise (``riskeval test --coverage``).

The parts: each band or option of an item's value tables (an item without a table: that it
applied), each trigger and each scope entry both hit and not hit, each procedure both satisfied
and missing while required. An item, trigger, scope entry or procedure is covered when all of its
parts were exercised by the initial or residual evaluation of some embedded test.

Examples
--------
>>> from riskeval import load_ruleset
>>> cov = coverage(load_ruleset("jiangsu-db32-4013-2021"))
>>> cov.kinds["triggers"]
(6, 6)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...i18n import t
from ..compiled import RuleSet
from ..conditions import Always, evaluate, parse_condition
from ..source import display_name

__all__ = ["Coverage", "coverage", "KINDS"]

KINDS = ("items", "triggers", "scope", "procedures")


@dataclass
class Coverage:
    """Parts exercised per entity: ``parts[(kind, id)] = {part: exercised}``."""

    ruleset: str
    file: str
    parts: dict[tuple[str, str], dict[str, bool]] = field(default_factory=dict)
    labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def covered(self, kind: str, ident: str) -> bool:
        return all(self.parts[(kind, ident)].values())

    @property
    def kinds(self) -> dict[str, tuple[int, int]]:
        """``{kind: (covered, total)}``."""
        out = {}
        for kind in KINDS:
            keys = [k for k in self.parts if k[0] == kind]
            out[kind] = (sum(1 for k in keys if self.covered(*k)), len(keys))
        return out

    @property
    def percent(self) -> float:
        covered = sum(c for c, _ in self.kinds.values())
        total = sum(n for _, n in self.kinds.values())
        return round(100.0 * covered / total, 1) if total else 100.0

    def kind_percent(self, kind: str) -> float | None:
        covered, total = self.kinds[kind]
        return round(100.0 * covered / total, 1) if total else None

    @property
    def uncovered(self) -> list[str]:
        """The ids (``scope:N`` for scope entries) of the entities not fully exercised, in file order."""
        return [ident if kind != "scope" else f"scope:{ident}" for kind, ident in self.parts if not self.covered(kind, ident)]

    def missing(self, kind: str, ident: str) -> list[str]:
        return [part for part, seen in self.parts[(kind, ident)].items() if not seen]

    def to_dict(self) -> dict[str, Any]:
        """``{ruleset, file, percent, kinds: {kind: {covered, total, percent}}, uncovered, missing}``."""
        return {
            "ruleset": self.ruleset,
            "file": self.file,
            "percent": self.percent,
            "kinds": {
                kind: {"covered": c, "total": n, "percent": self.kind_percent(kind)} for kind, (c, n) in self.kinds.items()
            },
            "uncovered": self.uncovered,
            "missing": {
                (ident if kind != "scope" else f"scope:{ident}"): self.missing(kind, ident)
                for kind, ident in self.parts
                if not self.covered(kind, ident)
            },
        }

    def render(self, lang: str = "zh") -> list[str]:
        """The text table: a header with the percentages, one row per kind, the uncovered parts."""

        def pct(kind: str) -> str:
            value = self.kind_percent(kind)
            return "-" if value is None else f"{value:g}%"

        lines = [t("coverage.header", lang, file=self.file, percent=f"{self.percent:g}", **{k: pct(k) for k in KINDS})]
        for kind, (c, n) in self.kinds.items():
            if n:
                lines.append(t("coverage.row", lang, kind=t(f"coverage.kind.{kind}", lang), covered=c, total=n))
        for kind, ident in self.parts:
            if not self.covered(kind, ident):
                shown = ident if kind != "scope" else f"scope:{ident}"
                what = f"{shown} {self.labels.get((kind, ident), '')}：{', '.join(self.missing(kind, ident))}"
                lines.append(t("coverage.uncovered", lang, what=what))
        return lines


def _skeleton(rs: RuleSet) -> Coverage:
    cov = Coverage(rs.name, display_name(rs.path))
    for item in rs.items:
        parts: dict[str, bool] = {}
        for field_name, spec in rs.item_values.get(item.id, {}).items():
            if spec.kind == "table":
                for _, _, label in spec.branches:
                    parts[f"{field_name}: {label}"] = False
        parts.setdefault("applies", False)
        cov.parts[("items", item.id)] = parts
        cov.labels[("items", item.id)] = item.label
    for trig in rs.triggers:
        cov.parts[("triggers", trig.id)] = {"hit": False, "not-hit": False}
        cov.labels[("triggers", trig.id)] = trig.label
    for i, (label, _) in enumerate(rs.scope or []):
        cov.parts[("scope", str(i))] = {"hit": False, "not-hit": False}
        cov.labels[("scope", str(i))] = label
    for proc in rs.procedures:
        cov.parts[("procedures", proc.id)] = {"satisfied": False, "missing": False}
        cov.labels[("procedures", proc.id)] = proc.label
    return cov


def _record(rs: RuleSet, cov: Coverage, values: dict[str, Any], fired: set[str]) -> None:
    for item in rs.items:
        when = parse_condition(item.when, rs.specs) if item.when else Always()
        if not evaluate(when, values):
            continue
        parts = cov.parts[("items", item.id)]
        for field_name, spec in rs.item_values.get(item.id, {}).items():
            if spec.kind != "table":
                continue
            for cond, _, label in spec.branches:
                if evaluate(cond, values):
                    parts[f"{field_name}: {label}"] = True
                    break
        parts["applies"] = True
    for trig in rs.triggers:
        cov.parts[("triggers", trig.id)]["hit" if f"trigger:{trig.id}" in fired else "not-hit"] = True
    for i in range(len(rs.scope or [])):
        cov.parts[("scope", str(i))]["hit" if f"scope:{i}" in fired else "not-hit"] = True
    for proc in rs.procedures:
        if f"proc-required:{proc.id}" in fired:
            cov.parts[("procedures", proc.id)]["satisfied" if f"proc-satisfied:{proc.id}" in fired else "missing"] = True


def coverage(rs: RuleSet) -> Coverage:
    """Run the embedded tests of ``rs`` and record which parts they exercise (a failing case still counts)."""
    from ...model.project import Project
    from ...pipeline import evaluate_project

    cov = _skeleton(rs)
    for case in rs.tests:
        try:
            project = Project.model_validate({"id": case.name, **case.project})
            outcome = evaluate_project(project, rs)
        except Exception:  # noqa: BLE001  (a case that cannot be assessed exercises nothing)
            continue
        stages = [(outcome.checked.initial, outcome.initial)]
        if outcome.residual is not None and outcome.residual is not outcome.initial:
            stages.append((outcome.checked.residual, outcome.residual))
        for values, evaluation in stages:
            if evaluation is not None:
                _record(rs, cov, dict(values), set(evaluation.rules_fired))
    return cov
