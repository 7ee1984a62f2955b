"""The ``riskeval assign`` command (registered on riskeval's typer app by :func:`register`).

::

    riskeval assign --experts E.csv --projects P.csv [--affinity A.csv] [--conflicts C.csv]
                    [--max-per-unit N] [--unit-max-load N] [--method optimal|random] [--seed S]
                    [--prob-cap P] --out OUT.csv [--json METRICS.json] [--lang zh|en]
    riskeval assign --pool POOL.yaml --projects PROJECTS [--rules RULESET] --out OUT.csv ...

Exit codes: 0 success; 1 no feasible assignment (the explanation is printed) or internal error; 2 invalid
input or options.  Messages go to stderr, in Chinese unless ``--lang en``; never a traceback.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> @app.callback()
... def main() -> None: ...
>>> register(app)
>>> [c.name for c in app.registered_commands]
['assign']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["register", "run_assign"]

_LABELS = {
    "title": ("专家分配结果", "Assignment summary"),
    "metric": ("指标", "Metric"),
    "value": ("数值", "Value"),
    "method": ("方法", "Method"),
    "projects": ("项目数", "Projects"),
    "seats": ("席位数", "Seats"),
    "experts": ("可用专家 / 已用专家", "Experts available / used"),
    "total": ("总亲和度", "Total affinity"),
    "min": ("项目亲和度最小值", "Min project affinity"),
    "mean": ("项目亲和度平均值", "Mean project affinity"),
    "load": ("评审量 最小/最大/极差", "Load min/max/spread"),
    "units": ("参与单位数", "Units used"),
    "optimal": ("已证明最优", "Proven optimal"),
    "seed": ("随机种子", "Seed"),
    "hash": ("输入哈希", "Input hash"),
    "time": ("抽取时间（UTC）", "Drawn at (UTC)"),
    "out": ("已写出", "Written"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _LABELS[key]
    return en if lang == "en" else zh


class _Fail(Exception):
    def __init__(self, zh: str, en: str, code: int) -> None:
        super().__init__(zh)
        self.zh, self.en, self.code = zh, en, code


def _ruleset_rule(rules: str) -> Any:
    try:
        import riskeval  # lazy: riskeval never needs expert_pool, and the reverse only here
    except ImportError as exc:
        raise _Fail(f"无法导入 riskeval，不能使用 --rules：{exc}", f"cannot import riskeval for --rules: {exc}", 2) from exc
    loader = getattr(riskeval, "load_ruleset", None)
    if loader is None:
        raise _Fail("riskeval 未提供 load_ruleset，不能使用 --rules", "riskeval has no load_ruleset; --rules unavailable", 2)
    try:
        ruleset = loader(rules)
    except Exception as exc:  # riskeval reports its own errors; show them without a traceback
        raise _Fail(f"无法加载规则集“{rules}”：{exc}", f"cannot load rule set '{rules}': {exc}", 2) from exc
    rule = getattr(ruleset, "panel_size", None)
    if rule is None:
        raise _Fail(f"规则集“{rules}”没有专家人数规则（panel_size）", f"rule set '{rules}' has no panel_size rule", 2)
    return rule


def run_assign(
    *,
    projects: Path,
    out: Path,
    experts: Path | None = None,
    pool: Path | None = None,
    affinity: Path | None = None,
    conflicts: Path | None = None,
    max_per_unit: int | None = None,
    unit_max_load: int | None = None,
    method: str = "optimal",
    seed: int | None = None,
    prob_cap: float | None = None,
    rules: str | None = None,
    json_path: Path | None = None,
    lang: str = "zh",
) -> int:
    """The command's body; returns the exit code (messages on stderr, summary on stdout)."""
    from rich.console import Console
    from rich.table import Table

    from expert_pool.affinity import load_affinity_csv
    from expert_pool.assign.api import assign
    from expert_pool.errors import InfeasibleAssignment, PoolError
    from expert_pool.pool import load_conflicts_csv, load_experts_csv, load_pool, load_projects

    if lang not in ("zh", "en"):
        typer.echo(f"错误：--lang 应为 zh 或 en，而不是“{lang}” / --lang must be zh or en", err=True)
        return 2
    try:
        if (experts is None) == (pool is None):
            raise _Fail("请指定 --experts 或 --pool 二者之一", "give exactly one of --experts and --pool", 2)
        if method not in ("optimal", "random"):
            raise _Fail(f"--method 应为 optimal 或 random，而不是“{method}”",
                        f"--method must be optimal or random, not '{method}'", 2)
        if prob_cap is not None and method != "random":
            raise _Fail("--prob-cap 仅适用于 --method random", "--prob-cap requires --method random", 2)
        if seed is not None and method != "random":
            raise _Fail("--seed 仅适用于 --method random", "--seed requires --method random", 2)
        the_pool = load_experts_csv(experts) if experts is not None else load_pool(pool)  # type: ignore[arg-type]
        project_list = load_projects(projects)
        project_ids = [p.id for p in project_list]
        expert_ids = [e.id for e in the_pool.experts]
        aff = load_affinity_csv(affinity, project_ids=project_ids, expert_ids=expert_ids) if affinity else None
        confl = (load_conflicts_csv(conflicts, project_ids=project_ids, expert_ids=expert_ids)
                 if conflicts else None)
        rule = _ruleset_rule(rules) if rules else None
        result = assign(the_pool, project_list, affinity=aff, conflicts=confl, max_per_unit=max_per_unit,
                        unit_max_load=unit_max_load, method=method, seed=seed, prob_cap=prob_cap, panel_size=rule)
        result.to_csv(out)
        if json_path is not None:
            Path(json_path).write_text(result.metrics_json() + "\n", encoding="utf-8")
    except InfeasibleAssignment as exc:
        head = "No feasible assignment:" if lang == "en" else "无法完成分配："
        typer.echo(f"{head}\n{exc.message(lang)}", err=True)
        return 1
    except PoolError as exc:
        typer.echo(("Error: " if lang == "en" else "错误：") + exc.message(lang), err=True)
        return 2
    except _Fail as exc:
        typer.echo(("Error: " if lang == "en" else "错误：") + (exc.en if lang == "en" else exc.zh), err=True)
        return exc.code
    except OSError as exc:
        name = exc.filename or ""
        typer.echo((f"Error: cannot write or read {name}: {exc.strerror}" if lang == "en"
                    else f"错误：无法读写文件 {name}：{exc.strerror}"), err=True)
        return 2
    except Exception as exc:  # never a traceback
        typer.echo((f"Internal error ({type(exc).__name__}): {exc}" if lang == "en"
                    else f"内部错误（{type(exc).__name__}）：{exc}"), err=True)
        return 1

    m = result.metrics
    table = Table(title=_t("title", lang))
    table.add_column(_t("metric", lang))
    table.add_column(_t("value", lang), justify="right")
    table.add_row(_t("method", lang), f"{result.method} ({result.backend})")
    table.add_row(_t("projects", lang), str(m.projects))
    table.add_row(_t("seats", lang), str(m.seats))
    table.add_row(_t("experts", lang), f"{m.experts_available} / {m.experts_used}")
    table.add_row(_t("total", lang), f"{m.total:.6f}")
    table.add_row(_t("min", lang), "-" if m.min_project_affinity is None else f"{m.min_project_affinity:.6f}")
    table.add_row(_t("mean", lang), "-" if m.mean_project_affinity is None else f"{m.mean_project_affinity:.6f}")
    table.add_row(_t("load", lang), f"{m.load_min} / {m.load_max} / {m.load_spread}")
    table.add_row(_t("units", lang), str(len(m.experts_per_unit)))
    if result.method == "optimal":
        table.add_row(_t("optimal", lang), _t("yes" if result.optimal else "no", lang))
    if result.draw is not None:
        table.add_row(_t("seed", lang), str(result.draw.seed))
        table.add_row(_t("time", lang), result.draw.drawn_at)
    table.add_row(_t("hash", lang), result.pool_hash[:16])
    table.add_row(_t("out", lang), str(out) + (f", {json_path}" if json_path else ""))
    Console(width=100).print(table)
    return 0


