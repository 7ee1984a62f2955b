from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval.batch import OUTPUT_COLUMNS

JIANGSU = "jiangsu-db32-4013-2021"


@pytest.fixture()
def rows(good_facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Five flat rows: low, high, bad value, medium → low by a measure, missing required fact."""
    missing = dict(good_facts)
    del missing["legal_compliance"]
    return [
        {"id": "P1", "name": "道路改造", "kind": "project", "unit": "甲局", **good_facts},
        {
            "id": "P2",
            "kind": "重大政策",
            "unit": "乙局",
            **good_facts,
            "opposition_rate": 60,
            "opposition_intensity": "strong",
        },
        {"id": "P3", "kind": "project", "unit": "甲局", **good_facts, "opposition_rate": "约三成"},
        {
            "id": "P4",
            "kind": "project",
            "unit": "乙局",
            **good_facts,
            "opposition_rate": 30,
            "measure:opposition_rate": 5,
        },
        {"id": "P5", "kind": "project", **missing},
    ]


EXPECTED = [
    ("P1", "ok", "low", "low"),
    ("P2", "ok", "high", "high"),
    ("P3", "error", None, None),
    ("P4", "ok", "medium", "low"),
    ("P5", "error", None, None),
]


def labelled(ruleset: riskeval.RuleSet, row: dict[str, Any]) -> dict[str, Any]:
    """The row with fact columns renamed to their Chinese labels (and measure columns likewise)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("measure:"):
            name = key.split(":", 1)[1]
            out["措施:" + ruleset.facts[name].label] = value
        elif key in ruleset.facts:
            out[ruleset.facts[key].label] = value
        else:
            out[key] = value
    return out


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def read_output(path: Path) -> list[dict[str, Any]]:
    """Output rows as dicts (CSV/XLSX cells as text, JSONL as parsed)."""
    import json

    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        header = list(values[0])
        assert header == list(OUTPUT_COLUMNS)
        # Empty cells are absent (not empty strings) and a row ends at its last value.
        return [
            dict(zip(header, ["" if v is None else v for v in (*r, *[None] * (len(header) - len(r)))], strict=True))
            for r in values[1:]
        ]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == list(OUTPUT_COLUMNS)
        return list(reader)
