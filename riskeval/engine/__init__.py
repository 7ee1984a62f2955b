"""The only module that imports durable-rules: compile a rule set, run one project per session.

Traps handled (see shared/durable-rules.md): one ``assert_fact`` per project in its own session id,
state deleted after; a catch-all rule so that no fact is refused as unhandled (``$ex`` is not used:
it loops forever in 2.0.28); ``$or`` firing once per branch (firings are de-duplicated by rule id);
action exceptions swallowed into the state (riskeval runs no Python action inside the engine: it
drives durable-rules' action protocol itself, see :meth:`CompiledRuleSet._assert`, which also spares
the per-firing Python objects and JSON decoding of durable-rules' own loop); ``set_rulesets``
mutating its argument (a deep copy is passed); rule-set names global per host (each compiled version
is registered once per process); the host's dispatch timer thread, which every 0.2 s takes pending
actions away from the synchronous ``assert_fact`` (trap 20: rows refused under CPU contention), is
never started: :func:`engine_host` builds a :class:`SyncHost` and every session is driven
synchronously, each action started and completed before ``_assert`` returns.
Fact names are prefixed (``f_``) so that no fact collides with the engine's own ``id``/``sid`` fields,
and list membership is precomputed into boolean fields.

Every run is checked against the plain reference evaluation of the same compiled rules; any
disagreement or anomaly raises :class:`EngineError` (fail closed).
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import RiskevalError
from ..i18n import register_messages
from ..ruleset.compiled import Rule, RuleSet
from ..ruleset.conditions import Always, And, Cmp, Condition, Has, Or
from ..ruleset.plans import PlanCache

register_messages(
    {
        "engine.refused": {
            "zh": "规则引擎异常，拒绝给出结论：{detail}",
            "en": "rule engine anomaly, no conclusion given: {detail}",
        }
    }
)

__all__ = [
    "EngineError",
    "CompiledRuleSet",
    "SyncHost",
    "compile_ruleset",
    "condition_test",
    "engine_host",
    "reference_fired",
]


class EngineError(RiskevalError):
    """The rule engine misbehaved; the assessment is refused rather than trusted (exit code 1)."""

    code = "engine.refused"

    def __init__(self, detail: str, **params: Any) -> None:
        super().__init__(detail=detail, **params)


_HOST: Any = None
_COMPILED: dict[tuple[str, str], CompiledRuleSet] = {}
_COUNTER = itertools.count()
_FIRED: list[str] = []


@functools.cache
def _sync_host_class() -> type:
    from durable.engine import Host

    class SyncHost(Host):
        """A durable-rules host without its dispatch and timer threads.

        ``Host.__init__`` ends with ``self._run()``, which starts two ``threading.Timer`` chains: one
        calls ``Ruleset.dispatch()`` (runs any pending action of any session) and one asserts the
        engine's timers. riskeval uses neither timers nor asynchronous actions: ``assert_fact`` runs
        every action of its fact before it returns, so here ``_run`` starts nothing.
        """

        def _run(self) -> None:
            self._d_timer = None
            self._t_timer = None

    SyncHost.__module__ = __name__
    SyncHost.__qualname__ = "SyncHost"
    return SyncHost


@functools.cache
def _dre() -> Any:
    """durable-rules' C extension (imported on first use)."""
    import durable_rules_engine

    return durable_rules_engine


def __getattr__(name: str) -> Any:
    # ``SyncHost`` subclasses durable-rules' Host, imported only when the engine is first used.
    if name == "SyncHost":
        return _sync_host_class()
    raise AttributeError(name)


def engine_host() -> Any:
    """The process's durable-rules host (a ``SyncHost``: no timer thread; created on first use)."""
    global _HOST
    if _HOST is None:
        host = _sync_host_class()()
        # Fail closed if a durable-rules release started its threads some other way.
        if getattr(host, "_d_timer", None) is not None or getattr(host, "_t_timer", None) is not None:
            raise EngineError("durable-rules started its dispatch timer; riskeval drives sessions synchronously")
        _HOST = host
    return _HOST


_host = engine_host


def _action(rule_id: str) -> Callable[[Any], None]:
    # The action registered for each rule (durable-rules requires one). riskeval runs the action protocol
    # itself (``CompiledRuleSet._assert``) and records the rule there; this function only runs when
    # durable-rules' own host code dispatches (the tests compare both). A one-argument function:
    # durable-rules treats two-argument actions as asynchronous.
    def run(c: Any) -> None:
        _FIRED.append(rule_id)

    return run


