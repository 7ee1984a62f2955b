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


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


_BUFFERED = (
    "import io, sys\n"
    "sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, 'w', closefd=False)), write_through=False)\n"
)


def test_exit_now_runs_the_shutdown_steps_in_order_and_keeps_the_status() -> None:
    code = _BUFFERED + (
        "import atexit, threading, time\n"
        "from riskeval._startup import exit_now\n"
        "def late():\n    time.sleep(0.2)\n    sys.stdout.write('thread;')\n"
        "threading.Thread(target=late).start()\n"
        "atexit.register(lambda: sys.stdout.write('atexit;'))\n"
        "sys.stdout.write('buffered;')\n"
        "exit_now(3)\n"
        "sys.stdout.write('never')\n"
    )
    proc = _run(code)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "buffered;thread;atexit;"


def test_exit_now_reports_an_unflushable_stdout_with_status_120() -> None:
    code = (
        "import io, sys\n"
        "class Broken(io.StringIO):\n    def flush(self):\n        raise BrokenPipeError(32, 'Broken pipe')\n"
        "sys.stdout = Broken()\n"
        "from riskeval._startup import exit_now\n"
        "exit_now(0)\n"
    )
    assert _run(code).returncode == 120


def test_exit_code_follows_the_interpreter() -> None:
    from riskeval._startup import exit_code

    assert [exit_code(None), exit_code(0), exit_code(130)] == [0, 0, 130]
    proc = _run("from riskeval._startup import exit_code; import sys; sys.exit(exit_code('a message'))")
    assert proc.returncode == 1 and proc.stderr.strip() == "a message"


def test_a_fast_command_ends_with_its_status_and_complete_output(tmp_path) -> None:
    """``riskeval batch`` through the entry point: the exit status and every line of the summary arrive."""
    from riskeval.batch.synthetic import write_csv

    src = tmp_path / "p.csv"
    write_csv(src, 50, seed=3)
    out = tmp_path / "o.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "riskeval", "batch", str(src), "--rules", "jiangsu-db32-4013-2021", "--out", str(out),
         "--workers", "0", "--lang", "en"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("50 rows: 50 assessed")
    assert proc.stdout.splitlines()[-1] == f"results written to {out}"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 51
    usage = subprocess.run([sys.executable, "-m", "riskeval", "batch", str(src), "--lang", "en"],
                           capture_output=True, text=True, timeout=300)
    assert usage.returncode == 2 and "usage error" in usage.stderr


def test_diff_through_the_entry_point_prints_everything(tmp_path) -> None:
    from riskeval.batch.synthetic import write_csv

    src = tmp_path / "p.csv"
    write_csv(src, 20, seed=5)
    rules = "jiangsu-db32-4013-2021"
    proc = subprocess.run(
        [sys.executable, "-m", "riskeval", "diff", rules, rules, "--projects", str(src), "--workers", "0", "--lang", "en"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "Projects: 20 in all, 0 change level, decision or status"
