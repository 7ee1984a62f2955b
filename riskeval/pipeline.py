"""assess(project, ruleset): check facts -> initial -> measures -> residual -> decision.

Examples
--------
>>> from riskeval import Project, assess, load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> facts = dict(rs.tests[0].project["facts"], opposition_rate=60, opposition_intensity="strong")
>>> result = assess(Project(id="demo", kind="project", facts=facts), rs)
>>> result.initial.level, result.decision
('high', 'reject')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .check import CheckedProject, ProjectError, ProjectProblem, check_project
from .engine import compile_ruleset
from .errors import InputError, Location
from .i18n import register_messages, t
from .io.yaml import YamlProblem, load_yaml_with_positions
from .model.assessment import Assessment, Evaluation, RuleSetRef
from .model.project import Project
from .model.wording import rules_to_explain, vocabulary_for
from .ruleset.compiled import RuleSet
from .ruleset.messages import schema_reason
from .scoring import score_evaluation

__all__ = ["Outcome", "assess", "evaluate_facts", "evaluate_project", "load_project", "project_from_data", "project_hash"]

register_messages(
    {
        "incomplete.procedure": {"zh": "缺少必经程序：{label}", "en": "missing procedure: {label}"},
        "incomplete.panel": {"zh": "缺少专家组评分：{items}", "en": "missing panel scores: {items}"},
        "scope.all": {"zh": "规则集未限定范围（应评尽评）", "en": "the rule set assesses every matter"},
        "project.file": {"zh": "无法读取项目文件：{detail}", "en": "cannot read the project file: {detail}"},
        "project.not_found": {"zh": "项目文件不存在", "en": "no such project file"},
        "project.schema": {"zh": "项目字段 “{field}”：{reason}", "en": "project field '{field}': {reason}"},
    }
)


def project_hash(project: Project) -> str:
    """sha256 of the canonical project (identity, facts, measures, panel)."""
    from .ledger.records import canonical_json

    return hashlib.sha256(canonical_json(project.model_dump(mode="json")).encode("utf-8")).hexdigest()


def project_from_data(data: Any, source: str | None = None, positions: Any = None) -> Project:
    """Build a :class:`Project` from parsed data; schema problems become :class:`ProjectError`."""
    if not isinstance(data, dict):
        raise ProjectError([ProjectProblem("", "project.file", {"detail": "top level must be a mapping"}, source, 1, 1)])
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where: dict[str, Any] = {}
            if positions is not None and source is not None:
                pos = positions.value(positions.resolve(loc)) if err["type"] != "extra_forbidden" else positions.key(loc)
                where = {"file": source, "line": pos.line, "column": pos.column}
            field = ".".join(str(p) for p in loc)
            code, params = schema_reason(err)
            problems.append(
                ProjectProblem(field, "project.schema", {"field": field, "reason_code": code, "reason_params": params}, **where)
            )
        raise ProjectError(problems) from None
    project._source = source
    project._positions = positions
    return project


def load_project(path: str | Path) -> Project:
    """Read a project from YAML or JSON, remembering positions for error messages.

    Raises
    ------
    InputError
        The file does not exist or cannot be opened (exit code 2).
    ProjectError
        The file is not a YAML mapping or does not match the project format, located at
        ``file:line:column`` (a problem with the file as a whole at line 1).
    """
    source = str(path)
    try:
        data, positions = load_yaml_with_positions(path, mapping=True)
    except YamlProblem as exc:
        detail = t(exc.code, "zh", **exc.params)
        raise ProjectError(
            [ProjectProblem("", "project.file", {"detail": detail}, source, exc.position.line, exc.position.column)]
        ) from None
    except FileNotFoundError:
        raise InputError("input.not_found", path=source, location=Location(file=source)) from None
    except OSError as exc:
        raise InputError(
            "input.unreadable", path=source, detail=exc.strerror or str(exc), location=Location(file=source)
        ) from None
    return project_from_data(data, source, positions)


def evaluate_facts(ruleset: RuleSet, values: dict[str, Any], stage: str = "initial", panel: dict[str, Any] | None = None) -> Evaluation:
    """Evaluate checked ``values`` with durable-rules (cross-checked by the reference)."""
    fired = compile_ruleset(ruleset).fired(values)
    return score_evaluation(ruleset, stage, values, fired, panel)


def _base_fields(project: Project, ruleset: RuleSet, checked: CheckedProject, vocabulary: Any = None) -> dict[str, Any]:
    ref = RuleSetRef(
        id=ruleset.id,
        version=ruleset.version,
        title=ruleset.title,
        hash=ruleset.content_hash,
        lineage=ruleset.lineage,
        authority=ruleset.authority,
        effective=ruleset.effective,
        sources=list(ruleset.sources),
    )
    return {
        "project_id": project.id,
        "project_name": project.name,
        "project_hash": project_hash(project),
        "ruleset": ref,
        "measures": _with_people(project, checked.measure_changes),
        "has_measures": bool(project.measures),
        "panel_record": project.panel_record,
        "warnings": [w.message("zh") for w in checked.warnings],
        "dimension_labels": {d.id: d.label for d in ruleset.dimensions},
        "facts": dict(checked.initial),
        "vocabulary": vocabulary if vocabulary is not None else vocabulary_for(ruleset),
    }


def _with_people(project: Project, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The measures' changes with their 责任主体, 协助单位 and 完成时限 where given."""
    people = {m.id: m.people() for m in project.measures}
    return [{**c, **people.get(c["id"], {})} for c in changes]


