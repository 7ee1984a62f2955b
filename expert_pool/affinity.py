r"""Affinity between a project and an expert: domain overlap, or explicit ``project,expert,score`` triples.

Domain formulas, with :math:`P` the project's domains and :math:`E` the expert's:

* ``"jaccard"`` (default): :math:`|P \cap E| / |P \cup E|` -- rewards a close match and does not let a
  generalist listing every domain score 1 everywhere;
* ``"overlap"``: :math:`|P \cap E| / |P|` -- the share of the project's domains the expert covers.

A project with no domains gives every expert the score 0.  An expert sharing no domain with a project that
lists domains is *not eligible* for it (``require_overlap=True``, the default), so that "too few experts
of this domain" is reported instead of a panel of outsiders.

Explicit triples (the format OpenReview's matcher reads) take precedence: when they are given, a pair
absent from them is not eligible, unless ``fallback="domains"`` asks for the domain formula on absent
pairs.  Scores are any finite real numbers, negative ones included.

Examples
--------
>>> from expert_pool.models import Expert, ProjectNeed
>>> p = ProjectNeed(id="P1", domains=["征地拆迁", "法律"])
>>> e = Expert(id="E1", unit="U", domains=["法律", "社会治理", "经济"])
>>> Affinity().score(p, e)  # 1 shared of 4 distinct domains
0.25
>>> Affinity(formula="overlap").score(p, e)  # covers 1 of the project's 2 domains
0.5
>>> Affinity({("P1", "E1"): -1.5}).score(p, e), Affinity({("P1", "E9"): 2.0}).score(p, e) is None
(-1.5, True)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from expert_pool import tabular
from expert_pool.errors import (
    DuplicateIdError,
    InvalidParameterError,
    InvalidValueError,
    ProblemCollector,
    UnknownReferenceError,
)
from expert_pool.models import Expert, ProjectNeed
from expert_pool.values import parse_float

__all__ = ["Affinity", "as_affinity", "domain_score", "load_affinity_csv", "COLUMNAR_MIN_BYTES"]

Formula = Literal["jaccard", "overlap"]


def domain_score(project_domains: Iterable[str], expert_domains: Iterable[str], formula: Formula = "jaccard"
                 ) -> float:
    """The domain-overlap score of one pair (0 when the project lists no domains).

    >>> domain_score(["交通"], ["交通", "建筑工程"]), domain_score(["交通"], ["交通", "建筑工程"], "overlap")
    (0.5, 1.0)
    """
    p, e = set(project_domains), set(expert_domains)
    if not p:
        return 0.0
    inter = len(p & e)
    if formula == "overlap":
        return inter / len(p)
    return inter / len(p | e)


class Affinity:
    """Scores of (project, expert) pairs.

    Parameters
    ----------
    triples : mapping ``{(project, expert): score}`` or iterable of ``(project, expert, score)``, optional
        Explicit scores; they take precedence over the domain formula.
    formula : ``"jaccard"`` or ``"overlap"``
        The domain formula (see the module docstring).
    fallback : ``None`` or ``"domains"``
        With triples: ``None`` makes absent pairs ineligible (the CLI behaviour); ``"domains"`` scores them
        by the formula.
    require_overlap : bool
        Under the formula, an expert sharing no domain with a project that lists domains is ineligible.
    """

    def __init__(
        self,
        triples: Mapping[tuple[str, str], float] | Iterable[Sequence[Any]] | None = None,
        *,
        formula: Formula = "jaccard",
        fallback: Literal["domains"] | None = None,
        require_overlap: bool = True,
    ) -> None:
        if formula not in ("jaccard", "overlap"):
            raise InvalidParameterError("pool.invalid_parameter.formula", field="formula", value=formula)
        self.formula: Formula = formula
        self.fallback = fallback
        self.require_overlap = require_overlap
        self._dense: tuple[np.ndarray, dict[str, int], dict[str, int]] | None = None
        self.triples: dict[tuple[str, str], float] | None = None
        if triples is not None:
            self.triples = {}
            pairs: list[tuple[Any, Any, Any]] = (
                [(key[0], key[1], v) for key, v in triples.items()] if isinstance(triples, Mapping)
                else [(t[0], t[1], t[2]) for t in cast(Iterable[Sequence[Any]], triples)])
            for p, e, s in pairs:
                score = float(s)
                if not math.isfinite(score):
                    raise InvalidValueError("score", s, "not_number")
                self.triples[(str(p), str(e))] = score

    @classmethod
    def from_matrix(cls, matrix: Any, project_ids: Sequence[str], expert_ids: Sequence[str], *,
                    fallback: Literal["domains"] | None = None, formula: Formula = "jaccard") -> Affinity:
        """Explicit scores as a dense ``len(project_ids) x len(expert_ids)`` array; ``nan`` marks an absent
        pair.  Efficient for large instances.

        >>> a = Affinity.from_matrix([[0.5, float("nan")]], ["P1"], ["E1", "E2"])
        >>> a.score(ProjectNeed(id="P1"), Expert(id="E1", unit="U")), a.explicit
        (0.5, True)
        """
        arr = np.asarray(matrix, dtype=float)
        if arr.shape != (len(project_ids), len(expert_ids)):
            raise InvalidParameterError("pool.invalid_parameter.matrix_shape", field="matrix")
        if np.isinf(arr).any():
            raise InvalidValueError("score", "inf", "not_number")
        out = cls(formula=formula, fallback=fallback)
        out._dense = (arr, {str(p): i for i, p in enumerate(project_ids)}, {str(e): j for j, e in enumerate(expert_ids)})
        return out

    @property
    def explicit(self) -> bool:
        """Whether explicit scores were given."""
        return self.triples is not None or self._dense is not None

    def _explicit_score(self, project_id: str, expert_id: str) -> float | None:
        if self.triples is not None:
            return self.triples.get((project_id, expert_id))
        if self._dense is not None:
            arr, pidx, eidx = self._dense
            i, j = pidx.get(project_id), eidx.get(expert_id)
            if i is None or j is None or math.isnan(arr[i, j]):
                return None
            return float(arr[i, j])
        return None

    def score(self, project: ProjectNeed, expert: Expert) -> float | None:
        """The score of one pair, or ``None`` if the pair is not eligible under the affinity."""
        if self.explicit:
            s = self._explicit_score(project.id, expert.id)
            if s is not None or self.fallback != "domains":
                return s
        if self.require_overlap and project.domains and not set(project.domains) & set(expert.domains):
            return None
        return domain_score(project.domains, expert.domains, self.formula)

    def matrix(self, projects: Sequence[ProjectNeed], experts: Sequence[Expert]) -> tuple[np.ndarray, np.ndarray]:
        """Scores and eligibility for all pairs, as two ``len(projects) x len(experts)`` arrays
        (``scores`` is 0 where ``eligible`` is false).

        >>> ps = [ProjectNeed(id="P1", domains=["交通"]), ProjectNeed(id="P2")]
        >>> es = [Expert(id="E1", unit="U", domains=["交通"]), Expert(id="E2", unit="U", domains=["医疗"])]
        >>> s, ok = Affinity().matrix(ps, es)
        >>> s.tolist(), ok.tolist()
        ([[1.0, 0.0], [0.0, 0.0]], [[True, False], [True, True]])
        """
        n_p, n_e = len(projects), len(experts)
        scores = np.zeros((n_p, n_e))
        ok = np.zeros((n_p, n_e), dtype=bool)
        if self.explicit:
            if self._dense is not None:
                arr, pidx, eidx = self._dense
                rows = np.array([pidx.get(p.id, -1) for p in projects], dtype=np.int64)
                cols = np.array([eidx.get(e.id, -1) for e in experts], dtype=np.int64)
                if arr.shape == (n_p, n_e) and np.array_equal(rows, np.arange(n_p)) \
                        and np.array_equal(cols, np.arange(n_e)):
                    sub = arr  # the matrix is already in this order: no copy
                else:
                    sub = np.full((n_p, n_e), np.nan)
                    rsel, csel = rows >= 0, cols >= 0
                    if rsel.any() and csel.any():
                        sub[np.ix_(rsel, csel)] = arr[np.ix_(rows[rsel], cols[csel])]
                ok = ~np.isnan(sub)
                scores = np.where(ok, sub, 0.0)
            else:
                assert self.triples is not None
                pidx2 = {p.id: i for i, p in enumerate(projects)}
                eidx2 = {e.id: j for j, e in enumerate(experts)}
                for (p, e), s in self.triples.items():
                    i, j = pidx2.get(p), eidx2.get(e)
                    if i is not None and j is not None:
                        scores[i, j] = s
                        ok[i, j] = True
            if self.fallback != "domains":
                return scores, ok
        dom_scores, dom_ok = self._domain_matrix(projects, experts)
        if self.explicit:
            return np.where(ok, scores, dom_scores), ok | dom_ok
        return dom_scores, dom_ok

    def _domain_matrix(self, projects: Sequence[ProjectNeed], experts: Sequence[Expert]
                       ) -> tuple[np.ndarray, np.ndarray]:
        vocab: dict[str, int] = {}
        for domains in [*(p.domains for p in projects), *(e.domains for e in experts)]:
            for d in domains:
                vocab.setdefault(d, len(vocab))
        pd = np.zeros((len(projects), max(len(vocab), 1)), dtype=np.int32)
        ed = np.zeros((len(experts), max(len(vocab), 1)), dtype=np.int32)
        for i, p in enumerate(projects):
            pd[i, [vocab[d] for d in p.domains]] = 1
        for j, e in enumerate(experts):
            ed[j, [vocab[d] for d in e.domains]] = 1
        inter = (pd @ ed.T).astype(float)
        n_p = pd.sum(axis=1)[:, None].astype(float)
        n_e = ed.sum(axis=1)[None, :].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.formula == "overlap":
                scores = np.where(n_p > 0, inter / np.maximum(n_p, 1), 0.0)
            else:
                scores = np.where(n_p > 0, inter / np.maximum(n_p + n_e - inter, 1), 0.0)
        scores = np.broadcast_to(scores, inter.shape).copy()
        ok = (n_p == 0) | (inter > 0) if self.require_overlap else np.ones_like(inter, dtype=bool)
        return scores, np.broadcast_to(ok, inter.shape).copy()

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description (used in the audit record).

        >>> Affinity().describe()
        {'kind': 'domains', 'formula': 'jaccard', 'require_overlap': True}
        """
        if not self.explicit:
            return {"kind": "domains", "formula": self.formula, "require_overlap": self.require_overlap}
        return {"kind": "explicit", "fallback": self.fallback, "formula": self.formula}

    def fingerprint(self) -> str:
        """sha256 of the explicit scores (empty string for the pure domain formula)."""
        if self._dense is not None:
            arr, pidx, eidx = self._dense
            h = hashlib.sha256()
            h.update("\x1f".join(pidx).encode())
            h.update(b"\x1e")
            h.update("\x1f".join(eidx).encode())
            h.update(np.ascontiguousarray(arr).tobytes())
            return h.hexdigest()
        if self.triples is not None:
            h = hashlib.sha256()
            for (p, e), s in sorted(self.triples.items()):
                h.update(f"{p}\x1f{e}\x1f{s!r}\x1e".encode())
            return h.hexdigest()
        return ""


