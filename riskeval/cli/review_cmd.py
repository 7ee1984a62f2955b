"""``riskeval review template`` and ``riskeval review aggregate``: the expert panel's scores.

A shell over :mod:`expert_pool.review.workflow` (the CLI is the one place riskeval may import expert_pool).
Errors travel to :class:`~riskeval.cli.common.RiskevalGroup`, which prints them and exits with the code of
:func:`~riskeval.errors.exit_code_for`.

Exit codes of ``aggregate``: 0 all rows valid; 1 some rows had errors (each listed; the valid rows are
still aggregated and the PANEL.csv written); 2 an input file cannot be used at all or an option is invalid.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..i18n import normalize_lang, t
from .common import Lang, LangOption

__all__ = ["register", "AggregateMethod"]


class AggregateMethod(StrEnum):
    """``--method``: the panel value of an item."""

    median = "median"
    mean = "mean"
    trimmed = "trimmed"


def register(app: typer.Typer) -> None:
    review_app = typer.Typer(help="专家评审：评分表、汇总、分歧与第二轮 / expert review", no_args_is_help=True)
    app.add_typer(review_app, name="review")

    @review_app.command("template")
    def template_cmd(
        assignment: Annotated[str, typer.Option("--assignment", help="专家分配结果 OUT.csv（project,expert,score）")],
        rules: Annotated[str, typer.Option("--rules", envvar="RISKEVAL_RULES", help="规则集名称或文件")],
        out: Annotated[str, typer.Option("--out", help="输出的评分表 sheets.xlsx")],
        experts: Annotated[str | None, typer.Option("--experts", help="专家表 CSV（显示姓名）")] = None,
        lang: LangOption = Lang.zh,
    ) -> None:
        """生成评分表：每个专家组一个工作表。/ Write one score sheet per panel."""
        from expert_pool.review.workflow import make_template

        report = make_template(assignment, rules, out, experts=experts)
        typer.echo(report.message(normalize_lang(str(lang))))

    @review_app.command("aggregate")
    def aggregate_cmd(
        scores: Annotated[str, typer.Option("--scores", help="评分文件 SCORES.csv 或 .xlsx（project,expert,item,score[,opinion]）")],
        rules: Annotated[str, typer.Option("--rules", envvar="RISKEVAL_RULES", help="规则集名称或文件")],
        out: Annotated[str, typer.Option("--out", help="输出的专家组汇总 PANEL.csv")],
        assignment: Annotated[str | None, typer.Option("--assignment", help="专家分配结果 OUT.csv（校验专家是否分配）")] = None,
        experts: Annotated[str | None, typer.Option("--experts", help="专家表 CSV（校验专家编号，记录姓名）")] = None,
        method: Annotated[
            AggregateMethod,
            typer.Option("--method", help="median | mean | trimmed（去掉一个最高分和一个最低分）", case_sensitive=False),
        ] = AggregateMethod.median,
        spread: Annotated[float, typer.Option("--spread", min=0.0, max=1.0, help="极差上限，占条目量程的比例")] = 0.4,
        agree_share: Annotated[
            float, typer.Option("--agree-share", min=0.0, max=1.0, help="距中位数一个步长以内的评分至少占的比例")
        ] = 0.6,
        round2: Annotated[str | None, typer.Option("--round2", help="第二轮（德尔菲）评分文件，只含分歧条目")] = None,
        calibrate: Annotated[bool, typer.Option("--calibrate", help="校准专家宽严（加性模型，最小二乘）")] = False,
        project: Annotated[
            list[str] | None, typer.Option("--project", help="项目文件（可多次）：按项目实际等级判断是否跨等级分界")
        ] = None,
        delphi_out: Annotated[str | None, typer.Option("--delphi-out", help="写出第二轮评分清单 CSV")] = None,
        lang: LangOption = Lang.zh,
    ) -> None:
        """汇总专家评分：校验、专家组分值、分歧标记、第二轮、宽严校准。/ Aggregate the panel's scores."""
        from expert_pool.review.workflow import aggregate_files

        code = normalize_lang(str(lang))
        review = aggregate_files(
            scores, rules, out, assignment=assignment, experts=experts, method=method.value, spread=spread,
            agree_share=agree_share, round2=round2, calibrate=calibrate, projects=project or (),
            delphi_out=delphi_out, lang=code,
        )
        typer.echo(t("pool.review.written", code, path=out))
        typer.echo(review.summary(code))
        if delphi_out:
            typer.echo(t("pool.review.delphi_written", code, path=delphi_out))
        review.raise_for_errors()
