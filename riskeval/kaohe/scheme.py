"""The audit scheme (考核方案): indicators, weights and their parameters, read from YAML.

A scheme file is read by the one YAML reader (:mod:`riskeval.io.yaml`) and validated by
:class:`Scheme`; every problem is reported at ``file:line:column`` in Chinese (English with
``lang="en"``), all problems of a file at once (:class:`SchemeError`, exit 1).

The five indicators (any may be left out; at least one is required):

``coverage``    应评尽评: each decision has a valid assessment recorded before it
``timeliness``  the matter's first assessment is at least ``min_days`` before the decision
``measures``    each measure of an approved matter is reported done by its due date
``tracking``    approved matters of the ``levels`` are re-assessed at least every ``interval_days``
``incidents``   no incident on a decided matter (``escalated`` tracking, or the ``facts`` conditions)

Each indicator has a ``weight`` (its full points) and a ``deduct`` rule: ``proportional``
(default: the points × failures / applicable items) or a number of points per failure (at most
the weight).

Examples
--------
>>> scheme = scheme_from_text("id: s\\ntitle: 示例\\nindicators:\\n  coverage: {weight: 60}\\n  timeliness: {weight: 40, min_days: 10}\\n")
>>> scheme.max_total, scheme.indicators.timeliness.min_days
(100.0, 10)
>>> try:
...     scheme_from_text("id: s\\ntitle: t\\nindicators:\\n  coverage: {weight: -1}\\n", "s.yaml")
... except SchemeError as exc:
...     print(exc.render("en"))
s.yaml:4:22: scheme field 'indicators.coverage.weight': must be 0 or more
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, Location, RiskevalError, jsonable
from ..i18n import normalize_lang, register_messages, t
from ..io.yaml import PositionMap, YamlError, load_yaml_with_positions
from ..ruleset.messages import schema_reason

__all__ = [
    "INDICATORS",
    "Condition",
    "CoverageIndicator",
    "IncidentsIndicator",
    "Indicators",
    "MeasuresIndicator",
    "Scheme",
    "SchemeError",
    "SchemeProblem",
    "TimelinessIndicator",
    "TrackingIndicator",
    "load_scheme",
    "scheme_from_text",
]

INDICATORS = ("coverage", "timeliness", "measures", "tracking", "incidents")

register_messages(
    {
        "kaohe.scheme.invalid": {"zh": "考核方案有错误", "en": "the audit scheme has errors"},
        "kaohe.scheme.field": {"zh": "考核方案字段“{field}”：{reason}", "en": "scheme field '{field}': {reason}"},
        "kaohe.scheme.file": {"zh": "无法读取考核方案：{detail}", "en": "cannot read the audit scheme: {detail}"},
        "kaohe.scheme.ge0": {"zh": "应为 0 或更大", "en": "must be 0 or more"},
        "kaohe.scheme.gt0": {"zh": "应大于 0", "en": "must be above 0"},
        "kaohe.scheme.no_indicator": {"zh": "至少要有一项指标", "en": "at least one indicator is needed"},
        "kaohe.scheme.zero_total": {"zh": "各项指标权重之和为 0", "en": "the weights add up to 0"},
        "kaohe.scheme.deduct_over": {
            "zh": "每项扣分 {deduct} 超过该指标的权重 {weight}",
            "en": "the deduction per item {deduct} exceeds the indicator's weight {weight}",
        },
        "kaohe.scheme.total": {
            "zh": "各项指标权重之和为 {sum}，与所写总分 {total} 不符",
            "en": "the weights add up to {sum}, not the stated total {total}",
        },
        "kaohe.scheme.condition": {
            "zh": "条件须给出 equals、min、max 之一",
            "en": "a condition needs one of equals, min or max",
        },
        "kaohe.scheme.levels": {"zh": "风险等级应为 high、medium 或 low，实为“{value}”", "en": "a level is high, medium or low, not '{value}'"},
    }
)

Deduct = Literal["proportional"] | float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Indicator(_Strict):
    label: str | None = Field(None, description="指标名称（中文）")
    label_en: str | None = Field(None, description="指标名称（英文）")
    weight: float = Field(description="满分（权重）")
    deduct: Deduct = Field("proportional", description="每项扣分，或 proportional（按比例）")


class CoverageIndicator(_Indicator):
    """应评尽评: decisions with a valid prior assessment."""


class TimelinessIndicator(_Indicator):
    """The first assessment at least ``min_days`` days before the decision."""

    min_days: int = Field(description="决策前至少提前的天数")


class MeasuresIndicator(_Indicator):
    """Measures of approved matters done by their due date."""


class TrackingIndicator(_Indicator):
    """Approved matters of ``levels`` re-assessed (tracked) at least every ``interval_days``."""

    interval_days: int = Field(description="跟踪评估的最长间隔（天）")
    levels: list[str] = Field(default_factory=lambda: ["high", "medium"], description="须跟踪的风险等级")


class Condition(_Strict):
    """A fact condition: ``equals`` a value, or at least ``min`` / at most ``max``."""

    fact: str
    label: str | None = None
    label_en: str | None = None
    equals: Any = None
    min: float | None = None
    max: float | None = None

    def text(self, lang: str = "zh") -> str:
        """The condition's label in ``lang`` (the fact name when none is given)."""
        return {"zh": self.label, "en": self.label_en}.get(normalize_lang(lang)) or self.label or self.fact

    def holds(self, facts: dict[str, Any]) -> bool:
        """Whether the condition holds for ``facts`` (a missing fact never holds).

        Examples
        --------
        >>> Condition(fact="n", min=10).holds({"n": 12}), Condition(fact="b", equals=True).holds({})
        (True, False)
        """
        if self.fact not in facts or facts[self.fact] is None:
            return False
        value = facts[self.fact]
        if self.equals is not None and value != self.equals:
            return False
        if self.min is not None or self.max is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if self.min is not None and value < self.min:
                return False
            if self.max is not None and value > self.max:
                return False
        return True


