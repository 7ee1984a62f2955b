"""The sample and the rule check."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import riskeval
from riskeval.batch.column import verify
from riskeval.batch.column.program import Stage, compile_program
from riskeval.batch.column.sample import Sampler, required_sample
from riskeval.batch.run import run_batch
from riskeval.batch.synthetic import write_csv

JIANGSU = "jiangsu-db32-4013-2021"


def test_required_sample_is_one_percent_and_a_thousand() -> None:
    assert [required_sample(n) for n in (0, 10, 999, 1000, 50_000, 100_000, 250_000)] == [
        0, 10, 999, 1000, 1000, 1000, 2500,
    ]


def test_sample_covers_every_rule_both_ways_and_every_constant(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", 3000, seed=5)
    rs = riskeval.load_ruleset(JIANGSU)
    program = compile_program(rs)
    seen: dict[str, Sampler] = {}
    real_init = Sampler.__post_init__

    def spy(self: Sampler) -> None:
        real_init(self)
        seen["sampler"] = self

    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Sampler, "__post_init__", spy)
        outcome = run_batch(src, rs, tmp_path / "o.csv", workers=0)
    sampler = seen["sampler"]
    assert outcome.sampled >= 1000
    # What the list can cover is covered: rules that never fire (or always fire) on it stay listed.
    assert len(sampler.uncovered) < len({r.id for r in rs.rules})
    fired_anywhere = {r.id for r in rs.rules if r.kind == "trigger"}
    assert not {(rid, True) for rid in fired_anywhere} & sampler.uncovered - {("trigger:JS-TRG-H3", True), ("trigger:JS-TRG-H4", True)}
    assert program.reads


def test_pick_takes_the_first_row_of_each_uncovered_case() -> None:
    rs = riskeval.load_ruleset(JIANGSU)
    program = compile_program(rs)
    sampler = Sampler(program, 10_000_000)
    n = 50
    codes = np.zeros(n, dtype=int)
    codes[10] = 1
    stage = Stage(n, {"opposition_rate": (codes, [10.0, 50.0])})
    result = program.evaluate(stage)
    chosen = sampler.pick(n, np.ones(n, dtype=bool), stage, result)
    assert chosen[0] and chosen[10]  # the first row, and the row exactly on the constant 50
    assert ("opposition_rate", 50.0) not in sampler.constants


def test_rule_check_passes_and_is_remembered(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RISKEVAL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(verify, "_CHECKED", set())
    rs = riskeval.load_ruleset("guiyang")
    assert verify.check_intervals(str(rs.path), rs.content_hash) == []
    assert list((tmp_path / "column-checks").iterdir())


def test_rule_check_finds_a_wrong_atom(monkeypatch) -> None:
    rs = riskeval.load_ruleset(JIANGSU)
    real = Stage.atom

    def wrong(self: Stage, cond):  # ">" read as ">="
        got = real(self, cond)
        if getattr(cond, "op", None) == ">" and getattr(cond, "fact", None) == "opposition_rate":
            from riskeval.ruleset.conditions import Cmp

            got = real(self, Cmp(cond.fact, ">=", cond.value))
        return got

    monkeypatch.setattr(Stage, "atom", wrong)
    problems = verify.check_ruleset(rs)
    assert problems and "trigger:JS-TRG-H1" in problems[0]


def test_representatives_split_every_interval() -> None:
    reps = verify.representatives(riskeval.load_ruleset(JIANGSU))
    rate = reps["opposition_rate"]
    assert None in rate and 50.0 in rate and 20.0 in rate and any(20 < v < 50 for v in rate if v is not None)
    assert reps["subject_authority"] == [None, "full", "basic", "none"]
    assert reps["possible_violent_case"] == [None, True, False]
