"""The ``riskeval assign`` command (registered on riskeval's typer app by :func:`register`).

::

    riskeval assign --experts E.csv --projects P.csv [--affinity A.csv] [--conflicts C.csv]
                    [--max-per-unit N] [--unit-max-load N] [--method optimal|random] [--seed S]
                    [--prob-cap P] [--backend auto|networkx|ortools|highs] --out OUT.csv
                    [--json METRICS.json] [--lang zh|en]
    riskeval assign --pool POOL.yaml --projects PROJECTS [--rules RULESET] --out OUT.csv ...

A shell over :func:`expert_pool.assign.files.assign_files`: errors travel to riskeval's command group,
which prints them in the chosen language and exits with the code of :func:`riskeval.errors.exit_code_for`
(0 success; 1 no feasible assignment or bad rows; 2 unreadable input or invalid options).

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

# No ``from __future__ import annotations``: the command's annotations are evaluated inside
# :func:`register`, where riskeval's ``LangOption`` is imported (importing it at module level would be
# circular when this module is imported first: riskeval.cli imports it to register the command).
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from riskeval.i18n import normalize_lang, t

__all__ = ["register", "AssignMethod", "AssignBackend"]


class AssignMethod(StrEnum):
    """``--method``: the exact optimum or a random draw (随机抽取)."""

    optimal = "optimal"
    random = "random"


class AssignBackend(StrEnum):
    """``--backend``: the exact solver (:mod:`expert_pool.assign.backends`); ``auto`` picks by size."""

    auto = "auto"
    networkx = "networkx"
    ortools = "ortools"
    highs = "highs"


def register(app: typer.Typer) -> None:
    """Add the ``assign`` command to ``app`` (riskeval's main typer app)."""
    from riskeval.cli.common import Lang, LangOption

    @app.command("assign")
    def assign_command(
        projects: Annotated[Path, typer.Option("--projects", help="项目表 P.csv（或 YAML/JSONL）/ projects file")],
        out: Annotated[Path, typer.Option("--out", help="输出 OUT.csv（project,expert,score）/ output CSV")],
        experts: Annotated[Path | None, typer.Option("--experts", help="专家表 E.csv / experts CSV")] = None,
        pool: Annotated[Path | None, typer.Option("--pool", help="专家库 POOL.yaml / pool YAML")] = None,
        affinity: Annotated[Path | None, typer.Option("--affinity", help="亲和度 A.csv（project,expert,score）")] = None,
        conflicts: Annotated[Path | None, typer.Option("--conflicts", help="回避 C.csv（project,expert）")] = None,
        max_per_unit: Annotated[
            int | None, typer.Option("--max-per-unit", min=1, help="同一项目同一单位至多 N 人")
        ] = None,
        unit_max_load: Annotated[
            int | None, typer.Option("--unit-max-load", min=0, help="每个单位合计至多 N 个席位")
        ] = None,
        method: Annotated[
            AssignMethod, typer.Option("--method", help="optimal（最优）| random（随机抽取）", case_sensitive=False)
        ] = AssignMethod.optimal,
        backend: Annotated[
            AssignBackend,
            typer.Option("--backend", help="求解器 auto（按规模）| networkx | ortools | highs", case_sensitive=False),
        ] = AssignBackend.auto,
        seed: Annotated[int | None, typer.Option("--seed", min=0, help="随机种子 / random seed")] = None,
        prob_cap: Annotated[
            float | None, typer.Option("--prob-cap", help="入选概率上限 (0,1] / probability cap")
        ] = None,
        rules: Annotated[
            str | None, typer.Option("--rules", envvar="RISKEVAL_RULES", help="规则集（名称或路径），用于专家人数规则")
        ] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="指标 METRICS.json / metrics JSON")] = None,
        lang: LangOption = Lang.zh,
    ) -> None:
        """Assign review experts to projects (专家分配：最优或随机抽取)."""
        from rich.console import Console
        from rich.table import Table

        from expert_pool.assign.files import assign_files, summary_rows

        code = normalize_lang(str(lang))
        result = assign_files(
            projects=projects, out=out, experts=experts, pool=pool, affinity=affinity, conflicts=conflicts,
            max_per_unit=max_per_unit, unit_max_load=unit_max_load, method=method.value, backend=backend.value,
            seed=seed,
            prob_cap=prob_cap, rules=rules, json_path=json_path,
        )
        table = Table(title=t("pool.summary.title", code))
        table.add_column(t("pool.summary.metric", code))
        table.add_column(t("pool.summary.value", code), justify="right")
        written = [str(out)] + ([str(json_path)] if json_path else [])
        for label, value in summary_rows(result, code, written=written):
            table.add_row(label, value)
        Console(width=100).print(table)
