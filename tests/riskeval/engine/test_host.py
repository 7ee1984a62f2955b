"""riskeval's durable-rules host runs no timer thread, and ``assert_fact`` still runs every action itself."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from durable.engine import Host

import riskeval
from riskeval import engine
from riskeval.engine import SyncHost, compile_ruleset, engine_host


class _TimerRecorder:
    """Stands in for ``threading.Timer``: records each construction and never starts a thread."""

    made: list[float] = []

    def __init__(self, interval: float, function: Any, args: Any = None, kwargs: Any = None) -> None:
        type(self).made.append(interval)
        self.daemon = False

    def start(self) -> None:
        pass

    def cancel(self) -> None:
        pass


@pytest.fixture()
def timers(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    _TimerRecorder.made = []
    monkeypatch.setattr(threading, "Timer", _TimerRecorder)
    return _TimerRecorder.made


def test_sync_host_creates_no_timer(timers: list[float]) -> None:
    SyncHost()
    assert timers == []


def test_durable_rules_own_host_would_create_timers(timers: list[float]) -> None:
    """The check above can fail: durable-rules' Host starts its dispatch and timer chains at once."""
    Host()
    assert len(timers) == 2


def test_riskeval_host_is_a_sync_host_and_no_timer_thread_runs(jiangsu: riskeval.RuleSet, good_facts: dict[str, Any]) -> None:
    result = riskeval.assess(riskeval.Project(id="T", kind="project", facts=good_facts), jiangsu)
    assert result.level == "low"
    assert isinstance(engine_host(), SyncHost)
    assert engine_host()._d_timer is None and engine_host()._t_timer is None
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_assert_fact_runs_every_action_before_it_returns() -> None:
    """Twenty rules match one fact: all twenty actions have run when ``assert_fact`` returns, and a
    dispatch afterwards (what the timer thread would do) finds nothing left to run."""
    fired: list[int] = []

    def action(k: int) -> Any:
        def run(c: Any) -> None:
            fired.append(k)

        return run

    host = SyncHost()
    rules = {f"r{k}": {"all": [{"m": {"$gte": {"x": k}}}], "run": action(k)} for k in range(20)}
    host.set_rulesets({"sync_check": rules})
    for n in range(50):
        fired.clear()
        host.assert_fact("sync_check", {"sid": f"s{n}", "x": 100})
        assert sorted(fired) == list(range(20))
        host.get_ruleset("sync_check").dispatch()
        assert len(fired) == 20
        host.delete_state("sync_check", f"s{n}")


def test_every_evaluation_cross_checked_without_timer(jiangsu: riskeval.RuleSet, good_facts: dict[str, Any]) -> None:
    compiled = compile_ruleset(jiangsu)
    values = riskeval.check.check_project(riskeval.Project(id="T", kind="project", facts=good_facts), jiangsu).initial
    for rate in range(0, 101, 5):
        got = compiled.fired(dict(values, opposition_rate=rate))
        assert got == engine.reference_fired(jiangsu, dict(values, opposition_rate=rate))


def test_a_host_that_starts_its_timer_is_refused(timers: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: should a durable-rules release start its timers another way, no evaluation runs."""
    monkeypatch.setattr(engine, "_HOST", None)
    monkeypatch.setattr(engine, "_sync_host_class", lambda: Host)
    with pytest.raises(engine.EngineError):
        engine_host()
    assert len(timers) == 2 and engine._HOST is None
