"""Small helpers shared by the expert-review tests."""

from __future__ import annotations

from pathlib import Path

from expert_pool.review import RawRow


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    """Write a UTF-8 CSV from a header line and data lines."""
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def raw(project: str, expert: str, item: str, score: str | float = "", opinion: str = "", row: int = 2) -> RawRow:
    """One unvalidated score row."""
    return RawRow(
        {"project": project, "expert": expert, "item": item, "score": str(score), "opinion": opinion}, "s.csv", row
    )


def rows_for(project: str, item: str, scores: dict[str, float], start: int = 2) -> list[RawRow]:
    """Rows of several experts scoring one item of one project."""
    return [raw(project, e, item, v, row=start + i) for i, (e, v) in enumerate(scores.items())]