def _out_of_scope(project: Project, ruleset: RuleSet, checked: CheckedProject) -> Assessment:
    return Assessment(in_scope=False, **_base_fields(project, ruleset, checked))


@dataclass
class Outcome:
    """The figures of one assessment (:func:`evaluate_project`); :meth:`assessment` wraps them.

    Batch runs tabulate these directly and build the full :class:`Assessment` only where it is needed.
    """

    in_scope: bool
    checked: CheckedProject
    initial: Evaluation | None
    residual: Evaluation | None = None
    decision: str | None = None
    regime: str | None = None
    incomplete: bool = False
    panel: dict[str, Any] | None = None

    def assessment(self, project: Project, ruleset: RuleSet, *, what_if: bool = False) -> Assessment:
        """The :class:`Assessment` of ``project`` (as returned by :func:`assess`).

        ``what_if`` adds the smallest fact changes that lower the level (:mod:`riskeval.whatif`).
        """
        if not self.in_scope or self.initial is None or self.residual is None:
            return _out_of_scope(project, ruleset, self.checked)
        if ruleset.scope is not None:
            reasons = [text for i, (text, _) in enumerate(ruleset.scope) if f"scope:{i}" in self.initial.rules_fired]
        else:
            reasons = [t("scope.all", "zh")]
        residual = self.residual
        if residual is self.initial:
            residual = self.initial.model_copy(update={"stage": "residual"})
        extra: dict[str, Any] = {}
        if what_if:
            from .whatif import what_if as search

            found = search(ruleset, residual, self.checked.residual, self.panel)
            extra = {"what_if": found.changes, "what_if_search": found.search}
        incomplete = [t("incomplete.procedure", "zh", label=g.label) for g in residual.missing_procedures]
        if residual.missing_panel_items:
            incomplete.append(t("incomplete.panel", "zh", items=", ".join(residual.missing_panel_items)))
        return Assessment(
            in_scope=True,
            scope_reasons=reasons,
            regime=self.regime,
            level=residual.level,
            decision=self.decision,  # type: ignore[arg-type]
            incomplete=bool(incomplete),
            incomplete_reasons=incomplete,
            initial=self.initial,
            residual=residual,
            **_base_fields(project, ruleset, self.checked, vocabulary_for(ruleset, rules_to_explain(self.initial, residual))),
            **extra,
        )


def evaluate_project(
    project: Project, ruleset: RuleSet, panel: dict[str, Any] | None = None, *, strict: bool = True
) -> Outcome:
    """Check the facts, evaluate before and after the measures, and decide; no result objects.

    ``strict`` as for :func:`assess`; ``Outcome.checked`` carries the warnings and notes.

    Raises
    ------
    ProjectError, EngineError
        As :func:`assess`.
    """
    try:
        checked = check_project(project, ruleset, strict=strict)
    except ProjectError as exc:
        # A matter outside the scope need not carry the facts only an assessment would read.
        if ruleset.scope is None or any(p.code != "project.missing_fact" for p in exc.problems):
            raise
        lenient = check_project(project, ruleset, require=False, strict=strict)
        fired = compile_ruleset(ruleset).fired(lenient.initial)
        if any(rule.kind == "scope" and rule.id in fired for rule in ruleset.rules):
            raise
        return Outcome(False, lenient, None)
    panel = panel if panel is not None else project.panel
    initial = evaluate_facts(ruleset, checked.initial, "initial", panel)
    if ruleset.scope is not None and not any(f"scope:{i}" in initial.rules_fired for i in range(len(ruleset.scope))):
        return Outcome(False, checked, initial)
    residual = evaluate_facts(ruleset, checked.residual, "residual", panel) if project.measures else initial
    regime_source = checked.initial.get("regime") if project.regime is not None else None
    decision, regime = ruleset.decision_for(residual.level, regime_source)
    incomplete = bool(residual.missing_procedures or residual.missing_panel_items)
    return Outcome(True, checked, initial, residual, decision, regime, incomplete, panel)


def assess(
    project: Project | dict[str, Any],
    ruleset: RuleSet,
    *,
    panel: dict[str, Any] | None = None,
    strict: bool = True,
    what_if: bool = True,
) -> Assessment:
    """Assess ``project`` under ``ruleset``: initial (措施前) and residual (措施后) evaluations.

    Parameters
    ----------
    project
        A :class:`Project` or a mapping in the project-file format.
    ruleset
        From :func:`riskeval.load_ruleset`.
    panel
        Expert-panel values per item id (override ``project.panel``).
    strict
        A fact that the rule set does not declare and that is not a standard fact (a misspelling such as
        ``petition_12m``) is a :class:`ProjectError` (code ``project.unknown_fact``, with the nearest name).
        ``False`` ignores it with a warning in ``Assessment.warnings``. Standard facts that the rule set
        does not use are ignored either way.
    what_if
        Search the smallest sets of fact changes (at most three) that bring the level one step down
        (``Assessment.what_if``, shown by :meth:`Assessment.explain` as 如何降低风险等级); see
        :mod:`riskeval.whatif`. ``False`` skips the search.

    Returns
    -------
    Assessment

    Raises
    ------
    ProjectError
        The project's facts do not match the rule set's declarations (or, when ``strict``, name an
        unknown fact).
    EngineError
        The rule engine misbehaved (the result is refused, never guessed).
    """
    if not isinstance(project, Project):
        project = project_from_data(project)
    return evaluate_project(project, ruleset, panel, strict=strict).assessment(project, ruleset, what_if=what_if)
