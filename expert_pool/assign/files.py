"""Assignment from files: what ``riskeval assign`` does, as one library call.

:func:`assign_files` loads the pool (an experts CSV or a pool YAML), the projects, the optional affinity
and conflict tables and the optional rule set's panel-size rule, runs :func:`expert_pool.assign`, and
writes the pairs CSV and the summary JSON.  :func:`summary_rows` gives the labelled summary a shell
prints.

Examples
--------
>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> _ = open(os.path.join(d, "E.csv"), "w", encoding="utf-8").write("expert,unit,max_load\\nE1,U1,1\\nE2,U2,1\\n")
>>> _ = open(os.path.join(d, "P.csv"), "w", encoding="utf-8").write("project,unit,panel_size\\nP1,U1,1\\n")
>>> a = assign_files(projects=os.path.join(d, "P.csv"), experts=os.path.join(d, "E.csv"),
...                  out=os.path.join(d, "OUT.csv"))
>>> a.panel("P1").experts, open(os.path.join(d, "OUT.csv"), encoding="utf-8").read().splitlines()[1]
(['E2'], 'P1,E2,0.0')
>>> dict(summary_rows(a, "en"))["Seats"]
'1'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from expert_pool.affinity import load_affinity_csv
from expert_pool.assign.api import assign
from expert_pool.assign.result import Assignment
from expert_pool.errors import InvalidParameterError
from expert_pool.panel_size import PanelSizeRule
from expert_pool.pool import Pool
from expert_pool.reading import load_conflicts_csv, load_experts_csv, load_pool, load_projects
from riskeval.i18n import register_messages, t

__all__ = ["assign_files", "panel_size_rule", "summary_rows"]

Method = Literal["optimal", "random"]

register_messages(
    {
        "pool.summary.title": {"zh": "专家分配结果", "en": "Assignment summary"},
        "pool.summary.metric": {"zh": "指标", "en": "Metric"},
        "pool.summary.value": {"zh": "数值", "en": "Value"},
        "pool.summary.method": {"zh": "方法", "en": "Method"},
        "pool.summary.projects": {"zh": "项目数", "en": "Projects"},
        "pool.summary.seats": {"zh": "席位数", "en": "Seats"},
        "pool.summary.experts": {"zh": "可用专家 / 已用专家", "en": "Experts available / used"},
        "pool.summary.total": {"zh": "总亲和度", "en": "Total affinity"},
        "pool.summary.min": {"zh": "项目亲和度最小值", "en": "Min project affinity"},
        "pool.summary.mean": {"zh": "项目亲和度平均值", "en": "Mean project affinity"},
        "pool.summary.load": {"zh": "评审量 最小/最大/极差", "en": "Load min/max/spread"},
        "pool.summary.units": {"zh": "参与单位数", "en": "Units used"},
        "pool.summary.optimal": {"zh": "已证明最优", "en": "Proven optimal"},
        "pool.summary.certificate": {"zh": "最优性证书（已检验弧数 / 节点势哈希）", "en": "Certificate (arcs checked / potentials hash)"},
        "pool.summary.seed": {"zh": "随机种子", "en": "Seed"},
        "pool.summary.hash": {"zh": "输入哈希", "en": "Input hash"},
        "pool.summary.time": {"zh": "抽取时间（UTC）", "en": "Drawn at (UTC)"},
        "pool.summary.out": {"zh": "已写出", "en": "Written"},
        "pool.summary.yes": {"zh": "是", "en": "yes"},
        "pool.summary.no": {"zh": "否", "en": "no"},
    }
)


def panel_size_rule(rules: str | Path) -> PanelSizeRule:
    """The panel-size rule of a riskeval rule set (a bundled name or a file).

    Raises
    ------
    riskeval.RuleSetError
        The rule set cannot be loaded (its own located problems).
    InvalidParameterError
        The rule set has no ``panel_size`` rule.
    """
    import riskeval

    ruleset: Any = riskeval.load_ruleset(rules)
    rule = getattr(ruleset, "panel_size", None)
    if rule is None:
        raise InvalidParameterError("pool.invalid_parameter.no_panel_rule", field="rules", value=str(rules))
    return rule


def assign_files(
    *,
    projects: str | Path,
    out: str | Path | None = None,
    experts: str | Path | None = None,
    pool: str | Path | None = None,
    affinity: str | Path | None = None,
    conflicts: str | Path | None = None,
    max_per_unit: int | None = None,
    unit_max_load: int | None = None,
    method: Method = "optimal",
    backend: str = "auto",
    seed: int | None = None,
    prob_cap: float | None = None,
    rules: str | Path | None = None,
    json_path: str | Path | None = None,
) -> Assignment:
    """Load every input, assign, and write ``out`` (``project,expert,score``) and ``json_path`` (summary).

    Exactly one of ``experts`` (CSV) and ``pool`` (YAML, or an experts CSV) gives the pool.  ``seed`` and
    ``prob_cap`` need ``method="random"``.  ``backend`` is the exact solver (``auto``, ``networkx``,
    ``ortools`` or ``highs``, see :mod:`expert_pool.assign.backends`).  Identifiers in the CSV are neutralised against formula
    injection (:mod:`expert_pool.writing`).

    Raises
    ------
    InvalidParameterError
        Inconsistent options (exit code 2).
    PoolFileError, PoolInputError, InfeasibleAssignment
        And a rule set's own errors for ``rules``.
    OSError
        An output cannot be written.
    """
    if (experts is None) == (pool is None):
        raise InvalidParameterError("pool.invalid_parameter.pool_source", field="experts")
    if seed is not None and method != "random":
        raise InvalidParameterError("pool.invalid_parameter.seed_needs_random", field="seed")
    if prob_cap is not None and method != "random":
        raise InvalidParameterError("pool.invalid_parameter.prob_cap_needs_random", field="prob_cap")
    the_pool: Pool = load_experts_csv(experts) if experts is not None else load_pool(pool)  # type: ignore[arg-type]
    project_list = load_projects(projects)
    project_ids = [p.id for p in project_list]
    expert_ids = [e.id for e in the_pool.experts]
    aff = load_affinity_csv(affinity, project_ids=project_ids, expert_ids=expert_ids) if affinity else None
    confl = load_conflicts_csv(conflicts, project_ids=project_ids, expert_ids=expert_ids) if conflicts else None
    rule = panel_size_rule(rules) if rules else None
    result = assign(the_pool, project_list, affinity=aff, conflicts=confl, max_per_unit=max_per_unit,
                    unit_max_load=unit_max_load, method=method, backend=backend, seed=seed, prob_cap=prob_cap,
                    panel_size=rule)
    if out is not None:
        result.write(out, json_path)
    return result


def summary_rows(result: Assignment, lang: str = "zh", *, written: list[str] | None = None) -> list[tuple[str, str]]:
    """The labelled summary of an assignment (label, value), in ``lang``; ``written`` lists output files."""

    def label(key: str) -> str:
        return t(f"pool.summary.{key}", lang)

    m = result.metrics
    rows = [
        (label("method"), f"{result.method} ({result.backend})"),
        (label("projects"), str(m.projects)),
        (label("seats"), str(m.seats)),
        (label("experts"), f"{m.experts_available} / {m.experts_used}"),
        (label("total"), f"{m.total:.6f}"),
        (label("min"), "-" if m.min_project_affinity is None else f"{m.min_project_affinity:.6f}"),
        (label("mean"), "-" if m.mean_project_affinity is None else f"{m.mean_project_affinity:.6f}"),
        (label("load"), f"{m.load_min} / {m.load_max} / {m.load_spread}"),
        (label("units"), str(len(m.experts_per_unit))),
    ]
    if result.method == "optimal":
        rows.append((label("optimal"), label("yes" if result.optimal else "no")))
        cert = result.certificate
        if cert.get("potentials_sha256"):
            rows.append((label("certificate"), f"{cert.get('checked_arcs', 0):,} / {str(cert['potentials_sha256'])[:12]}"))
    if result.draw is not None:
        rows.append((label("seed"), str(result.draw.seed)))
        rows.append((label("time"), result.draw.drawn_at))
    rows.append((label("hash"), result.pool_hash[:16]))
    if written:
        rows.append((label("out"), ", ".join(written)))
    return rows