class IncidentsIndicator(_Indicator):
    """Incidents on decided matters, read from tracking records (see :mod:`riskeval.kaohe.score`)."""

    escalated: bool = Field(True, description="跟踪评估升级（风险等级上升）计为事件")
    facts: list[Condition] = Field(default_factory=list, description="跟踪评估中表明发生事件的事实条件")


class Indicators(_Strict):
    coverage: CoverageIndicator | None = None
    timeliness: TimelinessIndicator | None = None
    measures: MeasuresIndicator | None = None
    tracking: TrackingIndicator | None = None
    incidents: IncidentsIndicator | None = None

    def items(self) -> list[tuple[str, _Indicator]]:
        """``(name, indicator)`` for each indicator present, in the fixed order."""
        return [(name, ind) for name in INDICATORS if (ind := getattr(self, name)) is not None]


class Scheme(_Strict):
    """An audit scheme (see the module docstring)."""

    id: str
    title: str
    title_en: str | None = None
    version: str | None = None
    source: str | None = Field(None, description="出处；未溯源的本地默认值标 [U]")
    total: float | None = Field(None, description="总分（若写出，须等于权重之和）")
    refuse_words: list[str] = Field(
        default_factory=lambda: ["不予", "不同意", "不批准", "暂缓", "暂不", "否决", "驳回", "终止", "reject", "postpone"],
        description="决策结果中表示不批准（不实施、暂缓）的词",
    )
    indicators: Indicators

    @property
    def max_total(self) -> float:
        return float(sum(ind.weight for _, ind in self.indicators.items()))

    def label(self, name: str, lang: str = "zh") -> str:
        """The indicator's label in ``lang`` (the catalogue's when the scheme gives none)."""
        ind = getattr(self.indicators, name)
        own = {"zh": ind.label, "en": ind.label_en}.get(normalize_lang(lang)) if ind is not None else None
        return own or t(f"kaohe.ind.{name}", lang)

    def approves(self, outcome: str | None) -> bool:
        """Whether a decision outcome lets the matter go ahead: every outcome but a refusal (one
        holding a ``refuse_words`` word); no outcome counts as going ahead.

        Examples
        --------
        >>> s = scheme_from_text("id: s\\ntitle: t\\nindicators: {coverage: {weight: 1}}\\n")
        >>> s.approves("批准实施"), s.approves("不予批准"), s.approves("暂缓实施"), s.approves(None)
        (True, False, False, True)
        """
        if outcome is None or not outcome.strip():
            return True
        text = outcome.lower()
        return not any(w.lower() in text for w in self.refuse_words)


register_messages(
    {
        "kaohe.ind.coverage": {"zh": "应评尽评", "en": "coverage (every decision assessed)"},
        "kaohe.ind.timeliness": {"zh": "评估及时", "en": "timeliness"},
        "kaohe.ind.measures": {"zh": "措施按期落实", "en": "measures done on time"},
        "kaohe.ind.tracking": {"zh": "跟踪评估按期开展", "en": "tracking on schedule"},
        "kaohe.ind.incidents": {"zh": "决策事项未发生事件", "en": "no incidents on decided matters"},
    }
)


@dataclass(frozen=True)
class SchemeProblem:
    """One problem of a scheme file: the field, a catalogue key with params, and the position."""

    field: str
    code: str
    params: dict[str, Any]
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def message(self, lang: str = "zh") -> str:
        lang = normalize_lang(lang)
        params = dict(self.params)
        if "reason_code" in params:
            extra = params.get("reason_params")
            params["reason"] = t(str(params["reason_code"]), lang, **(extra if isinstance(extra, dict) else {}))
        return t(self.code, lang, **params)

    def render(self, lang: str = "zh") -> str:
        if self.file and self.line is not None:
            return f"{self.file}:{self.line}:{self.column or 1}: {self.message(lang)}"
        return (f"{self.file}: " if self.file else "") + self.message(lang)

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, column=self.column, field=self.field or None)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message(lang), "params": jsonable(self.params),
                "location": self.location.to_dict()}