def as_affinity(value: Any) -> Affinity:
    """Coerce ``None`` (domain formula), an :class:`Affinity`, a mapping or triples, or a CSV path.

    >>> as_affinity(None).explicit, as_affinity([("P1", "E1", 1)]).explicit
    (False, True)
    """
    if value is None:
        return Affinity()
    if isinstance(value, Affinity):
        return value
    if isinstance(value, (str, Path)):
        return load_affinity_csv(value)
    return Affinity(value)


def load_affinity_csv(
    path: str | Path,
    *,
    project_ids: Iterable[str] | None = None,
    expert_ids: Iterable[str] | None = None,
    fallback: Literal["domains"] | None = None,
) -> Affinity:
    """Load ``project,expert,score`` triples.

    Parameters
    ----------
    path : str or Path
    project_ids, expert_ids : iterables of str, optional
        When given, every row must name a known project and expert.
    fallback : ``None`` or ``"domains"``
        See :class:`Affinity`.

    A CSV of at least :data:`COLUMNAR_MIN_BYTES` is read by pyarrow's multi-threaded CSV reader into a
    dense score matrix (:meth:`Affinity.from_matrix`); whenever that reader meets anything but clean
    UTF-8 ``project,expert,score`` rows with known ids and finite scores, or the pairs are too sparse for
    a matrix, the file is read again by the row reader, which reports every problem with its row.

    Raises
    ------
    PoolFileError, MissingColumnError, InvalidValueError, DuplicateIdError, UnknownReferenceError

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "A.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("project,expert,score\\nP1,E1,0.75\\nP1,E2,-2\\n")
    >>> load_affinity_csv(p).triples
    {('P1', 'E1'): 0.75, ('P1', 'E2'): -2.0}
    """
    fast = _columnar_affinity(path, project_ids, expert_ids, fallback)
    if fast is not None:
        return fast
    table = tabular.read_table(path, ["project", "expert", "score"])
    with tabular.no_gc():  # hundreds of thousands of small tuples: the cyclic collector only slows this down
        return _affinity_from_table(table, project_ids, expert_ids, fallback)


