"""Semantic checks of a merged rule set and its compilation into a :class:`RuleSet`, in named passes.

:func:`build_ruleset` runs, in order: the header (regime), facts, scoring (levels, dimension
weights and maxima), items (conditions and values), triggers, procedures, scope, panel rules,
required facts, then assembles the rule set and finally runs the embedded tests' project checks.
Every pass appends located :class:`Problem` s and never stops at the first.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import ValidationError

from ..i18n import register_messages, t
from ..model.rulefile import Item, Scoring
from ..model.vocabulary import DECISION_LEVEL_OPTIONS, IDENTITY_FIELDS, KIND_OPTIONS, REGIME_OPTIONS
from .compiled import CompiledValue, Rule, RuleSet
from .conditions import Always, And, Condition, ConditionError, FactSpec, facts_read, parse_condition
from .extends import Layered
from .facts import FactValueError, coerce_fact_value, spec_of
from .intervals import IntervalError, find_gaps_and_overlaps, parse_interval
from .loader import content_hash
from .problems import Problem
from .source import Origin, condition_problem
from .values import compile_value

__all__ = ["Ctx", "build_ruleset", "check_levels", "identity_specs"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_FACTORS = 8


def identity_specs() -> dict[str, FactSpec]:
    """Identity fields usable in conditions."""
    return {
        "kind": FactSpec("option", KIND_OPTIONS),
        "regime": FactSpec("option", REGIME_OPTIONS),
        "decision_level": FactSpec("option", DECISION_LEVEL_OPTIONS),
        "unit": FactSpec("text"),
        "location": FactSpec("text"),
        "domains": FactSpec("list"),
        "investment": FactSpec("number"),
    }


class Ctx:
    """What the passes share: the merged layers, the problems found, fact specs, facts read, rules."""

    def __init__(self, layered: Layered, problems: list[Problem]) -> None:
        self.layered = layered
        self.problems = problems
        self.specs: dict[str, FactSpec] = {}
        self.read: set[str] = set()
        self.rules: list[Rule] = []

    def origin(self, section: str, ident: str = "") -> Origin:
        return self.layered.origins.get((section, ident)) or self.layered.top.origin()

    def error(self, origin: Origin, sub: tuple[str | int, ...], code: str, key: bool = False, **params: Any) -> None:
        f, line, col = origin.at(*sub, key=key)
        self.problems.append(Problem(f, line, col, code, params))

    def condition(self, text: str | None, origin: Origin, sub: tuple[str | int, ...]) -> Condition | None:
        if text is None:
            return Always()
        try:
            cond = parse_condition(text, self.specs)
        except ConditionError as exc:
            self.problems.append(condition_problem(origin, sub, exc, text))
            return None
        self.read |= facts_read(cond)
        return cond


def _check_header(ctx: Ctx) -> None:
    top = ctx.layered.top
    if ctx.layered.regime is None and ctx.layered.decisions is None:
        ctx.error(top.origin(), ("id",), "regime.missing", key=True)
    if ctx.layered.scoring is None:
        ctx.error(top.origin(), ("id",), "scoring.missing", key=True)
    if not ctx.layered.dimensions:
        ctx.error(top.origin(), ("id",), "scoring.no_dimensions", key=True)


def _check_facts(ctx: Ctx) -> None:
    for name, decl in ctx.layered.facts.items():
        origin = ctx.origin("facts", name)
        if not _IDENT.match(name):
            ctx.error(origin, (), "fact.bad_name", key=True, name=name)
            continue
        if name in IDENTITY_FIELDS:
            ctx.error(origin, (), "fact.identity", key=True, name=name)
            continue
        if decl.type == "option" and not decl.options:
            ctx.error(origin, ("type",), "fact.options_missing", name=name)
        if decl.type != "option" and decl.options:
            ctx.error(origin, ("options",), "fact.options_unexpected", name=name, type=decl.type)
        if (decl.min is not None or decl.max is not None) and decl.type not in ("number", "integer"):
            ctx.error(origin, ("min",) if decl.min is not None else ("max",), "fact.bounds_type", name=name)
        if decl.min is not None and decl.max is not None and decl.min > decl.max:
            ctx.error(origin, ("min",), "fact.bounds_order", name=name)
        if decl.required and decl.default is not None:
            ctx.error(origin, ("default",), "fact.required_and_default", name=name)
        if decl.default is not None:
            try:
                coerce_fact_value(decl, decl.default)
            except FactValueError as exc:
                from ..i18n import t

                ctx.error(origin, ("default",), "fact.bad_default", name=name, reason=t(exc.code, "zh", **exc.params))
        ctx.specs[name] = spec_of(decl)
    ctx.specs.update(identity_specs())


def _check_scoring(ctx: Ctx) -> dict[str, Any]:
    """Level bands, then the dimensions' weights (index) or maxima (points); returns the bands."""
    layered, scoring = ctx.layered, ctx.layered.scoring
    if scoring is None:
        return {}
    bands = check_levels(scoring, ctx.origin("scoring"), ctx.problems, scoring.total)
    dims = list(layered.dimensions.values())
    if scoring.method == "index" and dims:
        missing = [d for d in dims if d.weight is None]
        for d in missing:
            ctx.error(ctx.origin("dimensions", d.id), ("id",), "dim.weight_missing", id=d.id)
        total = sum(d.weight or 0 for d in dims)
        if not missing and abs(total - 1) > 1e-6:
            ctx.error(ctx.origin("dimensions", dims[0].id), (), "dim.weights", total=round(total, 6))
    if scoring.method == "points" and dims and all(d.max is not None for d in dims) and scoring.total is not None:
        total = sum(d.max or 0 for d in dims)
        if abs(total - scoring.total) > 1e-6:
            ctx.error(ctx.origin("dimensions", dims[0].id), (), "dim.max_total", total=total, expected=scoring.total)
    return bands


