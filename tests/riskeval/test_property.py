"""Property: durable-rules agrees with an obviously-correct Python evaluation.

Hypothesis generates small rule sets (option tables, numeric bands with random edges, guarded
items, direct triggers, compound triggers over the factors that scored) and projects (values on band edges included, an optional fact sometimes
missing). The oracle below reads the generated *specification*, not the compiled rules, and
computes findings, score and level directly; riskeval must agree exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval

NUMS = ["x0", "x1", "opt"]  # opt is optional: it may be missing from a project
OPTS = {"o0": ["a", "b", "c"], "o1": ["p", "q"]}
BOOLS = ["b0"]
_counter = itertools.count()


@dataclass(frozen=True)
class Atom:
    fact: str
    op: str
    value: Any

    def text(self) -> str:
        v = f'"{self.value}"' if isinstance(self.value, str) else ("true" if self.value is True else "false" if self.value is False else repr(self.value))
        return f"{self.fact} {self.op} {v}"


@dataclass(frozen=True)
class Node:
    kind: str  # and / or / not
    parts: tuple[Any, ...]

    def text(self) -> str:
        if self.kind == "not":
            return f"not ({self.parts[0].text()})"
        return "(" + f" {self.kind} ".join(p.text() for p in self.parts) + ")"


def holds(cond: Any, facts: dict[str, Any], negated: bool = False) -> bool:
    """NNF semantics: an atom on a missing fact is false, negated or not."""
    if isinstance(cond, Atom):
        if cond.fact not in facts:
            return False
        a, v = facts[cond.fact], cond.value
        result = {
            "==": a == v,
            "!=": a != v,
            "<": a < v if not isinstance(v, str | bool) else False,
            "<=": a <= v if not isinstance(v, str | bool) else False,
            ">": a > v if not isinstance(v, str | bool) else False,
            ">=": a >= v if not isinstance(v, str | bool) else False,
        }[cond.op]
        return (not result) if negated else result
    if cond.kind == "not":
        return holds(cond.parts[0], facts, not negated)
    is_and = (cond.kind == "and") != negated
    values = [holds(p, facts, negated) for p in cond.parts]
    return all(values) if is_and else any(values)


edge = st.sampled_from([0, 10, 20, 20.5, 50, 99.5, 100])
atoms = st.one_of(
    st.builds(Atom, st.sampled_from(NUMS), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), edge),
    st.builds(lambda f, v, op: Atom(f, op, v), st.just("o0"), st.sampled_from(OPTS["o0"]), st.sampled_from(["==", "!="])),
    st.builds(lambda v: Atom("b0", "==", v), st.booleans()),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(lambda a, b: Node("and", (a, b)), inner, inner),
        st.builds(lambda a, b: Node("or", (a, b)), inner, inner),
        st.builds(lambda a: Node("not", (a,)), inner),
    ),
    max_leaves=4,
)


@st.composite
def item_specs(draw: Any, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["map_o0", "map_o1", "map_b0", "bands", "const"]))
    when = draw(st.none() | conditions)
    spec: dict[str, Any] = {"id": f"I{index}", "kind": kind, "when": when}
    if kind == "map_o0":
        spec["table"] = {k: draw(st.integers(0, 5)) for k in OPTS["o0"]}
    elif kind == "map_o1":
        spec["table"] = {k: draw(st.integers(0, 5)) for k in OPTS["o1"]}
    elif kind == "map_b0":
        spec["table"] = {"true": draw(st.integers(0, 5)), "false": draw(st.integers(0, 5))}
    elif kind == "bands":
        cut = draw(st.sampled_from([10, 20, 20.5, 50]))
        closed_left = draw(st.booleans())
        spec["fact"] = draw(st.sampled_from(["x0", "x1"]))
        spec["cut"], spec["closed_left"] = cut, closed_left
        spec["values"] = (draw(st.integers(0, 5)), draw(st.integers(0, 5)))
    else:
        spec["value"] = draw(st.integers(1, 5))
    return spec


@st.composite
def rulesets(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 5))
    items = [draw(item_specs(i)) for i in range(n)]
    triggers = draw(st.lists(st.tuples(conditions, st.sampled_from(["medium", "high"])), max_size=3))
    ids = [item["id"] for item in items]
    compounds = []
    for _ in range(draw(st.integers(0, 2))):
        factors = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
        need = draw(st.integers(1, len(factors)))
        compounds.append((draw(st.none() | conditions), draw(st.sampled_from(["medium", "high"])), factors, need))
    low_cut = draw(st.sampled_from([2, 5, 8]))
    return {"items": items, "triggers": triggers, "compounds": compounds, "cuts": (low_cut, low_cut + 4)}


def item_points(spec: dict[str, Any], facts: dict[str, Any]) -> float | None:
    if spec["when"] is not None and not holds(spec["when"], facts):
        return None
    kind = spec["kind"]
    if kind.startswith("map_"):
        fact = kind[4:]
        key = ("true" if facts[fact] else "false") if fact == "b0" else facts[fact]
        return spec["table"][key]
    if kind == "bands":
        x = facts[spec["fact"]]
        in_low = x < spec["cut"] if spec["closed_left"] is False else x <= spec["cut"]
        # closed_left False: [0, cut) and [cut, 100]; True: [0, cut] and (cut, 100]
        return spec["values"][0] if in_low else spec["values"][1]
    return spec["value"]


def oracle(rs: dict[str, Any], facts: dict[str, Any]) -> tuple[list[str], float, str]:
    points = {s["id"]: item_points(s, facts) for s in rs["items"]}
    findings = sorted(i for i, p in points.items() if p)
    score = float(sum(p or 0 for p in points.values()))
    low, mid = rs["cuts"]
    level = "low" if score <= low else "medium" if score <= mid else "high"
    order = {"low": 0, "medium": 1, "high": 2}
    for cond, trig_level in rs["triggers"]:
        if holds(cond, facts) and order[trig_level] > order[level]:
            level = trig_level
    for trig_level in compound_hits(rs, facts).values():
        if order[trig_level] > order[level]:
            level = trig_level
    return findings, score, level


def compound_hits(rs: dict[str, Any], facts: dict[str, Any]) -> dict[str, str]:
    """Compound triggers: the condition holds and at least ``need`` of the factors scored points."""
    scored = {s["id"] for s in rs["items"] if item_points(s, facts)}
    return {
        f"C{i}": lvl
        for i, (cond, lvl, factors, need) in enumerate(rs["compounds"])
        if (cond is None or holds(cond, facts)) and len(scored & set(factors)) >= need
    }


def to_yaml(rs: dict[str, Any]) -> str:
    total = 5 * len(rs["items"])
    facts: dict[str, Any] = {
        "x0": {"type": "number", "label": "x0", "min": 0, "max": 100, "required": True},
        "x1": {"type": "number", "label": "x1", "min": 0, "max": 100, "required": True},
        "opt": {"type": "number", "label": "opt", "min": 0, "max": 100},
        "o0": {"type": "option", "label": "o0", "required": True, "options": {k: f"选项{k}" for k in OPTS["o0"]}},
        "o1": {"type": "option", "label": "o1", "required": True, "options": {k: f"选项{k}" for k in OPTS["o1"]}},
        "b0": {"type": "bool", "label": "b0", "required": True},
    }
    items = []
    for spec in rs["items"]:
        item: dict[str, Any] = {"id": spec["id"], "label": spec["id"], "dimension": "d", "source": "t", "confidence": "U"}
        if spec["when"] is not None:
            item["when"] = spec["when"].text()
        kind = spec["kind"]
        if kind.startswith("map_"):
            item["points"] = {"fact": kind[4:], "map": spec["table"]}
        elif kind == "bands":
            c = spec["cut"]
            bands = {f"[0, {c}]": spec["values"][0], f"({c}, 100]": spec["values"][1]} if spec["closed_left"] else {
                f"[0, {c})": spec["values"][0], f"[{c}, 100]": spec["values"][1]}
            item["points"] = {"fact": spec["fact"], "bands": bands}
        else:
            item["points"] = spec["value"]
        items.append(item)
    low, mid = rs["cuts"]
    doc = {
        "id": f"prop{next(_counter)}",
        "title": "property",
        "version": "1",
        "regime": "major_decision",
        "facts": facts,
        "dimensions": [{"id": "d", "label": "维度"}],
        "scoring": {"method": "points", "levels": {"low": f"[0, {low}]", "medium": f"({low}, {mid}]", "high": f"({mid}, {max(total, mid + 1)}]"}},
        "items": items,
        "triggers": [
            {"id": f"T{i}", "label": "t", "when": c.text(), "level": lvl, "source": "t", "confidence": "U"}
            for i, (c, lvl) in enumerate(rs["triggers"])
        ]
        + [
            {"id": f"C{i}", "label": "c", "level": lvl, "factors": factors, "min_factors": need, "source": "t",
             "confidence": "U", **({"when": c.text()} if c is not None else {})}
            for i, (c, lvl, factors, need) in enumerate(rs["compounds"])
        ],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


projects = st.fixed_dictionaries(
    {"x0": edge | st.floats(0, 100), "x1": edge, "o0": st.sampled_from(OPTS["o0"]), "o1": st.sampled_from(OPTS["o1"]), "b0": st.booleans()},
    optional={"opt": edge},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rs=rulesets(), facts=st.lists(projects, min_size=1, max_size=6))
def test_durable_rules_agrees_with_oracle(tmp_path_factory: Any, rs: dict[str, Any], facts: list[dict[str, Any]]) -> None:
    path: Path = tmp_path_factory.mktemp("prop") / "rs.yaml"
    path.write_text(to_yaml(rs), encoding="utf-8")
    ruleset = riskeval.load_ruleset(path)
    for i, values in enumerate(facts):
        result = riskeval.assess(riskeval.Project(id=f"p{i}", facts=values), ruleset)
        expected_findings, expected_score, expected_level = oracle(rs, values)
        assert sorted(f.item for f in result.initial.findings) == expected_findings
        assert result.initial.score == expected_score
        assert result.level == expected_level
        expected_triggers = sorted(f"T{k}" for k, (c, _) in enumerate(rs["triggers"]) if holds(c, values))
        expected_triggers += sorted(compound_hits(rs, values))
        assert sorted(h.trigger for h in result.initial.triggers) == sorted(expected_triggers)
