"""Soak: 100,000 engine evaluations in one process, memory flat, no refused fact.

The engine's false-duplicate trap appears past 65,000 facts in one session; riskeval uses one
session per evaluation and deletes its state, so nothing accumulates.
"""

from __future__ import annotations

import resource

import pytest

import riskeval
from riskeval.check import check_project
from riskeval.engine import compile_ruleset, reference_fired


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_100k_evaluations_flat_memory_no_refusals(jiangsu, good_facts):
    compiled = compile_ruleset(jiangsu)
    base = check_project(riskeval.Project(id="soak", kind="project", facts=good_facts), jiangsu).initial
    options = ["strong", "fairly_strong", "moderate"]
    disagreements = 0
    for i in range(100_000):
        values = dict(
            base,
            opposition_rate=(i * 7) % 101,
            opposition_intensity=options[i % 3],
            possible_incident_size=(i * 13) % 400,
            satisfaction_rate=(i * 3) % 101,
            hostile_forces=i % 5 == 0,
        )
        fired = compiled.fired(values)  # raises EngineError on any anomaly
        if i % 1000 == 0:
            disagreements += fired != reference_fired(jiangsu, values)
        if i == 5_000:
            warm = rss_mb()
    assert disagreements == 0
    assert rss_mb() - warm < 25, f"memory grew from {warm:.0f} MB to {rss_mb():.0f} MB"


def test_tiny_and_huge_floats_reach_the_engine(jiangsu, good_facts):
    """durable-rules' JSON reader rejects exponent notation (1e-05); riskeval passes a stand-in."""
    for rate in (1e-05, 19.999999999, 20.0, 1e-300, 49.99999999999999):
        result = riskeval.assess(riskeval.Project(id="f", kind="project", facts={**good_facts, "opposition_rate": rate}), jiangsu)
        assert result.level == ("medium" if rate >= 20 else "low")
        assert result.initial.findings[0].facts["opposition_rate"] == rate
