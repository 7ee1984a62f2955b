"""The pool's data models: units, experts and project needs (pydantic v2).

Examples
--------
>>> Expert(id="E1", unit="市司法局", domains="法律;经济", category="engineering").domains
['法律', '经济']
>>> ProjectNeed(id="P1", unit=" ", panel_size=3).unit is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CATEGORIES", "DOMAINS", "Unit", "Expert", "ProjectNeed", "split_list", "normalize_category"]

#: Expert categories (domain.md §6).
CATEGORIES: tuple[str, ...] = ("社科研究", "工程技术", "综合管理")

#: Domains seen in published pools (domain.md §6).  Other tags are accepted.
DOMAINS: tuple[str, ...] = (
    "建筑工程", "农林", "水利", "交通", "自然资源", "征地拆迁", "环保", "医疗",
    "社保", "安全生产", "法律", "经济", "金融", "财务", "社会治理", "舆情处置",
)

_CATEGORY_ALIASES = {
    "社科研究": "社科研究", "social_science": "社科研究", "research": "社科研究",
    "工程技术": "工程技术", "engineering": "工程技术",
    "综合管理": "综合管理", "management": "综合管理", "administration": "综合管理",
}


def normalize_category(value: Any) -> str | None:
    """The canonical category for ``value`` (a Chinese name or an English alias), ``None`` if unknown.

    >>> normalize_category("engineering"), normalize_category("院士")
    ('工程技术', None)
    """
    return _CATEGORY_ALIASES.get(str(value).strip())


def split_list(value: Any) -> list[str]:
    """Split a ``;``-separated cell (also ``；``) or pass a list through; blanks are dropped.

    >>> split_list("法律; 经济；;")
    ['法律', '经济']
    >>> split_list(["交通", " 水利 "])
    ['交通', '水利']
    """
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.replace("；", ";").split(";")
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return out


class Unit(BaseModel):
    """A unit (单位) that nominates experts: a party or government body, court, people's organisation,
    university or enterprise."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    kind: str | None = None

    @model_validator(mode="after")
    def _default_name(self) -> Unit:
        if not self.name:
            self.name = self.id
        return self


class Expert(BaseModel):
    """An expert of the pool.

    ``max_load`` and ``min_load`` bound the number of projects the expert reviews in one assignment run;
    unavailable experts are never assigned.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    unit: str = Field(min_length=1)
    category: str | None = None
    domains: list[str] = Field(default_factory=list)
    max_load: int = Field(default=1, ge=0)
    min_load: int = Field(default=0, ge=0)
    available: bool = True

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, v: Any) -> str | None:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        category = normalize_category(v)
        if category is None:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
        return category

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, v: Any) -> list[str]:
        return split_list(v)

    @model_validator(mode="after")
    def _loads(self) -> Expert:
        if self.min_load > self.max_load:
            raise ValueError("min_load must not exceed max_load")
        return self


class ProjectNeed(BaseModel):
    """A project (or decision) that needs a review panel.

    ``unit`` is the proposing unit: its own experts are never assigned to it.  ``panel_size`` may be left
    empty and filled by a panel-size rule (see :mod:`expert_pool.panel_size`).
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    unit: str | None = None
    domains: list[str] = Field(default_factory=list)
    panel_size: int | None = Field(default=None, ge=1)
    kind: str | None = None
    investment: float | None = None
    decision_level: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, v: Any) -> list[str]:
        return split_list(v)

    @field_validator("unit", "kind", "decision_level", mode="before")
    @classmethod
    def _blank_none(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            return None
        return v.strip() if isinstance(v, str) else v

    def facts(self) -> dict[str, Any]:
        """The project as a plain dict (standard fact names) for a rule set's panel-size rule.

        >>> ProjectNeed(id="P1", kind="project", investment=5e4, extra={"location": "X"}).facts()["investment"]
        50000.0
        """
        out: dict[str, Any] = dict(self.extra)
        out.update(
            id=self.id, name=self.name, unit=self.unit, domains=list(self.domains), kind=self.kind,
            investment=self.investment, decision_level=self.decision_level,
        )
        if self.panel_size is not None:
            out["panel_size"] = self.panel_size
        return out


