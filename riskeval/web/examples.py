"""The example project list offered by the workbench (``examples/projects.csv``, shipped in the wheel)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["example_projects"]


def example_projects() -> Path | None:
    """The bundled example project list (500 matters of a city), or ``None`` when it is not installed.

    >>> path = example_projects()
    >>> path is None or path.name == "projects.csv"
    True
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_examples" / "projects.csv", package.parent / "examples" / "projects.csv"):
        if candidate.is_file():
            return candidate
    return None