def reference_fired(ruleset: RuleSet, values: Mapping[str, Any]) -> set[str]:
    """The rule ids of ``ruleset`` that hold on ``values``, by the plain Python evaluator.

    Compound rules (over factors) are decided after the others, from the factors that fired.
    Each condition is evaluated as :func:`riskeval.ruleset.conditions.evaluate` does, through a
    test compiled once per rule set (:func:`condition_test`).
    """
    plan = _reference_plan(ruleset)
    fired = {rule_id for rule_id, test in plan.simple if test(values)}
    if plan.compound:
        factors = ruleset.fired_factors(fired, dict(values))
        for rule_id, test, items, least in plan.compound:
            if test(values) and sum(1 for item in items if item in factors) >= least:
                fired.add(rule_id)
    return fired


Test = Callable[[Mapping[str, Any]], bool]


def _always(facts: Mapping[str, Any]) -> bool:
    return True


def _never(facts: Mapping[str, Any]) -> bool:
    return False


_TESTS: dict[int, tuple[Condition, Test]] = {}
_TESTS_MAX = 50_000


def condition_test(cond: Condition) -> Test:
    """A function of the facts equal to ``evaluate(cond, facts)`` for every mapping of facts.

    Built once from the condition's tree: the type of each node and the comparison are decided
    there, not on every call. Conditions are immutable, so the test is kept per condition object
    (the entry holds the condition, so its address is not reused while the entry lives).

    Examples
    --------
    >>> test = condition_test(And((Cmp("rate", ">", 50), Cmp("nimby", "==", False))))
    >>> test({"rate": 60, "nimby": False}), test({"rate": 60}), test({"rate": True, "nimby": False})
    (True, False, False)
    """
    got = _TESTS.get(id(cond))
    if got is not None and got[0] is cond:
        return got[1]
    test = _build_test(cond)
    if len(_TESTS) >= _TESTS_MAX:
        _TESTS.clear()
    _TESTS[id(cond)] = (cond, test)
    return test


def _build_test(cond: Condition) -> Test:
    if isinstance(cond, Cmp):
        return _cmp_test(cond.fact, cond.op, cond.value)
    if isinstance(cond, Has):
        name, member, positive = cond.fact, cond.member, cond.positive

        def has(facts: Mapping[str, Any]) -> bool:
            values = facts.get(name)
            if not isinstance(values, Sequence) or isinstance(values, str):
                return False
            return (member in values) == positive

        return has
    if isinstance(cond, And):
        parts = tuple(condition_test(p) for p in cond.parts)

        def every(facts: Mapping[str, Any]) -> bool:
            for part in parts:
                if not part(facts):
                    return False
            return True

        return every
    if isinstance(cond, Or):
        options = tuple(condition_test(p) for p in cond.parts)

        def some(facts: Mapping[str, Any]) -> bool:
            for part in options:
                if part(facts):
                    return True
            return False

        return some
    return _always


def _cmp_test(name: str, op: str, expected: Any) -> Test:
    """``_compare`` of :mod:`riskeval.ruleset.conditions` specialised to one operator and constant."""
    if op == "==":

        def equal(facts: Mapping[str, Any]) -> bool:
            actual = facts.get(name)
            return actual is not None and bool(actual == expected)

        return equal
    if op == "!=":

        def unequal(facts: Mapping[str, Any]) -> bool:
            actual = facts.get(name)
            return actual is not None and bool(actual != expected)

        return unequal
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return _never
    compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt}.get(op, operator.ge)

    def ordered(facts: Mapping[str, Any]) -> bool:
        actual = facts.get(name)
        if actual is None or isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return bool(compare(actual, expected))

    return ordered