def _item_values(ctx: Ctx, item: Item, method: str, origin: Origin) -> dict[str, CompiledValue]:
    values: dict[str, CompiledValue] = {}
    if method == "points":
        for wrong in ("probability", "impact", "weight"):
            if getattr(item, wrong) is not None:
                ctx.error(origin, (wrong,), "item.wrong_method", key=True, id=item.id, field=wrong, method="points")
        if item.panel:
            values["points"] = CompiledValue("panel")
        elif item.points is None:
            ctx.error(origin, ("id",), "item.points_missing", id=item.id)
        else:
            compiled = compile_value(ctx, item, "points", item.points, origin, unit_range=False)
            if compiled is not None:
                values["points"] = compiled
        return values
    for wrong in ("points", "max"):
        if getattr(item, wrong) is not None:
            ctx.error(origin, (wrong,), "item.wrong_method", key=True, id=item.id, field=wrong, method="index")
    if item.panel:
        values["probability"] = values["impact"] = CompiledValue("panel")
        if item.weight is None:
            ctx.error(origin, ("id",), "item.index_missing", id=item.id)
    elif item.probability is None or item.impact is None or item.weight is None:
        ctx.error(origin, ("id",), "item.index_missing", id=item.id)
    else:
        for field in ("probability", "impact"):
            compiled = compile_value(ctx, item, field, getattr(item, field), origin, unit_range=True)
            if compiled is not None:
                values[field] = compiled
    return values


