"""Calibration of expert leniency: an additive model fitted by least squares.

Model (each score on its item's own scale, as a share of the item's range ``high - low``)::

    (score[e, j] - low_j) / span_j  =  theta_j  +  b_e  +  noise

where ``j`` runs over the (project, item) pairs, ``theta_j`` is the pair's true value and ``b_e`` the
bias of expert ``e`` (positive: the expert rates risk higher than the panel, i.e. is stricter;
negative: more lenient).  Biases are measured as a share of each item's range so that a 35-point item
and a 3-point item weigh alike; the constraint ``sum(b_e) = 0`` fixes the common level.

Biases of two experts can only be compared through a chain of shared projects: the fit is offered only
when the expert–project review graph (networkx, bipartite) is connected, and also the finer graph of
experts and (project, item) pairs; otherwise :func:`fit_leniency` returns a result with ``ok = False``
and the reason (the separate groups).

The calibrated score of an expert is ``score - b_e * span``; a calibrated panel value applies the
aggregation method to the calibrated scores (with the mean and full panels this is ``theta``), clipped
to the item's range.  Raw values stay beside the calibrated ones.

Examples
--------
>>> from expert_pool.review.items import ScoredItem
>>> from expert_pool.review.scores import Score
>>> items = {"A": ScoredItem("A", "A", "points", "a", "d", "D", 0, 10, 1)}
>>> truth = {"P1": 5.0, "P2": 3.0, "P3": 6.0}
>>> bias = {"E1": 1.0, "E2": -1.0, "E3": 0.0}
>>> panels = {"P1": ["E1", "E2"], "P2": ["E2", "E3"], "P3": ["E3", "E1"]}
>>> scores = [Score(p, e, "A", truth[p] + bias[e]) for p, es in panels.items() for e in es]
>>> fit = fit_leniency(scores, items)
>>> fit.ok, {e: round(b, 3) + 0.0 for e, b in fit.biases.items()}
(True, {'E1': 0.1, 'E2': -0.1, 'E3': 0.0})
>>> fit_leniency([Score("P1", "E1", "A", 2), Score("P2", "E2", "A", 3)], items).ok
False
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from riskeval.i18n import register_messages, t

from .items import ScoredItem
from .scores import Score

register_messages(
    {
        "pool.calibration.not_done": {"zh": "未做宽严校准：{reason}", "en": "calibration not done: {reason}"},
        "pool.calibration.done": {
            "zh": "宽严校准：{n} 位专家、{scores} 个分值；专家偏差（占条目量程的比例，正 = 偏严）：{biases}；残差标准差 {sd}",
            "en": "leniency calibration: {n} experts, {scores} scores; biases (share of the item range, + = stricter): "
            "{biases}; residual sd {sd}",
        },
        "pool.calibration.two_experts": {
            "zh": "至少需要两位专家的评分",
            "en": "scores of at least two experts are needed",
        },
        "pool.calibration.disconnected": {
            "zh": "专家—项目评审图不连通（{n} 个互不相连的组：{groups}），不同组的专家没有共同评审的项目，宽严程度无法相互比较",
            "en": "the expert–project review graph is not connected ({n} separate groups: {groups}); experts in "
            "different groups share no project, so their leniency cannot be compared",
        },
        "pool.calibration.disconnected_items": {
            "zh": "按条目看评审图不连通（{n} 组：{groups}）：同一项目的专家没有评同一批条目",
            "en": "the review graph is not connected item by item ({n} groups: {groups}): the experts of a project "
            "did not score the same items",
        },
    }
)

__all__ = ["Calibration", "review_graph", "fit_leniency", "calibrate_scores"]


@dataclass
class Calibration:
    """The outcome of :func:`fit_leniency`.

    Attributes
    ----------
    ok
        Whether the model was fitted.
    reason
        Why not: a catalogue key (empty when ``ok``), with ``reason_params``.
    biases
        expert -> bias as a share of the item range (sums to 0).
    residual_std
        Standard deviation of the residuals (share of range), ``None`` without degrees of freedom.
    components
        When the graph is disconnected: each group's experts and projects.
    """

    ok: bool
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    biases: dict[str, float] = field(default_factory=dict)
    residual_std: float | None = None
    n_scores: int = 0
    n_parameters: int = 0
    components: list[tuple[list[str], list[str]]] = field(default_factory=list)

    def message(self, lang: str = "zh") -> str:
        """A one-paragraph account of the fit (or why there is none)."""
        if not self.ok:
            params = dict(self.reason_params)
            if "groups" in params:
                params["groups"] = _describe(params["groups"], lang)
            return t("pool.calibration.not_done", lang, reason=t(self.reason, lang, **params))
        listed = ", ".join(f"{e} {b:+.3f}" for e, b in sorted(self.biases.items()))
        sd = "-" if self.residual_std is None else f"{self.residual_std:.3f}"
        return t("pool.calibration.done", lang, n=len(self.biases), scores=self.n_scores, biases=listed, sd=sd)


def review_graph(scores: Sequence[Score]) -> nx.Graph:
    """The bipartite expert–project review graph: an edge when the expert scored the project.

    Nodes are ``("expert", id)`` (``bipartite=0``) and ``("project", id)`` (``bipartite=1``).

    Examples
    --------
    >>> g = review_graph([Score("P1", "E1", "A", 1), Score("P1", "E2", "A", 2)])
    >>> sorted(g.neighbors(("project", "P1"))), nx.is_connected(g)
    ([('expert', 'E1'), ('expert', 'E2')], True)
    """
    graph = nx.Graph()
    for s in scores:
        graph.add_node(("expert", s.expert), bipartite=0)
        graph.add_node(("project", s.project), bipartite=1)
        graph.add_edge(("expert", s.expert), ("project", s.project))
    return graph


def _groups(graph: nx.Graph) -> list[tuple[list[str], list[str]]]:
    out = []
    for comp in sorted(nx.connected_components(graph), key=lambda c: sorted(map(str, c))):
        experts = sorted(n[1] for n in comp if n[0] == "expert")
        projects = sorted(str(n[1][0] if isinstance(n[1], tuple) else n[1]) for n in comp if n[0] != "expert")
        out.append((experts, sorted(set(projects))))
    return out


def _describe(groups: list[tuple[list[str], list[str]]], lang: str) -> str:
    parts = []
    for experts, projects in groups[:6]:
        e, p = ", ".join(experts[:5]), ", ".join(projects[:5])
        more_e = "…" if len(experts) > 5 else ""
        more_p = "…" if len(projects) > 5 else ""
        parts.append(f"{{{e}{more_e} | {p}{more_p}}}")
    if len(groups) > 6:
        parts.append("…")
    return t("pool.list.sep", lang).join(parts)


def fit_leniency(scores: Sequence[Score], items: Mapping[str, ScoredItem]) -> Calibration:
    """Fit the additive leniency model by least squares (see the module docstring).

    Parameters
    ----------
    scores
        Valid scores (after any Delphi replacement).
    items
        Scored items by key (for each item's range).

    Returns
    -------
    Calibration
        ``ok = False`` with the reason when there are fewer than two experts or the review graph is
        not connected.
    """
    scores = [s for s in scores if s.key in items]
    experts = sorted({s.expert for s in scores})
    if len(experts) < 2:
        return Calibration(False, "pool.calibration.two_experts", n_scores=len(scores))
    graph = review_graph(scores)
    if not nx.is_connected(graph):
        groups = _groups(graph)
        return Calibration(False, "pool.calibration.disconnected", {"n": len(groups), "groups": groups},
                           n_scores=len(scores), components=groups)
    fine = nx.Graph()
    for s in scores:
        fine.add_edge(("expert", s.expert), ("pair", (s.project, s.key)))
    if not nx.is_connected(fine):
        groups = _groups(fine)
        return Calibration(False, "pool.calibration.disconnected_items", {"n": len(groups), "groups": groups},
                           n_scores=len(scores), components=groups)
    pairs = sorted({(s.project, s.key) for s in scores})
    pair_index = {p: i for i, p in enumerate(pairs)}
    expert_index = {e: len(pairs) + i for i, e in enumerate(experts)}
    n_obs, n_par = len(scores), len(pairs) + len(experts)
    rows = np.repeat(np.arange(n_obs), 2)
    cols = np.empty(2 * n_obs, dtype=np.int64)
    y = np.empty(n_obs + 1)
    for i, s in enumerate(scores):
        item = items[s.key]
        cols[2 * i] = pair_index[(s.project, s.key)]
        cols[2 * i + 1] = expert_index[s.expert]
        y[i] = (s.value - item.low) / item.span
    y[n_obs] = 0.0
    data = np.ones(2 * n_obs)
    constraint_cols = np.array(list(expert_index.values()))
    a = sp.csr_array(
        (
            np.concatenate([data, np.ones(len(experts))]),
            (np.concatenate([rows, np.full(len(experts), n_obs)]), np.concatenate([cols, constraint_cols])),
        ),
        shape=(n_obs + 1, n_par),
    )
    normal = (a.T @ a).tocsc()
    x = np.asarray(spsolve(normal, a.T @ y))
    residuals = a @ x - y
    dof = n_obs - n_par + 1
    rss = float(residuals[:n_obs] @ residuals[:n_obs])
    biases = {e: float(x[expert_index[e]]) for e in experts}
    return Calibration(
        True,
        biases=biases,
        residual_std=math.sqrt(rss / dof) if dof > 0 else None,
        n_scores=n_obs,
        n_parameters=n_par - 1,
    )


def calibrate_scores(scores: Sequence[Score], calibration: Calibration, items: Mapping[str, ScoredItem]) -> list[Score]:
    """Each score minus its expert's bias (in the item's units); scores of unknown experts unchanged.

    Examples
    --------
    >>> from expert_pool.review.items import ScoredItem
    >>> items = {"A": ScoredItem("A", "A", "points", "a", "d", "D", 0, 10, 1)}
    >>> cal = Calibration(True, biases={"E1": 0.1})
    >>> calibrate_scores([Score("P1", "E1", "A", 6.0)], cal, items)[0].value
    5.0
    """
    out = []
    for s in scores:
        bias = calibration.biases.get(s.expert, 0.0)
        span = items[s.key].span if s.key in items else 0.0
        out.append(Score(s.project, s.expert, s.key, s.value - bias * span, s.opinion, s.file, s.row, s.round))
    return out
