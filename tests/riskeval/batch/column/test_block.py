"""The column path's own CSV lines and counters equal the table writer's and ``BatchStats.add``'s."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import riskeval
from riskeval.batch.column.rows import _field
from riskeval.batch.run import run_batch
from riskeval.batch.synthetic import write_csv

JIANGSU = "jiangsu-db32-4013-2021"


@pytest.mark.parametrize(
    "text", ["", "a", "a,b", 'say "hi"', "x\ny", "x\r\ny", " lead", "trail ", "；中文，逗号", "'=1", "\t"]
)
def test_field_quotes_as_the_csv_module(text: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(["x", text, "y"])
    assert f"x,{_field(text)},y\r\n" == out.getvalue()


def test_ids_that_need_quoting_or_a_guard(tmp_path: Path) -> None:
    """Ids with commas, quotes, a leading formula sign: the column path's lines equal the row path's."""
    src = write_csv(tmp_path / "in.csv", 120, seed=5, bad_fraction=0.0)
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    odd = ["A,1", 'B"2', "=SUM(1)", "-3", "@x", "+7", "名称，中文"]
    for k, ident in enumerate(odd, start=1):
        rows[k][0] = ident
    with (tmp_path / "odd.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(tmp_path / "odd.csv", rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(tmp_path / "odd.csv", rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.path == "column"
    got = (tmp_path / "c.csv").read_bytes()
    assert got == (tmp_path / "r.csv").read_bytes()
    assert b'"A,1"' in got and b"'=SUM(1)" in got


def test_statistics_over_several_chunks_match_the_row_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several pyarrow chunks with row-path rows between runs: every counter in order, the point sums, the
    kept details and the count of omitted ones equal the row path's (``BatchStats.add`` row by row)."""
    from riskeval.batch.column import source

    monkeypatch.setattr(source, "BLOCK_BYTES", 1 << 16)
    src = write_csv(tmp_path / "in.csv", 2500, seed=3, bad_fraction=0.02)
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False, max_details=40)
    row = run_batch(src, rs, tmp_path / "r.csv", workers=0, strict=False, max_details=40, engine="row")
    assert column.path == "column" and column.reader == "pyarrow"
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    assert _state(column.stats) == _state(row.stats)
    assert column.stats.details_omitted > 0 and column.stats.error_rows > 0


def _state(stats) -> dict:
    out = {}
    for key, value in vars(stats).items():
        if key == "details":
            value = [vars(r) for r in value]
        elif isinstance(value, dict):
            value = [(k, list(v.items()) if isinstance(v, dict) else v) for k, v in value.items()]
        out[key] = value
    return out
