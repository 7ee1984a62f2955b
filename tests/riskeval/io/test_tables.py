"""The one table reader: one row per input record, in order, located; per-record errors; file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskeval.errors import InputError, exit_code_for
from riskeval.io.tables import (
    MAX_CELL,
    MAX_DEPTH,
    TableRow,
    TableRowError,
    open_table,
    safe_cell,
    sheet_names,
)


def read(path: Path, **kw: Any) -> list[TableRow]:
    with open_table(path, **kw) as table:
        return list(table)


def states(rows: list[TableRow]) -> list[tuple[int, str]]:
    return [(r.row, "blank" if r.blank else (r.error.code if r.error else "ok")) for r in rows]


def csv_body(n: int, start: int = 0) -> list[str]:
    return [f"P{start + i},{i}" for i in range(n)]


def test_non_utf8_row_after_the_first_64k_is_one_error_row(tmp_path):
    lines = csv_body(8000)  # about 80 KiB: the encoding is detected from the first 64 KiB
    path = tmp_path / "p.csv"
    body = "id,反对率\n" + "\n".join(lines) + "\n"
    tail = "\n".join(csv_body(3000, start=9000)) + "\n"
    path.write_bytes(body.encode() + (b"P-bad," + "反对".encode("gb18030") + b"\n") * 2000 + tail.encode())
    rows = read(path)
    assert len(rows) == 8000 + 2000 + 3000
    assert [r.row for r in rows] == list(range(2, 2 + len(rows)))
    bad = [r for r in rows if r.error]
    assert len(bad) == 2000 and {r.error.code for r in bad} == {"table.row.encoding"}
    assert bad[0].values == {"id": "P-bad"} and bad[0].error.location.row == 8002
    assert rows[-1].values == {"id": "P11999", "反对率": "2999"}


def test_cell_over_the_limit_is_a_row_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(f"id,note\nP1,ok\nP2,{'x' * (MAX_CELL + 1)}\nP3,{'y' * MAX_CELL}\n", encoding="utf-8")
    rows = read(path)
    assert states(rows) == [(2, "ok"), (3, "table.row.cell_too_long"), (4, "ok")]
    assert rows[1].values == {"id": "P2"} and rows[1].error.location.field == "note"
    assert len(rows[2].values["note"]) == MAX_CELL


def test_quoted_cell_over_the_limit_is_a_row_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(f'id,note\nP1,"{"x" * (MAX_CELL + 5)}"\nP2,b\n', encoding="utf-8")
    assert states(read(path)) == [(2, "table.row.cell_too_long"), (3, "ok")]


def test_unterminated_quote_makes_only_its_row_an_error(tmp_path):
    lines = ["id,反对率"] + [f"P{i},{i}" for i in range(1, 200)]
    lines[5] = 'P5,"12'
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read(path)
    assert len(rows) == 199 and [r.row for r in rows] == list(range(2, 201))
    assert [r.row for r in rows if r.error] == [6]
    assert rows[4].error.code == "table.row.unterminated_quote" and rows[4].values == {"id": "P5", "反对率": "12"}
    assert rows[5].values == {"id": "P6", "反对率": "6"}


def test_unterminated_quote_closed_by_a_later_quote_is_still_only_its_row(tmp_path):
    text = 'id,note\nP1,"open\nP2,x\nP3,"a,b"\nP4,y\n'
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    rows = read(path)
    assert states(rows) == [(2, "table.row.unterminated_quote"), (3, "ok"), (4, "ok"), (5, "ok")]
    assert rows[2].values == {"id": "P3", "note": "a,b"}


def test_multi_line_quoted_cell_is_one_record_at_its_first_line(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('id,note\nP1,"line one\nline two, with comma"\nP2,"say ""hi"""\n', encoding="utf-8")
    rows = read(path)
    assert states(rows) == [(2, "ok"), (4, "ok")]
    assert rows[0].values["note"] == "line one\nline two, with comma" and rows[1].values["note"] == 'say "hi"'


