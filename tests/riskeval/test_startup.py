"""riskeval._startup: the collector is suspended for a start-up phase and always restored."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from riskeval._startup import paused_gc


def test_paused_gc_restores_the_collector_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_paused_gc_nested_and_already_disabled() -> None:
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer phase is still running
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a collector disabled by the caller stays disabled
    finally:
        gc.enable()


def test_the_command_runs_with_the_collector_enabled() -> None:
    """``python -m riskeval`` suspends the collector for its imports only: the command itself runs with it."""
    code = (
        "import gc, sys\n"
        "import riskeval.cli.common as common\n"
        "seen = []\n"
        "original = common.RiskevalGroup.main\n"
        "def main(self, *args, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    return original(self, *args, **kwargs)\n"
        "common.RiskevalGroup.main = main\n"
        "sys.argv = ['riskeval', '--version']\n"
        "import runpy\n"
        "try:\n    runpy.run_module('riskeval', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(seen, gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[True] True", out.stdout + out.stderr
