"""``riskeval batch``: exit status, summary, reports; Ctrl-C leaves a valid partial output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskeval.batch import OUTPUT_COLUMNS
from riskeval.batch.synthetic import write_csv as write_synthetic
from riskeval.cli import app

from .conftest import JIANGSU, read_output, write_csv

runner = CliRunner()


def test_batch_reports_failed_rows_and_exits_1(tmp_path, rows):
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out" / "results.jsonl"
    result = runner.invoke(
        app,
        [
            "batch",
            str(src),
            "--rules",
            JIANGSU,
            "--out",
            str(out),
            "--workers",
            "0",
            "--report",
            str(tmp_path / "r.html"),
            "--report-xlsx",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert result.exit_code == 1, result.output
    # row numbers are the input's lines (the header is line 1)
    assert "共 5 行：评估 3 行，不在评估范围 0 行，出错 2 行（第 4、6 行）" in result.output
    assert "第 4 行（P3）" in result.output
    assert len(read_output(out)) == 5
    assert (tmp_path / "r.html").stat().st_size > 1000 and (tmp_path / "r.xlsx").exists()


def test_batch_english_and_all_ok_exits_0(tmp_path, rows):
    src = write_csv(tmp_path / "in.csv", [rows[0], rows[1], rows[3]])
    result = runner.invoke(
        app,
        [
            "batch",
            str(src),
            "--rules",
            JIANGSU,
            "--out",
            str(tmp_path / "o.csv"),
            "--workers",
            "0",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 assessed, 0 out of scope, 0 failed" in result.output
    assert "results written to" in result.output


def test_batch_bad_arguments_exit_2(tmp_path, rows):
    src = write_csv(tmp_path / "in.csv", rows)
    bad_out = runner.invoke(app, ["batch", str(src), "--rules", JIANGSU, "--out", str(tmp_path / "o.txt")])
    assert bad_out.exit_code == 2 and ".jsonl" in bad_out.output
    missing = runner.invoke(
        app,
        [
            "batch",
            str(tmp_path / "nope.csv"),
            "--rules",
            JIANGSU,
            "--out",
            str(tmp_path / "o.csv"),
            "--workers",
            "0",
        ],
    )
    assert missing.exit_code == 2 and "文件不存在" in missing.output and "nope.csv" in missing.output
    same = runner.invoke(app, ["batch", str(src), "--rules", JIANGSU, "--out", str(src)])
    assert same.exit_code == 2


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # renamed or removed meanwhile
        return 0


def _has_children(pid: int) -> bool:
    """Whether the process has started child processes (Linux /proc), i.e. it is past its imports."""
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sigint_leaves_valid_partial_output(tmp_path, suffix):
    n = 30_000
    src = write_synthetic(tmp_path / "big.csv", n, seed=3)
    out = tmp_path / f"out{suffix}"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "riskeval",
            "batch",
            str(src),
            "--rules",
            JIANGSU,
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        # CSV: wait for rows on disk; XLSX is written at the end, so wait a moment after start-up instead.
        while time.monotonic() < deadline:
            # The column path writes under a temporary name (renamed when the sample check has passed).
            partial = [p for p in tmp_path.glob(f".out.partial-*{suffix}") if _size(p) > 2000]
            if suffix == ".csv" and ((out.exists() and out.stat().st_size > 2000) or partial):
                break
            if suffix == ".xlsx" and _has_children(proc.pid):
                time.sleep(0.5)  # the worker pool is up: rows are being assessed
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = stdout.decode() + stderr.decode()
    assert proc.returncode == 130, text
    assert "已中断" in text
    got = read_output(out)
    assert len(got) < n
    if suffix == ".csv":
        assert got, "rows written before the interrupt are kept"
    assert [int(r["row"]) for r in got] == list(range(2, len(got) + 2))  # input lines, after the header
    assert all(r["status"] in ("ok", "error", "out_of_scope") for r in got)
    assert not got or list(got[0]) == list(OUTPUT_COLUMNS)


def test_batch_default_workers_and_progress_absent_in_pipe(tmp_path):
    src = write_synthetic(tmp_path / "in.csv", 50, seed=5)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "riskeval",
            "batch",
            str(src),
            "--rules",
            JIANGSU,
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "\x1b[" not in proc.stderr.decode() and "评估中" not in proc.stderr.decode()
    assert len(read_output(tmp_path / "o.csv")) == 50