#: CSV files at least this large are read by pyarrow (see :func:`load_affinity_csv`).
COLUMNAR_MIN_BYTES = 1 << 20
#: The columnar reader builds a dense matrix only up to this many cells and this many cells per row.
_DENSE_MAX_CELLS = 200_000_000
_DENSE_MAX_RATIO = 8


def _numbers(chunks: Iterable[Any], dtype: Any) -> np.ndarray:
    """The values of null-free numeric arrow chunks as one numpy array (read from the data buffers, since
    pyarrow's own ``to_numpy`` imports pandas)."""
    parts = [np.frombuffer(c.buffers()[1], dtype=dtype)[c.offset:c.offset + len(c)] for c in chunks]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _columnar_affinity(path: str | Path, project_ids: Iterable[str] | None, expert_ids: Iterable[str] | None,
                       fallback: Literal["domains"] | None) -> Affinity | None:
    """The clean large CSV case of :func:`load_affinity_csv` by pyarrow; ``None`` to use the row reader."""
    name = str(path)
    try:
        if not name.lower().endswith(".csv") or Path(path).stat().st_size < COLUMNAR_MIN_BYTES:
            return None
        with open(path, "rb") as fh:
            first = fh.readline()
    except OSError:
        return None  # the row reader reports it
    import csv

    try:
        header_text = first.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return None
    header = [h.strip().lower() for h in next(csv.reader([header_text]), [])]
    named = [h for h in header if h]
    if len(set(named)) != len(named) or not {"project", "expert", "score"} <= set(named):
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - a dependency
        return None
    ids = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=[h or f"_{i}" for i, h in enumerate(header)], skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=["project", "expert", "score"], null_values=[""], strings_can_be_null=False,
                column_types={"project": ids, "expert": ids, "score": pa.float64()}),
        ).unify_dictionaries()
    except (pa.ArrowException, OSError, ValueError):
        return None
    if table.column("score").null_count:
        return None
    scores = _numbers(table.column("score").chunks, np.float64)
    if not np.isfinite(scores).all():
        return None
    axes: list[tuple[list[str], np.ndarray]] = []
    for column, known in (("project", project_ids), ("expert", expert_ids)):
        chunks = table.column(column).chunks
        values = [str(v).strip() for v in chunks[0].dictionary.to_pylist()] if chunks else []
        labels = list(dict.fromkeys(values)) if known is None else list(dict.fromkeys(str(k) for k in known))
        position = {v: i for i, v in enumerate(labels)}
        if "" in values or any(v not in position for v in values):
            return None
        lookup = np.array([position[v] for v in values], dtype=np.int64)
        index = _numbers([c.indices for c in chunks], np.int32)
        axes.append((labels, lookup[index] if lookup.size else index.astype(np.int64)))
    (p_labels, rows), (e_labels, cols) = axes
    del table
    pa.default_memory_pool().release_unused()  # hand arrow's buffers back before the solver's arrays grow
    cells = len(p_labels) * len(e_labels)
    if cells > _DENSE_MAX_CELLS or cells > _DENSE_MAX_RATIO * max(scores.size, 1_000_000):
        return None
    flat = rows * len(e_labels) + cols
    if scores.size and np.bincount(flat, minlength=cells).max() > 1:
        return None  # a repeated pair: the row reader names both rows
    matrix = np.full((len(p_labels), len(e_labels)), np.nan)
    matrix.reshape(-1)[flat] = scores
    return Affinity.from_matrix(matrix, p_labels, e_labels, fallback=fallback)


