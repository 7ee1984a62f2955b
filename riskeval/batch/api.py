"""The public batch entry points: :func:`assess_many` (an iterator in input order) and :func:`assess_frame`.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> good = rs.tests[0].project["facts"]
>>> rows = [{"id": "A", "kind": "project", **good}, {"id": "B", "facts": {**good, "opposition_rate": "x"}}]
>>> [(r.row, r.id, r.status, r.residual_level) for r in assess_many(rows, rs, workers=0)]
[(1, 'A', 'ok', 'low'), (2, 'B', 'error', None)]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..model.project import Project
from ..ruleset import load_ruleset
from ..ruleset.compiled import RuleSet
from .columns import peek_columns
from .rows import OUTPUT_COLUMNS, BatchRow
from .runner import Job, _loaded, remember, run_chunks

__all__ = ["assess_many", "assess_frame"]


def _resolve_ruleset(ruleset: RuleSet | str | Path) -> RuleSet:
    return ruleset if isinstance(ruleset, RuleSet) else load_ruleset(ruleset)


def assess_many(
    projects: Iterable[Project | Mapping[str, Any]],
    ruleset: RuleSet | str | Path,
    *,
    workers: int | None = 0,
    lang: str = "zh",
    assessments: bool = True,
    explain: Collection[str] = (),
    chunk_size: int = 256,
    recycle_rows: int = 50_000,
    stop: Callable[[], bool] | None = None,
    strict: bool = True,
) -> Iterator[BatchRow]:
    """Assess many projects under ``ruleset``, yielding one :class:`BatchRow` per input in input order.

    Parameters
    ----------
    projects
        :class:`Project` objects or mappings: project-file data (``facts``, ``measures``) or flat rows whose
        keys are identity fields, fact names or their Chinese labels, and ``measure:<fact>`` columns.
        Consumed lazily, so a generator over a long file keeps memory flat.
    ruleset
        A loaded rule set, a bundled name or a path; each worker loads it itself from its file.
    workers
        Worker processes; ``0`` (default) evaluates in this process, ``None`` uses every CPU.
    lang
        Language of the error messages (and explanations): ``zh`` (default) or ``en``.
    assessments
        Attach the full :class:`Assessment` to each row (set ``False`` for long lists you only tabulate).
    explain
        Residual levels (e.g. ``{"high", "medium"}``) whose rows carry ``explanation``.
    chunk_size, recycle_rows, stop
        See :func:`run_chunks`.
    strict
        A column (key) of the first row that names nothing known raises :class:`ProjectError` before any
        row is evaluated; an unknown fact or column in a later row makes that row an error.  ``False``
        ignores them.

    Returns
    -------
    Iterator[BatchRow]
        A bad row gives ``status == "error"`` with the reason; it never stops the others.

    Notes
    -----
    Worker processes start with ``forkserver``: as for any Python process pool, a script that calls this
    with ``workers != 0`` must guard its entry point with ``if __name__ == "__main__":``.

    Raises
    ------
    RuleSetError
        ``ruleset`` is a name or path that does not load.
    ProjectError
        ``strict`` and the first row has a column that names nothing known (raised on first iteration).

    Examples
    --------
    >>> from riskeval import Project, load_ruleset
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> p = Project(id="P1", kind="project", facts=rs.tests[0].project["facts"])
    >>> [r.assessment.decision for r in assess_many([p], rs, workers=0)]
    ['proceed']
    """
    rs = _resolve_ruleset(ruleset)
    remember(rs)
    items, _ = peek_columns(projects, _loaded(str(rs.path), rs.content_hash)[1], strict=strict)
    job = Job.for_rulesets(
        [rs], lang=lang, keep_assessment=assessments, explain=frozenset(explain), strict=strict
    )
    for results in run_chunks(
        items, job, workers=workers, chunk_size=chunk_size, recycle_rows=recycle_rows, stop=stop
    ):
        yield from results


def assess_frame(
    df: Any, ruleset: RuleSet | str | Path, *, workers: int | None = 0, lang: str = "zh", strict: bool = True
) -> Any:
    """Assess every row of a pandas DataFrame; return a DataFrame of the output columns (same order).

    Parameters
    ----------
    df
        One project per row; columns as for :func:`assess_many` (names or Chinese labels).  Empty cells
        (NaN/None) count as not given.
    ruleset
        A loaded rule set, a bundled name or a path.
    workers
        Worker processes; ``0`` (default) evaluates in this process, which suits interactive use.
    lang
        Language of the error messages.
    strict
        As for :func:`assess_many`: an unknown column raises :class:`ProjectError` before any row is assessed.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTPUT_COLUMNS`, indexed like ``df``; ``findings`` holds lists.

    Raises
    ------
    ImportError
        pandas is not installed (it is optional: ``pip install pandas``).

    Examples
    --------
    >>> import pandas as pd
    >>> from riskeval import load_ruleset
    >>> facts = load_ruleset("jiangsu-db32-4013-2021").tests[0].project["facts"]
    >>> frame = pd.DataFrame([{"id": "P1", **facts}, {"id": "P2", **facts, "反对率": 60}])
    >>> out = assess_frame(frame, "jiangsu-db32-4013-2021")
    >>> out[["id", "status", "residual_level"]].values.tolist()
    [['P1', 'ok', 'low'], ['P2', 'ok', 'high']]
    """
    import pandas as pd

    columns = [str(c) for c in df.columns]

    def rows() -> Iterator[dict[str, Any]]:
        for values in df.itertuples(index=False, name=None):
            yield dict(zip(columns, values, strict=True))

    results = [
        r.as_row()
        for r in assess_many(rows(), ruleset, workers=workers, lang=lang, assessments=False, strict=strict)
    ]
    return pd.DataFrame(results, columns=list(OUTPUT_COLUMNS), index=df.index)
