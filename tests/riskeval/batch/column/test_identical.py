"""The column path writes exactly the bytes of the row path (every bundled rule set, every output format)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import riskeval
from riskeval.batch.column.driver import ColumnMismatch
from riskeval.batch.run import run_batch
from riskeval.batch.synthetic import write_csv

JIANGSU = "jiangsu-db32-4013-2021"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("in") / "in.csv", 800, seed=11, bad_fraction=0.01)


@pytest.mark.parametrize(
    ("rules", "suffix"), [(JIANGSU, ".csv"), (JIANGSU, ".jsonl"), ("national", ".csv"), ("guiyang", ".csv")]
)
def test_column_output_equals_row_output(tmp_path: Path, synthetic: Path, rules: str, suffix: str) -> None:
    rs = riskeval.load_ruleset(rules)
    column = run_batch(synthetic, rs, tmp_path / f"column{suffix}", workers=0, strict=False)
    row = run_batch(synthetic, rs, tmp_path / f"row{suffix}", workers=0, engine="row", strict=False)
    assert column.path == "column" and row.path == "row"
    assert column.reader == "pyarrow"
    assert (tmp_path / f"column{suffix}").read_bytes() == (tmp_path / f"row{suffix}").read_bytes()
    assert column.stats.summary("en") == row.stats.summary("en")
    assert column.stats.details_text("en") == row.stats.details_text("en")
    assert _state(column.stats) == _state(row.stats)  # every counter, in the same order; the kept rows
    assert column.stats.error_rows > 0  # the bad rows went through the row path, with its messages
    assert column.sampled == column.stats.total - column.stats.error_rows  # a short list: every row checked
    assert not list(tmp_path.glob(".*partial*"))


def _state(stats) -> dict:
    """Everything a report reads from the statistics, order included."""
    out = {}
    for key, value in vars(stats).items():
        if key == "details":
            value = [(vars(r)) for r in value]
        elif isinstance(value, dict):
            value = [(k, list(v.items()) if isinstance(v, dict) else v) for k, v in value.items()]
        out[key] = value
    return out


def test_verify_full_equals_sample_run(tmp_path: Path, synthetic: Path) -> None:
    rs = riskeval.load_ruleset(JIANGSU)
    sample = run_batch(synthetic, rs, tmp_path / "s.csv", workers=0)
    full = run_batch(synthetic, rs, tmp_path / "f.csv", workers=0, verify="full")
    assert full.sampled == full.stats.total - full.stats.error_rows
    assert sample.sampled <= full.sampled
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "f.csv").read_bytes()


def _rewrite(src: Path, dst: Path, edit) -> Path:
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = edit(rows)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return dst


def test_files_pyarrow_must_not_read_fall_back_to_records(tmp_path: Path, synthetic: Path) -> None:
    """Quoted cells with commas, a blank line, a short record, a record of blank cells: the table reader's rows."""

    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[3][1] = "名称, 带逗号"
        rows[5] = []
        rows[7] = rows[7][:5]
        rows[9] = [""] * len(rows[0])
        return rows

    src = _rewrite(synthetic, tmp_path / "odd.csv", edit)
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.reader == "records"
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()


def test_a_record_of_blank_cells_in_a_plain_file(tmp_path: Path, synthetic: Path) -> None:
    """No quote, no empty line (pyarrow may read it), but a record of blank cells: the table reader numbers it."""
    lines = synthetic.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:40]
    if any('"' in line for line in lines):
        lines = [line for line in lines if '"' not in line]
    width = lines[0].count(",")
    lines.insert(6, "," * width + "\n")
    lines.insert(9, " ," * width + "\n")
    src = tmp_path / "blank.csv"
    src.write_text("".join(lines), encoding="utf-8")
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.reader == "records" and column.stats.status["blank"] == 2
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()


def test_xlsx_and_jsonl_inputs(tmp_path: Path, synthetic: Path) -> None:
    from openpyxl import Workbook

    with synthetic.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))[:300]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        ws.append([float(v) if v.replace(".", "", 1).isdigit() else v for v in r.values()])
    wb.save(tmp_path / "in.xlsx")
    rs = riskeval.load_ruleset(JIANGSU)
    for src in (jsonl, tmp_path / "in.xlsx"):
        column = run_batch(src, rs, tmp_path / "c.jsonl", workers=0, strict=False)
        run_batch(src, rs, tmp_path / "r.jsonl", workers=0, engine="row", strict=False)
        assert column.path == "column" and column.reader == "records"
        assert (tmp_path / "c.jsonl").read_bytes() == (tmp_path / "r.jsonl").read_bytes()


def test_unsupported_rule_set_uses_the_row_path(tmp_path: Path, synthetic: Path) -> None:
    import yaml

    doc = yaml.safe_load(Path(riskeval.load_ruleset(JIANGSU).path).read_text(encoding="utf-8"))
    doc["id"] = "panel-variant"
    item = doc["items"][0]
    item.pop("points")
    item["panel"] = True
    path = tmp_path / "rs.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rs = riskeval.load_ruleset(path)
    head = "".join(synthetic.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:30])
    src = tmp_path / "in.csv"
    src.write_text(head, encoding="utf-8")
    outcome = run_batch(src, rs, tmp_path / "o.csv", workers=0, strict=False)
    assert outcome.path == "row"
    assert "panel-scored items (JS-LEG-1)" in outcome.path_reason