def register(app: typer.Typer) -> None:
    """Add the ``assign`` command to ``app`` (riskeval's main typer app)."""

    @app.command("assign")
    def assign_command(
        projects: Annotated[Path, typer.Option("--projects", help="项目表 P.csv（或 YAML/JSONL）/ projects file")],
        out: Annotated[Path, typer.Option("--out", help="输出 OUT.csv（project,expert,score）/ output CSV")],
        experts: Annotated[Path | None, typer.Option("--experts", help="专家表 E.csv / experts CSV")] = None,
        pool: Annotated[Path | None, typer.Option("--pool", help="专家库 POOL.yaml / pool YAML")] = None,
        affinity: Annotated[Path | None, typer.Option("--affinity", help="亲和度 A.csv（project,expert,score）")] = None,
        conflicts: Annotated[Path | None, typer.Option("--conflicts", help="回避 C.csv（project,expert）")] = None,
        max_per_unit: Annotated[int | None, typer.Option("--max-per-unit", help="同一项目同一单位至多 N 人")] = None,
        unit_max_load: Annotated[int | None, typer.Option("--unit-max-load", help="每个单位合计至多 N 个席位")] = None,
        method: Annotated[str, typer.Option("--method", help="optimal（最优）| random（随机抽取）")] = "optimal",
        seed: Annotated[int | None, typer.Option("--seed", help="随机种子 / random seed")] = None,
        prob_cap: Annotated[float | None, typer.Option("--prob-cap", help="入选概率上限 (0,1] / probability cap")] = None,
        rules: Annotated[str | None, typer.Option("--rules", help="规则集（名称或路径），用于专家人数规则")] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="指标 METRICS.json / metrics JSON")] = None,
        lang: Annotated[str, typer.Option("--lang", help="zh | en")] = "zh",
    ) -> None:
        """Assign review experts to projects (专家分配：最优或随机抽取)."""
        code = run_assign(projects=projects, out=out, experts=experts, pool=pool, affinity=affinity,
                          conflicts=conflicts, max_per_unit=max_per_unit, unit_max_load=unit_max_load, method=method,
                          seed=seed, prob_cap=prob_cap, rules=rules, json_path=json_path, lang=lang)
        if code:
            raise typer.Exit(code)