def test_blank_records_keep_row_numbers(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,a\nP1,1\n\n,\n  \nP2,2\n\n\n", encoding="utf-8")
    rows = read(path)
    # blank records between records are reported; trailing empty lines are not records
    assert states(rows) == [(2, "ok"), (3, "blank"), (4, "blank"), (5, "blank"), (6, "ok")]


def test_extra_cells_are_a_row_error_short_rows_are_not(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,a\nP1,1,x\nP2\nP3,3,,\n", encoding="utf-8")
    rows = read(path)
    assert states(rows) == [(2, "table.row.extra_cells"), (3, "ok"), (4, "ok")]
    assert rows[0].error.params == {"count": 1} and rows[1].values == {"id": "P2"}


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gb18030", b"\x84\x31\x95\x33")],
)
def test_encodings_with_and_without_bom(tmp_path, encoding, bom):
    path = tmp_path / "p.csv"
    path.write_bytes(bom + "项目编号,反对率\n甲-1,12\n乙-2,30\n".encode(encoding))
    with open_table(path) as table:
        rows = list(table)
        assert table.encoding == encoding and table.headers == ["项目编号", "反对率"]
    assert [r.values for r in rows] == [{"项目编号": "甲-1", "反对率": "12"}, {"项目编号": "乙-2", "反对率": "30"}]
    assert rows[1].location_of("反对率").render("en") == f"{path}: row 3, column '反对率'"


def test_tsv_and_estimate(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("id\ta\nP1\t1\nP2\t2\n", encoding="utf-8")
    with open_table(path, estimate=True) as table:
        assert table.estimate == 2
        assert [r.values for r in table] == [{"id": "P1", "a": "1"}, {"id": "P2", "a": "2"}]


def test_jsonl_rows_errors_and_depth(tmp_path):
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    very_deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    lines = [
        json.dumps({"id": "P1", "facts": {"a": 1}}),
        "",
        "{not json",
        json.dumps({"id": "P2", "x": deep}),  # brackets inside a string are not nesting
        json.dumps({"id": "P3", "x": json.loads(deep)}),
        very_deep,
        "[1, 2]",
        "1" * 5000,
        json.dumps({"id": "P4", "note": "z" * (MAX_CELL + 1)}),
        json.dumps({"id": "P5"}),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read(path)
    assert states(rows) == [
        (1, "ok"),
        (2, "blank"),
        (3, "table.row.json"),
        (4, "ok"),
        (5, "table.row.too_deep"),
        (6, "table.row.too_deep"),
        (7, "table.row.not_object"),
        (8, "table.row.json"),
        (9, "table.row.cell_too_long"),
        (10, "ok"),
    ]
    assert rows[0].values == {"id": "P1", "facts": {"a": 1}} and rows[8].values == {"id": "P4"}


def test_xlsx_rows_with_sheet_locations(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["not the data"])
    data = wb.create_sheet("项目")
    data.append([None])
    data.append(["id", "反对率", None])
    data.append(["P1", 12, None])
    data.append([None, None, None])
    data.append(["P2", 30.5, "surplus"])
    data.append(["P3", "x" * 40000, None])
    data.append(["P4", 1, None])
    data.append([None, None, None])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    assert sheet_names(path) == ["说明", "项目"]
    with open_table(path, sheet="项目") as table:
        rows = list(table)
        assert table.headers == ["id", "反对率", ""] and table.sheet == "项目"
    assert states(rows) == [(3, "ok"), (4, "blank"), (5, "table.row.extra_cells"), (6, "ok"), (7, "ok")]
    assert rows[0].values == {"id": "P1", "反对率": 12} and rows[4].values == {"id": "P4", "反对率": 1}
    assert rows[2].error.render("en") == f"{path}[项目]: row 5: the row has more cells than the header (1 extra)"
    with pytest.raises(InputError) as info:
        open_table(path, sheet="nope")
    assert info.value.code == "table.no_sheet" and exit_code_for(info.value) == 2


def test_file_level_problems_are_input_errors(tmp_path):
    missing = tmp_path / "none.csv"
    with pytest.raises(InputError) as info:
        open_table(missing)
    assert info.value.code == "input.not_found" and exit_code_for(info.value) == 2
    dup = tmp_path / "dup.csv"
    dup.write_text("id,a,a\nP1,1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        open_table(dup)
    assert info.value.code == "table.header.duplicate" and info.value.location.field == "a"
    utf16 = tmp_path / "u.csv"
    utf16.write_text("id\nP1\n", encoding="utf-16")
    with pytest.raises(InputError) as info:
        open_table(utf16)
    assert info.value.code == "table.encoding"
    with pytest.raises(InputError) as info:
        open_table(tmp_path / "x.pdf")
    assert info.value.code == "table.suffix"
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"PK not a zip")
    with pytest.raises(InputError) as info:
        open_table(broken)
    assert info.value.code == "input.unreadable"


def test_row_errors_are_riskeval_errors_with_json():
    err = TableRowError("table.row.encoding", encoding="utf-8")
    assert exit_code_for(err) == 1 and err.to_dict("en")["message"] == "the line is not valid utf-8 text"


def test_streaming_does_not_read_ahead(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id,a\n" + "\n".join(csv_body(200_000)) + "\n", encoding="utf-8")
    with open_table(path) as table:
        first = next(iter(table))
        assert first.values == {"id": "P0", "a": "0"}
        # the reader is a generator over a file handle: the file position shows it has not read it all
        handle = table._handle
        assert handle is not None and handle.tell() < path.stat().st_size


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ('=HYPERLINK("http://x","y")', "'=HYPERLINK(\"http://x\",\"y\")"),
        ("＝1", "＝1"),
        ("P-1", "P-1"),
        ("", ""),
        (-2, -2),
        (1.5, 1.5),
        (None, None),
        (True, True),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
