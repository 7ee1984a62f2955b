"""Check a project against a rule set's declarations before evaluation.

A missing required fact, a wrong type, a value out of bounds or an undeclared option is a
:class:`ProjectError` naming the fact (and the file position where there is a file).

Strict facts: a fact (of the project or set by a measure) that the rule set does not declare and
that is not in the standard fact vocabulary (:data:`riskeval.model.vocabulary.STANDARD_FACTS`) is an
error too (``project.unknown_fact`` / ``project.unknown_measure_fact``), with the nearest name among
the rule set's facts and the vocabulary: a misspelled optional fact must not silently switch off the
rule that reads it. With ``strict=False`` it is a warning instead and the fact is ignored. Vocabulary
facts that the rule set does not use are ignored with a note (``project.unused_facts``), so that one
project list can serve several rule sets.

Examples
--------
>>> from riskeval import Project, load_ruleset
>>> rs = load_ruleset("guiyang")
>>> facts = dict(rs.tests[0].project["facts"], petition_12m=45)
>>> try:
...     check_project(Project(id="P", kind="project", facts=facts), rs)
... except ProjectError as exc:
...     print(exc.problems[0].code, "|", exc.short("en"))
project.unknown_fact | unknown fact 'petition_12m': neither declared by the rule set nor a standard fact (did you mean 'petitions_12m'?)
>>> checked = check_project(Project(id="P", kind="project", facts=facts), rs, strict=False)
>>> [w.code for w in checked.warnings], "petition_12m" in checked.initial
(['project.unknown_fact_ignored'], False)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .errors import Location, RiskevalError, jsonable
from .i18n import register_messages, t
from .model.project import Project
from .model.rulefile import FactDecl
from .model.vocabulary import DECISION_LEVEL_OPTIONS, KIND_OPTIONS, REGIME_OPTIONS, STANDARD_FACTS
from .ruleset.compiled import RuleSet
from .ruleset.conditions import evaluate
from .ruleset.facts import FactValueError, coerce_fact_value

__all__ = ["ProjectProblem", "ProjectError", "CheckedProject", "check_project", "unknown_fact_suggestion"]

register_messages(
    {
        "project.missing_fact": {"zh": "缺少必填事实 “{name}”（{label}）", "en": "missing required fact '{name}' ({label})"},
        "project.missing_fact_when": {
            "zh": "缺少事实 “{name}”（{label}）：在 {condition} 时必须填写",
            "en": "missing fact '{name}' ({label}): required when {condition}",
        },
        "project.bad_fact": {"zh": "事实 “{name}”（{label}）：{reason}", "en": "fact '{name}' ({label}): {reason}"},
        "project.bad_measure_fact": {
            "zh": "措施 “{measure}” 设置的事实 “{name}”：{reason}",
            "en": "measure '{measure}' sets '{name}': {reason}",
        },
        "project.unknown_fact": {
            "zh": "未知的事实 “{name}”：规则集未声明，也不是标准事实{hint}",
            "en": "unknown fact '{name}': neither declared by the rule set nor a standard fact{hint}",
        },
        "project.unknown_measure_fact": {
            "zh": "措施 “{measure}” 设置了未知的事实 “{name}”：规则集未声明，也不是标准事实{hint}",
            "en": "measure '{measure}' sets unknown fact '{name}': neither declared by the rule set nor a standard fact{hint}",
        },
        "project.unknown_fact_ignored": {"zh": "未声明的事实 “{name}” 将被忽略{hint}", "en": "undeclared fact '{name}' is ignored{hint}"},
        "project.unknown_measure_fact_ignored": {
            "zh": "措施 “{measure}” 设置了未声明的事实 “{name}”，将被忽略{hint}",
            "en": "measure '{measure}' sets undeclared fact '{name}', ignored{hint}",
        },
        "project.list_sep": {"zh": "、", "en": ", "},
        "project.unused_facts": {
            "zh": "本规则集未使用以下标准事实，已忽略：{names}",
            "en": "standard facts not used by this rule set are ignored: {names}",
        },
        "project.bad_identity": {"zh": "“{name}” 的取值 “{value}” 无效（可选：{options}）", "en": "'{name}': invalid value '{value}' (options: {options})"},
        "project.hint": {"zh": "（是否想写 “{suggestion}”？）", "en": " (did you mean '{suggestion}'?)"},
        "project.invalid": {"zh": "项目数据有错误", "en": "the project data have errors"},
        "project.dup_measure": {"zh": "措施编号 “{measure}” 重复", "en": "duplicate measure id '{measure}'"},
    }
)

_IDENTITY_OPTIONS = {"kind": KIND_OPTIONS, "regime": REGIME_OPTIONS, "decision_level": DECISION_LEVEL_OPTIONS}


@dataclass(frozen=True)
class ProjectProblem:
    """One problem of a project: the field, a message key, and a position when there is a file."""

    field: str
    code: str
    params: dict[str, object]
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def message(self, lang: str = "zh") -> str:
        params = dict(self.params)
        suggestion = params.get("suggestion")
        params.setdefault("hint", t("project.hint", lang, suggestion=suggestion) if suggestion else "")
        listed = params.get("facts")
        if isinstance(listed, list):
            params.setdefault("names", t("project.list_sep", lang).join(str(x) for x in listed))
        if "reason_code" in params:
            reason_params = params.get("reason_params")
            extra = reason_params if isinstance(reason_params, dict) else {}
            params["reason"] = t(str(params["reason_code"]), lang, **extra)
        return t(self.code, lang, **params)

    def render(self, lang: str = "zh") -> str:
        if self.file and self.line is not None:
            where = f"{self.file}:{self.line}:{self.column or 1}: "
        else:
            where = f"{self.file}: " if self.file else ""
        return where + self.message(lang)

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, column=self.column, field=self.field or None)

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        """``{"code", "field", "message", "params", "location"}`` as plain JSON data."""
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message(lang),
            "params": jsonable(self.params),
            "location": self.location.to_dict(),
        }


class ProjectError(RiskevalError):
    """A project whose data do not match the rule set; ``problems`` lists each."""

    code = "project.invalid"
    problems: list[ProjectProblem]

    def __init__(self, problems: list[ProjectProblem]) -> None:
        first = problems[0] if problems else None
        super().__init__(location=first.location if first is not None else None, problems=problems)

    def message(self, lang: str | None = "zh") -> str:
        return self.short(lang or "zh")

    def short(self, lang: str = "zh") -> str:
        return "; ".join(p.message(lang) for p in self.problems)

    def render(self, lang: str = "zh") -> str:
        return "\n".join(p.render(lang) for p in self.problems)


@dataclass
class CheckedProject:
    """Normalised facts before and after the measures.

    ``warnings`` lists unknown facts ignored under ``strict=False``; ``notes`` the standard facts
    that the rule set does not use (ignored).
    """

    project: Project
    initial: dict[str, Any]
    residual: dict[str, Any]
    measure_changes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[ProjectProblem] = field(default_factory=list)
    notes: list[ProjectProblem] = field(default_factory=list)


def _where(project: Project, path: tuple[str | int, ...]) -> dict[str, Any]:
    positions = project._positions
    if positions is None or project.source is None:
        return {}
    pos = positions.value(path)
    return {"file": project.source, "line": pos.line, "column": pos.column}


def unknown_fact_suggestion(name: str, ruleset: RuleSet) -> str:
    """The nearest of the rule set's facts and the standard vocabulary to ``name`` ("" when none is close).

    >>> from riskeval import load_ruleset
    >>> unknown_fact_suggestion("petition_12m", load_ruleset("guiyang"))
    'petitions_12m'
    """
    candidates = sorted(set(ruleset.facts) | STANDARD_FACTS)
    close = difflib.get_close_matches(name, candidates, n=1)
    return close[0] if close else ""


_COERCED: dict[tuple[int, str], tuple[FactDecl, bool, Any]] = {}
_COERCED_MAX = 100_000


def _coerce(decl: FactDecl, value: Any) -> Any:
    """``coerce_fact_value(decl, value)``, remembered for text values (a table repeats the same cells).

    Only a ``str`` is remembered (equal strings are the same text) and only when the result is not a
    list (a caller may change it); a remembered failure is raised again as a new ``FactValueError``
    with the same code and parameters. Declarations are not changed once a rule set is loaded; the
    entry also keeps the declaration, so a new declaration at a reused address is never mistaken for it.
    """
    if type(value) is not str or decl.type == "list":
        return coerce_fact_value(decl, value)
    key = (id(decl), value)
    got = _COERCED.get(key)
    if got is None or got[0] is not decl:
        try:
            got = (decl, True, coerce_fact_value(decl, value))
        except FactValueError as exc:
            got = (decl, False, (exc.code, dict(exc.params)))
        if len(_COERCED) >= _COERCED_MAX:
            _COERCED.clear()
        _COERCED[key] = got
    if got[1]:
        return got[2]
    code, params = got[2]
    raise FactValueError(code, **params)


def check_project(project: Project, ruleset: RuleSet, *, require: bool = True, strict: bool = True) -> CheckedProject:
    """Validate and normalise ``project`` under ``ruleset``.

    Parameters
    ----------
    project, ruleset
        The matter and the rule set whose declarations it must meet.
    require
        Report missing required facts (off when deciding whether a matter is in scope at all).
    strict
        An unknown fact (neither declared nor standard) is an error; with ``False`` a warning.

    Raises
    ------
    ProjectError
        Listing every problem found.
    """
    errors: list[ProjectProblem] = []
    warnings: list[ProjectProblem] = []
    unused: list[str] = []
    identity = project.identity()
    for name, options in _IDENTITY_OPTIONS.items():
        value = identity.get(name)
        if value is None:
            continue
        code = value if value in options else next((c for c, label in options.items() if label == value), None)
        if code is None:
            errors.append(
                ProjectProblem(name, "project.bad_identity", {"name": name, "value": value, "options": ", ".join(options)}, **_where(project, (name,)))
            )
        else:
            identity[name] = code
    declared = ruleset.facts

    def check_value(name: str, value: Any, path: tuple[str | int, ...], measure: str | None) -> tuple[bool, Any]:
        decl = declared.get(name)
        if decl is None:
            if name in STANDARD_FACTS:
                if name not in unused:
                    unused.append(name)
                return False, None
            params: dict[str, object] = {"name": name, "suggestion": unknown_fact_suggestion(name, ruleset)}
            code = "project.unknown_fact"
            if measure is not None:
                params["measure"] = measure
                code = "project.unknown_measure_fact"
            if strict:
                errors.append(ProjectProblem(name, code, params, **_where(project, path)))
            else:
                warnings.append(ProjectProblem(name, code + "_ignored", params, **_where(project, path)))
            return False, None
        if value is None:
            return False, None
        try:
            return True, _coerce(decl, value)
        except FactValueError as exc:
            params = {"name": name, "label": decl.label, "reason_code": exc.code, "reason_params": exc.params}
            code = "project.bad_fact"
            if measure is not None:
                params["measure"] = measure
                code = "project.bad_measure_fact"
            errors.append(ProjectProblem(name, code, params, **_where(project, path)))
            return False, None

    facts: dict[str, Any] = {}
    for name, value in project.facts.items():
        ok, clean = check_value(name, value, ("facts", name), None)
        if ok:
            facts[name] = clean
    for name, decl in declared.items():
        if name not in facts and decl.default is not None:
            facts[name] = coerce_fact_value(decl, decl.default)
    # Nothing to report when every required fact is there (the common case: no sorting).
    missing = require and not ruleset.required_facts.issubset(facts)
    for name in sorted(ruleset.required_facts) if missing else ():
        if name not in facts and not any(p.field == name for p in errors):
            errors.append(
                ProjectProblem(name, "project.missing_fact", {"name": name, "label": declared[name].label}, **_where(project, ("facts",)))
            )
    if require and ruleset.required_when:
        known = {**{k: v for k, v in identity.items() if v is not None}, **facts}
        for name, cond in ruleset.required_when.items():
            if name not in facts and name not in ruleset.required_facts and evaluate(cond, known):
                decl = declared[name]
                errors.append(
                    ProjectProblem(
                        name,
                        "project.missing_fact_when",
                        {"name": name, "label": decl.label, "condition": decl.required_when},
                        **_where(project, ("facts",)),
                    )
                )
    residual = dict(facts)
    changes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, measure in enumerate(project.measures):
        if measure.id in seen:
            errors.append(ProjectProblem("measures", "project.dup_measure", {"measure": measure.id}, **_where(project, ("measures", i, "id"))))
        seen.add(measure.id)
        applied: dict[str, Any] = {}
        for name, value in measure.sets.items():
            ok, clean = check_value(name, value, ("measures", i, "sets", name), measure.id)
            if ok:
                applied[name] = {"from": residual.get(name), "to": clean}
                residual[name] = clean
        changes.append({"id": measure.id, "label": measure.label, "changes": applied})
    if errors:
        raise ProjectError(errors)
    base = {k: v for k, v in identity.items() if v is not None and v != []}
    notes = [ProjectProblem("facts", "project.unused_facts", {"facts": unused})] if unused else []
    return CheckedProject(project, {**base, **facts}, {**base, **residual}, changes, warnings, notes)