class SchemeError(RiskevalError):
    """A scheme file with problems (exit 1); ``problems`` lists each, located."""

    code = "kaohe.scheme.invalid"

    def __init__(self, problems: list[SchemeProblem]) -> None:
        first = problems[0] if problems else None
        super().__init__(location=first.location if first is not None else None, problems=problems)

    def message(self, lang: str | None = "zh") -> str:
        return "; ".join(p.message(normalize_lang(lang)) for p in self.problems)


def _problem(field: str, reason: str, params: dict[str, Any], source: str | None, positions: PositionMap | None,
             path: tuple[Any, ...], key: bool = False) -> SchemeProblem:
    where: dict[str, Any] = {}
    if positions is not None:
        pos = positions.key(path) if key else positions.value(positions.resolve(path))
        where = {"line": pos.line, "column": pos.column}
    return SchemeProblem(field, "kaohe.scheme.field", {"field": field, "reason_code": reason, "reason_params": params},
                         file=source, **where)


def _semantic(scheme: Scheme, source: str | None, positions: PositionMap | None) -> list[SchemeProblem]:
    out: list[SchemeProblem] = []

    def add(path: tuple[Any, ...], reason: str, **params: Any) -> None:
        out.append(_problem(".".join(str(p) for p in path), reason, params, source, positions, path))

    items = scheme.indicators.items()
    if not items:
        add(("indicators",), "kaohe.scheme.no_indicator")
    for name, ind in items:
        base = ("indicators", name)
        if ind.weight < 0:
            add((*base, "weight"), "kaohe.scheme.ge0")
        if not isinstance(ind.deduct, str):
            if ind.deduct < 0:
                add((*base, "deduct"), "kaohe.scheme.ge0")
            elif ind.deduct > ind.weight >= 0:
                add((*base, "deduct"), "kaohe.scheme.deduct_over", deduct=f"{ind.deduct:g}", weight=f"{ind.weight:g}")
        if isinstance(ind, TimelinessIndicator) and ind.min_days < 0:
            add((*base, "min_days"), "kaohe.scheme.ge0")
        if isinstance(ind, TrackingIndicator):
            if ind.interval_days <= 0:
                add((*base, "interval_days"), "kaohe.scheme.gt0")
            for i, level in enumerate(ind.levels):
                if level not in ("high", "medium", "low"):
                    add((*base, "levels", i), "kaohe.scheme.levels", value=level)
        if isinstance(ind, IncidentsIndicator):
            for i, cond in enumerate(ind.facts):
                if cond.equals is None and cond.min is None and cond.max is None:
                    add((*base, "facts", i), "kaohe.scheme.condition")
    if items and not out:
        total = scheme.max_total
        if total <= 0:
            add(("indicators",), "kaohe.scheme.zero_total")
        elif scheme.total is not None and abs(scheme.total - total) > 1e-9:
            add(("total",), "kaohe.scheme.total", sum=f"{total:g}", total=f"{scheme.total:g}")
    return out


def _validate(data: Any, source: str | None, positions: PositionMap | None) -> Scheme:
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        problems: list[SchemeProblem] = []
        seen: set[str] = set()
        for err in exc.errors():
            loc = tuple(err["loc"])
            # pydantic's union branches (``float``, ``literal[...]``) are not YAML keys: drop them
            path = positions.resolve(loc) if positions is not None and err["type"] != "extra_forbidden" else loc
            field = ".".join(str(p) for p in (path or loc))
            if field in seen:  # one problem per field (a union gives one error per branch)
                continue
            seen.add(field)
            code, params = schema_reason(err)
            problems.append(_problem(field, code, params, source, positions, path, key=err["type"] == "extra_forbidden"))
        raise SchemeError(problems) from None
    problems = _semantic(scheme, source, positions)
    if problems:
        raise SchemeError(problems)
    return scheme


def scheme_from_text(text: str, source: str = "<scheme>") -> Scheme:
    """A scheme from YAML ``text`` (``source`` names it in messages)."""
    try:
        data, positions = load_yaml_with_positions(source, text, mapping=True)
    except YamlError as exc:
        raise SchemeError([_yaml_problem(exc, source)]) from None
    return _validate(data, source, positions)


def _yaml_problem(exc: YamlError, source: str) -> SchemeProblem:
    detail = t(exc.code, "zh", **exc.params)
    return SchemeProblem("", "kaohe.scheme.file", {"detail": detail}, source, exc.position.line, exc.position.column)


def load_scheme(path: str | Path) -> Scheme:
    """Read and validate the scheme file ``path``.

    Raises
    ------
    InputError
        The file does not exist or cannot be opened (exit 2).
    SchemeError
        YAML syntax or scheme problems, each at ``file:line:column`` (exit 1).
    """
    source = str(path)
    try:
        data, positions = load_yaml_with_positions(path, mapping=True)
    except YamlError as exc:
        raise SchemeError([_yaml_problem(exc, source)]) from None
    except FileNotFoundError:
        raise InputError("input.not_found", path=source, location=Location(file=source)) from None
    except OSError as exc:
        raise InputError("input.unreadable", path=source, detail=exc.strerror or str(exc), location=Location(file=source)) from None
    return _validate(data, source, positions)
