"""examples/make_city_year.py: a seeded year written through the Gate API."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime

from riskeval.ledger import Ledger

from ..city_year import city_year, make_city_year


def test_the_year_at_guiyang_scale():
    year = city_year()
    assert year.matters == 484 and year.units == 27
    assert all(year.records[k] > 50 for k in ("assessment", "decision", "tracking", "measure"))
    assert len(year.escalated) >= 5 and len(set(year.escalated)) == len(year.escalated)
    assert year.blocked_next_stage and set(year.blocked_next_stage) <= set(year.escalated)
    ledger = Ledger(year.ledger, read_only=True, public_key=year.public_key)
    report = ledger.verify()
    assert report.ok and report.signed and report.count == sum(year.records.values())
    conn = sqlite3.connect(f"file:{year.ledger}?mode=ro", uri=True)
    rows = conn.execute("SELECT seq, kind, ts, outcome FROM records ORDER BY seq").fetchall()
    stamps = [r[2] for r in rows]
    assert stamps == sorted(stamps)  # played in time order
    first, last = datetime.fromisoformat(stamps[0]), datetime.fromisoformat(stamps[-1])
    assert datetime(2025, 12, 31, 16, tzinfo=UTC) <= first and last < datetime(2026, 12, 31, 16, tzinfo=UTC)
    escalated = conn.execute(
        "SELECT DISTINCT project_id FROM records WHERE kind = 'tracking' AND outcome LIKE '%\"escalated\":true%'"
    ).fetchall()
    assert {r[0] for r in escalated} == set(year.escalated)
    late = conn.execute(
        "SELECT count(*) FROM records WHERE kind = 'measure' AND outcome LIKE '%\"status\":\"done\"%'"
        " AND substr(ts, 1, 10) > substr(json_extract(outcome, '$.due'), 1, 10)"
        " AND json_extract(outcome, '$.due') GLOB '[0-9]*'"
    ).fetchone()[0]
    assert late > 0  # some measures done late
    decided = conn.execute("SELECT count(*) FROM records WHERE kind = 'decision'").fetchone()[0]
    with open(year.decisions_csv, encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["project_id", "date", "outcome", "unit"]
    extra = len(year.decisions_without_assessment) + len(year.decisions_before_assessment)
    assert len(table) == decided + extra and all(r["unit"] for r in table)
    assert {r["project_id"] for r in table} >= set(year.decisions_without_assessment)
    conn.close()


def test_same_seed_same_records(tmp_path, capsys):
    module = make_city_year()
    a = module.build_year(tmp_path / "a", n=30, seed=7)
    assert module.main(["--out-dir", str(tmp_path / "b"), "--n", "30", "--seed", "7"]) == 0
    assert "30 matters" in capsys.readouterr().out

    def hashes(path):
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT record_hash FROM records ORDER BY seq").fetchall()
        finally:
            conn.close()

    assert hashes(a.ledger) == hashes(tmp_path / "b" / "ledger.sqlite") and len(hashes(a.ledger)) > 30
    assert (tmp_path / "a" / "decisions.csv").read_bytes() == (tmp_path / "b" / "decisions.csv").read_bytes()
