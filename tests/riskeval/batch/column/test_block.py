"""The column path's own CSV lines and counters equal the table writer's and ``BatchStats.add``'s."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import riskeval
from riskeval.batch.column.cells import field
from riskeval.batch.run import run_batch
from riskeval.batch.synthetic import write_csv

JIANGSU = "jiangsu-db32-4013-2021"


@pytest.mark.parametrize(
    "text", ["", "a", "a,b", 'say "hi"', "x\ny", "x\r\ny", " lead", "trail ", "；中文，逗号", "'=1", "\t"]
)
def test_field_quotes_as_the_csv_module(text: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(["x", text, "y"])
    assert f"x,{field(text)},y\r\n" == out.getvalue()


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
    monkeypatch.setattr(source, "CHUNK_MIN_ROWS", 150)
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


def test_outer_space_class_is_what_str_strip_removes() -> None:
    """The RE2 class used to keep pyarrow's texts as they are matches exactly the characters ``str.isspace``."""
    import sys

    from riskeval.batch.column import cells

    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    spaces = {c for c in chars if c.isspace()}
    probe = [c for c in chars if c.isspace() or ord(c) < 0x3100]
    flagged = cells.strings(["a" + c for c in probe])
    import pyarrow.compute as pc

    hits = pc.match_substring_regex(flagged, cells._OUTER_SPACE).to_pylist()
    got = {c for c, hit in zip(probe, hits, strict=True) if hit}
    assert got == spaces
    assert cells.has_outer_space(cells.strings([" x"])) and not cells.has_outer_space(cells.strings(["x y"]))


def test_ids_with_outer_spaces_are_stripped_as_the_row_path(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", 60, seed=9, bad_fraction=0.0)
    text = src.read_text(encoding="utf-8-sig").replace("JS-000003,", "JS-000003\u3000,").replace("JS-000004,", " JS-000004,")
    (tmp_path / "odd.csv").write_text(text, encoding="utf-8")
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(tmp_path / "odd.csv", rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(tmp_path / "odd.csv", rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.path == "column" and column.reader == "pyarrow"
    got = (tmp_path / "c.csv").read_bytes()
    assert got == (tmp_path / "r.csv").read_bytes()
    assert b"\r\n4,JS-000003," in got and b"\r\n5,JS-000004," in got


def test_labels_that_need_quotes_or_a_guard(tmp_path: Path) -> None:
    """Item, trigger and procedure labels with commas, quotes and formula signs: the cells built by columns
    (the slower path for such labels) equal the row path's bytes and statistics."""
    import yaml

    doc = yaml.safe_load(Path(riskeval.load_ruleset(JIANGSU).path).read_text(encoding="utf-8"))
    for item in doc["items"]:
        if item["id"] == "JS-CTL-2":
            item["label"] = '负面,舆论"说法"'
        if item["id"] == "JS-LEG-1":
            item["label"] = "=实施主体"
    for k, trig in enumerate(doc["triggers"]):
        trig["label"] = ["-超过半数反对", "人数,较多", 'say "no"'][k % 3] + str(k)
    path = tmp_path / "odd-rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rs = riskeval.load_ruleset(path)
    src = write_csv(tmp_path / "in.csv", 1500, seed=11, bad_fraction=0.01)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    row = run_batch(src, rs, tmp_path / "r.csv", workers=0, strict=False, engine="row")
    assert column.path == "column"
    got = (tmp_path / "c.csv").read_bytes()
    assert got == (tmp_path / "r.csv").read_bytes()
    assert '"负面,舆论""说法"" '.encode() in got and "'-超过半数反对0".encode() in got
    assert _state(column.stats) == _state(row.stats)


def test_rounded_is_pythons_round_bit_for_bit() -> None:
    """The vectorised ``round(x, digits)`` equals the built-in on random values, exact ties, near ties,
    tiny, huge and signed-zero values."""
    import numpy as np

    from riskeval.batch.column.program import rounded

    rng = np.random.default_rng(2024)
    for digits in (0, 2, 3, 9):
        xs = np.concatenate([
            rng.random(20_000) * 100,
            (rng.integers(-10**6, 10**6, 20_000) + 0.5) / 10**digits,
            rng.integers(0, 10**7, 20_000) / 10 ** (digits + 1) + 5 / 10 ** (digits + 1),
            rng.normal(0, 1e3, 5_000),
            rng.random(1_000) * 1e-12,
            np.asarray([-0.0, 0.0, np.inf, -np.inf, 1e20, -1e20, 2.5, 3.5, -2.5, 1e300]),
        ])
        want = np.asarray([round(x, digits) for x in xs.tolist()])
        assert rounded(xs, digits).view(np.int64).tolist() == want.view(np.int64).tolist()


def test_lines_cleared_after_a_slot_keep_their_offsets() -> None:
    import numpy as np

    from riskeval.batch.column.cells import Lines

    lines = Lines(3)
    lines.table(["a", "b", "中"], np.arange(3))
    lines.table([",x\n", "!\n"], np.asarray([0, 1, 0]))
    lines.constant("tail\n")
    lines.clear_after(1, np.asarray([1]))
    offsets, data = lines.build()
    assert bytes(data) == "a,x\ntail\nb!\n中,x\ntail\n".encode()
    assert offsets.tolist() == [0, 9, 12, 23]


def test_table_rows_equal_table_row(tmp_path: Path) -> None:
    """Records rebuilt several at once (pyarrow columns read once) equal those rebuilt one by one, whether
    a column was decoded or not."""
    from riskeval.batch.column.source import arrow_chunks

    src = write_csv(tmp_path / "in.csv", 300, seed=4, bad_fraction=0.0)
    headers = src.read_text(encoding="utf-8-sig").split("\n", 1)[0].strip().split(",")
    chunk = next(iter(arrow_chunks(src, headers)))
    chunk.columns["opposition_rate"]  # one column decoded, the others not
    picked = [0, 7, 150, 299, 7]
    many = chunk.table_rows(picked)
    assert [(r.row, r.values) for r in many] == [(chunk.table_row(i).row, chunk.table_row(i).values) for i in picked]
    assert many[0].row == 2 and many[0].values["id"] == "JS-000001"


def test_float_reprs_are_pythons_repr() -> None:
    """pyarrow's float texts, mended, equal ``repr`` on scores, random magnitudes and random bit patterns."""
    import numpy as np

    from riskeval.batch.column.cells import float_reprs

    rng = np.random.default_rng(7)
    xs = np.concatenate([
        np.round(rng.random(30_000) * 100, 9),
        rng.random(10_000) * 100,
        np.arange(0, 101, dtype=float),
        np.exp(rng.uniform(-25, 45, 30_000)),
        rng.integers(0, 2**62, 10_000).view(np.float64),
        np.asarray([0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e9, 999999999.9999999, 5e-324, np.inf, -np.inf, np.nan]),
    ])
    assert float_reprs(xs).to_pylist() == [repr(x) for x in xs.tolist()]