class _ReferencePlan:
    """The compiled tests of a rule set's rules (simple ones, then compound ones with their factors)."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.simple = [(r.id, condition_test(r.condition)) for r in rules if not r.compound]
        self.compound = [(r.id, condition_test(r.condition), r.factors, r.min_factors) for r in rules if r.compound]


_PLANS: PlanCache[_ReferencePlan] = PlanCache(_ReferencePlan)


def _reference_plan(ruleset: RuleSet) -> _ReferencePlan:
    """The plan of ``ruleset`` (kept per object while it lives, rebuilt if its rules were changed)."""
    return _PLANS.get(ruleset)


class CompiledRuleSet:
    """A rule set registered with durable-rules under a unique name."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.members: dict[tuple[str, str], str] = {}
        self.constants: dict[str, set[float]] = {}
        #: durable-rules rule name -> rule id (``_factor_seen`` for the chaining check)
        self.actions: dict[str, str] = {}
        #: the facts some condition compares (only those go into the engine's facts)
        self.read: set[str] = set()
        self._fields: dict[str, str] = {}  # fact name -> engine field name
        self._durable: Any = None
        self.name = f"riskeval_{ruleset.id}_{ruleset.version}_{ruleset.content_hash[:12]}_{os.getpid()}_{next(_COUNTER)}"
        definition: dict[str, Any] = {}
        self.chaining = any(rule.compound for rule in ruleset.rules)
        for n, rule in enumerate(ruleset.rules):
            if not rule.compound:
                definition[f"r{n}"] = {"all": [{"m": self._pattern(rule.condition)}], "run": _action(rule.id)}
                self.actions[f"r{n}"] = rule.id
                continue
            # Forward chaining: each fired factor is asserted as a fact of its own; a compound rule joins
            # the project with every combination of ``min_factors`` of its factors.
            for c, combo in enumerate(itertools.combinations(rule.factors, rule.min_factors)):
                patterns = [{"p": self._pattern(rule.condition)}]
                patterns += [{f"f{k}": {"factor": item}} for k, item in enumerate(combo)]
                definition[f"r{n}_{c}"] = {"all": patterns, "run": _action(rule.id)}
                self.actions[f"r{n}_{c}"] = rule.id
        if self.chaining:
            definition["factor_seen"] = {"all": [{"m": {"$gte": {"factor_": 1}}}], "run": _action("_factor_seen")}
            self.actions["factor_seen"] = "_factor_seen"
        _host().set_rulesets(copy.deepcopy({self.name: definition}))
        self.rule_count = len(definition)

    def _field(self, fact: str) -> str:
        return f"f_{fact}"

    def _member(self, fact: str, member: str) -> str:
        key = (fact, member)
        if key not in self.members:
            self.members[key] = f"m_{len(self.members)}"
        return self.members[key]

    def _pattern(self, cond: Condition) -> dict[str, Any]:
        if isinstance(cond, Always):
            return {"$gte": {"one_": 1}}
        if isinstance(cond, Cmp):
            self.read.add(cond.fact)
            name = self._field(cond.fact)
            if isinstance(cond.value, int | float) and not isinstance(cond.value, bool):
                if "e" in repr(float(cond.value)):
                    raise EngineError(f"constant {cond.value!r} cannot be passed to durable-rules (exponent notation)")
                self.constants.setdefault(cond.fact, set()).add(float(cond.value))
            if cond.op == "==":
                return {name: cond.value}
            op = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}[cond.op]
            return {op: {name: cond.value}}
        if isinstance(cond, Has):
            return {self._member(cond.fact, cond.member): cond.positive}
        if isinstance(cond, And):
            if not cond.parts:
                return {"$gte": {"one_": 1}}
            return {"$and": [self._pattern(p) for p in cond.parts]}
        if isinstance(cond, Or):
            if not cond.parts:
                return {"$lt": {"one_": 0}}
            return {"$or": [self._pattern(p) for p in cond.parts]}
        raise TypeError(cond)  # pragma: no cover

    def engine_fact(self, values: Mapping[str, Any], session: str, *, every: bool = False) -> dict[str, Any]:
        """The JSON fact for ``values``: prefixed names, list membership as booleans.

        Only the facts some condition compares are passed (a pattern reads only the fields it names,
        so the others cannot change what matches); ``every`` passes all of them.
        """
        fact: dict[str, Any] = {"sid": session, "one_": 1}
        fields = self._fields
        read = self.read
        for name, value in values.items():
            if value is None or isinstance(value, list) or not (every or name in read):
                continue
            if isinstance(value, float) and "e" in repr(value):
                value = self._surrogate(name, value)
            field = fields.get(name)
            if field is None:
                field = fields[name] = self._field(name)
            fact[field] = value
        for (name, member), field in self.members.items():
            values_list = values.get(name)
            if isinstance(values_list, list):
                fact[field] = member in values_list
        return fact

    def _surrogate(self, fact: str, x: float) -> float:
        """A stand-in for ``x`` that durable-rules can parse (its JSON reader rejects ``1e-05``).

        The stand-in compares with every constant of every condition on ``fact`` exactly as ``x``
        does, so the engine's result is unchanged; scores always use the true value.
        """
        constants = sorted(self.constants.get(fact, set()))
        if x in constants:
            return x
        below = [c for c in constants if c < x]
        above = [c for c in constants if c > x]
        lo = below[-1] if below else (above[0] - 1.0 if above else 0.0)
        hi = above[0] if above else lo + 2.0
        for candidate in ((lo + hi) / 2, round((lo + hi) / 2, 6), lo + (hi - lo) / 3):
            if "e" not in repr(candidate) and lo < candidate < hi:
                return candidate
        raise EngineError(f"no durable-rules representation for {fact}={x!r}")

    def _engine(self) -> Any:
        """durable-rules' ``Ruleset`` object of this rule set and the C handle it wraps."""
        if self._durable is None:
            self._durable = _host().get_ruleset(self.name)
        return self._durable

    def _assert(self, fact: dict[str, Any], fired: list[str]) -> None:
        """Assert ``fact`` and run, synchronously, every action durable-rules starts for it.

        This is durable-rules' own action protocol (``Ruleset.do_actions``/``_flush_actions``) without
        its per-firing Python machinery: ``start_action_for_state`` hands over the first matched rule and
        the session state, and after each action the state is written back (``update_state``, with the
        state text the engine gave) and ``complete_and_start_action`` hands over the next one, until
        none is left. The action of every rule only records its name, so it is recorded here directly
        (the rule's name is the first key of the engine's action message; an unknown name fails closed).
        """
        rules = self._engine()
        handle = rules._handle
        try:
            offset = rules.assert_fact(fact)
            started = _dre().start_action_for_state(handle, offset)
            if started:
                state, message = started[0], started[1]
                try:
                    while message:
                        fired.append(self._rule_of(message))
                        _dre().update_state(handle, state)
                        message = _dre().complete_and_start_action(handle, offset)
                except BaseException:
                    _dre().abandon_action(handle, offset)  # as durable-rules does when an action fails
                    raise
        except EngineError:
            raise
        except Exception as exc:  # MessageNotHandled / MessageObserved / engine error codes
            raise EngineError(f"durable-rules refused the fact: {type(exc).__name__}: {exc}") from exc

    def _rule_of(self, message: str) -> str:
        """The rule id of the rule named by an action message (``{"r12":{"m":{...}}}``)."""
        end = message.find('"', 2)
        name = message[2:end] if message.startswith('{"') and end > 2 else None
        rule_id = self.actions.get(name) if name is not None else None
        if rule_id is None:
            parsed = json.loads(message)
            name = next(iter(parsed), None) if isinstance(parsed, dict) else None
            rule_id = self.actions.get(name) if name is not None else None
            if rule_id is None:
                raise EngineError(f"durable-rules started an action of no known rule: {message[:80]}")
        return rule_id

    def firings(self, values: Mapping[str, Any]) -> list[str]:
        """Run one project in its own session: the rule id of every action started, in order.

        Factors that fired are asserted as facts of their own for compound rules (forward chaining).
        The session's state is deleted afterwards whatever happened.
        """
        session = f"s{next(_COUNTER)}"
        fact = self.engine_fact(values, session)
        fired: list[str] = []
        factors: list[str] = []
        try:
            self._assert(fact, fired)
            if self.chaining:
                factors = self.ruleset.fired_factors(set(fired), dict(values))
                for item in factors:
                    self._assert({"sid": session, "factor_": 1, "factor": item}, fired)
        finally:
            try:
                self._engine().delete_state(session)
            except Exception:  # noqa: BLE001 - nothing to clean
                pass
        if fired.count("_factor_seen") != len(factors):
            raise EngineError("not every factor asserted for chaining reached the engine")
        return fired

    def fired(self, values: Mapping[str, Any]) -> set[str]:
        """Run one project in its own session and return the fired rule ids (checked)."""
        firings = self.firings(values)
        seen = firings.count("_seen")
        if seen != 1:
            raise EngineError(f"catch-all rule fired {seen} times (expected 1)")
        got = set(firings)
        got.discard("_factor_seen")
        expected = reference_fired(self.ruleset, values)
        if got != expected:
            raise EngineError(
                "durable-rules and the reference evaluation disagree: "
                f"engine only {sorted(got - expected)}, reference only {sorted(expected - got)}"
            )
        return got


def compile_ruleset(ruleset: RuleSet) -> CompiledRuleSet:
    """The compiled form of ``ruleset`` in this process (registered once per content hash)."""
    key = (ruleset.name, ruleset.content_hash)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = CompiledRuleSet(ruleset)
        _COMPILED[key] = compiled
    return compiled
