"""A matter to be assessed: identity fields, facts and measures (domain.md §8)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

__all__ = ["Measure", "Project"]


class Measure(BaseModel):
    """A risk-mitigation measure (防范化解措施) and the facts it changes."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="措施编号")
    label: str = Field(description="措施名称")
    sets: dict[str, Any] = Field(default_factory=dict, description="措施落实后改变的事实，如 opposition_rate: 0.3")
    owner: str | None = Field(None, description="责任主体")
    partners: list[str] = Field(default_factory=list, description="协助单位")
    due: str | None = Field(None, description="完成时限，如 2016-06-30 或 开工前")

    @field_validator("partners", mode="before")
    @classmethod
    def _partners_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p.strip() for p in value.replace("；", ";").replace("、", ";").split(";") if p.strip()]
        return value

    @field_validator("due", mode="before")
    @classmethod
    def _due_as_text(cls, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    def people(self) -> dict[str, Any]:
        """责任主体、协助单位、完成时限, those that are given.

        >>> Measure(id="M1", label="公示", owner="区政府", partners="街道；公安分局").people()
        {'owner': '区政府', 'partners': ['街道', '公安分局']}
        """
        out: dict[str, Any] = {}
        if self.owner:
            out["owner"] = self.owner
        if self.partners:
            out["partners"] = list(self.partners)
        if self.due:
            out["due"] = self.due
        return out


class Project(BaseModel):
    """A project, policy, reform or event and what is known about it.

    Examples
    --------
    >>> p = Project(id="P1", kind="project", facts={"opposition_rate": 12})
    >>> p.facts["opposition_rate"], p.measures
    (12, [])
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="项目编号")
    name: str | None = Field(None, description="项目名称")
    kind: str | None = Field(None, description="事项类型 project/policy/reform/event/other（或中文）")
    regime: str | None = Field(None, description="决策规则 ndrc_project / major_decision")
    unit: str | None = Field(None, description="申报（提出）单位")
    domains: list[str] = Field(default_factory=list, description="涉及领域")
    decision_level: str | None = Field(None, description="决策层级 county/department/city/province/national")
    investment: float | None = Field(None, description="总投资（万元）")
    location: str | None = Field(None, description="地点")
    facts: dict[str, Any] = Field(default_factory=dict, description="事实")
    measures: list[Measure] = Field(default_factory=list, description="防范化解措施（按顺序落实）")
    panel: dict[str, Any] | None = Field(None, description="专家组评分：条目编号 → 分值")
    panel_record: dict[str, Any] | None = Field(None, description="专家组记录（组长意见、签名）")

    _source: str | None = PrivateAttr(default=None)
    _positions: Any = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file the project was read from, if any."""
        return self._source

    def identity(self) -> dict[str, Any]:
        """The identity fields as a mapping (for conditions over kind, unit, investment, ...)."""
        return {
            "kind": self.kind,
            "regime": self.regime,
            "unit": self.unit,
            "domains": list(self.domains),
            "decision_level": self.decision_level,
            "investment": self.investment,
            "location": self.location,
        }