def _compile_items(ctx: Ctx, method: str) -> dict[str, dict[str, CompiledValue]]:
    """Each item's condition and values; one rule per non-zero branch of a table."""
    layered = ctx.layered
    item_values: dict[str, dict[str, CompiledValue]] = {}
    for item in layered.items.values():
        origin = ctx.origin("items", item.id)
        if item.dimension not in layered.dimensions:
            close = difflib.get_close_matches(item.dimension, list(layered.dimensions), n=1)
            ctx.error(origin, ("dimension",), "dim.unknown", id=item.dimension, suggestion=close[0] if close else "")
        when = ctx.condition(item.when, origin, ("when",))
        values = item_values[item.id] = _item_values(ctx, item, method, origin)
        if when is None:
            continue
        points = values.get("points")
        if points is not None and points.kind == "table":
            for k, (cond, value, label) in enumerate(points.branches):
                if value == 0:
                    continue  # a zero-point branch changes nothing; leaving it out saves engine firings
                combined = cond if isinstance(when, Always) else And((when, cond))
                ctx.rules.append(Rule(f"item:{item.id}#{k}", "item", item.id, combined, value, label))
        else:
            const = points.const if points is not None and points.kind == "const" else None
            ctx.rules.append(Rule(f"item:{item.id}", "item", item.id, when, const))
    return item_values


def _check_item_totals(ctx: Ctx, method: str) -> None:
    """Item weights per dimension add up to 1 (index); item maxima add up to the dimension's (points)."""
    items = list(ctx.layered.items.values())
    for dim in ctx.layered.dimensions.values():
        if method == "index":
            weights = [i.weight for i in items if i.dimension == dim.id and i.weight is not None]
            if weights and abs(sum(weights) - 1) > 1e-6:
                ctx.error(ctx.origin("dimensions", dim.id), ("id",), "dim.item_weights", id=dim.id, total=round(sum(weights), 6))
        else:
            maxima = [i.max for i in items if i.dimension == dim.id]
            if dim.max is not None and maxima and all(m is not None for m in maxima):
                total = sum(m or 0 for m in maxima)
                if abs(total - dim.max) > 1e-6:
                    ctx.error(ctx.origin("dimensions", dim.id), ("max",), "dim.items_total", id=dim.id, max=dim.max, total=total)


def _compile_triggers(ctx: Ctx) -> None:
    layered = ctx.layered
    for trig in layered.triggers.values():
        origin = ctx.origin("triggers", trig.id)
        if trig.when is None and not trig.factors:
            ctx.error(origin, ("id",), "trigger.empty", id=trig.id)
            continue
        trig_cond = ctx.condition(trig.when, origin, ("when",))
        factors = tuple(trig.factors or ())
        for k, ident in enumerate(factors):
            if ident not in layered.items:
                close = difflib.get_close_matches(ident, list(layered.items), n=1)
                ctx.error(origin, ("factors", k), "trigger.unknown_factor", id=ident, suggestion=close[0] if close else "")
        if len(factors) > MAX_FACTORS or len(set(factors)) != len(factors):
            ctx.error(origin, ("factors",), "trigger.factors_count", limit=MAX_FACTORS)
        need = trig.min_factors if trig.min_factors is not None else len(factors)
        if factors and need > len(factors):
            ctx.error(origin, ("min_factors",), "trigger.min_factors", need=need, count=len(factors))
        if trig.min_factors is not None and not factors:
            ctx.error(origin, ("min_factors",), "trigger.min_without_factors")
        if trig_cond is not None:
            ctx.rules.append(Rule(f"trigger:{trig.id}", "trigger", trig.id, trig_cond, factors=factors, min_factors=need))


def _compile_procedures(ctx: Ctx) -> None:
    for proc in ctx.layered.procedures.values():
        origin = ctx.origin("procedures", proc.id)
        required = ctx.condition(proc.required_when, origin, ("required_when",))
        satisfied = ctx.condition(proc.satisfied, origin, ("satisfied",))
        if required is not None:
            ctx.rules.append(Rule(f"proc-required:{proc.id}", "proc_required", proc.id, required))
        if satisfied is not None:
            ctx.rules.append(Rule(f"proc-satisfied:{proc.id}", "proc_satisfied", proc.id, satisfied))


