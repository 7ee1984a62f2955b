"""Under CPU contention no evaluation is refused and every result equals the reference evaluation.

Four worker processes on a machine with fewer cores, a busy-looping process beside them, and the GIL
switch interval cut to 10 µs in the workers (so that a second thread, if there were one, would get the
GIL in every window where it could interfere). With durable-rules' own timer-driven host the same run
refuses evaluations ("catch-all rule fired 0 times", ``error code: 307``): see
``python -m tests.riskeval.engine.contention --legacy --switch 0.00001``.
"""

from __future__ import annotations

import pytest

from .contention import run


@pytest.mark.slow
def test_no_evaluation_refused_under_contention() -> None:
    tally = run(30_000, processes=4, hogs=1, switch=1e-5)
    assert tally.evaluations == 30_000
    assert tally.refused == []
    assert tally.mismatched == []
