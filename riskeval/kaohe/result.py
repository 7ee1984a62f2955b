"""The result of an audit: units ranked by score, each deduction with the matter and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..i18n import normalize_lang, register_messages, t
from .period import Period

if TYPE_CHECKING:  # pragma: no cover
    from ..errors import RiskevalError
    from .scheme import Scheme

__all__ = ["AuditResult", "Deduction", "IndicatorScore", "UnitScore"]

register_messages(
    {
        "kaohe.head": {
            "zh": "{title}：{period}（{start} 至 {end}），{units} 个单位，满分 {max}；台账 {count} 条记录，链头 {head}",
            "en": "{title}: {period} ({start} to {end}), {units} units, full marks {max}; ledger of {count} records, head {head}",
        },
        "kaohe.rank_line": {"zh": "{rank}. {unit}：{total} 分（{parts}）", "en": "{rank}. {unit}: {total} points ({parts})"},
        "kaohe.part": {"zh": "{label} {score}/{weight}", "en": "{label} {score}/{weight}"},
        "kaohe.deductions": {"zh": "扣分明细（{count} 项）：", "en": "deductions ({count}):"},
        "kaohe.no_deductions": {"zh": "无扣分。", "en": "no deductions."},
        "kaohe.deduction_line": {
            "zh": "- {unit}｜{indicator}｜{project}：扣 {points} 分。{reason}",
            "en": "- {unit} | {indicator} | {project}: -{points}. {reason}",
        },
        "kaohe.project": {"zh": "{id}（{name}）", "en": "{id} ({name})"},
        "kaohe.no_units": {"zh": "考核期间内没有可考核的事项", "en": "nothing to audit in the period"},
        "kaohe.no_unit": {"zh": "（未注明单位）", "en": "(no unit given)"},
    }
)


def _num(value: float) -> float | int:
    """``value`` rounded to 2 decimals, integral values as ``int``."""
    rounded = round(value + 0.0, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _event(event: dict[str, Any], lang: str) -> str:
    """An incident seen in a tracking record: an escalation, or a fact condition met."""
    if event.get("kind") == "escalated":
        return t("kaohe.r.escalated", lang, level=t(f"kaohe.level.{event.get('level') or 'none'}", lang))
    labels = event.get("label") or {}
    label = labels.get(lang) or labels.get("zh") or str(event.get("fact"))
    value = event.get("value")
    return label if value is True else t("kaohe.r.fact", lang, label=label, value=value)


@dataclass(frozen=True)
class Deduction:
    """Points deducted from ``unit`` under ``indicator`` for the matter ``project_id``.

    ``reason`` is a catalogue key with ``params`` (or ``error``: a gate error whose message is the
    reason, for decisions without a valid assessment).
    """

    unit: str
    indicator: str
    project_id: str
    project_name: str | None
    points: float
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    error: RiskevalError | None = None
    seq: int | None = None
    day: str | None = None

    def reason_text(self, lang: str | None = "zh") -> str:
        """The reason in ``lang`` (every part rendered now, so one result speaks either language)."""
        lang = normalize_lang(lang)
        params = dict(self.params)
        if "level" in params:
            params["level"] = t(f"kaohe.level.{params['level'] or 'none'}", lang)
        if "owner" in params and not params["owner"]:
            params["owner"] = t("kaohe.no_owner", lang)
        if "outcome" in params and not params["outcome"]:
            params["outcome"] = t("kaohe.no_outcome", lang)
        if "events" in params:
            params["what"] = t("punct.list", lang).join(_event(e, lang) for e in params.pop("events"))
        detail = self.error.message(lang) if self.error is not None else ""
        return t(self.reason, lang, detail=detail, **params)

    def project_text(self, lang: str = "zh") -> str:
        if not self.project_name:
            return self.project_id
        return t("kaohe.project", lang, id=self.project_id, name=self.project_name)

    def to_dict(self, lang: str = "zh", scheme: Scheme | None = None) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "indicator": self.indicator,
            "indicator_label": scheme.label(self.indicator, lang) if scheme is not None else self.indicator,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "points": _num(self.points),
            "reason_code": self.reason,
            "reason": self.reason_text(lang),
            "seq": self.seq,
            "date": self.day,
        }


@dataclass
class IndicatorScore:
    """One indicator for one unit: items it applied to, failures, points."""

    weight: float
    applicable: int = 0
    failures: int = 0
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"weight": _num(self.weight), "applicable": self.applicable, "failures": self.failures, "score": _num(self.score)}


@dataclass
class UnitScore:
    """A unit's total, rank, indicator scores and deductions."""

    unit: str
    indicators: dict[str, IndicatorScore]
    deductions: list[Deduction] = field(default_factory=list)
    rank: int = 0

    @property
    def total(self) -> float:
        return round(sum(s.score for s in self.indicators.values()), 6)

    def to_dict(self, lang: str = "zh", scheme: Scheme | None = None) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "unit": self.unit,
            "total": _num(self.total),
            "indicators": {name: s.to_dict() for name, s in self.indicators.items()},
            "deductions": [d.to_dict(lang, scheme) for d in self.deductions],
        }


