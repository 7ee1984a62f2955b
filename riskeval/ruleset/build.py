"""Semantic checks of a merged rule set and compilation into :class:`RuleSet`."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from ..model.ruleset import FactDecl, Item
from ..model.vocabulary import DECISION_LEVEL_OPTIONS, IDENTITY_FIELDS, KIND_OPTIONS, REGIME_OPTIONS
from .conditions import Always, And, Cmp, Condition, ConditionError, FactSpec, facts_read, parse_condition
from .facts import FactValueError, coerce_fact_value, spec_of
from .formula import formula_facts, parse_formula
from .intervals import IntervalError, find_gaps_and_overlaps, parse_interval
from .loader import Layered, Origin, check_levels, condition_problem, content_hash
from .problems import Problem
from .ruleset import CompiledValue, Rule, RuleSet

__all__ = ["build_ruleset", "identity_specs"]

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


class _Ctx:
    def __init__(self, layered: Layered, problems: list[Problem]) -> None:
        self.layered = layered
        self.problems = problems
        self.specs: dict[str, FactSpec] = {}
        self.read: set[str] = set()

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


def _check_facts(ctx: _Ctx) -> None:
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


def _numeric_facts(facts: dict[str, FactDecl]) -> set[str]:
    out = set()
    for name, decl in facts.items():
        if decl.type in ("number", "integer", "bool"):
            out.add(name)
        elif decl.type == "option" and decl.options and all(o.value is not None for o in decl.options):
            out.add(name)
    return out | {"investment"}


def _compile_value(
    ctx: _Ctx, item: Item, field: str, spec: Any, origin: Origin, unit_range: bool
) -> CompiledValue | None:
    sub: tuple[str | int, ...] = (field,)
    if isinstance(spec, int | float):
        _check_number(ctx, item, field, float(spec), origin, sub, unit_range)
        return CompiledValue("const", const=float(spec))
    shapes = [k for k in ("map", "bands", "formula") if getattr(spec, k) is not None]
    if len(shapes) != 1:
        ctx.error(origin, sub, "value.shape")
        return None
    if spec.formula is not None:
        try:
            formula = parse_formula(spec.formula, _numeric_facts(ctx.layered.facts))
        except ConditionError as exc:
            ctx.problems.append(condition_problem(origin, (*sub, "formula"), exc, spec.formula))
            return None
        ctx.read |= formula_facts(formula)
        return CompiledValue("formula", formula=formula, formula_text=spec.formula)
    if spec.fact is None:
        ctx.error(origin, sub, "value.fact_missing")
        return None
    decl = ctx.layered.facts.get(spec.fact)
    if decl is None:
        close = difflib.get_close_matches(spec.fact, list(ctx.layered.facts), n=1)
        ctx.error(origin, (*sub, "fact"), "value.unknown_fact", name=spec.fact, suggestion=close[0] if close else "")
        return None
    ctx.read.add(spec.fact)
    branches: list[tuple[Condition, float, str]] = []
    if spec.map is not None:
        if decl.type not in ("option", "bool"):
            ctx.error(origin, (*sub, "fact"), "value.map_type", name=spec.fact, type=decl.type)
            return None
        seen: set[Any] = set()
        for key, value in spec.map.items():
            try:
                code = coerce_fact_value(decl, key)
            except FactValueError:
                options = ", ".join(o.code for o in decl.options) if decl.type == "option" else "true, false"
                ctx.error(origin, (*sub, "map", key), "value.unknown_option", key=True, value=key, name=spec.fact, options=options)
                continue
            seen.add(code)
            _check_number(ctx, item, field, value, origin, (*sub, "map", key), unit_range)
            label = next((o.label for o in decl.options if o.code == code), "是" if code is True else "否")
            code_text = code if isinstance(code, str) else ("true" if code else "false")
            branches.append((Cmp(spec.fact, "==", code), float(value), f"{spec.fact} = {code_text}（{label}）"))
        expected = {o.code for o in decl.options} if decl.type == "option" else {True, False}
        missing = expected - seen
        if missing:
            ctx.error(origin, (*sub, "map"), "value.map_incomplete", name=spec.fact, missing=", ".join(sorted(map(str, missing))))
        return CompiledValue("table", fact=spec.fact, branches=tuple(branches))
    if decl.type not in ("number", "integer"):
        ctx.error(origin, (*sub, "fact"), "value.bands_type", name=spec.fact, type=decl.type)
        return None
    intervals = []
    assert spec.bands is not None
    for key, value in spec.bands.items():
        try:
            band = parse_interval(key)
        except IntervalError as exc:
            ctx.error(origin, (*sub, "bands", key), exc.code, key=True, text=exc.text)
            continue
        intervals.append(band)
        _check_number(ctx, item, field, value, origin, (*sub, "bands", key), unit_range)
        parts: list[Condition] = []
        if not math.isinf(band.low):
            parts.append(Cmp(spec.fact, ">=" if band.low_closed else ">", _int(band.low)))
        if not math.isinf(band.high):
            parts.append(Cmp(spec.fact, "<=" if band.high_closed else "<", _int(band.high)))
        cond: Condition = And(tuple(parts)) if len(parts) != 1 else parts[0]
        branches.append((cond, float(value), f"{spec.fact} ∈ {band}"))
    for kind, detail in find_gaps_and_overlaps(intervals, decl.min, decl.max):
        ctx.error(origin, (*sub, "bands"), f"bands.{kind}", fact=spec.fact, detail=detail)
    return CompiledValue("table", fact=spec.fact, branches=tuple(branches))


def _int(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _check_number(
    ctx: _Ctx, item: Item, field: str, value: float, origin: Origin, sub: tuple[str | int, ...], unit_range: bool
) -> None:
    if unit_range and not 0 <= value <= 1:
        ctx.error(origin, sub, "item.unit_range", id=item.id, field=field, value=value)
    elif not unit_range:
        if value < 0:
            ctx.error(origin, sub, "item.negative", id=item.id, value=value)
        elif item.max is not None and value > item.max + 1e-9:
            ctx.error(origin, sub, "item.over_max", id=item.id, value=value, max=item.max)


def build_ruleset(layered: Layered, problems: list[Problem], *, strict_tests: bool = True) -> RuleSet:
    """Check the merged rule set and compile it. Problems are appended to ``problems``."""
    ctx = _Ctx(layered, problems)
    top = layered.top
    meta = top.model
    if layered.regime is None and layered.decisions is None:
        ctx.error(top.origin(), ("id",), "regime.missing", key=True)
    _check_facts(ctx)
    scoring = layered.scoring
    if scoring is None:
        ctx.error(top.origin(), ("id",), "scoring.missing", key=True)
    if not layered.dimensions:
        ctx.error(top.origin(), ("id",), "scoring.no_dimensions", key=True)
    bands: dict[str, Any] = {}
    if scoring is not None:
        bands = check_levels(scoring, ctx.origin("scoring"), problems, scoring.total)
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
    method = scoring.method if scoring else "points"

    rules: list[Rule] = []
    item_values: dict[str, dict[str, CompiledValue]] = {}
    for item in layered.items.values():
        origin = ctx.origin("items", item.id)
        if item.dimension not in layered.dimensions:
            close = difflib.get_close_matches(item.dimension, list(layered.dimensions), n=1)
            ctx.error(origin, ("dimension",), "dim.unknown", id=item.dimension, suggestion=close[0] if close else "")
        when = ctx.condition(item.when, origin, ("when",))
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
                compiled = _compile_value(ctx, item, "points", item.points, origin, unit_range=False)
                if compiled is not None:
                    values["points"] = compiled
        else:
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
                    compiled = _compile_value(ctx, item, field, getattr(item, field), origin, unit_range=True)
                    if compiled is not None:
                        values[field] = compiled
        item_values[item.id] = values
        if when is None:
            continue
        points = values.get("points")
        if points is not None and points.kind == "table":
            for k, (cond, value, label) in enumerate(points.branches):
                if value == 0:
                    continue  # a zero-point branch changes nothing; leaving it out saves engine firings
                combined = cond if isinstance(when, Always) else And((when, cond))
                rules.append(Rule(f"item:{item.id}#{k}", "item", item.id, combined, value, label))
        else:
            const = points.const if points is not None and points.kind == "const" else None
            rules.append(Rule(f"item:{item.id}", "item", item.id, when, const))
    if method == "index":
        for dim in layered.dimensions.values():
            weights = [i.weight for i in layered.items.values() if i.dimension == dim.id and i.weight is not None]
            if weights and abs(sum(weights) - 1) > 1e-6:
                ctx.error(ctx.origin("dimensions", dim.id), ("id",), "dim.item_weights", id=dim.id, total=round(sum(weights), 6))
    # dimension maxima against the items' maxima (points method)
    if method == "points":
        for dim in layered.dimensions.values():
            maxima = [i.max for i in layered.items.values() if i.dimension == dim.id]
            if dim.max is not None and maxima and all(m is not None for m in maxima):
                total = sum(m or 0 for m in maxima)
                if abs(total - dim.max) > 1e-6:
                    ctx.error(ctx.origin("dimensions", dim.id), ("max",), "dim.items_total", id=dim.id, max=dim.max, total=total)

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
            rules.append(Rule(f"trigger:{trig.id}", "trigger", trig.id, trig_cond, factors=factors, min_factors=need))
    for proc in layered.procedures.values():
        origin = ctx.origin("procedures", proc.id)
        required = ctx.condition(proc.required_when, origin, ("required_when",))
        satisfied = ctx.condition(proc.satisfied, origin, ("satisfied",))
        if required is not None:
            rules.append(Rule(f"proc-required:{proc.id}", "proc_required", proc.id, required))
        if satisfied is not None:
            rules.append(Rule(f"proc-satisfied:{proc.id}", "proc_satisfied", proc.id, satisfied))
    scope: list[tuple[str, Condition]] | None = None
    if layered.scope is not None:
        scope = []
        origin = ctx.origin("scope")
        for i, entry in enumerate(layered.scope):
            text, sub = (entry, (i,)) if isinstance(entry, str) else (entry.when, (i, "when"))
            scope_cond = ctx.condition(text, origin, sub)
            if scope_cond is not None:
                label = text if isinstance(entry, str) or not entry.label else f"{entry.label}（{text}）"
                scope.append((label, scope_cond))
                rules.append(Rule(f"scope:{i}", "scope", str(i), scope_cond))
    panel_conditions: list[tuple[Condition, int]] = []
    if layered.panel is not None:
        origin = ctx.origin("panel")
        before = set(ctx.read)
        for i, rule in enumerate(layered.panel.rules):
            panel_cond = ctx.condition(rule.when, origin, ("rules", i, "when"))
            if panel_cond is not None:
                panel_conditions.append((panel_cond, rule.size))
        ctx.read = before  # panel rules do not make facts required
    rules.append(Rule("_seen", "seen", "", Always()))

    required_when: dict[str, Condition] = {}
    for name, decl in layered.facts.items():
        if decl.required_when is not None:
            needed = ctx.condition(decl.required_when, ctx.origin("facts", name), ("required_when",))
            if needed is not None:
                required_when[name] = needed
    read_facts = set(ctx.read) - set(IDENTITY_FIELDS)
    required_names = {name for name, decl in layered.facts.items() if decl.required and name in read_facts}
    for name, decl in layered.facts.items():
        if decl.required and name not in read_facts:
            origin = ctx.origin("facts", name)
            f, line, col = origin.at("required")
            problems.append(Problem(f, line, col, "fact.unread_required", {"name": name}, severity="warning"))
    option_values = {
        name: {o.code: float(o.value) for o in decl.options if o.value is not None}
        for name, decl in layered.facts.items()
        if decl.type == "option"
    }
    lineage = [
        {"id": pf.model.id, "version": pf.model.version, "file": pf.display} for pf in layered.chain
    ]
    hashed = {
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
        scoring=scoring,  # type: ignore[arg-type]
        level_bands=bands,
        items=list(layered.items.values()),
        triggers=list(layered.triggers.values()),
        procedures=list(layered.procedures.values()),
        panel=layered.panel,
        tests=list(meta.tests),
        scope=scope,
        rules=rules,
        item_values=item_values,
        panel_conditions=panel_conditions,
        read_facts=read_facts,
        required_facts=required_names,
        required_when=required_when,
        option_values=option_values,
        path=top.path,
        lineage=lineage,
        content_hash=content_hash(hashed),
        test_origins=[top.origin("tests", i) for i in range(len(meta.tests))],
    )
    if strict_tests and not [p for p in problems if p.severity == "error"]:
        _check_tests(ruleset, problems)
    return ruleset


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
        except Exception as exc:  # pydantic ValidationError
            f, line, col = origin.at("project")
            problems.append(Problem(f, line, col, "test.project", {"name": case.name, "detail": str(exc).splitlines()[0]}))
        expect = case.expect
        for listed, field in ((expect.findings, "findings"), (expect.absent, "absent"), (expect.triggers, "triggers")):
            for k, ident in enumerate(listed or []):
                if ident not in ids:
                    f, line, col = origin.at("expect", field, k)
                    problems.append(Problem(f, line, col, "test.unknown_item", {"name": case.name, "id": ident}))
