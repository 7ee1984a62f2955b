"""Reasons an assignment is infeasible, as catalogue messages (:mod:`riskeval.i18n`).

A :class:`Reason` stores its ``kind``, the projects, experts and units concerned, and a message ``code`` with
its ``params``; the text is rendered in the language asked for.  Parameters named ``names_*`` are lists
of identifiers (shown quoted in Chinese, at most 8 and a count of the rest); other lists are joined;
:class:`Text` values are nested messages.

Examples
--------
>>> r = Reason(kind="total_capacity", code="pool.reason.total_capacity", params={"capacity": 3, "demand": 4})
>>> r.message("en")
"the available experts' maximum loads add up to 3, fewer than the 4 seats of all projects"
>>> names(["P1", "P2"], "zh"), names(["P1", "P2"], "en")
('“P1”、“P2”', 'P1, P2')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from riskeval.i18n import normalize_lang, register_messages, t

__all__ = ["Reason", "Explanation", "Text", "names"]

_MAX_NAMES = 8
_MAX_REASONS = 20

_FEWER = {"zh": "，少于所需的 {k} 人", "en": ", fewer than the {k} required"}

register_messages(
    {
        "pool.names.quoted": {"zh": "“{x}”", "en": "{x}"},
        "pool.names.more": {"zh": "{text}等 {total} 个", "en": "{text} and {rest} more"},
        "pool.explain.more": {"zh": "……另有 {n} 条", "en": "... and {n} more"},
        "pool.reason.unknown": {"zh": "约束条件无法同时满足", "en": "the constraints cannot all be met"},
        "pool.reason.too_few.available": {
            "zh": "项目“{project}”：专家库中可用专家仅 {n} 人" + _FEWER["zh"],
            "en": "project {project}: the pool has only {n} available expert(s)" + _FEWER["en"],
        },
        "pool.reason.too_few.affinity_explicit": {
            "zh": "项目“{project}”：亲和度表中有评分的专家仅 {n} 人" + _FEWER["zh"],
            "en": "project {project}: only {n} expert(s) have a score in the affinity table" + _FEWER["en"],
        },
        "pool.reason.too_few.affinity": {
            "zh": "项目“{project}”：具备领域“{domains}”的专家仅 {n} 人" + _FEWER["zh"],
            "en": "project {project}: only {n} expert(s) with domains {domains}" + _FEWER["en"],
        },
        "pool.reason.too_few.own_unit": {
            "zh": "项目“{project}”：排除提出单位“{unit}”本单位的专家后仅剩 {n} 人" + _FEWER["zh"],
            "en": "project {project}: after excluding experts of its own unit {unit}, only {n} remain" + _FEWER["en"],
        },
        "pool.reason.too_few.conflicts": {
            "zh": "项目“{project}”：排除回避（利益冲突）专家后仅剩 {n} 人" + _FEWER["zh"],
            "en": "project {project}: after excluding conflicted experts, only {n} remain" + _FEWER["en"],
        },
        "pool.reason.diversity": {
            "zh": "项目“{project}”：候选专家来自 {units} 个单位，每个单位至多 {max_per_unit} 人，"
            "最多组成 {room} 人的专家组" + _FEWER["zh"],
            "en": "project {project}: candidates come from {units} unit(s) and at most {max_per_unit} per unit "
            "may serve, so at most {room} of the {k} seats can be filled",
        },
        "pool.reason.prob_cap": {
            "zh": "项目“{project}”：{candidates} 名候选专家、每人入选概率上限 {cap}，期望至多 {expected} 人，"
            "少于所需的 {k} 人；概率上限至少应为 {need}",
            "en": "project {project}: {candidates} candidates with a probability cap of {cap} give at most "
            "{expected} expected seats, fewer than {k}; the cap must be at least {need}",
        },
        "pool.reason.total_capacity": {
            "zh": "全部可用专家的最大评审量合计 {capacity} 次，少于所有项目所需的 {demand} 个席位",
            "en": "the available experts' maximum loads add up to {capacity}, fewer than the {demand} seats of all "
            "projects",
        },
        "pool.reason.unit_caps": {
            "zh": "在单位评审量上限下，各单位合计最多提供 {supply} 个席位，少于所需的 {demand} 个",
            "en": "under the unit load caps the units can fill at most {supply} seats, fewer than the {demand} "
            "required",
        },
        "pool.reason.min_load_total": {
            "zh": "专家最低评审量合计 {total} 次，超过所有项目的席位总数 {demand}",
            "en": "the experts' minimum loads add up to {total}, more than the {demand} seats of all projects",
        },
        "pool.reason.min_load_expert": {
            "zh": "专家“{expert}”：最低评审量 {minimum} 次，但可参评的项目仅 {n} 个",
            "en": "expert {expert}: minimum load {minimum} but only {n} eligible project(s)",
        },
        "pool.reason.min_load_expert_capped": {
            "zh": "专家“{expert}”：最低评审量 {minimum} 次，但可参评的项目（按概率上限折算）仅 {n} 个",
            "en": "expert {expert}: minimum load {minimum} but only {n} eligible project(s) (weighted by the "
            "probability cap)",
        },
        "pool.reason.min_load_unit": {
            "zh": "单位“{unit}”：本单位专家最低评审量合计 {total} 次，超过单位上限 {cap}",
            "en": "unit {unit}: its experts' minimum loads add up to {total}, above the unit cap of {cap}",
        },
        "pool.reason.min_load_joint": {
            "zh": "专家{names_experts}的最低评审量无法与其他约束（专家组人数、单位上限、回避等）同时满足；请降低最低评审量",
            "en": "the minimum loads of experts {names_experts} cannot be met together with the other constraints "
            "(panel sizes, unit caps, conflicts); lower the minimum loads",
        },
        "pool.reason.hall": {
            "zh": "项目{names_projects}合计需要 {need} 名专家，但其候选专家最多只能提供 {supply} 个席位（受限于：{bounds}）",
            "en": "projects {names_projects} need {need} experts in all, but their candidates can fill at most "
            "{supply} seats (bound by: {bounds})",
        },
        "pool.reason.hall.candidates": {"zh": "候选人数", "en": "the number of candidates"},
        "pool.reason.hall.experts": {
            "zh": "专家{names_experts}已达最大评审量",
            "en": "experts {names_experts} at their maximum load",
        },
        "pool.reason.hall.units": {
            "zh": "单位{names_units}已达单位评审量上限",
            "en": "units {names_units} at their load cap",
        },
        "pool.reason.hall.diversity": {
            "zh": "同一单位至多 {max_per_unit} 人（{n} 处）",
            "en": "at most {max_per_unit} expert(s) per unit and project ({n} place(s))",
        },
        "pool.reason.hall.slots": {
            "zh": "每名专家在同一项目至多 1 个席位（{n} 人）",
            "en": "one seat per expert and project ({n} expert(s))",
        },
        "pool.reason.prob_cap_joint": {
            "zh": "在入选概率上限 {cap} 下，专家评审量、单位上限与专家组人数无法同时满足；请提高概率上限或放宽评审量",
            "en": "with a probability cap of {cap} the loads, unit caps and panel sizes cannot all be met; raise the "
            "cap or relax the loads",
        },
    }
)


def names(items: Sequence[str], lang: str) -> str:
    """Identifiers as a list for a sentence: quoted and ``、``-separated in Chinese; at most 8 and a count."""
    shown = [t("pool.names.quoted", lang, x=s) for s in items[:_MAX_NAMES]]
    text = t("pool.list.sep", lang).join(shown)
    if len(items) > len(shown):
        return t("pool.names.more", lang, text=text, total=len(items), rest=len(items) - len(shown))
    return text


class Text(BaseModel):
    """A nested catalogue message (rendered in the language of the message that holds it)."""

    code: str
    params: dict[str, Any] = Field(default_factory=dict)

    def render(self, lang: str = "zh") -> str:
        return t(self.code, lang, **{k: _param(k, v, lang) for k, v in self.params.items()})


def _param(key: str, value: Any, lang: str) -> Any:
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, list | tuple):
        if key.startswith("names"):
            return names([str(v) for v in value], lang)
        if value and all(isinstance(v, Text) for v in value):
            return t("pool.list.clause_sep", lang).join(v.render(lang) for v in value)
        return t("pool.list.sep", lang).join(str(v) for v in value)
    return value


class Reason(BaseModel):
    """One binding constraint, with the projects (experts, units) it concerns and its message."""

    kind: str
    projects: list[str] = Field(default_factory=list)
    experts: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    code: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """The reason in Chinese (``"zh"``) or English (``"en"``)."""
        lang = normalize_lang(lang)
        return Text(code=self.code or f"pool.reason.{self.kind}", params=self.params).render(lang)

    @property
    def zh(self) -> str:
        return self.message("zh")

    @property
    def en(self) -> str:
        return self.message("en")

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Kind, code, the identifiers concerned and the text."""
        return {"kind": self.kind, "code": self.code or f"pool.reason.{self.kind}", "projects": self.projects,
                "experts": self.experts, "units": self.units, "message": self.message(lang)}


class Explanation(BaseModel):
    """The reasons an instance is infeasible."""

    reasons: list[Reason] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        """All reasons, one per line (at most 20, then a count of the rest)."""
        lines = [r.message(lang) for r in self.reasons[:_MAX_REASONS]]
        rest = len(self.reasons) - _MAX_REASONS
        if rest > 0:
            lines.append(t("pool.explain.more", lang, n=rest))
        return "\n".join(lines)

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in self.reasons]

    def __bool__(self) -> bool:
        return bool(self.reasons)