@dataclass
class AuditResult:
    """What :func:`~riskeval.kaohe.score_units` found: units ranked (best first)."""

    scheme: Scheme
    period: Period
    units: list[UnitScore]
    ledger_count: int = 0
    ledger_head: str | None = None

    @property
    def deductions(self) -> list[Deduction]:
        return [d for u in self.units for d in u.deductions]

    def unit(self, name: str) -> UnitScore:
        """The score of the unit ``name`` (``KeyError`` when absent)."""
        for u in self.units:
            if u.unit == name:
                return u
        raise KeyError(name)

    def heading(self, lang: str | None = "zh") -> str:
        lang = normalize_lang(lang)
        title = {"zh": self.scheme.title, "en": self.scheme.title_en or self.scheme.title}[lang]
        return t(
            "kaohe.head", lang, title=title, period=self.period.label, start=self.period.start.isoformat(),
            end=self.period.end.isoformat(), units=len(self.units), max=_num(self.scheme.max_total),
            count=self.ledger_count, head=(self.ledger_head or "-")[:16],
        )

    def ranking_lines(self, lang: str | None = "zh") -> list[str]:
        lang = normalize_lang(lang)
        out = []
        for u in self.units:
            parts = t("punct.list", lang).join(
                t("kaohe.part", lang, label=self.scheme.label(name, lang), score=_num(s.score), weight=_num(s.weight))
                for name, s in u.indicators.items()
            )
            out.append(t("kaohe.rank_line", lang, rank=u.rank, unit=u.unit, total=_num(u.total), parts=parts))
        return out

    def deduction_lines(self, lang: str | None = "zh") -> list[str]:
        lang = normalize_lang(lang)
        return [
            t(
                "kaohe.deduction_line", lang, unit=d.unit, indicator=self.scheme.label(d.indicator, lang),
                project=d.project_text(lang), points=_num(d.points), reason=d.reason_text(lang),
            )
            for d in self.deductions
        ]

    def message(self, lang: str | None = "zh") -> str:
        """The text summary: heading, ranking, then every deduction."""
        lang = normalize_lang(lang)
        lines = [self.heading(lang)]
        if not self.units:
            return "\n".join([*lines, t("kaohe.no_units", lang)])
        lines += self.ranking_lines(lang)
        deductions = self.deduction_lines(lang)
        lines.append(t("kaohe.deductions", lang, count=len(deductions)) if deductions else t("kaohe.no_deductions", lang))
        return "\n".join(lines + deductions)

    def to_dict(self, lang: str | None = "zh") -> dict[str, Any]:
        lang = normalize_lang(lang)
        return {
            "scheme": {"id": self.scheme.id, "title": self.scheme.title, "version": self.scheme.version,
                       "max_total": _num(self.scheme.max_total),
                       "indicators": {n: self.scheme.label(n, lang) for n, _ in self.scheme.indicators.items()}},
            "period": self.period.to_dict(),
            "ledger": {"count": self.ledger_count, "head": self.ledger_head},
            "units": [u.to_dict(lang, self.scheme) for u in self.units],
        }
