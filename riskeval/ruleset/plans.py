"""Plans: structures derived once from a rule set's rules (compiled tests, item lists) and kept while the rule set
lives, rebuilt when its rules were changed in memory.

>>> from riskeval.ruleset import load_ruleset
>>> rs = load_ruleset("guiyang")
>>> counts = PlanCache(len)
>>> counts.get(rs) == len(rs.rules) and counts.get(rs) is counts.get(rs)
True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from .compiled import Rule, RuleSet

__all__ = ["PlanCache"]

T = TypeVar("T")


class PlanCache(Generic[T]):
    """Plans made by ``build`` from the rules of each rule set (by object, weakly: an entry goes with its rule
    set), made again when the rule set's rules are no longer those the plan was made from."""

    def __init__(self, build: Callable[[tuple[Rule, ...]], T]) -> None:
        self._build = build
        self._plans: dict[int, tuple[weakref.ref[RuleSet], tuple[Rule, ...], T]] = {}

    def get(self, ruleset: RuleSet) -> T:
        """The plan of ``ruleset``."""
        key = id(ruleset)
        rules = tuple(ruleset.rules)
        got = self._plans.get(key)
        if got is not None and got[0]() is ruleset and got[1] == rules:
            return got[2]
        plan = self._build(rules)
        plans = self._plans

        def forget(_ref: object, key: int = key) -> None:
            plans.pop(key, None)

        plans[key] = (weakref.ref(ruleset, forget), rules, plan)
        return plan