def _compile_scope(ctx: Ctx) -> list[tuple[str, Condition]] | None:
    if ctx.layered.scope is None:
        return None
    scope: list[tuple[str, Condition]] = []
    origin = ctx.origin("scope")
    for i, entry in enumerate(ctx.layered.scope):
        text, sub = (entry, (i,)) if isinstance(entry, str) else (entry.when, (i, "when"))
        scope_cond = ctx.condition(text, origin, sub)
        if scope_cond is not None:
            label = text if isinstance(entry, str) or not entry.label else f"{entry.label}（{text}）"
            scope.append((label, scope_cond))
            ctx.rules.append(Rule(f"scope:{i}", "scope", str(i), scope_cond))
    return scope


def _compile_panel(ctx: Ctx) -> list[tuple[Condition, int]]:
    panel_conditions: list[tuple[Condition, int]] = []
    if ctx.layered.panel is not None:
        origin = ctx.origin("panel")
        before = set(ctx.read)
        for i, rule in enumerate(ctx.layered.panel.rules):
            panel_cond = ctx.condition(rule.when, origin, ("rules", i, "when"))
            if panel_cond is not None:
                panel_conditions.append((panel_cond, rule.size))
        ctx.read = before  # panel rules do not make facts required
    return panel_conditions


def _required_facts(ctx: Ctx) -> tuple[dict[str, Condition], set[str], set[str]]:
    """``required_when`` conditions, the facts read by rules, and the required facts among them."""
    facts = ctx.layered.facts
    required_when: dict[str, Condition] = {}
    for name, decl in facts.items():
        if decl.required_when is not None:
            needed = ctx.condition(decl.required_when, ctx.origin("facts", name), ("required_when",))
            if needed is not None:
                required_when[name] = needed
    read_facts = set(ctx.read) - set(IDENTITY_FIELDS)
    required = {name for name, decl in facts.items() if decl.required and name in read_facts}
    for name, decl in facts.items():
        if decl.required and name not in read_facts:
            f, line, col = ctx.origin("facts", name).at("required")
            ctx.problems.append(Problem(f, line, col, "fact.unread_required", {"name": name}, severity="warning"))
    return required_when, read_facts, required


def _hash(layered: Layered) -> str:
    meta, scoring = layered.top.model, layered.scoring
    return content_hash(
        {
            "id": meta.id,
            "version": meta.version,
            "regime": layered.regime,
            "decisions": layered.decisions,
            "facts": {k: v.model_dump() for k, v in sorted(layered.facts.items())},
            "dimensions": [d.model_dump() for d in layered.dimensions.values()],
            "scoring": scoring.model_dump() if scoring else None,
            "items": [i.model_dump() for i in layered.items.values()],
            "triggers": [t.model_dump() for t in layered.triggers.values()],
            "procedures": [p.model_dump() for p in layered.procedures.values()],
            "scope": [e if isinstance(e, str) else e.model_dump() for e in layered.scope] if layered.scope is not None else None,
            "panel": layered.panel.model_dump() if layered.panel else None,
        }
    )


def build_ruleset(layered: Layered, problems: list[Problem], *, strict_tests: bool = True) -> RuleSet:
    """Check the merged rule set and compile it. Problems are appended to ``problems``."""
    ctx = Ctx(layered, problems)
    _check_header(ctx)
    _check_facts(ctx)
    bands = _check_scoring(ctx)
    method = layered.scoring.method if layered.scoring else "points"
    item_values = _compile_items(ctx, method)
    _check_item_totals(ctx, method)
    _compile_triggers(ctx)
    _compile_procedures(ctx)
    scope = _compile_scope(ctx)
    panel_conditions = _compile_panel(ctx)
    ctx.rules.append(Rule("_seen", "seen", "", Always()))
    required_when, read_facts, required = _required_facts(ctx)
    top, meta = layered.top, layered.top.model
    ruleset = RuleSet(
        id=meta.id,
        title=meta.title,
        version=meta.version,
        effective=meta.effective,
        authority=meta.authority,
        sources=list(meta.sources),
        description=meta.description,
        regime=layered.regime,
        decisions=layered.decisions,
        facts=dict(layered.facts),
        specs=dict(ctx.specs),
        dimensions=list(layered.dimensions.values()),
        scoring=layered.scoring,  # type: ignore[arg-type]
        level_bands=bands,
        items=list(layered.items.values()),
        triggers=list(layered.triggers.values()),
        procedures=list(layered.procedures.values()),
        panel=layered.panel,
        tests=list(meta.tests),
        scope=scope,
        rules=ctx.rules,
        item_values=item_values,
        panel_conditions=panel_conditions,
        read_facts=read_facts,
        required_facts=required,
        required_when=required_when,
        option_values={
            name: {o.code: float(o.value) for o in decl.options if o.value is not None}
            for name, decl in layered.facts.items()
            if decl.type == "option"
        },
        path=top.path,
        lineage=[{"id": pf.model.id, "version": pf.model.version, "file": pf.display} for pf in layered.chain],
        content_hash=_hash(layered),
        test_origins=[top.origin("tests", i) for i in range(len(meta.tests))],
        origins=dict(layered.origins),
    )
    if strict_tests and not [p for p in problems if p.severity == "error"]:
        _check_tests(ruleset, problems)
    return ruleset