def _affinity_from_table(table: tabular.TextTable, project_ids: Iterable[str] | None,
                         expert_ids: Iterable[str] | None, fallback: Literal["domains"] | None) -> Affinity:
    columns, rows = table.columns, table.rows
    cols = {c: columns.index(c) for c in ("project", "expert", "score")}
    values = {c: [cells[i] for _, cells in rows] for c, i in cols.items()}
    known_p = None if project_ids is None else set(project_ids)
    known_e = None if expert_ids is None else set(expert_ids)
    try:  # the fast path: one vectorised check, rows looked at one by one only when something is wrong
        scores = np.array(values["score"], dtype=float)
        finite = bool(np.isfinite(scores).all())
    except ValueError:
        scores, finite = np.zeros(len(rows)), False
    keys = list(zip(values["project"], values["expert"], strict=True))
    suspicious = (
        bool(table.problems) or not finite or "" in values["project"] or "" in values["expert"]
        or (known_p is not None and not set(values["project"]) <= known_p)
        or (known_e is not None and not set(values["expert"]) <= known_e)
        or len(set(keys)) < len(keys)
    )
    if suspicious:
        _affinity_problems(table, values, known_p, known_e)
    out = Affinity(fallback=fallback)
    out.triples = dict(zip(keys, scores.tolist(), strict=True))
    return out


