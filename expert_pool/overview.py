"""The pool at a glance: experts by unit, by category and by expertise (the workbench's 专家 page).

Examples
--------
>>> from expert_pool.models import Expert, Unit
>>> from expert_pool.pool import Pool
>>> pool = Pool([Unit(id="U1", name="市信访局")], [
...     Expert(id="E1", unit="U1", category="社科研究", domains=["法律", "社保"]),
...     Expert(id="E2", unit="U1", domains=["法律"], available=False)])
>>> view = pool_overview(pool)
>>> (view.total, view.available), [(u.name, u.experts, u.available) for u in view.units]
((2, 1), [('市信访局', 2, 1)])
>>> [(d.domain, d.experts, d.available) for d in view.domains]
[('法律', 2, 1), ('社保', 1, 1)]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from expert_pool.models import CATEGORIES
from expert_pool.pool import Pool

__all__ = ["DomainRow", "PoolOverview", "UnitRow", "pool_overview"]


@dataclass
class UnitRow:
    """One unit: its experts, how many are available, by category, and the expertise they cover."""

    id: str
    name: str
    kind: str | None
    experts: int = 0
    available: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)


@dataclass
class DomainRow:
    """One field of expertise: how many experts (available ones) and units have it."""

    domain: str
    experts: int
    available: int
    units: int


@dataclass
class PoolOverview:
    """The pool by unit and by expertise."""

    name: str
    total: int
    available: int
    categories: list[str]
    units: list[UnitRow]
    domains: list[DomainRow]


def pool_overview(pool: Pool) -> PoolOverview:
    """Count the experts of ``pool`` by unit, category and domain (domains by number of experts, descending)."""
    units: dict[str, UnitRow] = {u.id: UnitRow(u.id, u.name, u.kind) for u in pool.units}
    by_domain: Counter[str] = Counter()
    available_domain: Counter[str] = Counter()
    domain_units: dict[str, set[str]] = {}
    used_categories: set[str] = set()
    for expert in pool.experts:
        row = units.setdefault(expert.unit, UnitRow(expert.unit, expert.unit, None))
        row.experts += 1
        row.available += int(expert.available)
        category = expert.category or "-"
        used_categories.add(category)
        row.by_category[category] = row.by_category.get(category, 0) + 1
        for domain in expert.domains:
            by_domain[domain] += 1
            available_domain[domain] += int(expert.available)
            domain_units.setdefault(domain, set()).add(expert.unit)
            if domain not in row.domains:
                row.domains.append(domain)
    categories = [c for c in CATEGORIES if c in used_categories] + sorted(used_categories - set(CATEGORIES))
    domains = [
        DomainRow(d, n, available_domain[d], len(domain_units[d]))
        for d, n in sorted(by_domain.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    experts = pool.experts
    return PoolOverview(
        pool.name, len(experts), sum(e.available for e in experts), categories, list(units.values()), domains
    )