register_messages(
    {
        "test.project_field": {
            "zh": "字段 “{field}” 不符合项目格式（{kind}）",
            "en": "field '{field}' does not match the project format ({kind})",
        }
    }
)


class _Detail:
    """A message parameter rendered in the message's language."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        self.code, self.params = code, params

    def short(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.short("zh")


def _check_tests(ruleset: RuleSet, problems: list[Problem]) -> None:
    from ..check import ProjectError, check_project
    from ..model.project import Project

    ids = {i.id for i in ruleset.items} | {t.id for t in ruleset.triggers} | {p.id for p in ruleset.procedures}
    for case, origin in zip(ruleset.tests, ruleset.test_origins, strict=True):
        try:
            project = Project.model_validate({"id": case.name, **case.project})
            check_project(project, ruleset)
        except ProjectError as exc:
            f, line, col = origin.at("project")
            problems.append(Problem(f, line, col, "test.project", {"name": case.name, "detail": exc}))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "project"
            f, line, col = origin.at("project", *first["loc"])
            detail = _Detail("test.project_field", {"field": field, "kind": first["type"]})
            problems.append(Problem(f, line, col, "test.project", {"name": case.name, "detail": detail}))
        expect = case.expect
        for listed, field in ((expect.findings, "findings"), (expect.absent, "absent"), (expect.triggers, "triggers")):
            for k, ident in enumerate(listed or []):
                if ident not in ids:
                    f, line, col = origin.at("expect", field, k)
                    problems.append(Problem(f, line, col, "test.unknown_item", {"name": case.name, "id": ident}))


def check_levels(scoring: Scoring, origin: Origin, problems: list[Problem], total: float | None) -> dict[str, Any]:
    """Parse the level bands and check order, gaps and overlaps."""
    bands: dict[str, Any] = {}
    for level in ("low", "medium", "high"):
        band = scoring.levels.get(level)
        if band is None:
            f, line, col = origin.at("levels", key=True)
            problems.append(Problem(f, line, col, "levels.missing", {"level": level}))
            continue
        try:
            bands[level] = parse_interval(band.range)
        except IntervalError as exc:
            f, line, col = origin.at("levels", level)
            problems.append(Problem(f, line, col, exc.code, {"text": exc.text}))
    if len(bands) == 3:
        order = ["low", "medium", "high"]
        for lower, higher in zip(order, order[1:], strict=False):
            if bands[lower].low >= bands[higher].low:
                f, line, col = origin.at("levels", higher)
                problems.append(Problem(f, line, col, "levels.order", {"lower": lower, "higher": higher}))
                return bands
        low_bound = 0.0
        high_bound = total if total is not None else (1.0 if scoring.method == "index" else None)
        for kind, detail in find_gaps_and_overlaps(list(bands.values()), low_bound, high_bound):
            f, line, col = origin.at("levels")
            problems.append(Problem(f, line, col, f"levels.{kind}", {"detail": detail}))
    return bands
