"""riskeval drives durable-rules' action protocol itself: the same rules start, in the same order.

``CompiledRuleSet.firings`` runs the engine's ``start_action_for_state``/``update_state``/
``complete_and_start_action`` loop without durable-rules' per-firing Python objects. Each test below
compares it with durable-rules' own path (``Host.assert_fact``, which calls the registered Python
action of every rule that fired) on the same compiled rule set: every action, in order, duplicates
(an ``$or`` firing once per branch) included; and the facts riskeval asserts, which leave out the
values no condition compares, match exactly as the full facts do.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval import engine
from riskeval.check import check_project
from riskeval.engine import CompiledRuleSet, EngineError, compile_ruleset, engine_host
from tests.riskeval.engine.contention import cases
from tests.riskeval.test_property import projects, rulesets, to_yaml

_SESSIONS = itertools.count()


def via_durable_actions(compiled: CompiledRuleSet, values: dict[str, Any]) -> list[str]:
    """The rule ids recorded by the registered Python actions, driven by durable-rules' own host code,
    on a fact carrying every value (riskeval passes only the values some condition compares)."""
    host = engine_host()
    session = f"t{next(_SESSIONS)}"
    engine._FIRED.clear()
    try:
        host.assert_fact(compiled.name, compiled.engine_fact(values, session, every=True))
        if compiled.chaining:
            factors = compiled.ruleset.fired_factors(set(engine._FIRED), dict(values))
            for item in factors:
                host.assert_fact(compiled.name, {"sid": session, "factor_": 1, "factor": item})
        return list(engine._FIRED)
    finally:
        engine._FIRED.clear()
        host.delete_state(compiled.name, session)


@pytest.mark.parametrize("name", ["jiangsu-db32-4013-2021", "guiyang", "national"])
def test_same_actions_as_durable_rules_own_dispatch_on_the_examples(name: str) -> None:
    rs = riskeval.load_ruleset(name)
    compiled = compile_ruleset(rs)
    work = cases(name)
    assert len(work) > 50
    for values, expected in work:
        got = compiled.firings(values)
        assert got == via_durable_actions(compiled, values)
        assert set(got) - {"_factor_seen"} == set(expected)


def test_same_actions_on_a_sweep_of_jiangsu_values(jiangsu: riskeval.RuleSet, good_facts: dict[str, Any]) -> None:
    compiled = compile_ruleset(jiangsu)
    base = check_project(riskeval.Project(id="T", kind="project", facts=good_facts), jiangsu).initial
    for rate, size in itertools.product(range(0, 101, 10), (0, 50, 199, 200, 5000)):
        values = dict(base, opposition_rate=rate, possible_incident_size=size, opposition_intensity="strong")
        got = compiled.firings(values)
        assert got == via_durable_actions(compiled, values)
        assert got.count("_seen") == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=rulesets(), facts=st.lists(projects, min_size=1, max_size=6))
def test_same_actions_on_generated_rule_sets(tmp_path_factory: Any, spec: dict[str, Any], facts: list[dict[str, Any]]) -> None:
    """Generated rule sets carry ``or`` conditions (one firing per branch) and compound triggers (chaining)."""
    path: Path = tmp_path_factory.mktemp("driver") / "rs.yaml"
    path.write_text(to_yaml(spec), encoding="utf-8")
    rs = riskeval.load_ruleset(path)
    compiled = compile_ruleset(rs)
    for f in facts:
        values = check_project(riskeval.Project(id="p", facts=f), rs).initial
        assert compiled.firings(values) == via_durable_actions(compiled, values)


def test_an_action_of_no_known_rule_fails_closed(jiangsu: riskeval.RuleSet) -> None:
    compiled = compile_ruleset(jiangsu)
    name = next(iter(compiled.actions))
    assert compiled._rule_of('{"' + name + '":{"m":{}}}') == compiled.actions[name]
    assert compiled._rule_of('{ "' + name + '" : {"m":{}}}') == compiled.actions[name]  # read as JSON
    with pytest.raises(EngineError):
        compiled._rule_of('{"r_unknown":{"m":{}}}')


def test_an_unknown_action_mid_run_refuses_and_leaves_the_engine_usable(
    jiangsu: riskeval.RuleSet, good_facts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = compile_ruleset(jiangsu)
    values = check_project(riskeval.Project(id="T", kind="project", facts=good_facts), jiangsu).initial
    expected = compiled.fired(values)
    seen_name = next(name for name, rule_id in compiled.actions.items() if rule_id == "_seen")
    monkeypatch.delitem(compiled.actions, seen_name)
    with pytest.raises(EngineError, match="no known rule"):
        compiled.fired(values)
    monkeypatch.undo()
    for _ in range(3):
        assert compiled.fired(values) == expected
