"""Panel size (number of experts) per project.

The default rule follows domain.md §6 (the published practice):

* 重大工程项目 (``kind`` = ``project``): 3 experts if ``investment`` < 100 000 万元 (¥1 billion), else 5;
* other matters (policy, reform, event, other): 3 for a ``county`` or ``department`` decision, 5 at ``city``
  level and above (``province``, ``national``).

When the deciding fact is missing (no investment for a project, no decision level otherwise) the larger
panel, 5, is used: a missing fact never makes the review lighter.  Option values are accepted as the code
or the Chinese label (domain.md §8).

A rule set may override the rule: :func:`resolve_panel_sizes` takes any callable ``project dict -> int |
None`` (for instance ``ruleset.panel_size``); ``None`` from the callable falls back to the default.

Examples
--------
>>> default_panel_size({"kind": "project", "investment": 80000})
3
>>> default_panel_size({"kind": "重大工程项目", "investment": 100000})
5
>>> default_panel_size({"kind": "policy", "decision_level": "department"})
3
>>> default_panel_size({"kind": "reform", "decision_level": "市级"})
5
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from expert_pool.errors import PanelSizeError
from expert_pool.models import ProjectNeed

__all__ = ["INVESTMENT_THRESHOLD_WAN", "default_panel_size", "resolve_panel_sizes", "PanelSizeRule"]

#: ¥1 billion (10 亿元) in 万元.
INVESTMENT_THRESHOLD_WAN = 100_000

PanelSizeRule = Callable[[dict[str, Any]], "int | None"]

_PROJECT_KINDS = {"project", "重大工程项目", "重大工程", "工程项目", "重大项目"}
_LOW_LEVELS = {"county", "department", "县级", "县", "区县", "县（区）级", "部门", "部门级"}
_HIGH_LEVELS = {"city", "province", "national", "市级", "市", "省级", "省", "国家级", "国家", "中央"}


def default_panel_size(project: Mapping[str, Any]) -> int:
    """The default panel size of domain.md §6 for a project dict (keys ``kind``, ``investment`` in 万元,
    ``decision_level``).

    >>> default_panel_size({"kind": "project"})  # investment unknown: the larger panel
    5
    >>> default_panel_size({"kind": "event", "decision_level": "county"})
    3
    """
    kind = str(project.get("kind") or "").strip().lower()
    if kind in _PROJECT_KINDS:
        investment = project.get("investment")
        try:
            value = float(investment) if investment is not None and investment != "" else None
        except (TypeError, ValueError):
            value = None
        return 3 if value is not None and value < INVESTMENT_THRESHOLD_WAN else 5
    level = str(project.get("decision_level") or "").strip().lower()
    if level in _LOW_LEVELS:
        return 3
    return 5


def resolve_panel_sizes(projects: list[ProjectNeed], rule: PanelSizeRule | None = None) -> list[ProjectNeed]:
    """Fill missing panel sizes: first ``rule(project.facts())`` if a rule is given and returns an int,
    otherwise :func:`default_panel_size`.  Given panel sizes are kept.

    Raises
    ------
    PanelSizeError
        If the rule fails or returns something other than a positive integer or ``None``.

    Examples
    --------
    >>> ps = [ProjectNeed(id="P1", panel_size=7), ProjectNeed(id="P2", kind="project", investment=1e3)]
    >>> [p.panel_size for p in resolve_panel_sizes(ps)]
    [7, 3]
    >>> [p.panel_size for p in resolve_panel_sizes(ps, rule=lambda facts: 9)]
    [7, 9]
    """
    out: list[ProjectNeed] = []
    for project in projects:
        if project.panel_size is not None:
            out.append(project)
            continue
        size: Any = None
        if rule is not None:
            try:
                size = rule(project.facts())
            except Exception as exc:  # a foreign rule may fail in any way; report it, never a traceback
                raise PanelSizeError(
                    "pool.panel_size.rule_failed", field="panel_size", project=project.id, detail=str(exc)
                ) from exc
        if size is None:
            size = default_panel_size(project.facts())
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise PanelSizeError("pool.panel_size.invalid", field="panel_size", project=project.id, value=size)
        out.append(project.model_copy(update={"panel_size": size}))
    return out