def _affinity_problems(table: tabular.TextTable, values: dict[str, list[str]], known_p: set[str] | None,
                       known_e: set[str] | None) -> None:
    """Report every bad row of an affinity table together (:class:`~expert_pool.errors.PoolInputError`)."""
    name = table.name
    bag = ProblemCollector(name)
    bag.problems.extend(table.problems)
    first: dict[tuple[str, str], int] = {}
    for k, (line, _) in enumerate(table.rows):
        p, e, score = values["project"][k], values["expert"][k], values["score"][k]
        before = len(bag.problems)
        for field, value in (("project", p), ("expert", e), ("score", score)):
            if value == "":
                bag.add(InvalidValueError(field, "", "empty", file=name, row=line))
        if p and known_p is not None and p not in known_p:
            bag.add(UnknownReferenceError("project", p, "project", file=name, row=line))
        if e and known_e is not None and e not in known_e:
            bag.add(UnknownReferenceError("expert", e, "expert", file=name, row=line))
        if score != "":
            with bag.row():
                parse_float(score, "score", file=name, row=line)
        if len(bag.problems) > before:
            continue
        if (p, e) in first:
            bag.add(DuplicateIdError("project,expert", f"{p},{e}", first[(p, e)], file=name, row=line))
        else:
            first[(p, e)] = line
    bag.raise_if_any()