def test_a_broken_column_program_fails_naming_the_rows(tmp_path: Path, synthetic: Path, monkeypatch) -> None:
    """A column program that scores one item wrong: the sample catches it, no output file is left."""
    from riskeval.batch.column import program as program_module

    real = program_module.aggregate

    def broken(program, values, applies):
        contributions, score = real(program, values, applies)
        score[::7] += 0.5  # every seventh row of each chunk is off by half a point
        return contributions, score

    monkeypatch.setattr(program_module, "aggregate", broken)
    rs = riskeval.load_ruleset(JIANGSU)
    out = tmp_path / "o.csv"
    with pytest.raises(ColumnMismatch) as info:
        run_batch(synthetic, rs, out, workers=0)
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no partial file either
    differing = info.value.params["differing"]
    assert differing and all(isinstance(r, int) for r in differing)
    assert str(differing[0]) in info.value.message("en")
    assert info.value.exit_code == 1


def test_rows_whose_explanation_is_wanted_take_the_row_path(tmp_path: Path, synthetic: Path) -> None:
    """With a report (explanations of high and medium rows), those rows are assessed by the row path."""
    rs = riskeval.load_ruleset(JIANGSU)
    explain = ("high", "medium")
    column = run_batch(synthetic, rs, tmp_path / "c.csv", workers=0, explain=explain, strict=False)
    row = run_batch(synthetic, rs, tmp_path / "r.csv", workers=0, explain=explain, engine="row", strict=False)
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    assert _state(column.stats) == _state(row.stats)
    assert column.stats.details and all(d.explanation for d in column.stats.details)


@pytest.mark.parametrize(
    "damage",
    ["empty line", "lone CR in a line", "CR CR LF", "LF CR LF", "CR line ends", "one CR line end", "trailing empty line",
     "no final newline"],
)
def test_line_breaks_pyarrow_and_the_table_reader_see_alike(tmp_path: Path, synthetic: Path, damage: str) -> None:
    """Whatever the line breaks, the column path's output (read by pyarrow or, after a fall-back, by the
    table reader) equals the row path's bytes."""
    data = synthetic.read_bytes().replace(b"\r\n", b"\n")
    lines = data.split(b"\n")[:40]
    if damage == "empty line":
        lines.insert(7, b"")
    elif damage == "lone CR in a line":
        lines[5] = lines[5].replace(b",", b"\r,", 1)
    elif damage == "CR CR LF":
        lines[6] += b"\r\r"
    elif damage == "LF CR LF":
        lines.insert(8, b"\r")
    elif damage == "one CR line end":
        lines[9] = lines[9] + b"\r" + lines.pop(10)
    text = b"\n".join(lines) + b"\n"
    if damage == "CR line ends":
        text = text.replace(b"\n", b"\r")
    elif damage == "trailing empty line":
        text += b"\n"
    elif damage == "no final newline":
        text = text.rstrip(b"\n")
    src = tmp_path / "damaged.csv"
    src.write_bytes(text)
    rs = riskeval.load_ruleset(JIANGSU)
    if damage == "CR line ends":  # the table reader refuses the file: so does the column path
        from riskeval.errors import InputError

        with pytest.raises(InputError) as by_column:
            run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
        with pytest.raises(InputError) as by_row:
            run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
        assert by_column.value.message("en") == by_row.value.message("en")
        return
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.path == "column"
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    if damage in ("empty line", "lone CR in a line", "CR CR LF", "LF CR LF", "trailing empty line"):
        assert column.reader == "records"


@pytest.mark.parametrize("length", [131_072, 131_073])
def test_overlong_cells_as_the_table_reader(tmp_path: Path, synthetic: Path, length: int) -> None:
    """A name of exactly the longest allowed length (in characters, three bytes each) is read by pyarrow;
    one character more sends the file to the table reader, which reports it: same bytes as the row path."""
    from riskeval.io.tables import MAX_CELL

    assert MAX_CELL == 131_072
    lines = synthetic.read_text(encoding="utf-8-sig").split("\n")[:30]
    cells = lines[4].split(",")
    cells[1] = "名" * length
    lines[4] = ",".join(cells)
    src = tmp_path / "long.csv"
    src.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.reader == ("pyarrow" if length == MAX_CELL else "records")
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()


def test_investment_cells_checked_as_the_row_path(tmp_path: Path, synthetic: Path) -> None:
    """Investment is read by no Jiangsu condition, but a cell the project refuses makes an error row: plain
    numbers are recognised by a pattern, every other cell is converted as the row path converts it."""
    odd = ["十万", "１２", " 12 ", "-5", "1e3", "", "  ", "12.5", "0012", "1.2.3", "inf", "1_000"]

    def edit(rows: list[list[str]]) -> list[list[str]]:
        k = rows[0].index("investment")
        for i, value in enumerate(odd, start=1):
            rows[i][k] = value
        return rows

    src = _rewrite(synthetic, tmp_path / "inv.csv", edit)
    rs = riskeval.load_ruleset(JIANGSU)
    column = run_batch(src, rs, tmp_path / "c.csv", workers=0, strict=False)
    row = run_batch(src, rs, tmp_path / "r.csv", workers=0, engine="row", strict=False)
    assert column.path == "column" and column.reader == "pyarrow"
    assert (tmp_path / "c.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()
    assert row.stats.error_rows > 0 and column.stats.error_rows == row.stats.error_rows
